"""Splitting a graph into accelerator and CPU partitions the way LiteRT's delegates do.

LiteRT (graph_info.cc, PartitionGraphIntoIndependentNodeSubsets) builds subsets one at a
time: the first op in execution order whose inputs are ready decides the subset's kind
(delegated or not); then it sweeps the ops again and again, adding every ready op of that
kind, until none is added. Graph inputs and constants are ready from the start; an op's
outputs are ready once it is in a subset. A delegate then takes each delegated subset as
one partition (one DELEGATE node).
"""

from __future__ import annotations

from dataclasses import dataclass

from edgec.tflite.model import Subgraph


@dataclass(frozen=True)
class Partition:
    delegated: bool
    ops: tuple[int, ...]  # op indices, in execution order


def partition(graph: Subgraph, delegated: set[int]) -> list[Partition]:
    ready = set(graph.inputs) | {t.index for t in graph.tensors if t.is_constant}
    placed: set[int] = set()
    subsets: list[Partition] = []
    while len(placed) < len(graph.operators):
        kind: bool | None = None
        members: list[int] = []
        added = True
        while added:
            added = False
            for op in graph.operators:
                if op.index in placed or not all(i < 0 or i in ready for i in op.inputs):
                    continue
                op_kind = op.index in delegated
                if kind is None:
                    kind = op_kind
                if op_kind == kind:
                    placed.add(op.index)
                    members.append(op.index)
                    ready.update(op.outputs)
                    added = True
        if not members:  # inputs that nothing produces: leave the rest as one CPU subset
            members = [op.index for op in graph.operators if op.index not in placed]
            placed.update(members)
            kind = False
        subsets.append(Partition(bool(kind), tuple(sorted(members))))
    return subsets


def keep_largest(subsets: list[Partition], limit: int) -> tuple[list[Partition], list[Partition]]:
    """(kept, dropped) delegated partitions when a delegate takes at most `limit` of them,
    the largest (most ops) first, as LiteRT's delegates choose; 0 means no limit."""
    delegated = [p for p in subsets if p.delegated]
    if limit <= 0 or len(delegated) <= limit:
        return delegated, []
    ranked = sorted(delegated, key=lambda p: (-len(p.ops), p.ops[0]))
    return ranked[:limit], ranked[limit:]
