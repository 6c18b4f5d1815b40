"""When each activation tensor is live, and the live bytes at each step of the schedule.

A tensor is live from the step that produces it (graph inputs: from the start) to the
last step that reads it (graph outputs: to the end). Constants (weights) are not
activations. The peak of the timeline is what any planner must fit at once without
fusing ops; a real arena adds alignment, fragmentation, scratch and bookkeeping.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgec.tflite.model import Subgraph


@dataclass(frozen=True)
class Lifetime:
    tensor: int
    first: int  # step that produces it (-1: a graph input, live before the first op)
    last: int  # last step that reads it (len(ops): a graph output, live after the last op)
    nbytes: int


def lifetimes(graph: Subgraph) -> list[Lifetime]:
    steps = len(graph.operators)
    first: dict[int, int] = {t: -1 for t in graph.inputs}
    last: dict[int, int] = {}
    for step, op in enumerate(graph.operators):
        for t in op.outputs:
            first.setdefault(t, step)
            last[t] = max(last.get(t, step), step)
        for t in op.inputs:
            if t >= 0 and not graph.tensors[t].is_constant:
                first.setdefault(t, -1)
                last[t] = step
    for t in graph.outputs:
        last[t] = steps
    return [Lifetime(t, first[t], last.get(t, first[t]), graph.tensors[t].nbytes)
            for t in sorted(first)]


def live_bytes_per_step(graph: Subgraph) -> list[int]:
    """Bytes of activations live while each op runs (its inputs and outputs included)."""
    spans = lifetimes(graph)
    return [sum(s.nbytes for s in spans if s.first <= step <= s.last)
            for step in range(len(graph.operators))]
