"""`edgec build model.onnx`: real onnx2tf, real onnxruntime, real TFLite Micro.

No test here reaches the network: onnx2tf finds the sample file it would download in its
working folder, and its proxy points at a closed local port (see edgec.onnx.convert).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import edgec
from edgec.errors import ModelError
from edgec.tflite import read_model
from edgec.tflm import MicroRunner
from tests.onnx.conftest import onnxruntime_outputs


@pytest.fixture(scope="module")
def onnx_build(onnx_example, tmp_path_factory):
    out = tmp_path_factory.mktemp("onnx_build") / "out"
    before = onnx_example.model.read_bytes()
    report = edgec.build(onnx_example.model, target="stm32", input_shape=(1, 3, 12, 12),
                         calibration=onnx_example.calibration,
                         validation=onnx_example.validation, out=out)
    return report, out, before


def test_onnx_model_converts_and_matches_onnxruntime(onnx_build):
    report, out, _ = onnx_build
    data = json.loads((out / "report.json").read_text())
    conversion = data["conversion"]
    assert conversion["tool"] == "onnx2tf" and conversion["version"] == "1.28.8"
    assert 0 <= conversion["max_abs_error"] < 1e-4
    assert conversion["reference"].startswith("onnxruntime")
    assert conversion["samples"] == 48
    assert [o["name"] for o in conversion["outputs"]] == ["logits", "features"]
    assert [p["name"] for p in data["passes"]] == [
        "load", "data", "convert", "conversion", "quantize", "check-ops", "measure", "validate",
        "budgets", "emit"]
    assert data["model"]["format"] == "onnx" and data["model"]["params"] == 8 * 27 + 8 + 32 + 4


def test_nchw_data_is_accepted_and_the_report_says_the_flatbuffer_is_nhwc(onnx_build):
    report, out, _ = onnx_build
    assert report.model["layout"] == {"source": "NCHW", "flatbuffer": "NHWC",
                                      "transpose": [0, 2, 3, 1]}
    (inp,) = report.model["inputs"]
    assert inp["shape"] == [1, 3, 12, 12] and inp["flatbuffer_shape"] == [1, 12, 12, 3]
    assert report.calibration["layout"] == "NCHW" and report.calibration["samples"] == 64
    assert any("takes NHWC input" in w for w in report.warnings)
    model = read_model((out / "model.tflite").read_bytes())
    graph = model.main
    assert graph.tensors[graph.inputs[0]].shape == (1, 12, 12, 3)
    assert graph.tensors[graph.inputs[0]].type == "int8"
    # both outputs kept (the signature keeps ONNX's order); the NCHW feature map comes out NHWC
    assert [graph.tensors[graph.outputs[i]].shape for i in model.output_order()] == \
        [(1, 4), (1, 12, 12, 8)]


def test_int8_flatbuffer_computes_the_onnx_model(onnx_build, onnx_example):
    """Checked outside edgec's own validation: TFLite Micro on the transposed inputs against
    onnxruntime on the NCHW ones."""
    report, out, _ = onnx_build
    x = onnx_example.x_val
    logits, features = onnxruntime_outputs(onnx_example.model, x)
    runner = MicroRunner((out / "model.tflite").read_bytes())
    q_logits, q_features = runner.run([x.transpose(0, 2, 3, 1)])
    assert np.mean(q_logits.argmax(axis=1) == logits.argmax(axis=1)) >= 0.9
    scale = np.abs(features).max()
    assert np.abs(q_features - features.transpose(0, 2, 3, 1)).max() < 0.05 * scale
    v = report.validation
    assert v["reference"].startswith("onnxruntime") and v["accuracy_float"] == 100.0
    assert v["top1_agreement"] >= 90 and v["accuracy_quantized"] >= 90


def test_the_users_onnx_file_is_left_untouched(onnx_build, onnx_example):
    """onnx2tf rewrites its input file in place (onnxsim); edgec gives it a copy."""
    _, _, before = onnx_build
    assert onnx_example.model.read_bytes() == before


def test_dynamic_input_dimension_is_a_clear_error_without_input_shape(onnx_example, tmp_path):
    with pytest.raises(ModelError) as info:
        edgec.build(onnx_example.model, target="stm32", calibration=onnx_example.calibration,
                    out=tmp_path / "o")
    assert info.value.message == "model input 'x' has a dynamic shape (N, 3, H, W)"
    assert "--input-shape 1,3,<size>,<size>" in info.value.hint
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("shape, message", [
    ((1, 4, 12, 12), "sets dimension 1 to 4, but model input 'x' fixes it to 3"),
    ((2, 3, 12, 12), "asks for batch 2"),
    ((1, 3, 12), "has 3 dimensions, but model input 'x' has 4"),
])
def test_input_shape_must_fit_the_model(onnx_example, tmp_path, shape, message):
    with pytest.raises(ModelError, match=message):
        edgec.build(onnx_example.model, target="stm32", calibration=onnx_example.calibration,
                    input_shape=shape, out=tmp_path / "o")


def test_nchw_calibration_in_the_wrong_layout_names_the_expected_shape(onnx_example, tmp_path):
    """Data must stay in the ONNX model's own layout; NHWC data is refused, not misread."""
    from edgec.errors import DataError

    nhwc = tmp_path / "nhwc.npz"
    np.savez(nhwc, x=np.zeros((4, 12, 12, 3), np.float32))
    with pytest.raises(DataError, match=r"x has shape \(4, 12, 12, 3\), but the model takes "
                                        r"\(N, 3, 12, 12\)"):
        edgec.build(onnx_example.model, target="stm32", calibration=nhwc,
                    input_shape=(1, 3, 12, 12), out=tmp_path / "o")
