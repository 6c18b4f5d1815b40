"""Op constraints: the rules a target's runtime puts on each op of a model.

Each constraint is a small function ``(op, graph, runtime) -> str | None``: it
returns None when the op satisfies the rule, or the specific reason it does
not. Its docstring's first line is the rule as the user reads it; `edgec targets
show` prints these lines, and the docs are generated from them. Profiles list
the constraints that apply to them by name (see CONSTRAINTS at the bottom).
"""

from __future__ import annotations

from typing import Callable

from edgec.targets.profile import RuntimeSpec
from edgec.tflite.model import Operator, Subgraph, Tensor

Constraint = Callable[[Operator, Subgraph, RuntimeSpec], "str | None"]

_WEIGHT_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "TRANSPOSE_CONV", "BATCH_MATMUL")


def _tensors(op: Operator, graph: Subgraph) -> list[Tensor]:
    return [graph.tensors[i] for i in (*op.inputs, *op.outputs) if i >= 0]


def _activation(op: Operator, graph: Subgraph) -> Tensor | None:
    """The op's first non-constant input (its activation), if any."""
    for i in op.inputs:
        if i >= 0 and not graph.tensors[i].is_constant:
            return graph.tensors[i]
    return None


def _weights(op: Operator, graph: Subgraph) -> Tensor | None:
    if op.opcode not in _WEIGHT_OPS:
        return None
    index = 2 if op.opcode == "TRANSPOSE_CONV" else 1
    if len(op.inputs) <= index or op.inputs[index] < 0:
        return None
    return graph.tensors[op.inputs[index]]


def known_op(op: Operator, graph: Subgraph, runtime: RuntimeSpec) -> str | None:
    """The op is one the runtime has a kernel for (see the op list below)."""
    if op.opcode not in runtime.ops:
        return f"{runtime.name} has no kernel for {op.opcode}"
    return None


def static_shapes(op: Operator, graph: Subgraph, runtime: RuntimeSpec) -> str | None:
    """Every tensor has a static shape: no dimension is left to be set at run time."""
    for t in _tensors(op, graph):
        if t.dynamic:
            return f"tensor '{t.name}' has a dynamic shape {list(t.shape_signature)}"
    return None


def no_float16(op: Operator, graph: Subgraph, runtime: RuntimeSpec) -> str | None:
    """No float16 tensors: there are no float16 kernels; quantize to INT8 or keep float32."""
    for t in _tensors(op, graph):
        if t.type in ("float16", "bfloat16"):
            return f"tensor '{t.name}' is {t.type}"
    return None


def no_hybrid(op: Operator, graph: Subgraph, runtime: RuntimeSpec) -> str | None:
    """Weights and activations are both quantized or both float: no hybrid (dynamic-range or
    weight-only) ops."""
    weights, act = _weights(op, graph), _activation(op, graph)
    if weights is not None and act is not None:
        if weights.type in ("int8", "int4", "uint8") and act.type == "float32":
            return f"{weights.type} weights with float32 activations (dynamic-range quantization)"
    return None


def no_sparse(op: Operator, graph: Subgraph, runtime: RuntimeSpec) -> str | None:
    """Weights are dense: sparse tensors need a DENSIFY kernel the runtime does not have."""
    for t in _tensors(op, graph):
        if t.sparse:
            return f"tensor '{t.name}' is stored sparse"
    return None


def int4_fully_connected_per_tensor(op: Operator, graph: Subgraph,
                                    runtime: RuntimeSpec) -> str | None:
    """INT4 weights of FULLY_CONNECTED are quantized per tensor, not per channel."""
    weights = _weights(op, graph)
    if op.opcode == "FULLY_CONNECTED" and weights is not None and weights.type == "int4":
        if weights.quantization is not None and weights.quantization.per_channel:
            return "per-channel INT4 weights"
    return None


def activation_types(op: Operator, graph: Subgraph, runtime: RuntimeSpec) -> str | None:
    """The op's input type is one its kernel implements."""
    act = _activation(op, graph)
    if act is None or op.opcode not in runtime.ops:
        return None
    allowed = runtime.types_for(op.opcode)
    if act.type not in allowed:
        return f"{op.opcode} has no {act.type} kernel (it takes {', '.join(sorted(allowed))})"
    return None


#: Constraints by the name profiles use for them. Order is the order they are checked.
CONSTRAINTS: dict[str, Constraint] = {
    "known-op": known_op,
    "static-shapes": static_shapes,
    "no-float16": no_float16,
    "no-hybrid": no_hybrid,
    "no-sparse": no_sparse,
    "int4-fully-connected-per-tensor": int4_fully_connected_per_tensor,
    "activation-types": activation_types,
}


def rule_text(name: str) -> str:
    """The user-facing sentence of a constraint (its docstring, folded to one line)."""
    doc = CONSTRAINTS[name].__doc__ or name
    return " ".join(doc.split())


def check_op(op: Operator, graph: Subgraph, runtime: RuntimeSpec,
             names: tuple[str, ...]) -> str | None:
    """The first failed constraint's reason for this op, or None when all hold."""
    for name in names:
        reason = CONSTRAINTS[name](op, graph, runtime)
        if reason is not None:
            return reason
    return None
