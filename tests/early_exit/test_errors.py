"""Bad early-exit requests: a one-line error with a hint and the documented exit code,
before any slow work, and nothing written."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import edgec
from edgec.cli.main import app
from edgec.errors import DataError, ModelError


def _early_exit(example, out, *extra):
    return CliRunner().invoke(app, ["early-exit", str(example.model), "--train", str(example.train),
                                    "--validation", str(example.validation), "-o", str(out),
                                    *map(str, extra)])


def _assert_error(result, code, *words):
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert lines[-2].startswith("error: ") and all(w in lines[-2] for w in words), lines
    assert lines[-1].startswith("hint: ") and "Traceback" not in result.stderr


def test_unknown_exit_layer_is_exit_3_naming_it(residual_example, tmp_path):
    result = _early_exit(residual_example, tmp_path / "out", "--exits", "block1,no_such_layer")
    _assert_error(result, 3, "no_such_layer", "does not have")
    assert "block1" in result.stderr.splitlines()[-1]  # the hint lists the clean cut points
    assert not (tmp_path / "out").exists()


def test_exit_inside_a_residual_block_is_exit_3(residual_example, tmp_path):
    result = _early_exit(residual_example, tmp_path / "out", "--exits", "inner_a")
    _assert_error(result, 3, "'inner_a'", "not a clean cut point", "stem")
    passes = [line.strip() for line in result.stderr.splitlines() if line.endswith("...")]
    assert passes == ["load ...", "check-exits ..."]  # refused before quantization and training


def test_malformed_exits_is_a_usage_error(residual_example, tmp_path):
    result = _early_exit(residual_example, tmp_path / "out", "--exits", "auto:0")
    assert result.exit_code == 2 and "auto:N" in result.stderr


def test_api_needs_train_and_validation(residual_example, tmp_path):
    with pytest.raises(DataError, match="--validation"):
        edgec.build(residual_example.model, target="stm32", calibration=residual_example.train,
                    early_exit="auto", train=residual_example.train, out=tmp_path / "o")
    with pytest.raises(DataError, match="--train"):
        edgec.build(residual_example.model, target="stm32", calibration=residual_example.train,
                    validation=residual_example.validation, early_exit="auto", out=tmp_path / "o")
    with pytest.raises(ModelError, match="--exits"):
        edgec.build_early_exit(residual_example.model, train=residual_example.train,
                               validation=residual_example.validation, exits="a,,b",
                               out=tmp_path / "o")


def test_not_a_classifier_is_exit_3(keras, tmp_path):
    inputs = keras.Input((6,))
    hidden = keras.layers.Dense(6)(keras.layers.Dense(4)(inputs))
    model = keras.Model(inputs, keras.layers.Reshape((3, 2))(hidden))  # not class scores
    model.save(tmp_path / "ae.keras")
    np.savez(tmp_path / "d.npz", x=np.zeros((8, 6), np.float32))
    result = CliRunner().invoke(app, ["early-exit", str(tmp_path / "ae.keras"), "--train",
                                      str(tmp_path / "d.npz"), "--validation",
                                      str(tmp_path / "d.npz"), "-o", str(tmp_path / "out")])
    _assert_error(result, 3, "classifier")


def test_run_on_a_folder_that_is_not_an_early_exit_model(tmp_path):
    np.savez(tmp_path / "x.npz", x=np.zeros((2, 8, 8, 1), np.float32))
    result = CliRunner().invoke(app, ["run", str(tmp_path), "--input", str(tmp_path / "x.npz")])
    _assert_error(result, 3, "manifest.json")


def test_run_with_inputs_of_the_wrong_shape(staged, tmp_path):
    np.savez(tmp_path / "x.npz", x=np.zeros((2, 9, 9, 1), np.float32))
    result = CliRunner().invoke(app, ["run", str(staged.out), "--input", str(tmp_path / "x.npz")])
    _assert_error(result, 4, "shape")


def test_a_converted_tflite_cannot_grow_exits(digits_tflite, residual_example, tmp_path):
    (tmp_path / "model.tflite").write_bytes(digits_tflite)
    result = CliRunner().invoke(app, ["early-exit", str(tmp_path / "model.tflite"), "--train",
                                      str(residual_example.train), "--validation",
                                      str(residual_example.validation), "-o", str(tmp_path / "out")])
    _assert_error(result, 3, "early-exit heads needs a Keras model")


def test_a_target_without_tflite_micro_is_refused_before_training(residual_example, tmp_path):
    result = _early_exit(residual_example, tmp_path / "out", "--target", "cortex-a72")
    _assert_error(result, 5, "TensorFlow Lite Micro", "cortex-a72")
    passes = [line.strip() for line in result.stderr.splitlines() if line.endswith("...")]
    assert passes == ["load ...", "check-exits ..."]
