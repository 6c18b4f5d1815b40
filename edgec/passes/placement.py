"""Place every op on the target's accelerator or its CPU (compiling for the accelerator where it
has a compiler: Vela for Ethos-U, edgetpu_compiler for the Edge TPU when it is installed)."""

from __future__ import annotations

from edgec.artifact import Artifact
from edgec.passes.memory import record_arena
from edgec.pipeline import BuildContext
from edgec.placement import place

#: Report sections a placer may fill (report.json keys of one target family).
SECTIONS = ("vela", "edgetpu")


def place_ops(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Set each op's placement (and, when it falls back to the CPU, the reason) in the report,
    with the placement summary, the family's own section and its warnings."""
    placement = place(artifact.tflite, artifact.graph, ctx.profile)
    report = ctx.report
    for record in report.ops:
        where = placement.ops[record.index]
        record.placement, record.delegate = where.unit, where.delegate
        if where.reason is not None:
            record.reason = where.reason
    report.placement = placement.summary
    for key, section in placement.sections.items():
        if key not in SECTIONS:
            raise ValueError(f"placer filled an unknown report section '{key}'")
        setattr(report, key, section)
    for warning in placement.warnings:
        report.warn(warning)
    for name, data in placement.files.items():
        (ctx.stage / name).write_bytes(data)
        report.outputs.append(name)
    if placement.arena_bytes is not None:  # the accelerator's compiler measured the memory
        record_arena(artifact, ctx, placement.arena_bytes)
    return artifact.evolve("place", compiled=placement.compiled)
