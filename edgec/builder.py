"""`edgec.build(...)`: the build API the CLI's `edgec build` is a shell over."""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields, replace
from pathlib import Path

from edgec.accuracy import guard_failure
from edgec.artifact import Artifact
from edgec.auto import auto_plans, search
from edgec.emit.c_array import valid_c_name
from edgec.errors import ConversionError, DataError, EdgecError, OutputError, TargetError
from edgec.optimization import check_optimization
from edgec.outputs import HTML_REPORT_NAME, REPORT_NAME, OutputStage
from edgec.early_exit.options import check_early_exit
from edgec.passes.aot import kernel_set
from edgec.passes.budgets import breach_error
from edgec.passes.plans import build_passes, input_kind
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
    kernels: str = "auto"  # --runtime aot: "scalar", "dsp" or "auto" (the core's DSP extension)
    # Optimisation (README "Optimising a model"); checked by edgec.optimization.
    train: Path | None = None  # training data for fine-tuning
    prune: float | None = None  # share of filters to remove
    prune_norm: str = "l1"  # l1 | l2
    prune_scope: str = "layer"  # layer | global
    sparsity: str | None = None  # M:N, e.g. "2:4" (tfmot; no smaller on TFLite Micro)
    qat: bool = False  # quantization-aware training for --quant (int8 or int4)
    max_accuracy_drop: float | None = None  # points of top-1 (or of agreement without labels)
    auto: bool = False  # search plans for the first that fits
    epochs: int = 20  # fine-tuning epochs at most (early stopping)
    learning_rate: float | None = None  # None: 1e-3 (pruning), 1e-4 (QAT)
    batch_size: int = 32
    # Early exits (edgec.early_exit; README "Early exits"); checked by check_early_exit.
    # --train and --max-accuracy-drop above serve them too (the drop then also bounds the
    # staged model against the INT8 one, 1 point unless given).
    early_exit: str | None = None  # auto, auto:N or LAYER,LAYER,...
    exit_confidence: str = "softmax"  # softmax | margin
    head_epochs: int = 30
    joint_epochs: int = 0  # joint fine-tuning of backbone and heads after the heads


@dataclass(frozen=True)
class PreparedBuild:
    """A build whose options were checked: what `run_build` runs (`build`, `edgec.bench`)."""

    options: BuildOptions
    profile: Profile
    kind: str  # the input's kind (edgec.passes.plans.input_kind)
    plans: list | None  # --auto: the plans to search
    passes: list | None  # otherwise: the passes to run


def check_options(opts: BuildOptions, profile: Profile, kind: str) -> None:
    """Refuse bad requests before any slow work starts."""
    if opts.quant not in profile.schemes:
        raise TargetError(f"target {profile.id} cannot run {opts.quant} models",
                          hint=f"it runs: {', '.join(profile.schemes)}")
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
    if opts.runtime == "aot":
        kernel_set(profile, opts.kernels)  # refuses an unknown set or DSP kernels without DSP
    if not valid_c_name(opts.c_name):
        raise OutputError(f"--c-name '{opts.c_name}' is not a C identifier",
                          hint="use letters, digits and _, not starting with a digit")


def build(model: str | Path, **kwargs) -> Report:
    """Build `model` for a target; returns the report, also written to OUT/report.json.

    Keyword arguments are the fields of BuildOptions. Raises an EdgecError subclass on
    failure; on a budget breach the outputs are written first and the BudgetError
    carries the report (``exc.report``).
    """
    prepared = prepare(model, **kwargs)
    with OutputStage(prepared.options.out) as stage:
        report = run_build(prepared, stage.path).report
        stage.commit()
    failure = guard_failure(report)
    if failure is not None:
        failure.report = report
        raise failure
    _raise_on_breach(report, prepared.profile)
    return report


def prepare(model: str | Path, **kwargs) -> PreparedBuild:
    """A build's options and target, checked before any slow work starts."""
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
    kind = input_kind(opts.model)
    plans = auto_plans(opts, profile, kind) if opts.auto else None
    if opts.quant is None:
        opts = replace(opts, quant=profile.default_scheme)
    check_options(opts, profile, kind)
    check_optimization(opts, kind)
    check_early_exit(opts)
    passes = None if plans is not None else build_passes(opts, kind, profile)
    return PreparedBuild(opts, profile, kind, plans, passes)


def run_build(prepared: PreparedBuild, folder: Path) -> BuildContext:
    """Run a prepared build (its passes, or the --auto search), writing its outputs and
    reports into `folder` (a staging folder); returns the context (report, loaded data)
    without judging accuracy or budgets."""
    opts, profile = prepared.options, prepared.profile
    ctx = BuildContext(profile=profile, options=opts,
                       report=Report(target=profile.id, target_name=profile.name), stage=folder)
    if prepared.plans is not None:
        search(ctx, prepared.plans, prepared.kind)
    else:
        run_passes(prepared.passes, Artifact(), ctx)
    write_reports(ctx.report, folder)
    return ctx


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
        if report.plans:
            error.hint = f"--auto tried {len(report.plans)} plans (see `plans` in report.json); " \
                + error.hint
        error.hint += "; the outputs were written for inspection"
        error.report = report
        raise error


__all__ = ["BuildOptions", "build", "EdgecError"]
