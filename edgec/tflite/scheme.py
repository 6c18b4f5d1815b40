"""Which quantization scheme a flatbuffer someone else built uses, read from its tensors."""

from __future__ import annotations

from edgec.targets.constraints import _activation, _weights
from edgec.tflite.model import Model


def flatbuffer_scheme(model: Model) -> str:
    """'int8', 'int16x8', 'int4', 'float32', 'float16', 'dynamic-range' or 'mixed'.

    Decided by the ops with weights (convolutions, fully connected, matrix products):
    the type of their activations and of their weights.
    """
    graph = model.main
    if any(t.type == "float16" and t.is_constant for t in graph.tensors):
        return "float16"  # float16 weights dequantized to float32 at run time
    pairs = set()
    for op in graph.operators:
        weights, act = _weights(op, graph), _activation(op, graph)
        if weights is not None and act is not None:
            pairs.add((act.type, weights.type))
    if not pairs:  # no weights: the activations decide
        types = {graph.tensors[i].type for op in graph.operators for i in op.inputs if i >= 0}
        pairs = {(t, t) for t in types & {"int8", "int16", "float32", "float16"}}
    acts, weights = {a for a, _ in pairs}, {w for _, w in pairs}
    if acts == {"int8"}:
        return "int4" if "int4" in weights else "int8"
    if acts == {"int16"}:
        return "int16x8"
    if acts == {"float32"}:
        if weights == {"float32"}:
            return "float32"
        if weights <= {"int8", "int4", "uint8"}:
            return "dynamic-range"
    return "mixed"
