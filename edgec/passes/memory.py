"""Measure the model's RAM the way the device will need it: TFLite Micro's tensor arena on
microcontrollers, LiteRT's arena on phones and Linux boards (Vela measures it on Ethos-U, in
the placement pass)."""

from __future__ import annotations

from edgec.artifact import Artifact
from edgec.litert import LiteRTRunner
from edgec.pipeline import BuildContext
from edgec.tflite.costs import op_costs
from edgec.tflite.liveness import live_bytes_per_step
from edgec.tflm import MicroRunner


def record_arena(artifact: Artifact, ctx: BuildContext, arena: int) -> None:
    """Record a measured arena, with the per-layer costs and the live activation bytes at each
    step beside it."""
    graph = artifact.graph.main
    ctx.report.layers = [c.to_dict() for c in op_costs(artifact.graph)]
    ctx.report.memory_timeline = [
        {"step": i, "op": op.opcode, "live_bytes": live}
        for i, (op, live) in enumerate(zip(graph.operators, live_bytes_per_step(graph)))]
    ctx.report.arena_bytes = arena
    ctx.measured["arena_bytes"] = arena


def measure_memory(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Load and invoke the flatbuffer in TFLite Micro and read the arena it allocated; record
    per-layer costs and the live activation bytes at each step beside it.

    The Python interpreter is x86-64: its arena holds 64-bit pointers in TFLM's persistent
    structures, so it is a slight over-estimate for a 32-bit Cortex-M (tensor buffers,
    the bulk of it, are the same).
    """
    record_arena(artifact, ctx, MicroRunner(artifact.tflite, artifact.graph).arena_bytes())
    return artifact.evolve("measure")


def measure_litert(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Load the flatbuffer in LiteRT's interpreter (builtin kernels) and read the extent of the
    arena it placed the model's tensors in. Delegates keep working memory of their own beyond it
    (counted in the profile's runtime RAM overhead)."""
    record_arena(artifact, ctx, LiteRTRunner(artifact.tflite, artifact.graph).arena_bytes())
    return artifact.evolve("measure")
