"""Keras 2 (.keras, .h5), Keras 3 and plain SavedModels enter the same pipeline; passes that
need a Keras 2 model get a clear error from the capability checks."""

from __future__ import annotations

import numpy as np
import pytest

import edgec
from edgec.artifact import Artifact
from edgec.errors import ModelError
from edgec.models import load_model
from edgec.models.capabilities import require_float_model, require_keras


@pytest.fixture(scope="module")
def keras3_model(tmp_path_factory):
    import keras as keras3

    assert keras3.__version__.startswith("3")
    keras3.utils.set_random_seed(0)
    inputs = keras3.Input(shape=(8, 8, 1))
    h = keras3.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    outputs = keras3.layers.Dense(10, activation="softmax")(keras3.layers.Flatten()(h))
    path = tmp_path_factory.mktemp("keras3") / "model.keras"
    keras3.Model(inputs, outputs).save(path)
    return path


@pytest.fixture(scope="module")
def dynamic_saved_model(tf, tmp_path_factory):
    """A plain TF SavedModel (no Keras metadata) whose height and width are dynamic."""

    class Net(tf.Module):
        def __init__(self):
            rng = np.random.default_rng(0)
            self.w = tf.Variable(rng.normal(0, 0.3, (3, 3, 1, 4)).astype(np.float32))
            self.d = tf.Variable(rng.normal(0, 0.3, (4, 10)).astype(np.float32))

        @tf.function(input_signature=[tf.TensorSpec([None, None, None, 1], tf.float32)])
        def __call__(self, x):
            h = tf.nn.relu(tf.nn.conv2d(x, self.w, 1, "SAME"))
            return {"logits": tf.matmul(tf.reduce_mean(h, axis=[1, 2]), self.d)}

    net = Net()
    path = tmp_path_factory.mktemp("saved") / "net"
    tf.saved_model.save(net, str(path), signatures={"serving_default": net.__call__})
    return path


def test_keras3_file_builds(keras3_model, digits_example, tmp_path):
    report = edgec.build(keras3_model, target="stm32", calibration=digits_example.calibration,
                         validation=digits_example.validation, out=tmp_path / "o")
    assert report.model["format"] == "keras3" and report.model["params"] == 40 + 2570
    assert report.validation["top1_agreement"] >= 90
    assert any("Keras 3" in w for w in report.warnings)


def test_h5_file_builds(keras, digits_example, tmp_path):
    from tests.conftest import small_cnn

    path = tmp_path / "model.h5"
    small_cnn(keras).save(path)
    report = edgec.build(path, target="stm32", calibration=digits_example.calibration,
                         out=tmp_path / "o")
    assert report.model["format"] == "keras2" and report.quantization == "int8"


def test_saved_model_with_dynamic_size_needs_input_shape(dynamic_saved_model, digits_example,
                                                         tmp_path):
    with pytest.raises(ModelError) as info:
        edgec.build(dynamic_saved_model, target="stm32", calibration=digits_example.calibration,
                    out=tmp_path / "o")
    assert "has a dynamic shape (N, ?, ?, 1)" in info.value.message
    assert "--input-shape 1,<size>,<size>,1" in info.value.hint
    report = edgec.build(dynamic_saved_model, target="stm32", input_shape=(1, 8, 8, 1),
                         calibration=digits_example.calibration, out=tmp_path / "o")
    assert report.model["format"] == "saved_model"
    assert report.model["inputs"][0]["shape"] == [1, 8, 8, 1]
    assert report.validation["cosine"] > 0.99


def test_keras2_model_has_what_qat_needs(digits_example):
    model = load_model(digits_example.model)
    assert require_keras(Artifact(float_model=model), "QAT") is model.keras


def test_keras3_model_is_refused_by_passes_that_need_keras2(keras3_model):
    artifact = Artifact(float_model=load_model(keras3_model))
    with pytest.raises(ModelError) as info:
        require_keras(artifact, "QAT")
    assert info.value.message == "QAT needs a Keras model, but model.keras is a Keras 3 model"
    assert "tf_keras" in info.value.hint
    assert require_float_model(artifact, "pruning") is artifact.float_model


def test_saved_model_is_refused_by_passes_that_need_keras(dynamic_saved_model):
    artifact = Artifact(float_model=load_model(dynamic_saved_model, input_shape=(1, 8, 8, 1)))
    with pytest.raises(ModelError, match="pruning needs a Keras model, but net is a SavedModel "
                                         "without Keras metadata") as info:
        require_keras(artifact, "pruning")
    assert "use PTQ" in info.value.hint


def test_tflite_has_no_float_model(digits_tflite):
    artifact = Artifact(tflite=digits_tflite, scheme="int8")
    with pytest.raises(ModelError, match="QAT needs a Keras model, but the input is an already "
                                         "converted .tflite"):
        require_keras(artifact, "QAT")
    with pytest.raises(ModelError, match="pruning needs the trained float model"):
        require_float_model(artifact, "pruning")
