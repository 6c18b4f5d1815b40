"""The memory-plan verifier: proves, byte range by byte range, that no kernel can read
a value another tensor has overwritten.

It does not trust the planner's gaps. For every pair of buffers whose lifetimes meet
and whose byte ranges overlap, the pair must be an input whose last use is the step
that produces the other, and then every output element of that step is checked: its
write must land below every input byte a later element still reads, or beyond the
input. Anything else is an error. Run on every plan before code is generated.
"""

from __future__ import annotations

import numpy as np

from edgec.aot import access
from edgec.aot.planner import ALIGN
from edgec.aot.schedule import Schedule
from edgec.errors import InternalError
from edgec.tflite.model import ELEMENT_BITS, Subgraph


def element_bytes(graph: Subgraph, tensor: int) -> int:
    return max(ELEMENT_BITS.get(graph.tensors[tensor].type, 8) // 8, 1)


def step_reads(schedule: Schedule, graph: Subgraph, step: int) -> dict[int, np.ndarray]:
    """Input buffer -> per output element, the first byte of it that element reads."""
    kernel = schedule.kernels[step]
    n_out = graph.tensors[kernel.output].elements
    reads: dict[int, np.ndarray] = {}
    slots = [(t, kernel.first_reads[k]) for k, t in enumerate(kernel.inputs)]
    if kernel.residual is not None:
        slots.append((kernel.residual["shortcut"], lambda: access.elementwise(n_out)))
    for tensor, first in slots:
        if tensor not in schedule.buffer_of:
            continue  # a constant
        b = schedule.buffer_of[tensor]
        elems = first()
        if len(elems) != n_out:
            raise InternalError(f"access model of op {kernel.index} ({kernel.opcode}) covers "
                                f"{len(elems)} of {n_out} output elements")
        in_bytes = np.where(elems == access.NONE, access.NONE, elems * element_bytes(graph, tensor))
        reads[b] = np.minimum(reads[b], in_bytes) if b in reads else in_bytes
    return reads


class PlanError(InternalError):
    """A memory plan lets a kernel read data that another tensor overwrote."""


def verify(schedule: Schedule, graph: Subgraph, offsets: dict[int, int], peak: int) -> None:
    """Raise PlanError unless the plan is safe; returns silently when it is."""
    lifetimes = schedule.lifetimes()
    buffers = schedule.buffers
    if set(offsets) != set(buffers):
        raise PlanError(f"memory plan places buffers {sorted(offsets)} but the schedule has "
                        f"{sorted(buffers)}")
    for b, off in offsets.items():
        if off < 0 or off % ALIGN or off + buffers[b].size > peak:
            raise PlanError(f"buffer {b} at offset {off} (+{buffers[b].size}) lies outside the "
                            f"{peak}-byte activation buffer or is not {ALIGN}-byte aligned")
    producer_step = {schedule.buffer_of[k.output]: s for s, k in enumerate(schedule.kernels)}
    ids = sorted(buffers)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            (fa, la), (fb, lb) = lifetimes[a], lifetimes[b]
            if fa > lb or fb > la:
                continue  # never live at the same time
            oa, ob = offsets[a], offsets[b]
            if oa + buffers[a].size <= ob or ob + buffers[b].size <= oa:
                continue  # disjoint bytes
            for x, y in ((a, b), (b, a)):
                step = producer_step.get(y)
                if step is not None and lifetimes[x][1] == step and not buffers[x].graph_output:
                    reads = step_reads(schedule, graph, step)
                    if x in reads:
                        _check_overlap(schedule, graph, step, x, y, reads[x], offsets)
                        break
            else:
                raise PlanError(f"buffers {a} and {b} (tensors {buffers[a].tensors} and "
                                f"{buffers[b].tensors}) are live together and overlap at offsets "
                                f"{oa} (+{buffers[a].size}) and {ob} (+{buffers[b].size})")


def _check_overlap(schedule: Schedule, graph: Subgraph, step: int, x: int, y: int,
                   first_read_bytes: np.ndarray, offsets: dict[int, int]) -> None:
    kernel = schedule.kernels[step]
    eo = element_bytes(graph, kernel.output)
    frontier = access.later_frontier(first_read_bytes)
    j = np.arange(len(frontier), dtype=np.int64)
    write_start = offsets[y] + j * eo
    write_end = write_start + eo
    x_start, x_end = offsets[x], offsets[x] + schedule.buffers[x].size
    pending = frontier != access.NONE
    safe = ~pending | (write_end <= x_start + np.where(pending, frontier, 0)) | (write_start >= x_end)
    if not safe.all():
        bad = int(np.argmax(~safe))
        raise PlanError(f"op {kernel.index} ({kernel.label}) writes output element {bad} at byte "
                        f"{int(write_start[bad])} over input bytes still to be read (from "
                        f"{x_start + int(frontier[bad])})")
