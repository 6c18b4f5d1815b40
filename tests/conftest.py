"""Shared fixtures: small real models built and trained in code, and their data.

Everything here runs the real TensorFlow converter and the real TFLite Micro
interpreter; nothing is mocked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(scope="session")
def keras():
    from edgec.tf_runtime import keras as load_keras

    return load_keras()


@pytest.fixture(scope="session")
def tf():
    from edgec.tf_runtime import tensorflow

    return tensorflow()


@dataclass(frozen=True)
class Digits:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


@pytest.fixture(scope="session")
def digits() -> Digits:
    from sklearn.datasets import load_digits

    d = load_digits()
    x = (d.images / 16.0).astype(np.float32)[..., None]
    y = d.target.astype(np.int64)
    order = np.random.default_rng(7).permutation(len(x))
    x, y = x[order], y[order]
    return Digits(x[:1300], y[:1300], x[1300:], y[1300:])


@dataclass(frozen=True)
class BuiltExample:
    model: Path
    calibration: Path
    validation: Path


def small_cnn(keras, filters: int = 8):
    inputs = keras.Input(shape=(8, 8, 1))
    h = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(inputs)
    h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.Flatten()(h)
    outputs = keras.layers.Dense(10, activation="softmax")(h)
    return keras.Model(inputs, outputs)


@pytest.fixture(scope="session")
def digits_example(tmp_path_factory, keras, digits) -> BuiltExample:
    """A trained small CNN on the digits, saved as .keras, with calibration/validation .npz."""
    keras.utils.set_random_seed(3)
    model = small_cnn(keras)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(digits.x_train, digits.y_train, epochs=12, batch_size=32, verbose=0)
    root = tmp_path_factory.mktemp("digits")
    model.save(root / "model.keras")
    np.savez(root / "calibration.npz", x=digits.x_train[:200], y=digits.y_train[:200])
    np.savez(root / "validation.npz", x=digits.x_val, y=digits.y_val)
    return BuiltExample(root / "model.keras", root / "calibration.npz", root / "validation.npz")


@pytest.fixture(scope="session")
def digits_tflite(digits_example, digits) -> bytes:
    """The example model converted to full INT8 by edgec's quantize step."""
    from edgec.models import load_model
    from edgec.passes.quantize import convert_int8

    return convert_int8(load_model(digits_example.model), digits.x_train[:100])


@pytest.fixture(scope="session")
def mlperf_tflites(keras) -> dict[str, bytes]:
    """The four MLPerf Tiny reference architectures (seeded random weights), converted by
    edgec's quantize step on a few random calibration samples (tests/aot and tests/device)."""
    from edgec.zoo import MLPERF_TINY, quantized_mlperf_tiny

    return {name: quantized_mlperf_tiny(name, keras, samples=16) for name in MLPERF_TINY}
