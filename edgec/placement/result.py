"""What a placer returns: each op's placement and what the build reports about it."""

from __future__ import annotations

from dataclasses import dataclass, field

from edgec.placement.partitions import Partition
from edgec.targets.profile import Profile
from edgec.tflite.costs import op_costs
from edgec.tflite.model import Model


@dataclass(frozen=True)
class OpPlacement:
    unit: str  # where the op runs: npu, tpu, gpu or cpu
    delegate: str | None = None  # the accelerator that runs it; None: the CPU runtime's kernels
    reason: str | None = None  # why it fell back to the CPU
    partition: int | None = None  # index of its partition (delegated or not), in order


@dataclass
class Placement:
    ops: dict[int, OpPlacement]
    summary: dict  # report.json "placement"
    warnings: list[str] = field(default_factory=list)
    sections: dict[str, dict] = field(default_factory=dict)  # report keys of one family (vela, ...)
    files: dict[str, bytes] = field(default_factory=dict)  # extra outputs (compiled model, logs)
    compiled: bytes | None = None  # the flatbuffer the device runs, when a compiler made one
    arena_bytes: int | None = None  # working memory, when the accelerator's compiler measures it


def summarize(model: Model, profile: Profile, ops: dict[int, OpPlacement],
              partitions: list[Partition]) -> dict:
    """report.json "placement": counts, partitions and the share of MACs on the accelerator."""
    accel = profile.accelerator
    costs = op_costs(model)
    total = sum(c.macs for c in costs)
    on = sum(c.macs for c in costs if ops[c.index].delegate == accel.name)
    taken = sum(1 for p in ops.values() if p.delegate == accel.name)
    return {
        "accelerator": accel.name, "unit": accel.unit,
        "ops_on_accelerator": taken, "ops_on_cpu": len(ops) - taken,
        "partitions": len(partitions),
        "accelerator_partitions": sum(1 for p in partitions if p.delegated),
        "accelerator_macs_percent": round(100.0 * on / total, 2) if total else 0.0,
    }


def numbered(partitions: list[Partition]) -> dict[int, int]:
    """Op index -> index of its partition."""
    return {op: i for i, p in enumerate(partitions) for op in p.ops}
