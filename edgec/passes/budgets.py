"""Check flash and RAM against the target's budgets (or the user's tighter ones)."""

from __future__ import annotations

from edgec.artifact import Artifact
from edgec.pipeline import BuildContext
from edgec.report import Budget


def budget_of(name: str, limit: int, parts: dict[str, int]) -> Budget:
    actual = sum(parts.values())
    return Budget(name=name, limit=limit, actual=actual, ok=actual <= limit, parts=parts)


def check_budgets(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Flash = model bytes + runtime code; RAM = measured arena + runtime overhead.

    A breach is recorded here; the build writes its outputs and then fails with
    BudgetError (exit code 8), so the user can look at what did not fit.
    """
    profile, opts, report = ctx.profile, ctx.options, ctx.report
    flash = budget_of("flash", opts.flash_budget or profile.device.flash_bytes,
                       {"model": artifact.model_bytes, "runtime_code": profile.runtime_code_bytes})
    ram = budget_of("ram", opts.ram_budget or profile.device.ram_bytes,
                     {"arena": report.arena_bytes, "runtime_overhead": profile.runtime_ram_bytes})
    report.flash_bytes, report.ram_bytes = flash.actual, ram.actual
    report.budgets = [flash, ram]
    return artifact.evolve("budgets")
