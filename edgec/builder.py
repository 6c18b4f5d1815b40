"""`edgec.build(...)`: the build API the CLI's `edgec build` is a shell over."""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields, replace
from pathlib import Path

from edgec.artifact import Artifact
from edgec.emit.c_array import valid_c_name
from edgec.errors import ConversionError, DataError, EdgecError, OutputError, TargetError
from edgec.outputs import HTML_REPORT_NAME, REPORT_NAME, OutputStage
from edgec.early_exit.options import check_early_exit
from edgec.passes import passes_for, with_early_exit
from edgec.passes.budgets import breach_error
from edgec.passes.plans import input_kind, plan_for
from edgec.passes.quantize import CONVERTERS
from edgec.pipeline import BuildContext, run_passes
from edgec.report import Report
from edgec.targets import Profile, load_target

log = logging.getLogger("edgec")

#: --runtime values: the TFLite Micro flatbuffer + C array, or that plus generated C.
RUNTIMES = ("tflm", "aot")


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build depends on. Frozen: passes read it, never change it."""

    model: Path
    target: str | None = None
    target_file: Path | None = None
    calibration: Path | None = None
    validation: Path | None = None
    out: Path = Path("build")
    quant: str | None = None  # None: the target's default scheme
    synthetic_calibration: bool = False
    calibration_samples: int = 200
    seed: int = 0
    image_scale: str = "auto"
    ram_budget: int | None = None
    flash_budget: int | None = None
    unsafe_load: bool = False
    c_name: str = "edgec_model"
    input_shape: tuple[int, ...] | None = None  # batch first, fixes dynamic input dimensions
    conversion_tolerance: float = 1e-3  # float TFLite vs onnxruntime, see edgec.onnx.check
    runtime: str = "tflm"  # "aot": also generate C with in-house kernels (edgec.aot)
    # Early exits (edgec.early_exit; README "Early exits"); checked by check_early_exit.
    early_exit: str | None = None  # auto, auto:N or LAYER,LAYER,...
    train: Path | None = None  # training data for the exit heads
    max_accuracy_drop: float | None = None  # points of top-1 (early exits: default 1.0)
    exit_confidence: str = "softmax"  # softmax | margin
    head_epochs: int = 30
    joint_epochs: int = 0  # joint fine-tuning of backbone and heads after the heads


def _check_options(opts: BuildOptions, profile: Profile, kind: str) -> None:
    """Refuse bad requests before any slow work starts."""
    if opts.quant not in profile.schemes:
        raise TargetError(f"target {profile.id} cannot run {opts.quant} models",
                          hint=f"it runs: {', '.join(profile.schemes)}")
    if opts.quant not in CONVERTERS:
        raise TargetError(f"quantization scheme '{opts.quant}' is not available in this edgec",
                          hint=f"available: {', '.join(CONVERTERS)}")
    if kind != "tflite" and opts.calibration is None and not opts.synthetic_calibration:
        needs = "a float32 build needs data to validate on" if opts.quant == "float32" else \
            "INT8 quantization needs calibration data"
        raise DataError(needs,
                        hint="pass --calibration DATA (.npz/.npy or a folder of images), or "
                             "--synthetic-calibration to accept unknown accuracy")
    if opts.calibration_samples < 1:
        raise DataError("--calibration-samples must be at least 1",
                        hint="a few hundred samples calibrate well")
    for name in ("ram_budget", "flash_budget"):
        value = getattr(opts, name)
        if value is not None and value <= 0:
            raise TargetError(f"--{name.replace('_', '-')} must be positive",
                              hint="give bytes, e.g. 256K or 1M")
    if opts.conversion_tolerance < 0:
        raise ConversionError("--conversion-tolerance must not be negative",
                              hint="the default, 1e-3, allows float32 rounding only")
    if opts.runtime not in RUNTIMES:
        raise TargetError(f"unknown runtime '{opts.runtime}'",
                          hint=f"use one of: {', '.join(RUNTIMES)}")
    if not valid_c_name(opts.c_name):
        raise OutputError(f"--c-name '{opts.c_name}' is not a C identifier",
                          hint="use letters, digits and _, not starting with a digit")


def build(model: str | Path, **kwargs) -> Report:
    """Build `model` for a target; returns the report, also written to OUT/report.json.

    Keyword arguments are the fields of BuildOptions. Raises an EdgecError subclass on
    failure; on a budget breach the outputs are written first and the BudgetError
    carries the report (``exc.report``).
    """
    known = {f.name for f in fields(BuildOptions)}
    unknown = set(kwargs) - known
    if unknown:
        raise TypeError(f"unknown build option(s): {', '.join(sorted(unknown))}")
    for key in ("target_file", "calibration", "validation", "out", "train"):
        if kwargs.get(key) is not None:
            kwargs[key] = Path(kwargs[key])
    if kwargs.get("input_shape") is not None:
        kwargs["input_shape"] = tuple(kwargs["input_shape"])
    opts = BuildOptions(model=Path(model), **kwargs)
    profile = load_target(opts.target, opts.target_file)
    passes = with_early_exit(passes_for(profile, opts.runtime), opts)
    if opts.quant is None:
        opts = replace(opts, quant=profile.default_scheme)
    kind = input_kind(opts.model)
    _check_options(opts, profile, kind)
    check_early_exit(opts)

    report = Report(target=profile.id, target_name=profile.name)
    with OutputStage(opts.out) as stage:
        ctx = BuildContext(profile=profile, options=opts, report=report, stage=stage.path)
        run_passes(plan_for(kind, passes, opts.validation is not None), Artifact(), ctx)
        write_reports(report, stage.path)
        stage.commit()
    _raise_on_breach(report, profile)
    return report


def write_reports(report: Report, folder: Path) -> None:
    """report.json (the contract) and report.html (the same numbers, for a person)."""
    from edgec.html_report import render

    report.outputs += [HTML_REPORT_NAME, REPORT_NAME]
    data = report.to_dict()
    (folder / HTML_REPORT_NAME).write_text(render(data))
    (folder / REPORT_NAME).write_text(report.to_json())


def _raise_on_breach(report: Report, profile: Profile) -> None:
    error = breach_error(report.budgets, profile.id)
    if error is not None:
        error.hint += "; the outputs were written for inspection"
        error.report = report
        raise error


__all__ = ["BuildOptions", "build", "EdgecError"]
