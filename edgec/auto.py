"""`--auto`: try optimisation plans cheapest first and keep the first that fits.

The order is an engineer's: INT8 post-training quantization; then QAT; then pruning at
increasing ratios (each fine-tuned); then the same with INT4 weights if the target runs
them. A plan *fits* when flash and RAM are within the budgets and the accuracy guard
holds (--max-accuracy-drop, 1 point unless given). Once a pruning ratio breaks the
guard, larger ratios are not tried. Every plan tried is in the report's `plans`, with its
size, arena and accuracy and which was chosen.

Load and data run once; each plan runs the rest of the build up to the budget check on
its own report, and only the chosen plan's outputs are written. When no plan fits, the
closest one that holds the guard (or, if none does, the one that loses least) is written
and the build fails as that plan would on its own (BudgetError or AccuracyError).
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import time
from dataclasses import dataclass

from edgec.artifact import Artifact
from edgec.errors import ConversionError, ModelError, UnsupportedOpError
from edgec.passes.plans import build_passes, model_ready
from edgec.pipeline import BuildContext, run_passes
from edgec.quantization.qat import QAT_WEIGHT_BITS
from edgec.report import Report
from edgec.targets import Profile
from edgec.units import format_bytes

log = logging.getLogger("edgec")

PRUNE_RATIOS = (0.25, 0.5, 0.75)
AUTO_SCHEMES = ("int8", "int4")  # in the order tried, when --quant does not pick one
DEFAULT_MAX_DROP = 1.0
#: Errors that make one plan impossible without ending the search.
PLAN_ERRORS = (ConversionError, UnsupportedOpError, ModelError)


@dataclass(frozen=True)
class Plan:
    quant: str
    qat: bool = False
    prune: float | None = None

    @property
    def name(self) -> str:
        steps = [f"prune {round(100 * self.prune)} %"] if self.prune else []
        steps.append(f"{self.quant} {'QAT' if self.qat else 'PTQ'}")
        return " + ".join(steps)

    def options(self, base):
        return dataclasses.replace(
            base, auto=False, quant=self.quant, qat=self.qat, prune=self.prune,
            max_accuracy_drop=DEFAULT_MAX_DROP if base.max_accuracy_drop is None
            else base.max_accuracy_drop)


def auto_plans(opts, profile: Profile, kind: str = "keras") -> list[Plan]:
    """The plans --auto tries, in order, for these options, this target and this kind of input
    (QAT and pruning need training data and a Keras model)."""
    schemes = [opts.quant] if opts.quant else \
        [s for s in AUTO_SCHEMES if s in profile.schemes] or [profile.default_scheme]
    plans = []
    for scheme in schemes:
        plans.append(Plan(scheme))
        if opts.train is not None and kind == "keras":
            if scheme in QAT_WEIGHT_BITS:
                plans.append(Plan(scheme, qat=True))
            plans += [Plan(scheme, prune=ratio) for ratio in PRUNE_RATIOS]
    return plans


@dataclass
class _Tried:
    plan: Plan
    seconds: float
    ctx: BuildContext | None = None
    artifact: Artifact | None = None
    error: Exception | None = None

    @property
    def report(self) -> Report | None:
        return None if self.ctx is None else self.ctx.report

    @property
    def guard_ok(self) -> bool:
        guard = self.report.accuracy_guard
        return guard is None or guard["ok"]

    @property
    def budgets_ok(self) -> bool:
        return all(b.ok for b in self.report.budgets)

    @property
    def fits(self) -> bool:
        return self.error is None and self.guard_ok and self.budgets_ok

    def overshoot(self) -> float:
        return max(b.actual / b.limit for b in self.report.budgets)

    def max_drop(self) -> float:
        guard = self.report.accuracy_guard
        return max((c["drop"] for c in guard["checks"]), default=0.0) if guard else 0.0

    def reason(self) -> str | None:
        if self.error is not None:
            return f"{type(self.error).__name__}: {self.error}"
        reasons = [f"{b.name} over by {format_bytes(b.over_by)}" for b in self.report.budgets
                   if not b.ok]
        guard = self.report.accuracy_guard
        if guard is not None:
            reasons += [f"accuracy drop {c['drop']:.2f} > {guard['max_drop']:g} after {c['pass']}"
                        for c in guard["checks"] if not c["ok"]]
        return "; ".join(reasons) or None

    def to_dict(self, chosen: bool) -> dict:
        entry = {"plan": self.plan.name, "quant": self.plan.quant, "qat": self.plan.qat,
                 "prune": self.plan.prune, "seconds": round(self.seconds, 2)}
        r = self.report
        if self.error is None:
            entry.update({
                "params": r.passes[-1].params if r.passes else None,
                "model_bytes": r.model_bytes, "arena_bytes": r.arena_bytes,
                "flash_bytes": r.flash_bytes, "ram_bytes": r.ram_bytes,
                "accuracy": r.validation.get("accuracy_quantized"),
                "accuracy_drop": round(self.max_drop(), 4) if r.accuracy_guard else None})
        entry.update({"fits": self.fits, "chosen": chosen, "reason": self.reason()})
        return entry


def _split(passes: list, after: str) -> tuple[list, list]:
    at = [p.name for p in passes].index(after) + 1
    return passes[:at], passes[at:]


def search(ctx: BuildContext, plans: list[Plan], kind: str = "keras") -> None:
    """Run the plans; leave the chosen plan's report (with `plans`) in ctx.report and its
    outputs in ctx.stage."""
    passes = build_passes(ctx.options, kind, ctx.profile)
    loaded = run_passes(passes[:model_ready(passes)], Artifact(), ctx)
    if ctx.options.max_accuracy_drop is None:
        ctx.report.warn(f"--auto without --max-accuracy-drop: plans may lose at most "
                        f"{DEFAULT_MAX_DROP:g} point of accuracy")
    if not any(p.qat or p.prune for p in plans):
        ctx.report.warn("--auto tried post-training quantization only: QAT and pruning need "
                        "--train data and a Keras model")
    tried: list[_Tried] = []
    too_far: float | None = None  # smallest pruning ratio that broke the guard
    for plan in plans:
        if plan.prune is not None and too_far is not None and plan.prune >= too_far:
            continue
        log.info("plan: %s", plan.name)
        plan_ctx = dataclasses.replace(ctx, options=plan.options(ctx.options),
                                       report=copy.deepcopy(ctx.report), measured={})
        plan_passes = build_passes(plan_ctx.options, kind, plan_ctx.profile)
        trial, _ = _split(plan_passes[model_ready(plan_passes):], "budgets")
        start = time.perf_counter()
        try:
            artifact = run_passes(trial, loaded, plan_ctx)
        except PLAN_ERRORS as error:
            tried.append(_Tried(plan, time.perf_counter() - start, error=error))
            continue
        result = _Tried(plan, time.perf_counter() - start, plan_ctx, artifact)
        tried.append(result)
        if result.fits:
            break
        if plan.prune is not None and not result.guard_ok:
            too_far = plan.prune if too_far is None else min(too_far, plan.prune)
    chosen = _choose(tried)
    _, finish = _split(build_passes(chosen.ctx.options, kind, chosen.ctx.profile), "budgets")
    run_passes(finish, chosen.artifact, chosen.ctx)
    chosen.report.plans = [t.to_dict(t is chosen) for t in tried]
    ctx.report = chosen.report


def _choose(tried: list[_Tried]) -> _Tried:
    """The plan that fits; failing that the closest that holds the guard; failing that the
    one that loses least accuracy. Only when every plan errored is the first error raised."""
    built = [t for t in tried if t.error is None]
    if not built:
        raise tried[0].error
    fitting = [t for t in built if t.fits]
    if fitting:
        return fitting[0]
    holding = [t for t in built if t.guard_ok]
    if holding:
        return min(holding, key=lambda t: t.overshoot())
    return min(built, key=lambda t: t.max_drop())
