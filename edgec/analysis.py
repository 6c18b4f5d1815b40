"""`edgec.analyze(...)`: per-layer cost of a model and, for a target, whether it fits.

Like `stedgeai analyze`: for each op of the flatbuffer its output shape, parameters, MACs
(one multiply-add = one MAC; see edgec.tflite.costs), weight bytes and activation bytes,
with its share of the total MACs and of the flatbuffer; totals; the TFLite Micro arena;
and, given a target, the verdict of the same op checks and budgets a build applies.

A .tflite is analyzed as it is. Any other input is first converted the way `edgec build`
converts it (the same passes), to the target's default scheme (INT8), calibrated on the
given data or on synthetic data: sizes and MACs do not depend on calibration values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from edgec.artifact import Artifact
from edgec.builder import BuildOptions
from edgec.errors import EdgecError, UnsupportedOpError
from edgec.passes import STANDARD_BUILD
from edgec.passes.budgets import breach_error, target_budgets
from edgec.passes.op_check import op_records, unsupported_error
from edgec.passes.plans import input_kind, plan_for
from edgec.passes.tflite_input import read_flatbuffer
from edgec.pipeline import BuildContext, run_passes
from edgec.report import Report
from edgec.targets import load_target
from edgec.tflite.costs import op_costs
from edgec.tflite.model import read_model
from edgec.tflite.scheme import flatbuffer_scheme
from edgec.tflm import MicroRunner


@dataclass
class Analysis:
    model: dict  # path, format
    flatbuffer: dict  # scheme, bytes, how it was obtained
    layers: list[dict]
    total_macs: int
    total_params: int
    total_weight_bytes: int
    model_bytes: int
    arena_bytes: int | None
    target: str | None = None
    verdict: dict | None = None
    warnings: list[str] = field(default_factory=list)
    #: the error a build for the target would end in (unsupported op, over budget), if any
    error: EdgecError | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        return {
            "model": self.model, "flatbuffer": self.flatbuffer, "layers": self.layers,
            "total_macs": self.total_macs, "total_params": self.total_params,
            "total_weight_bytes": self.total_weight_bytes, "model_bytes": self.model_bytes,
            "arena_bytes": self.arena_bytes, "target": self.target, "verdict": self.verdict,
            "warnings": self.warnings,
        }


def analyze(model: str | Path, target: str | None = None, target_file: str | Path | None = None,
            calibration: str | Path | None = None, input_shape: tuple[int, ...] | None = None,
            calibration_samples: int = 200, seed: int = 0, image_scale: str = "auto",
            unsafe_load: bool = False) -> Analysis:
    """Analyze `model` (any input `edgec build` takes), for `target` when one is given."""
    model = Path(model)
    kind = input_kind(model)
    profile = load_target(target, target_file) if (target or target_file) else None
    notes: list[str] = []
    if kind == "tflite":
        tflite, graph = read_flatbuffer(model)
        scheme, fmt = flatbuffer_scheme(graph), "tflite"
        how = {"source": "the given .tflite"}
    else:
        tflite, scheme, fmt, how = _convert(model, kind, profile, calibration, input_shape,
                                            calibration_samples, seed, image_scale, unsafe_load,
                                            notes)
        graph = read_model(tflite)
    costs = op_costs(graph)
    total_macs = sum(c.macs for c in costs)
    layers = []
    for c in costs:
        layer = c.to_dict()
        layer["macs_share"] = round(100.0 * c.macs / total_macs, 2) if total_macs else 0.0
        layer["flash_share"] = round(100.0 * c.weight_bytes / len(tflite), 2)
        layers.append(layer)
    arena = _arena(tflite, graph, notes)
    result = Analysis(
        model={"path": str(model), "format": fmt},
        flatbuffer={"scheme": scheme, "bytes": len(tflite), **how}, layers=layers,
        total_macs=total_macs, total_params=sum(c.params for c in costs),
        total_weight_bytes=sum(c.weight_bytes for c in costs), model_bytes=len(tflite),
        arena_bytes=arena, warnings=notes)
    if profile is not None:
        records = op_records(graph, profile)
        for layer, record in zip(layers, records):
            layer["supported"] = record.supported
            if record.reason is not None:
                layer["reason"] = record.reason
        budgets = target_budgets(profile, len(tflite), arena)
        if arena is None:
            notes.append("RAM not checked: TFLite Micro could not measure the arena")
        ops_ok = all(r.supported for r in records)
        result.error = unsupported_error(records, profile.id) or breach_error(budgets, profile.id)
        result.target = profile.id
        result.verdict = {
            "ok": ops_ok and all(b.ok for b in budgets), "ops_supported": ops_ok,
            "budgets": [b.to_dict() for b in budgets],
        }
    return result


def _convert(model: Path, kind: str, profile, calibration, input_shape, calibration_samples,
             seed, image_scale, unsafe_load, notes: list[str]):
    """The flatbuffer `edgec build` would make: its passes up to `quantize`."""
    scheme = profile.default_scheme if profile is not None else "int8"
    opts = BuildOptions(model=model, calibration=Path(calibration) if calibration else None,
                        synthetic_calibration=calibration is None,
                        calibration_samples=calibration_samples, seed=seed,
                        image_scale=image_scale, unsafe_load=unsafe_load,
                        input_shape=tuple(input_shape) if input_shape else None, quant=scheme)
    plan = plan_for(kind, STANDARD_BUILD)
    front = plan[:[p.name for p in plan].index("quantize") + 1]
    report = Report(target=profile.id if profile is not None else "")
    ctx = BuildContext(profile=profile, options=opts, report=report, stage=None)
    artifact = run_passes(front, Artifact(), ctx)
    notes += [w for w in report.warnings if not w.startswith("calibrated on synthetic data")]
    calibrated = "synthetic data" if calibration is None else str(calibration)
    if calibration is None:
        notes.append(f"converted to {scheme.upper()} with synthetic calibration: sizes and MACs "
                     "are exact, accuracy is not analyzed")
    how = {"source": f"converted by edgec from the {report.model.get('format', kind)} model",
           "calibration": calibrated}
    if report.conversion:
        how["conversion"] = report.conversion
    return artifact.tflite, scheme, report.model.get("format", kind), how


def _arena(tflite: bytes, graph, notes: list[str]) -> int | None:
    try:
        return MicroRunner(tflite, graph).arena_bytes()
    except UnsupportedOpError as exc:
        notes.append(f"TFLite Micro cannot run the model, so its arena is unknown: {exc.message}")
        return None
