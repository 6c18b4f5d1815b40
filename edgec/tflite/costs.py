"""Per-op costs of a .tflite graph: MACs, parameters, weight and activation bytes.

One multiply-add counts as one MAC. Convolutions, fully connected layers and matrix
products are counted exactly from their tensor shapes. Average pooling and MEAN count
one accumulate per input element they read (per window position for pooling);
elementwise arithmetic (ADD, SUB, MUL, ...) one per output element; data movement
(RESHAPE, PAD, CONCATENATION, QUANTIZE, ...) and max pooling none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edgec.tflite.model import Model, Operator, Subgraph

_ELEMENTWISE = {"ADD", "SUB", "MUL", "DIV", "SQUARED_DIFFERENCE", "MAXIMUM", "MINIMUM", "PRELU",
                "LEAKY_RELU", "HARD_SWISH", "LOGISTIC", "TANH", "SOFTMAX", "LOG_SOFTMAX", "EXP",
                "ELU", "GELU", "RSQRT", "SQRT", "SQUARE", "ADD_N"}


@dataclass(frozen=True)
class OpCost:
    index: int
    op: str
    output_shape: tuple[int, ...]
    macs: int
    params: int  # elements of the op's weights and biases
    weight_bytes: int  # bytes of those constants in the flatbuffer
    activation_bytes: int  # bytes of the op's outputs

    def to_dict(self) -> dict:
        return {"index": self.index, "op": self.op, "output_shape": list(self.output_shape),
                "macs": self.macs, "params": self.params, "weight_bytes": self.weight_bytes,
                "activation_bytes": self.activation_bytes}


def _elements(shape) -> int:
    return int(np.prod(shape, dtype=np.int64)) if len(shape) else 1


def op_macs(op: Operator, graph: Subgraph) -> int:
    tensors = graph.tensors

    def shape(i: int) -> tuple[int, ...]:
        return tensors[i].shape if 0 <= i < len(tensors) else ()

    out = _elements(shape(op.outputs[0])) if op.outputs else 0
    name = op.opcode
    if name == "CONV_2D" and len(op.inputs) > 1:
        f = shape(op.inputs[1])  # [out_c, kh, kw, in_c / groups]
        return out * _elements(f[1:]) if len(f) == 4 else 0
    if name == "DEPTHWISE_CONV_2D" and len(op.inputs) > 1:
        f = shape(op.inputs[1])  # [1, kh, kw, out_c]
        return out * f[1] * f[2] if len(f) == 4 else 0
    if name == "FULLY_CONNECTED" and len(op.inputs) > 1:
        w = shape(op.inputs[1])  # [out_units, in_units]
        return out * w[-1] if w else 0
    if name == "TRANSPOSE_CONV" and len(op.inputs) > 2:
        f, x = shape(op.inputs[1]), shape(op.inputs[2])  # filter [out_c, kh, kw, in_c]
        return _elements(x) * f[0] * f[1] * f[2] if len(f) == 4 else 0
    if name == "BATCH_MATMUL" and len(op.inputs) > 1:
        a = shape(op.inputs[0])
        return out * a[-1] if a else 0
    if name == "AVERAGE_POOL_2D":
        return out * op.options.get("filter_w", 1) * op.options.get("filter_h", 1)
    if name in ("MEAN", "SUM"):
        return _elements(shape(op.inputs[0])) if op.inputs else 0
    if name in _ELEMENTWISE:
        return out
    return 0


def _is_weight(t) -> bool:
    """A constant that holds learned values: float, or quantized (weights and int32 biases).
    Shape, axis and padding operands are plain integers without quantization."""
    return t.is_constant and (t.type.startswith("float") or t.quantization is not None)


def op_costs(model: Model) -> list[OpCost]:
    """One OpCost per op of the main graph, in execution order."""
    graph = model.main
    costs = []
    for op in graph.operators:
        constants = [t for t in (graph.tensors[i] for i in op.inputs if i >= 0) if _is_weight(t)]
        outputs = [graph.tensors[i] for i in op.outputs]
        costs.append(OpCost(
            index=op.index, op=op.opcode,
            output_shape=outputs[0].shape if outputs else (),
            macs=op_macs(op, graph),
            params=sum(t.elements for t in constants),
            weight_bytes=sum(len(t.data) for t in constants),
            activation_bytes=sum(t.nbytes for t in outputs),
        ))
    return costs
