"""Measuring a model after a lossy pass, and the accuracy guard (--max-accuracy-drop).

Every lossy pass (prune, sparsity, qat, and quantize, measured by validate) scores its
model on the validation data: top-1 accuracy when the data has labels, otherwise top-1
agreement with the original float model's outputs (100 % = same predictions). The guard
compares each score with the original float model's and records the drop; a drop past
the limit makes the build fail with AccuracyError once its outputs are written (the
report says which pass and by how much).
"""

from __future__ import annotations

import numpy as np

from edgec.errors import AccuracyError
from edgec.metrics import accuracy, compare
from edgec.pipeline import BuildContext
from edgec.report import Report


def reference_outputs(ctx: BuildContext) -> list[np.ndarray]:
    """The original float model's outputs on the validation data (computed once per build)."""
    if "reference_outputs" not in ctx.memo:
        data = ctx.validation or ctx.calibration
        ctx.memo["reference_outputs"] = ctx.reference.predict(data.x)
    return ctx.memo["reference_outputs"]


def _score(ctx: BuildContext, outputs: list[np.ndarray]) -> float:
    data = ctx.validation
    if data.y is not None:
        return accuracy(outputs[0], data.y)
    return compare(reference_outputs(ctx)[0], outputs[0])["top1_agreement"]


def measure(ctx: BuildContext, lossy_pass: str, outputs: list[np.ndarray]) -> None:
    """Score the model `lossy_pass` produced from its outputs on the validation data: the
    pass record's accuracy (with labels) and the guard's check. No validation data: nothing."""
    if ctx.validation is None:
        return
    score = _score(ctx, outputs)
    if ctx.validation.y is not None:
        ctx.measured["accuracy"] = score
    limit = ctx.options.max_accuracy_drop
    if limit is None:
        return
    guard = ctx.report.accuracy_guard
    if guard is None:
        labelled = ctx.validation.y is not None
        guard = ctx.report.accuracy_guard = {
            "max_drop": limit, "metric": "top1" if labelled else "top1_agreement",
            "data": ctx.validation.source, "baseline": _score(ctx, reference_outputs(ctx)),
            "checks": [], "ok": True}
    drop = guard["baseline"] - score
    ok = drop <= limit + 1e-9
    guard["checks"].append({"pass": lossy_pass, "value": score, "drop": drop, "ok": ok})
    guard["ok"] = guard["ok"] and ok


def measure_float(ctx: BuildContext, lossy_pass: str, model) -> None:
    """measure() for a float model (a FloatModel) a pass produced."""
    if ctx.validation is not None:
        measure(ctx, lossy_pass, model.predict(ctx.validation.x))


def guard_failure(report: Report) -> AccuracyError | None:
    """The error for the first check past the limit, if any."""
    guard = report.accuracy_guard
    if not guard or guard["ok"]:
        return None
    bad = next(c for c in guard["checks"] if not c["ok"])
    what = "accuracy" if guard["metric"] == "top1" else "top-1 agreement with the float model"
    return AccuracyError(
        f"{what} dropped {bad['drop']:.2f} points after {bad['pass']} "
        f"({guard['baseline']:.2f} % -> {bad['value']:.2f} %), more than --max-accuracy-drop "
        f"{guard['max_drop']:g}",
        hint="prune less, fine-tune longer (--epochs), try --qat, or allow a larger drop; "
             "the outputs were written for inspection")
