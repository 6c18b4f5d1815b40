"""A converted .tflite as the input of `edgec build`: checked, measured, validated against labels."""

from __future__ import annotations

import json

import numpy as np
import pytest

import edgec
from edgec.errors import DataError, ModelError


@pytest.fixture(scope="module")
def tflite_file(digits_tflite, tmp_path_factory):
    path = tmp_path_factory.mktemp("tflite") / "digits_int8.tflite"
    path.write_bytes(digits_tflite)
    return path


def test_a_tflite_builds_without_quantizing_and_is_validated_against_labels(
        tflite_file, digits_example, digits, tmp_path):
    out = tmp_path / "out"
    report = edgec.build(tflite_file, target="stm32", validation=digits_example.validation, out=out)
    data = json.loads((out / "report.json").read_text())
    assert [p["name"] for p in data["passes"]] == ["load", "data", "check-ops", "measure",
                                                   "validate", "budgets", "emit"]
    assert data["model"]["format"] == "tflite" and data["quantization"] == "int8"
    assert data["model"]["params"] == 8 * 9 + 8 + 128 * 10 + 10
    assert data["model"]["inputs"][0]["shape"] == [1, 8, 8, 1]
    assert (out / "model.tflite").read_bytes() == tflite_file.read_bytes()
    v = report.validation
    assert v["samples"] == len(digits.x_val) and "accuracy_float" not in v
    assert v["accuracy_quantized"] > 85
    assert all(op["supported"] for op in data["ops"]) and report.arena_bytes > 0
    assert report.budget("flash").actual == tflite_file.stat().st_size + 32 * 1024


def test_a_tflite_needs_no_data_and_says_accuracy_was_not_checked(tflite_file, tmp_path):
    report = edgec.build(tflite_file, target="stm32", out=tmp_path / "out")
    assert [p.name for p in report.passes] == ["load", "data", "check-ops", "measure", "budgets",
                                               "emit"]
    assert report.validation == {}
    assert any("accuracy was not checked" in w for w in report.warnings)


def test_calibration_data_for_a_tflite_is_not_used_and_says_so(tflite_file, digits_example,
                                                               tmp_path):
    report = edgec.build(tflite_file, target="stm32", calibration=digits_example.calibration,
                         out=tmp_path / "out")
    assert report.calibration == {}
    assert any("calibration data is not used" in w for w in report.warnings)


def test_a_tflite_cannot_be_reshaped(tflite_file, tmp_path):
    with pytest.raises(ModelError, match="--input-shape cannot reshape a .tflite"):
        edgec.build(tflite_file, target="stm32", input_shape=(1, 8, 8, 1), out=tmp_path / "o")


def test_validation_labels_must_fit_the_tflite_outputs(tflite_file, tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.zeros((3, 8, 8, 1), np.float32), y=np.array([1, 2, 11]))
    with pytest.raises(DataError, match="labels of .* go up to 11"):
        edgec.build(tflite_file, target="stm32", validation=bad, out=tmp_path / "o")


def test_a_damaged_tflite_is_a_model_error(tflite_file, tmp_path):
    broken = tmp_path / "broken.tflite"
    broken.write_bytes(tflite_file.read_bytes()[:200])
    with pytest.raises(ModelError, match="malformed .tflite"):
        edgec.build(broken, target="stm32", out=tmp_path / "o")
    assert not (tmp_path / "o").exists()
