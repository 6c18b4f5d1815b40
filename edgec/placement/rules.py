"""A delegate takes every op that meets its rules (listed below), grouped into partitions as
LiteRT partitions a graph; past its partition limit it keeps the largest partitions and the
rest run on the CPU. Simulated from data: NNAPI and the GPU cannot run on the build host.

Used for NNAPI and the GPU delegate. More partitions mean more hand-overs between the CPU and
the accelerator, each copying tensors: the build warns when a model is split.
"""

from __future__ import annotations

from edgec.placement.partitions import keep_largest, partition
from edgec.placement.result import OpPlacement, Placement, numbered, summarize
from edgec.targets.constraints import check_op
from edgec.targets.profile import Profile
from edgec.tflite.model import Model


def place(tflite: bytes, model: Model, profile: Profile) -> Placement:
    accel = profile.accelerator
    graph = model.main
    reasons = {op.index: check_op(op, graph, accel, accel.rules) for op in graph.operators}
    subsets = partition(graph, {i for i, r in reasons.items() if r is None})
    kept, dropped = keep_largest(subsets, accel.max_partitions)
    for p in dropped:
        for i in p.ops:
            reasons[i] = (f"{accel.name} takes at most {accel.max_partitions} partition(s), the "
                          f"largest first; this op's partition ({len(p.ops)} ops) is not among them")
    if dropped:
        subsets = partition(graph, {i for p in kept for i in p.ops})
    where = numbered(subsets)
    ops = {i: OpPlacement(accel.unit, accel.name, None, where[i]) if reasons[i] is None
           else OpPlacement("cpu", None, reasons[i], where[i]) for i in reasons}
    summary = summarize(model, profile, ops, subsets)
    return Placement(ops=ops, summary=summary, warnings=warnings(model, profile, ops, summary))


def warnings(model: Model, profile: Profile, ops: dict[int, OpPlacement], summary: dict) -> list[str]:
    accel, out = profile.accelerator, []
    fallen = sorted({model.main.operators[i].opcode for i, p in ops.items() if p.delegate is None})
    if summary["ops_on_accelerator"] == 0:
        out.append(f"{accel.name} takes none of the ops: the whole model runs on the CPU")
    elif summary["partitions"] > 1:
        out.append(
            f"{accel.name} splits the model into {summary['partitions']} partitions "
            f"({summary['accelerator_partitions']} on the {accel.unit.upper()}); every hand-over "
            f"between CPU and {accel.unit.upper()} copies tensors, which can make it slower than "
            f"the CPU alone: benchmark it, or replace the ops that fall back "
            f"({', '.join(fallen)})")
    return out + list(accel.notices)
