"""Op constraints: the rules a target's runtime puts on each op of a model.

Each constraint is a small function ``(op, graph, runtime) -> str | None``: it
returns None when the op satisfies the rule, or the specific reason it does
not. Its docstring's first line is the rule as the user reads it; `edgec targets
show` prints these lines, and the docs are generated from them. Profiles list
the constraints that apply to them by name (see CONSTRAINTS at the bottom); an
op that fails one cannot run on the target at all.

Accelerators (edgec/targets/accelerators.py) list rules of their own, called
with the AcceleratorSpec in place of the runtime: an op that fails one is not
taken by the accelerator and falls back to the CPU, with the reason in the
report.
"""

from __future__ import annotations

from typing import Callable

from edgec.targets.accelerators import AcceleratorSpec, android_release
from edgec.targets.profile import RuntimeSpec
from edgec.tflite.model import Operator, Subgraph, Tensor

Constraint = Callable[[Operator, Subgraph, "RuntimeSpec | AcceleratorSpec"], "str | None"]
_FLOAT = ("float32", "float16", "bfloat16", "float64")

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


def full_int8(op: Operator, graph: Subgraph, runtime: RuntimeSpec) -> str | None:
    """Every tensor is 8-bit integer (int8 or uint8; int32 biases and shape operands): the
    accelerator has no float or 16-bit datapath."""
    for t in _tensors(op, graph):
        if t.type in _FLOAT or t.type in ("int16", "int4", "int2"):
            return f"tensor '{t.name}' is {t.type}: the model must be quantized to INT8 throughout"
    return None


def no_float(op: Operator, graph: Subgraph, runtime: RuntimeSpec) -> str | None:
    """Every tensor is quantized (INT8 or INT16): the NPU has no float datapath, so float ops
    would all fall back to the CPU."""
    for t in _tensors(op, graph):
        if t.type in _FLOAT:
            return f"tensor '{t.name}' is {t.type}: quantize the model (INT8 or INT16x8)"
    return None


def no_int4(op: Operator, graph: Subgraph, runtime: RuntimeSpec) -> str | None:
    """No INT4 tensors: Vela cannot compile INT4 models (ethos-u-vela crashes on them)."""
    for t in _tensors(op, graph):
        if t.type == "int4":
            return f"tensor '{t.name}' is int4; build with --quant int8 for Ethos-U"
    return None


# ---- Accelerator rules: called with the AcceleratorSpec; a failure means a CPU fallback ----

def delegate_op(op: Operator, graph: Subgraph, accel: AcceleratorSpec) -> str | None:
    """The accelerator takes the op (at the profile's API level, for NNAPI): see its op list."""
    if accel.levels:
        level = accel.first_level(op.opcode)
        if level is None:
            return f"{accel.name} has no {op.opcode}"
        if level > accel.api_level:
            return (f"{accel.name} takes {op.opcode} from {android_release(level)}; the profile "
                    f"targets {android_release(accel.api_level)}")
        return None
    if op.opcode not in accel.ops:
        return f"{accel.name} does not take {op.opcode}"
    return None


def delegate_type(op: Operator, graph: Subgraph, accel: AcceleratorSpec) -> str | None:
    """The accelerator takes the op's input type (at the profile's API level, for NNAPI)."""
    act = _activation(op, graph)
    if act is None or op.opcode not in accel.ops:
        return None
    allowed = accel.types_for(op.opcode)
    if act.type in allowed or "any" in allowed:
        return None
    level = accel.first_level(op.opcode, act.type)
    if level is not None:
        return (f"{accel.name} takes {act.type} {op.opcode} from {android_release(level)}; the "
                f"profile targets {android_release(accel.api_level)}")
    takes = sorted(accel.levels.get(op.opcode, allowed))
    return f"{accel.name} takes {op.opcode} only on {', '.join(takes)}, not {act.type}"


