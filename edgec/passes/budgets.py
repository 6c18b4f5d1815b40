"""Check flash and RAM against the target's budgets (or the user's tighter ones)."""

from __future__ import annotations

from edgec.artifact import Artifact
from edgec.pipeline import BuildContext
from edgec.errors import BudgetError
from edgec.report import Budget
from edgec.targets.profile import Profile
from edgec.units import format_bytes


def budget_of(name: str, limit: int, parts: dict[str, int]) -> Budget:
    actual = sum(parts.values())
    return Budget(name=name, limit=limit, actual=actual, ok=actual <= limit, parts=parts)


def target_budgets(profile: Profile, model_bytes: int, arena_bytes: int | None,
                   flash_limit: int | None = None, ram_limit: int | None = None) -> list[Budget]:
    """Flash = model bytes + runtime code; RAM = arena + runtime overhead (no RAM budget
    when the arena is unknown). Limits default to the target's budgets (its device's flash and
    RAM unless the profile says less)."""
    budgets = [budget_of("flash", flash_limit or profile.budget_flash_bytes,
                         {"model": model_bytes, "runtime_code": profile.runtime_code_bytes})]
    if arena_bytes is not None:
        budgets.append(budget_of("ram", ram_limit or profile.budget_ram_bytes,
                                 {"arena": arena_bytes, "runtime_overhead": profile.runtime_ram_bytes}))
    return budgets


def aot_budgets(profile: Profile, aot: dict, flash_limit: int | None = None,
                ram_limit: int | None = None) -> list[Budget]:
    """An AOT build (report.json `aot`, edgec.aot.footprint): flash = the compiled code,
    constants and initial data; RAM = activations + kernel scratch (+ any other static
    data) + the stack bound. No runtime of its own besides the code measured."""
    other = aot["static_ram_bytes"] - aot["activation_bytes"] - aot["scratch_bytes"]
    ram = {"activations": aot["activation_bytes"], "scratch": aot["scratch_bytes"],
           **({"other_static": other} if other > 0 else {}), "stack": aot["stack_bytes"]}
    flash = {"code": aot["code_bytes"], "constants": aot["constant_bytes"],
             **({"data": aot["data_bytes"]} if aot["data_bytes"] else {})}
    return [budget_of("flash", flash_limit or profile.budget_flash_bytes, flash),
            budget_of("ram", ram_limit or profile.budget_ram_bytes, ram)]


def breach_error(budgets: list[Budget], target_id: str) -> BudgetError | None:
    """The error for the budgets a model breaks (which, by how much, what it is made of)."""
    breaches = [b for b in budgets if not b.ok]
    if not breaches:
        return None
    parts = "; ".join(
        f"{b.name.upper()} budget exceeded by {b.over_by:,} bytes: {format_bytes(b.actual)} needed, "
        f"{format_bytes(b.limit)} available "
        f"({' + '.join(f'{k} {format_bytes(v)}' for k, v in b.parts.items())})"
        for b in breaches)
    what = {"ram": "shrink activations (fewer filters, smaller input, earlier downsampling)",
            "flash": "shrink weights (fewer filters or layers)"}
    hint = "; ".join(what[b.name] for b in breaches) + \
        ", or pick a larger target (`edgec targets list`)"
    return BudgetError(f"model does not fit {target_id}: {parts}", hint=hint)


def check_budgets(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Flash = the flatbuffer the device runs (Vela's output on Ethos-U) + runtime code;
    RAM = measured arena (Vela's SRAM and DRAM on Ethos-U) + runtime overhead; with
    --runtime aot, the generated C's compiled size and its static RAM + stack bound
    (aot_budgets). Limits: the user's, else the profile's budgets (the device's flash and
    RAM unless it says less).

    A breach is recorded here; the build writes its outputs and then fails with
    BudgetError (exit code 8), so the user can look at what did not fit.
    """
    opts, report = ctx.options, ctx.report
    if report.aot is not None:  # --runtime aot: the generated C as compiled for the core
        report.budgets = aot_budgets(ctx.profile, report.aot, opts.flash_budget, opts.ram_budget)
    else:
        report.budgets = target_budgets(ctx.profile, len(artifact.deployed), report.arena_bytes,
                                        opts.flash_budget, opts.ram_budget)
    report.flash_bytes = report.budget("flash").actual
    report.ram_bytes = report.budget("ram").actual
    return artifact.evolve("budgets")
