"""The memory plan of a schedule: overlap gaps from the access model, placement, proof."""

from __future__ import annotations

from dataclasses import dataclass

from edgec.aot import access, planner
from edgec.aot.schedule import Schedule
from edgec.aot.verify import element_bytes, step_reads, verify
from edgec.tflite.model import Subgraph


@dataclass(frozen=True)
class MemoryPlan:
    offsets: dict[int, int]  # buffer id -> byte offset in the activation buffer
    activation_bytes: int  # the plan's peak: the size of the activation buffer
    strategy: str


def overlap_gaps(schedule: Schedule, graph: Subgraph) -> dict[tuple[int, int], int | None]:
    """(input buffer, output buffer) -> gap, for each input whose last use is the step."""
    lifetimes = schedule.lifetimes()
    gaps: dict[tuple[int, int], int | None] = {}
    for step, kernel in enumerate(schedule.kernels):
        y = schedule.buffer_of[kernel.output]
        eo = element_bytes(graph, kernel.output)
        for x, first_reads in step_reads(schedule, graph, step).items():
            if lifetimes[x][1] != step or schedule.buffers[x].graph_output or x == y:
                continue
            gap = access.overlap_gap(first_reads, eo)
            gaps[(x, y)] = None if gap is None else planner.align_up(gap)
    return gaps


def plan_memory(schedule: Schedule, graph: Subgraph) -> MemoryPlan:
    lifetimes = schedule.lifetimes()
    items = [planner.Item(b.id, planner.align_up(b.size), *lifetimes[b.id])
             for b in schedule.buffers.values()]
    found = planner.plan(items, overlap_gaps(schedule, graph))
    verify(schedule, graph, found.offsets, found.peak)
    return MemoryPlan(found.offsets, found.peak, found.strategy)