def no_rank_0(op: Operator, graph: Subgraph, accel: AcceleratorSpec) -> str | None:
    """No tensor the op reads or writes at run time is a scalar (rank 0): NNAPI takes scalars
    only as constant operands."""
    for t in _tensors(op, graph):
        if not t.is_constant and len(t.shape) == 0:
            return f"tensor '{t.name}' is a scalar (rank 0)"
    return None


def edgetpu_rank(op: Operator, graph: Subgraph, accel: AcceleratorSpec) -> str | None:
    """Tensors the op reads or writes at run time have at most 3 dimensions larger than 1,
    and those are the innermost ones."""
    for t in _tensors(op, graph):
        if not t.is_constant and len(t.shape) > 3 and any(d > 1 for d in t.shape[:-3]):
            return (f"tensor '{t.name}' has shape {list(t.shape)}: only the 3 innermost "
                    "dimensions may be larger than 1")
    return None


def edgetpu_no_fused_activation(op: Operator, graph: Subgraph,
                                accel: AcceleratorSpec) -> str | None:
    """AVERAGE_POOL_2D, MAX_POOL_2D and CONCATENATION have no fused activation function."""
    if op.opcode in ("AVERAGE_POOL_2D", "MAX_POOL_2D", "CONCATENATION"):
        activation = op.options.get("activation", "NONE")
        if activation != "NONE":
            return f"{op.opcode} with a fused {activation}"
    return None


def edgetpu_same_dilation(op: Operator, graph: Subgraph, accel: AcceleratorSpec) -> str | None:
    """CONV_2D and DEPTHWISE_CONV_2D use the same dilation in x and y."""
    if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        w, h = op.options.get("dilation_w", 1), op.options.get("dilation_h", 1)
        if w != h:
            return f"dilation {w} in x but {h} in y"
    return None


def edgetpu_softmax(op: Operator, graph: Subgraph, accel: AcceleratorSpec) -> str | None:
    """SOFTMAX takes a 1-D input (dimensions of size 1 aside) of at most 16,000 elements."""
    act = _activation(op, graph)
    if op.opcode == "SOFTMAX" and act is not None:
        if sum(d > 1 for d in act.shape) > 1:
            return f"SOFTMAX over a {list(act.shape)} tensor, not a 1-D one"
        if act.elements > 16000:
            return f"SOFTMAX over {act.elements:,} elements (at most 16,000)"
    return None


#: Constraints by the name profiles and accelerators use for them, in the order they are checked.
CONSTRAINTS: dict[str, Constraint] = {
    "known-op": known_op,
    "static-shapes": static_shapes,
    "no-float16": no_float16,
    "no-hybrid": no_hybrid,
    "no-sparse": no_sparse,
    "int4-fully-connected-per-tensor": int4_fully_connected_per_tensor,
    "activation-types": activation_types,
    "full-int8": full_int8,
    "no-float": no_float,
    "no-int4": no_int4,
    "delegate-op": delegate_op,
    "delegate-type": delegate_type,
    "no-rank-0": no_rank_0,
    "edgetpu-rank": edgetpu_rank,
    "edgetpu-no-fused-activation": edgetpu_no_fused_activation,
    "edgetpu-same-dilation": edgetpu_same_dilation,
    "edgetpu-softmax": edgetpu_softmax,
}


def rule_text(name: str) -> str:
    """The user-facing sentence of a constraint (its docstring, folded to one line)."""
    doc = CONSTRAINTS[name].__doc__ or name
    return " ".join(doc.split())


def first_failure(op: Operator, graph: Subgraph, runtime: RuntimeSpec | AcceleratorSpec,
                  names: tuple[str, ...]) -> tuple[str, str] | None:
    """(name, reason) of the first constraint the op fails, or None when all hold."""
    for name in names:
        reason = CONSTRAINTS[name](op, graph, runtime)
        if reason is not None:
            return name, reason
    return None


def check_op(op: Operator, graph: Subgraph, runtime: RuntimeSpec | AcceleratorSpec,
             names: tuple[str, ...]) -> str | None:
    """The first failed constraint's reason for this op, or None when all hold."""
    failure = first_failure(op, graph, runtime, names)
    return None if failure is None else failure[1]
