"""Tiny .tflite models built directly with the flatbuffer schema (no converter), so
tests can choose every shape, stride, padding and quantization parameter."""

from __future__ import annotations

import numpy as np

TYPES = {"float32": 0, "int32": 2, "int8": 9, "int64": 4}
ACT = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3}
PAD = {"SAME": 0, "VALID": 1}


def schema():
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as s

    return s


class Graph:
    def __init__(self):
        s = schema()
        self.s = s
        self.tensors, self.buffers, self.opcodes, self.operators = [], [s.BufferT()], [], []

    def tensor(self, shape, dtype="int8", scale=None, zero_point=0, data=None, axis=0) -> int:
        s = self.s
        t = s.TensorT()
        t.shape = np.array(shape, dtype=np.int32)
        t.type = TYPES[dtype]
        t.name = f"t{len(self.tensors)}".encode()
        t.buffer = 0
        if data is not None:
            b = s.BufferT()
            b.data = np.frombuffer(np.ascontiguousarray(data).tobytes(), dtype=np.uint8)
            self.buffers.append(b)
            t.buffer = len(self.buffers) - 1
        if scale is not None:
            q = s.QuantizationParametersT()
            q.scale = np.atleast_1d(np.asarray(scale, dtype=np.float32))
            q.zeroPoint = np.atleast_1d(np.asarray(zero_point, dtype=np.int64))
            if q.zeroPoint.size != q.scale.size:
                q.zeroPoint = np.zeros(q.scale.size, dtype=np.int64) + q.zeroPoint[0]
            q.quantizedDimension = axis
            t.quantization = q
        self.tensors.append(t)
        return len(self.tensors) - 1

    def op(self, name: str, inputs, outputs, options=None, options_name: str | None = None) -> None:
        s = self.s
        code = getattr(s.BuiltinOperator, name)
        index = next((i for i, c in enumerate(self.opcodes) if c.builtinCode == code), None)
        if index is None:
            c = s.OperatorCodeT()
            c.builtinCode, c.deprecatedBuiltinCode, c.version = code, min(code, 127), 1
            self.opcodes.append(c)
            index = len(self.opcodes) - 1
        o = s.OperatorT()
        o.opcodeIndex, o.inputs, o.outputs = index, list(inputs), list(outputs)
        if options is not None:
            o.builtinOptionsType = getattr(s.BuiltinOptions, options_name)
            o.builtinOptions = options
        self.operators.append(o)

    def options(self, kind: str, **fields):
        o = getattr(self.s, kind + "T")()
        for k, v in fields.items():
            setattr(o, k, v)
        return o

    def finish(self, inputs, outputs) -> bytes:
        import flatbuffers

        s = self.s
        g = s.SubGraphT()
        g.tensors, g.operators, g.inputs, g.outputs = self.tensors, self.operators, list(inputs), list(outputs)
        m = s.ModelT()
        m.version, m.operatorCodes, m.subgraphs, m.buffers = 3, self.opcodes, [g], self.buffers
        m.description = b"edgec test"
        b = flatbuffers.Builder(1024)
        b.Finish(m.Pack(b), file_identifier=b"TFL3")
        return bytes(b.Output())


def conv_op(g: Graph, inputs: list[int], y: int, *, depthwise: bool, padding: str,
            strides: tuple[int, int], dilations: tuple[int, int], activation: int,
            multiplier: int = 1) -> None:
    """A CONV_2D or DEPTHWISE_CONV_2D op (strides and dilations as (h, w))."""
    common = {"padding": PAD[padding], "strideH": strides[0], "strideW": strides[1],
              "dilationHFactor": dilations[0], "dilationWFactor": dilations[1],
              "fusedActivationFunction": activation}
    if depthwise:
        opts = g.options("DepthwiseConv2DOptions", depthMultiplier=multiplier, **common)
        g.op("DEPTHWISE_CONV_2D", inputs, [y], opts, "DepthwiseConv2DOptions")
    else:
        g.op("CONV_2D", inputs, [y], g.options("Conv2DOptions", **common), "Conv2DOptions")
