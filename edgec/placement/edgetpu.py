"""The Edge TPU compiler maps ops in graph order until the first op it cannot map (by the rules
below): that op and every op after it run on the CPU, as one partition. edgec simulates this
and, when edgetpu_compiler is on PATH, runs it and takes its result instead.

The report's "edgetpu" section holds a table like the compiler's log (operator, count,
status; the compiler's own when it ran), the share of MACs on the Edge TPU, the parameter bytes
against the on-chip cache, and whether the real compiler ran.
"""

from __future__ import annotations

from collections import Counter

from edgec.compilers import edgetpu as compiler
from edgec.placement.compiled import cpu_ops
from edgec.placement.partitions import Partition
from edgec.placement.result import OpPlacement, Placement, numbered, summarize
from edgec.targets.constraints import first_failure
from edgec.targets.profile import Profile
from edgec.tflite.costs import op_costs
from edgec.tflite.model import Model
from edgec.units import format_bytes

MAPPED = "Mapped to Edge TPU"
AFTER_FIRST = "More than one subgraph is not supported"
OTHER = "Operation is otherwise supported, but not mapped due to some unspecified limitation"
#: The compiler's status for an op that fails a rule, by rule (others: OTHER).
STATUS = {
    "delegate-op": "Operation not supported",
    "delegate-type": "Operation is working on an unsupported data type",
    "edgetpu-rank": "Tensor has unsupported rank (up to 3 innermost dimensions mapped)",
}


def simulate(model: Model, profile: Profile) -> tuple[dict[int, OpPlacement], dict[int, str]]:
    """Each op's placement under the one-partition rule, and its compiler-style status."""
    accel, graph = profile.accelerator, model.main
    ops, status, first = {}, {}, None
    for op in graph.operators:
        failure = first_failure(op, graph, accel, accel.rules)
        if first is None and failure is None:
            ops[op.index], status[op.index] = OpPlacement(accel.unit, accel.name), MAPPED
            continue
        if failure is not None:
            status[op.index] = STATUS.get(failure[0], OTHER)
            reason = failure[1]
        else:
            status[op.index] = AFTER_FIRST
            reason = (f"after op {first.index} ({first.opcode}), the first the Edge TPU cannot "
                      "map: the compiler maps one partition only")
        first = first or op
        ops[op.index] = OpPlacement("cpu", None, reason)
    return ops, status


def log_table(model: Model, status: dict[int, str]) -> list[dict]:
    """Rows {operator, count, status} like the compiler's log, in order of first appearance."""
    counts = Counter((model.main.operators[i].opcode, s) for i, s in sorted(status.items()))
    return [{"operator": op, "count": n, "status": s} for (op, s), n in counts.items()]


def place(tflite: bytes, model: Model, profile: Profile) -> Placement:
    accel, graph = profile.accelerator, model.main
    ops, status = simulate(model, profile)
    section = {"table": log_table(model, status)}
    files, compiled, warnings = {}, None, []
    found = compiler.find_compiler()
    if found is None:
        section["compiler"] = {
            "ran": False,
            "note": f"{compiler.COMPILER} is not on PATH: the placement is edgec's simulation of "
                    "the compiler, and no model_edgetpu.tflite was written"}
        warnings.append(f"{compiler.COMPILER} is not on PATH: Edge TPU placement is simulated and "
                        "no model_edgetpu.tflite was written; install the compiler (x86-64 Linux, "
                        "Coral's apt repository) and rebuild to compile for the Edge TPU")
    else:
        run = compiler.compile_model(tflite, found)
        left = cpu_ops(model, run.compiled)
        simulated = {i for i, p in ops.items() if p.delegate is None}
        if left != simulated:
            warnings.append(f"{compiler.COMPILER} placed ops {sorted(left ^ simulated)} "
                            "differently from edgec's simulation; the report follows the compiler")
        for i in left ^ simulated:
            ops[i] = OpPlacement("cpu", None, f"{compiler.COMPILER} left it on the CPU") \
                if i in left else OpPlacement(accel.unit, accel.name)
        section["compiler"] = {"ran": True, "path": found, "version": run.version, "log": run.log}
        section["simulated_table"], section["table"] = section["table"], run.table
        files = {"model_edgetpu.tflite": run.compiled, "edgetpu_compiler.log": run.log.encode()}
        compiled = run.compiled

    on_tpu = [i for i in sorted(ops) if ops[i].delegate is not None]
    partitions = [Partition(True, tuple(on_tpu))] if on_tpu else []
    if len(on_tpu) < len(ops):
        partitions.append(Partition(False, tuple(i for i in sorted(ops) if i not in on_tpu)))
    where = numbered(partitions)
    ops = {i: OpPlacement(p.unit, p.delegate, p.reason, where[i]) for i, p in ops.items()}
    summary = summarize(model, profile, ops, partitions)

    params = sum(c.weight_bytes for c in op_costs(model) if ops[c.index].delegate is not None)
    section.update(macs_on_tpu_percent=summary["accelerator_macs_percent"],
                   parameter_bytes=params, parameter_cache_bytes=accel.parameter_cache_bytes)
    first_cpu = next((graph.operators[i] for i in sorted(ops) if ops[i].delegate is None), None)
    if first_cpu is not None:
        section["first_cpu_op"] = {"index": first_cpu.index, "op": first_cpu.opcode,
                                   "reason": ops[first_cpu.index].reason}
        warnings.append(f"the Edge TPU runs ops 0-{first_cpu.index - 1} only; op {first_cpu.index} "
                        f"({first_cpu.opcode}: {ops[first_cpu.index].reason}) and all "
                        f"{len(ops) - first_cpu.index - 1} ops after it run on the CPU "
                        f"({summary['accelerator_macs_percent']:.1f} % of MACs on the TPU)"
                        if first_cpu.index else
                        f"the Edge TPU runs none of the ops: op 0 ({first_cpu.opcode}: "
                        f"{ops[0].reason}) stops the compiler")
    if accel.parameter_cache_bytes and params > accel.parameter_cache_bytes:
        warnings.append(f"the ops on the Edge TPU hold {format_bytes(params)} of parameters, more "
                        f"than its {format_bytes(accel.parameter_cache_bytes)} on-chip cache: the "
                        "rest streams from host memory on every inference")
    return Placement(ops=ops, summary=summary, warnings=warnings + list(accel.notices),
                     sections={"edgetpu": section}, files=files, compiled=compiled)
