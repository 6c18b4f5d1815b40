"""Measure the model's RAM the way the device will need it: TFLite Micro's tensor arena."""

from __future__ import annotations

from edgec.artifact import Artifact
from edgec.pipeline import BuildContext
from edgec.tflite.costs import op_costs
from edgec.tflite.liveness import live_bytes_per_step
from edgec.tflm import MicroRunner


def measure_memory(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Load and invoke the flatbuffer in TFLite Micro and read the arena it allocated; record
    per-layer costs and the live activation bytes at each step beside it.

    The Python interpreter is x86-64: its arena holds 64-bit pointers in TFLM's persistent
    structures, so it is a slight over-estimate for a 32-bit Cortex-M (tensor buffers,
    the bulk of it, are the same).
    """
    arena = MicroRunner(artifact.tflite, artifact.graph).arena_bytes()
    graph = artifact.graph.main
    ctx.report.layers = [c.to_dict() for c in op_costs(artifact.graph)]
    ctx.report.memory_timeline = [
        {"step": i, "op": op.opcode, "live_bytes": live}
        for i, (op, live) in enumerate(zip(graph.operators, live_bytes_per_step(graph)))]
    ctx.report.arena_bytes = arena
    ctx.measured["arena_bytes"] = arena
    return artifact.evolve("measure")
