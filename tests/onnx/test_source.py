"""Reading ONNX models: what edgec refuses before converting, and the layouts it derives."""

from __future__ import annotations

import numpy as np
import pytest

from edgec.errors import ModelError
from edgec.models.layout import InputLayout
from edgec.onnx.convert import layout_of
from edgec.onnx.source import read_onnx


def _save(path, inputs, nodes, outputs):
    import onnx
    from onnx import helper

    graph = helper.make_graph(nodes, "g", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def test_a_damaged_file_is_a_model_error(tmp_path):
    (tmp_path / "bad.onnx").write_bytes(b"\x08\x07garbage that is not protobuf \xff\xff")
    with pytest.raises(ModelError, match="not a readable ONNX model"):
        read_onnx(tmp_path / "bad.onnx")


def test_integer_and_multiple_inputs_are_refused(tmp_path):
    from onnx import TensorProto, helper

    ids = helper.make_tensor_value_info("ids", TensorProto.INT64, [1, 4])
    out = helper.make_tensor_value_info("y", TensorProto.INT64, [1, 4])
    path = _save(tmp_path / "ids.onnx", [ids], [helper.make_node("Identity", ["ids"], ["y"])], [out])
    with pytest.raises(ModelError, match="model input 'ids' is int64"):
        read_onnx(path)
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, [1, 4])
    b = helper.make_tensor_value_info("b", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    path = _save(tmp_path / "two.onnx", [a, b], [helper.make_node("Add", ["a", "b"], ["y"])], [y])
    with pytest.raises(ModelError, match="has 2 inputs"):
        read_onnx(path)


def test_the_input_is_fixed_in_the_copy_and_the_users_model_keeps_its_dims(onnx_example):
    source = read_onnx(onnx_example.model, (1, 3, 20, 16))
    assert source.input_shape == (1, 3, 20, 16)
    dims = source.proto.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_value for d in dims] == [1, 3, 20, 16]
    assert read_onnx(onnx_example.model, (1, 3, 8, 8)).input_shape == (1, 3, 8, 8)
    assert source.output_names == ("logits", "features") and source.opset == 13


def test_channels_first_inputs_become_channels_last(tmp_path):
    from onnx import TensorProto, helper

    for rank, source, flat in ((3, "NCW", "NWC"), (4, "NCHW", "NHWC"), (5, "NCDHW", "NDHWC")):
        shape = [1, 3, 5, 6, 7][:rank]
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)
        path = _save(tmp_path / f"r{rank}.onnx", [x], [helper.make_node("Relu", ["x"], ["y"])], [y])
        layout = layout_of(read_onnx(path))
        assert (layout.source, layout.flatbuffer) == (source, flat)
        assert layout.flatbuffer_shape == tuple(shape[2:]) + (3,)
        data = np.random.default_rng(0).random((2, *shape[1:]))
        moved = layout.to_flatbuffer(data)
        assert moved.shape == (2, *layout.flatbuffer_shape)
        assert np.array_equal(np.moveaxis(data, 1, -1), moved)
        assert np.array_equal(layout.to_source(moved), data)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 20])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 20])
    path = _save(tmp_path / "flat.onnx", [x], [helper.make_node("Relu", ["x"], ["y"])], [y])
    assert layout_of(read_onnx(path)) is None  # (N, features): nothing to move
    assert InputLayout.channels_first((3, 4, 4)).describe() == {
        "source": "NCHW", "flatbuffer": "NHWC", "transpose": [0, 2, 3, 1]}


def test_data_for_an_nchw_model_arrives_in_the_flatbuffers_layout(onnx_example, tmp_path):
    """Arrays are given NCHW and transposed; image folders are read as stored (HWC)."""
    from PIL import Image

    from edgec.onnx.reference import OnnxReference
    from edgec.passes.loading import load_for_model

    source = read_onnx(onnx_example.model, (1, 3, 12, 12))
    reference = OnnxReference(source, layout_of(source))
    assert reference.input_shape == (12, 12, 3) and reference.output_shapes[0] == (4,)
    data = load_for_model(onnx_example.validation, reference, "unit", "validation")
    assert np.array_equal(data.x, onnx_example.x_val.transpose(0, 2, 3, 1))
    pixels = np.random.default_rng(0).integers(0, 256, (12, 12, 3), dtype=np.uint8)
    (tmp_path / "images" / "2").mkdir(parents=True)
    Image.fromarray(pixels).save(tmp_path / "images" / "2" / "a.png")
    images = load_for_model(tmp_path / "images", reference, "unit", "calibration")
    assert images.x.shape == (1, 12, 12, 3) and list(images.y) == [2]
    assert np.allclose(images.x[0], pixels / 255.0)
    # the reference runs the ONNX model on NHWC batches and answers like onnxruntime does
    from tests.onnx.conftest import onnxruntime_outputs

    logits = onnxruntime_outputs(onnx_example.model, onnx_example.x_val[:3])[0]
    assert np.allclose(reference.predict(data.x[:3])[0], logits, atol=1e-6)
