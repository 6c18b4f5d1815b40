"""XNNPACK's own delegate decides: edgec applies the XNNPACK delegate of the pinned LiteRT
(ai-edge-litert) to the flatbuffer on the build host and reads back which ops it replaced.
Its op and type checks are the same code on Arm; only the kernels it then picks differ by
CPU. Ops it leaves run on LiteRT's builtin kernels.
"""

from __future__ import annotations

from edgec.litert import LiteRTRunner
from edgec.placement.partitions import partition
from edgec.placement.result import OpPlacement, Placement, numbered, summarize
from edgec.targets.profile import Profile
from edgec.tflite.model import Model


def place(tflite: bytes, model: Model, profile: Profile) -> Placement:
    accel, graph = profile.accelerator, model.main
    taken = LiteRTRunner(tflite, model, xnnpack=True).delegated_ops()
    subsets = partition(graph, set(taken))
    where = numbered(subsets)
    ops = {}
    for op in graph.operators:
        if op.index in taken:
            ops[op.index] = OpPlacement("cpu", accel.name, None, where[op.index])
        else:
            act = next((graph.tensors[i] for i in op.inputs
                        if i >= 0 and not graph.tensors[i].is_constant), None)
            kind = f"{act.type} " if act is not None else ""
            ops[op.index] = OpPlacement(
                "cpu", None, f"XNNPACK left {kind}{op.opcode} to LiteRT's builtin kernels",
                where[op.index])
    summary = summarize(model, profile, ops, subsets)
    notes = []
    if summary["ops_on_cpu"]:
        left = sorted({graph.operators[i].opcode for i, p in ops.items() if p.delegate is None})
        notes.append(f"XNNPACK leaves {summary['ops_on_cpu']} op(s) to LiteRT's slower builtin "
                     f"kernels ({', '.join(left)}), in {summary['partitions']} partitions")
    return Placement(ops=ops, summary=summary, warnings=notes + list(accel.notices))
