"""Check every op of the flatbuffer against the target's runtime and constraints."""

from __future__ import annotations

from edgec.artifact import Artifact
from edgec.errors import UnsupportedOpError
from edgec.pipeline import BuildContext
from edgec.report import OpRecord
from edgec.targets.constraints import check_op
from edgec.tflite.model import Model
from edgec.targets.profile import Profile


def op_records(model: Model, profile: Profile) -> list[OpRecord]:
    """One record per op of the main graph, with the first failed constraint as the reason."""
    graph = model.main
    records = []
    for op in graph.operators:
        reason = check_op(op, graph, profile.runtime, profile.constraints)
        out = graph.tensors[op.outputs[0]] if op.outputs else None
        records.append(OpRecord(
            index=op.index, op=op.opcode, supported=reason is None, reason=reason,
            inputs=[graph.tensors[i].type for i in op.inputs if i >= 0],
            output_shape=list(out.shape) if out is not None else [],
            placement="cpu" if reason is None else None,
        ))
    return records


def unsupported_error(records: list[OpRecord], target_id: str) -> UnsupportedOpError | None:
    """The error naming the first op the target cannot run (and how many more), if any."""
    bad = [r for r in records if not r.supported]
    if not bad:
        return None
    first = bad[0]
    more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
    return UnsupportedOpError(
        f"op {first.op} at index {first.index} is not supported on {target_id}: "
        f"{first.reason}{more}",
        hint=f"see `edgec targets show {target_id}` for what it runs; replace the layer "
             "or pick another target")


def check_ops(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Every op must be one the target runs; the first that is not ends the build."""
    ctx.report.ops = op_records(artifact.graph, ctx.profile)
    error = unsupported_error(ctx.report.ops, ctx.profile.id)
    if error is not None:
        raise error
    return artifact.evolve("check-ops")
