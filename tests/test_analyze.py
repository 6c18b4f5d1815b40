"""`edgec analyze`: per-layer costs against hand arithmetic, the JSON contract, a target's verdict."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import assert_error, run


@pytest.fixture(scope="module")
def tiny_keras(keras, tmp_path_factory):
    """Conv 3x3 (2 -> 4 channels, valid) on 6x6, flatten, dense 64 -> 3. Biases are non-zero:
    the converter drops all-zero ones."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(6, 6, 2))
    h = keras.layers.Conv2D(4, 3, activation="relu", bias_initializer="ones")(inputs)
    outputs = keras.layers.Dense(3, bias_initializer="ones")(keras.layers.Flatten()(h))
    path = tmp_path_factory.mktemp("tiny") / "tiny.keras"
    keras.Model(inputs, outputs).save(path)
    return path


def test_json_layers_and_totals_match_hand_arithmetic(tiny_keras):
    result = run("--quiet", "analyze", tiny_keras, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    conv_macs = (4 * 4 * 4) * (3 * 3 * 2)  # outputs x taps: 1,152
    dense_macs = 64 * 3  # 192
    assert [(l["op"], l["macs"], l["params"]) for l in data["layers"]] == [
        ("CONV_2D", conv_macs, 3 * 3 * 2 * 4 + 4), ("RESHAPE", 0, 0),
        ("FULLY_CONNECTED", dense_macs, 64 * 3 + 3)]
    assert data["total_macs"] == conv_macs + dense_macs == 1344
    assert data["total_params"] == 76 + 195 == 271
    conv = data["layers"][0]
    assert conv["output_shape"] == [1, 4, 4, 4] and conv["activation_bytes"] == 64
    assert conv["weight_bytes"] == 72 + 4 * 4  # int8 weights, int32 biases
    assert conv["macs_share"] == pytest.approx(100 * 1152 / 1344, abs=0.01)
    assert data["flatbuffer"]["scheme"] == "int8"
    assert data["flatbuffer"]["source"] == "converted by edgec from the keras2 model"
    assert data["flatbuffer"]["calibration"] == "synthetic data"
    assert data["model_bytes"] == data["flatbuffer"]["bytes"] and data["arena_bytes"] > 0
    assert data["target"] is None and data["verdict"] is None


def test_a_tflite_is_analyzed_as_it_is_with_the_targets_verdict(digits_tflite, tmp_path):
    path = tmp_path / "digits.tflite"
    path.write_bytes(digits_tflite)
    result = run("analyze", path, "--target", "stm32")
    assert result.exit_code == 0, result.stderr
    for text in ("analyzed the given .tflite, int8", "CONV_2D", "FULLY_CONNECTED", "total",
                 "% MACs", "stm32l4r5: fits", "ops: all supported", "flash:", "ram:"):
        assert text in result.stdout, text
    data = json.loads(run("analyze", path, "--target", "stm32", "--json").stdout)
    assert data["verdict"]["ok"] is True and data["verdict"]["ops_supported"] is True
    assert [b["name"] for b in data["verdict"]["budgets"]] == ["flash", "ram"]
    assert all(layer["supported"] for layer in data["layers"])
    assert data["total_macs"] == 8 * 8 * 8 * 9 + 128 * 10 + 10  # conv, dense, softmax
    assert data["model_bytes"] == len(digits_tflite)


def test_over_budget_is_exit_8_after_the_table(digits_tflite, tmp_path):
    path = tmp_path / "digits.tflite"
    path.write_bytes(digits_tflite)
    small = tmp_path / "small.toml"
    small.write_text('inherits = "stm32l4r5"\nname = "small"\n[device]\nflash = "33 KiB"\n')
    result = run("analyze", path, "--target-file", small)
    assert_error(result, 8, "model does not fit")
    assert "does NOT fit" in result.stdout and "OVER" in result.stdout


def test_an_op_the_target_cannot_run_is_exit_6(keras, tmp_path):
    inputs = keras.Input(shape=(8, 8, 1))
    h = keras.layers.Activation("gelu")(keras.layers.Conv2D(4, 3)(inputs))
    path = tmp_path / "gelu.keras"
    keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(h))).save(path)
    result = run("analyze", path, "-t", "stm32")
    assert_error(result, 6, "op GELU at index 1 is not supported on stm32l4r5")
    assert "NO: tflite-micro has no kernel for GELU" in result.stdout
    assert "arena is unknown" in result.stdout


def test_unknown_model_format_names_what_edgec_takes(tmp_path):
    (tmp_path / "model.pt").write_bytes(b"x")
    result = run("analyze", tmp_path / "model.pt")
    assert_error(result, 3, "unknown format '.pt'")
    assert ".onnx or .tflite" in result.stderr
