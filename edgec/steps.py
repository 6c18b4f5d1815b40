"""One optimisation step as its own command: `edgec.prune`, `edgec.quantize`, `edgec.qat`.

Each runs the same passes `edgec.build` would, through the same driver, and writes one
model file the next command takes: prune writes a .keras (tf_keras) that `edgec build`,
`edgec quantize` and `edgec qat` accept; quantize and qat write a .tflite. The file is
written atomically (a temporary file beside it, renamed into place); when the accuracy
guard fails the model is still written and AccuracyError carries the report, as in a build.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import fields
from pathlib import Path

from edgec.accuracy import guard_failure
from edgec.artifact import Artifact
from edgec.errors import DataError, ModelError, OutputError
from edgec.optimization import check_optimization
from edgec.passes.plans import build_passes, input_kind
from edgec.pipeline import BuildContext, run_passes
from edgec.report import Report
from edgec.targets import load_target


def _options(model, out, **kwargs):
    from edgec.builder import BuildOptions

    known = {f.name for f in fields(BuildOptions)}
    unknown = set(kwargs) - known
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
    for key in ("target_file", "calibration", "validation", "train"):
        if kwargs.get(key) is not None:
            kwargs[key] = Path(kwargs[key])
    return BuildOptions(model=Path(model), out=Path(out), **kwargs)


def _check_out(out: Path, suffixes: tuple[str, ...]) -> None:
    if out.suffix.lower() not in suffixes:
        raise OutputError(f"output {out} must end in {' or '.join(suffixes)}",
                          hint=f"e.g. -o {out.with_suffix(suffixes[0]).name}")
    if out.is_dir():
        raise OutputError(f"output {out} is a folder", hint="give a file name with -o")
    if not out.resolve().parent.is_dir():
        raise OutputError(f"the folder that would hold {out} does not exist",
                          hint="create it first, or choose another -o")


def _write_atomically(out: Path, write) -> None:
    """`write(path)` into a temporary file beside `out`, then rename it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}.edgec-tmp-", suffix=out.suffix,
                               dir=out.resolve().parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, out)
    except PermissionError:
        raise OutputError(f"output {out} cannot be written (permission denied)",
                          hint="choose a folder you can write to with -o")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _run(opts, last: str) -> tuple[Report, Artifact]:
    """The build's passes for these options up to `last` (a build's later passes check
    budgets and write a folder); without a target, the op check (which needs one) is left out."""
    from edgec.builder import check_options

    kind = input_kind(opts.model)
    if kind == "tflite":
        raise ModelError(f"{opts.model.name} is already a converted .tflite",
                         hint="give the trained model (.keras, .h5, a SavedModel or .onnx)")
    profile = load_target(opts.target, opts.target_file) if (opts.target or opts.target_file) \
        else None
    if profile is not None:
        check_options(opts, profile, kind)  # the scheme, calibration: as a build checks them
    check_optimization(opts, kind)
    passes = build_passes(opts, kind, profile)
    passes = [p for p in passes[:[p.name for p in passes].index(last) + 1]
              if profile is not None or p.name != "check-ops"]
    report = Report(target=profile.id if profile else "", target_name=profile.name if profile else "")
    ctx = BuildContext(profile=profile, options=opts, report=report, stage=None)
    return report, run_passes(passes, Artifact(), ctx)


def _finish(report: Report, out: Path) -> Report:
    report.outputs.append(str(out))
    failure = guard_failure(report)
    if failure is not None:
        failure.report = report
        raise failure
    return report


def prune(model, out, train, ratio: float | None = 0.5, **kwargs) -> Report:
    """Prune filters (ratio), and/or apply M:N sparsity (sparsity="2:4"), fine-tuning on
    `train`; write the result to `out` (.keras). Options as for edgec.build."""
    opts = _options(model, out, train=train, prune=ratio, quant=None, **kwargs)
    if opts.prune is None and opts.sparsity is None:
        raise ValueError("give a pruning ratio, a sparsity (M:N) or both")
    _check_out(opts.out, (".keras", ".h5"))
    report, artifact = _run(opts, "sparsity" if opts.sparsity else "prune")
    _write_atomically(opts.out, lambda path: artifact.float_model.keras.save(path))
    return _finish(report, opts.out)


def quantize(model, out, calibration=None, quant: str = "int8", **kwargs) -> Report:
    """Quantize a float model (PTQ; or QAT first with qat=True and train=...) into `out`
    (.tflite), measure its arena and validate it in TFLite Micro. With a target (target=...)
    the scheme and every op are checked against it first."""
    opts = _options(model, out, calibration=calibration, quant=quant, **kwargs)
    _check_out(opts.out, (".tflite",))
    if opts.calibration is None and not opts.synthetic_calibration:
        raise DataError("quantization needs calibration data",
                        hint="pass --calibration DATA (.npz/.npy or a folder of images)")
    report, artifact = _run(opts, "validate")
    _write_atomically(opts.out, lambda path: path.write_bytes(artifact.tflite))
    return _finish(report, opts.out)


def qat(model, out, train, calibration=None, quant: str = "int8", **kwargs) -> Report:
    """Quantization-aware training (8-bit or, with quant="int4", 4-bit weights), fine-tuned on
    `train`, converted into `out` (.tflite). Same as quantize(..., qat=True)."""
    return quantize(model, out, calibration=calibration, quant=quant, train=train, qat=True,
                    **kwargs)


__all__ = ["prune", "qat", "quantize"]
