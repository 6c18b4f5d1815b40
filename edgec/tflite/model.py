"""A read-only view of a .tflite model, parsed with the bounds-checked reader.

Field indices follow TensorFlow Lite's schema.fbs (table fields are numbered in
declaration order; a union takes two slots: its type, then its value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from edgec.tflite.flatbuffer import FlatBuffer, Table, malformed

#: TensorType enum of schema.fbs -> name.
TENSOR_TYPES = {
    0: "float32", 1: "float16", 2: "int32", 3: "uint8", 4: "int64", 5: "string", 6: "bool",
    7: "int16", 8: "complex64", 9: "int8", 10: "float64", 11: "complex128", 12: "uint64",
    13: "resource", 14: "variant", 15: "uint32", 16: "uint16", 17: "int4", 18: "bfloat16",
    19: "int2", 20: "uint4", 21: "float8_e4m3fn", 22: "float8_e5m2",
}
#: Bytes per element; sub-byte types are packed (see :func:`tensor_bytes`).
ELEMENT_BITS = {
    "float32": 32, "float16": 16, "int32": 32, "uint8": 8, "int64": 64, "bool": 8, "int16": 16,
    "complex64": 64, "int8": 8, "float64": 64, "complex128": 128, "uint64": 64, "uint32": 32,
    "uint16": 16, "int4": 4, "bfloat16": 16, "int2": 2, "uint4": 4, "float8_e4m3fn": 8,
    "float8_e5m2": 8,
}
ACTIVATIONS = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}
PADDINGS = {0: "SAME", 1: "VALID"}

# Builtin options we read, by op: (field name, field index, scalar format, default).
# Enum-valued fields are mapped to names below.
_OPTIONS: dict[str, tuple[tuple[str, int, str, object], ...]] = {
    "CONV_2D": (("padding", 0, "b", 0), ("stride_w", 1, "i", 0), ("stride_h", 2, "i", 0),
                ("activation", 3, "b", 0), ("dilation_w", 4, "i", 1), ("dilation_h", 5, "i", 1)),
    "DEPTHWISE_CONV_2D": (("padding", 0, "b", 0), ("stride_w", 1, "i", 0), ("stride_h", 2, "i", 0),
                          ("depth_multiplier", 3, "i", 0), ("activation", 4, "b", 0),
                          ("dilation_w", 5, "i", 1), ("dilation_h", 6, "i", 1)),
    "TRANSPOSE_CONV": (("padding", 0, "b", 0), ("stride_w", 1, "i", 0), ("stride_h", 2, "i", 0),
                       ("activation", 3, "b", 0)),
    "FULLY_CONNECTED": (("activation", 0, "b", 0), ("weights_format", 1, "b", 0),
                        ("keep_num_dims", 2, "?", False)),
    "AVERAGE_POOL_2D": (("padding", 0, "b", 0), ("stride_w", 1, "i", 0), ("stride_h", 2, "i", 0),
                        ("filter_w", 3, "i", 0), ("filter_h", 4, "i", 0), ("activation", 5, "b", 0)),
    "ADD": (("activation", 0, "b", 0),),
    "SUB": (("activation", 0, "b", 0),),
    "MUL": (("activation", 0, "b", 0),),
    "SOFTMAX": (("beta", 0, "f", 0.0),),
    "CONCATENATION": (("axis", 0, "i", 0), ("activation", 1, "b", 0)),
    "MEAN": (("keep_dims", 0, "?", False),),
    "LEAKY_RELU": (("alpha", 0, "f", 0.0),),
}
_OPTIONS["MAX_POOL_2D"] = _OPTIONS["AVERAGE_POOL_2D"]
for _reducer in ("SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_PROD"):
    _OPTIONS[_reducer] = _OPTIONS["MEAN"]


@lru_cache(maxsize=1)
def builtin_op_names() -> dict[int, str]:
    """BuiltinOperator enum -> name, taken from the schema shipped with tflite-micro."""
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    return {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}


@dataclass(frozen=True)
class Quantization:
    scale: np.ndarray  # float32, one per channel (or one)
    zero_point: np.ndarray  # int64
    axis: int

    @property
    def per_channel(self) -> bool:
        return self.scale.size > 1


@dataclass(frozen=True)
class Tensor:
    index: int
    name: str
    type: str
    shape: tuple[int, ...]
    shape_signature: tuple[int, ...] | None
    buffer: int
    quantization: Quantization | None
    is_variable: bool
    sparse: bool
    data: bytes | None = field(default=None, repr=False)  # constant data, when it has any

    @property
    def is_constant(self) -> bool:
        return self.data is not None and len(self.data) > 0

    @property
    def dynamic(self) -> bool:
        return self.shape_signature is not None and any(d < 0 for d in self.shape_signature)

    @property
    def elements(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) if self.shape else 1

    @property
    def nbytes(self) -> int:
        return tensor_bytes(self.type, self.elements)


def tensor_bytes(type_name: str, elements: int) -> int:
    bits = ELEMENT_BITS.get(type_name, 8)
    return (elements * bits + 7) // 8


@dataclass(frozen=True)
class Operator:
    index: int
    opcode: str  # builtin name (e.g. "CONV_2D") or "CUSTOM:<code>"
    version: int
    inputs: tuple[int, ...]  # -1 marks an optional input left out
    outputs: tuple[int, ...]
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Subgraph:
    name: str
    tensors: tuple[Tensor, ...]
    operators: tuple[Operator, ...]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]

    def tensor(self, index: int) -> Tensor | None:
        return None if index < 0 else self.tensors[index]


@dataclass(frozen=True)
class Model:
    version: int
    description: str
    subgraphs: tuple[Subgraph, ...]
    size: int
    metadata: dict[str, bytes]
    # signature key -> output name -> tensor index (main subgraph's signatures only)
    signature_outputs: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def main(self) -> Subgraph:
        return self.subgraphs[0]

    def output_order(self) -> tuple[int, ...]:
        """Positions in main.outputs, in the source model's own output order.

        The TFLite converter may list a graph's outputs in another order than the model
        it converted returned them; its signature (output_0, output_1, ...) keeps the
        model's order. Without a usable signature, the graph's order is taken.
        """
        outputs = self.main.outputs
        natural = tuple(range(len(outputs)))
        if len(self.signature_outputs) != 1:
            return natural
        (names,) = self.signature_outputs.values()
        ordered = [names[k] for k in sorted(names, key=_natural_key)]
        if sorted(ordered) != sorted(outputs):
            return natural
        return tuple(outputs.index(t) for t in ordered)


def _natural_key(name: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))


def read_model(data: bytes) -> Model:
    """Parse a .tflite flatbuffer, checking every offset; raises ModelError on damage."""
    buf = FlatBuffer(data)
    root = buf.root(identifier=b"TFL3")
    version = root.scalar(0, "I")
    opcodes = [_read_opcode(t) for t in root.tables(1, "operator_codes")]
    buffers = [_read_buffer(buf, t) for t in root.tables(4, "buffers")]
    subgraphs = tuple(
        _read_subgraph(t, opcodes, buffers) for t in root.tables(2, "subgraphs")
    )
    if not subgraphs:
        raise malformed("the model has no subgraph")
    metadata = {}
    for t in root.tables(6, "metadata"):
        index = t.scalar(1, "I")
        if index < len(buffers):
            metadata[t.string(0, "metadata name")] = buffers[index]
    signatures = {}
    for t in root.tables(7, "signature_defs"):
        if t.scalar(4, "I") == 0:
            signatures[t.string(2, "signature key")] = {
                m.string(0, "signature output name"): m.scalar(1, "I")
                for m in t.tables(1, "signature outputs")}
    return Model(version, root.string(3, "description"), subgraphs, buf.size, metadata, signatures)


def _read_opcode(t: Table) -> tuple[str, int]:
    code = max(t.scalar(0, "b"), t.scalar(3, "i"))
    version = t.scalar(2, "i", 1)
    if code == 32:  # CUSTOM
        return "CUSTOM:" + t.string(1, "custom code"), version
    return builtin_op_names().get(code, f"BUILTIN_{code}"), version


def _read_buffer(buf: FlatBuffer, t: Table) -> bytes:
    offset, size = t.scalar(1, "Q"), t.scalar(2, "Q")
    if offset > 1:  # data stored after the flatbuffer (models over 2 GB)
        buf._need(offset, size, "external buffer")
        return buf.data[offset:offset + size]
    return t.raw_bytes(0, "buffer data")


def _read_subgraph(t: Table, opcodes, buffers) -> Subgraph:
    tensors = tuple(_read_tensor(i, tt, buffers) for i, tt in enumerate(t.tables(0, "tensors")))
    n = len(tensors)

    def indices(values, what, optional=False) -> tuple[int, ...]:
        out = tuple(int(v) for v in values)
        low = -1 if optional else 0
        for v in out:
            if v < low or v >= n:
                raise malformed(f"{what} refers to tensor {v}, but the subgraph has {n}")
        return out

    operators = []
    for i, ot in enumerate(t.tables(3, "operators")):
        opcode_index = ot.scalar(0, "I")
        if opcode_index >= len(opcodes):
            raise malformed(f"operator {i} uses opcode {opcode_index} of {len(opcodes)}")
        name, version = opcodes[opcode_index]
        operators.append(Operator(
            index=i, opcode=name, version=version,
            inputs=indices(ot.vector(1, "i", "operator inputs"), f"operator {i} input", optional=True),
            outputs=indices(ot.vector(2, "i", "operator outputs"), f"operator {i} output"),
            options=_read_options(name, ot),
        ))
    return Subgraph(
        name=t.string(4, "subgraph name"),
        tensors=tensors,
        operators=tuple(operators),
        inputs=indices(t.vector(1, "i", "subgraph inputs"), "subgraph input"),
        outputs=indices(t.vector(2, "i", "subgraph outputs"), "subgraph output"),
    )


def _read_tensor(index: int, t: Table, buffers) -> Tensor:
    type_code = t.scalar(1, "b")
    type_name = TENSOR_TYPES.get(type_code)
    if type_name is None:
        raise malformed(f"tensor {index} has unknown type code {type_code}")
    shape = tuple(int(d) for d in t.vector(0, "i", "tensor shape"))
    if any(d < 0 for d in shape):
        raise malformed(f"tensor {index} has a negative dimension in its shape {shape}")
    signature = None
    if t.has(7):
        signature = tuple(int(d) for d in t.vector(7, "i", "tensor shape signature"))
    buffer_index = t.scalar(2, "I")
    if buffer_index >= max(len(buffers), 1) and buffer_index != 0:
        raise malformed(f"tensor {index} uses buffer {buffer_index} of {len(buffers)}")
    data = buffers[buffer_index] if buffer_index < len(buffers) else b""
    quant = None
    q = t.table(4, "quantization")
    if q is not None:
        scale = np.array(q.vector(2, "f", "quantization scale"), dtype=np.float32)
        zero_point = np.array(q.vector(3, "q", "quantization zero point"), dtype=np.int64)
        if not np.all(np.isfinite(scale) & (scale > 0)):
            bad = scale[~(np.isfinite(scale) & (scale > 0))][0]
            raise malformed(f"tensor {index} has quantization scale {bad}; scales are positive")
        if scale.size:
            quant = Quantization(scale, zero_point, q.scalar(6, "i"))
    return Tensor(
        index=index, name=t.string(3, "tensor name"), type=type_name, shape=shape,
        shape_signature=signature, buffer=buffer_index, quantization=quant,
        is_variable=bool(t.scalar(5, "?")), sparse=t.has(6), data=data or None,
    )


def _read_options(opcode: str, ot: Table) -> dict:
    layout = _OPTIONS.get(opcode)
    if layout is None:
        return {}
    options_table = ot.table(4, "builtin options")
    out = {}
    for name, index, fmt, default in layout:
        value = default if options_table is None else options_table.scalar(index, fmt, default)
        if name == "activation":
            value = ACTIVATIONS.get(value, f"UNKNOWN_{value}")
        elif name == "padding":
            value = PADDINGS.get(value, f"UNKNOWN_{value}")
        out[name] = value
    return out


def constant_array(tensor: Tensor, dtype) -> np.ndarray:
    """A constant tensor's values as a numpy array of its shape (little-endian `dtype`),
    checked against the tensor's element count."""
    dtype = np.dtype(dtype).newbyteorder("<")
    data = tensor.data or b""
    if len(data) != tensor.elements * dtype.itemsize:
        raise malformed(f"tensor {tensor.index} ('{tensor.name}') holds {len(data)} bytes, but "
                        f"{tensor.elements} {dtype.name} values need {tensor.elements * dtype.itemsize}")
    return np.frombuffer(data, dtype=dtype).reshape(tensor.shape if tensor.shape else ())
