"""The bounds-checked reader agrees with the official generated schema code, and refuses damage."""

from __future__ import annotations

import numpy as np
import pytest

from edgec.errors import ModelError
from edgec.tflite import read_model


def official(data: bytes):
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    return schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(bytearray(data), 0))


def test_reader_matches_the_official_schema_code(digits_tflite):
    ours, theirs = read_model(digits_tflite), official(digits_tflite)
    graph, ref = ours.main, theirs.subgraphs[0]
    assert list(graph.inputs) == list(ref.inputs)
    assert list(graph.outputs) == list(ref.outputs)
    assert len(graph.tensors) == len(ref.tensors)
    for t, r in zip(graph.tensors, ref.tensors):
        assert t.name == r.name.decode()
        assert list(t.shape) == list(r.shape)
        assert t.buffer == r.buffer
        data = theirs.buffers[r.buffer].data
        assert (t.data or b"") == (bytes(np.asarray(data, dtype=np.uint8)) if data is not None else b"")
        if r.quantization is not None and r.quantization.scale is not None:
            np.testing.assert_array_equal(t.quantization.scale, r.quantization.scale)
            np.testing.assert_array_equal(t.quantization.zero_point, r.quantization.zeroPoint)
            assert t.quantization.axis == r.quantization.quantizedDimension
    assert len(graph.operators) == len(ref.operators)
    for op, r in zip(graph.operators, ref.operators):
        assert list(op.inputs) == list(r.inputs)
        assert list(op.outputs) == list(r.outputs)
        if op.opcode == "CONV_2D":
            o = r.builtinOptions
            assert (op.options["stride_w"], op.options["stride_h"]) == (o.strideW, o.strideH)
            assert op.options["padding"] == ("SAME" if o.padding == 0 else "VALID")
            assert (op.options["dilation_w"], op.options["dilation_h"]) == (o.dilationWFactor,
                                                                              o.dilationHFactor)
        if op.opcode == "MAX_POOL_2D":
            o = r.builtinOptions
            assert (op.options["filter_w"], op.options["filter_h"]) == (o.filterWidth, o.filterHeight)
    assert [op.opcode for op in graph.operators] == ["CONV_2D", "MAX_POOL_2D", "RESHAPE",
                                                     "FULLY_CONNECTED", "SOFTMAX"]


@pytest.mark.parametrize("cut", [0, 4, 7, 8, 64, 500])
def test_truncated_flatbuffers_are_a_model_error(digits_tflite, cut):
    with pytest.raises(ModelError, match="malformed .tflite"):
        read_model(digits_tflite[:cut])


def test_wrong_identifier_is_refused(digits_tflite):
    data = bytearray(digits_tflite)
    data[4:8] = b"XXXX"
    with pytest.raises(ModelError, match="identifier"):
        read_model(bytes(data))


def test_offsets_pointing_outside_the_file_are_refused(digits_tflite):
    data = bytearray(digits_tflite)
    data[0:4] = (len(data) + 100).to_bytes(4, "little")
    with pytest.raises(ModelError, match="outside"):
        read_model(bytes(data))


def test_random_corruption_never_escapes_as_another_exception(digits_tflite):
    rng = np.random.default_rng(0)
    for _ in range(300):
        data = bytearray(digits_tflite)
        for pos in rng.integers(0, len(data), size=8):
            data[pos] = int(rng.integers(0, 256))
        try:
            read_model(bytes(data))
        except ModelError:
            pass


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 0.0, -1.0])
def test_unusable_quantization_scales_are_refused(digits_tflite, bad):
    """Found by the fuzzer: a NaN scale reached the AOT requantization arithmetic."""
    import struct

    model = read_model(digits_tflite)
    scale = model.main.tensors[model.main.inputs[0]].quantization.scale[0]
    data = bytearray(digits_tflite)
    at = data.find(struct.pack("<f", scale))
    assert at > 0
    data[at:at + 4] = struct.pack("<f", bad)
    with pytest.raises(ModelError, match="quantization scale"):
        read_model(bytes(data))
