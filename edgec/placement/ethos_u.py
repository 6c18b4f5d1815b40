"""Vela decides: edgec compiles the INT8 flatbuffer with Vela (ethos-u-vela) for the profile's
NPU configuration; every op still a TFLite builtin in Vela's output runs on the Cortex-M in
TFLite Micro, and the rest run on the NPU.

Vela's summary gives the memory the build is budgeted with (SRAM, plus DRAM in Dedicated_Sram
memory modes, as the arena; its output flatbuffer as the flash), and cycle and time estimates
for the profile's system config; the report's "vela" section holds them.
"""

from __future__ import annotations

from edgec.compilers import vela
from edgec.placement.compiled import cpu_ops
from edgec.placement.partitions import partition
from edgec.placement.result import OpPlacement, Placement, numbered, summarize
from edgec.targets.profile import Profile
from edgec.tflite.model import Model


def place(tflite: bytes, model: Model, profile: Profile) -> Placement:
    accel, graph = profile.accelerator, model.main
    settings = accel.settings
    result = vela.compile_model(tflite, model, settings["config"], settings["system_config"],
                                settings["memory_mode"])
    on_cpu = cpu_ops(model, result.compiled)
    subsets = partition(graph, {op.index for op in graph.operators} - on_cpu)
    where = numbered(subsets)
    ops = {}
    for op in graph.operators:
        if op.index not in on_cpu:
            ops[op.index] = OpPlacement(accel.unit, accel.name, None, where[op.index])
            continue
        names = [graph.tensors[o].name for o in op.outputs]
        refused = any(n in result.unsupported for n in names)
        reason = (f"Vela cannot map this {op.opcode} to the {settings['config']} (its "
                  "constraints: `vela --supported-ops-report`)" if refused else
                  f"Vela left {op.opcode} on the CPU")
        ops[op.index] = OpPlacement("cpu", None, reason, where[op.index])
    summary = summarize(model, profile, ops, subsets)
    section = {"accelerator_config": settings["config"],
               "system_config": settings["system_config"],
               "memory_mode": settings["memory_mode"], **result.to_dict()}
    warnings = []
    if on_cpu:
        left = sorted({graph.operators[i].opcode for i in on_cpu})
        warnings.append(f"Vela leaves {len(on_cpu)} op(s) on the Cortex-M ({', '.join(left)}), "
                        f"in {summary['partitions']} partitions")
    return Placement(
        ops=ops, summary=summary, warnings=warnings + list(accel.notices),
        sections={"vela": section},
        files={"model_vela.tflite": result.compiled,
               "vela_summary.csv": result.summary_csv.encode()},
        compiled=result.compiled, arena_bytes=result.sram_bytes + result.dram_bytes)
