"""Train the bundled example: a small CNN on scikit-learn's handwritten digits (8x8, real data,
no download). Writes model.keras (tf_keras / Keras 2 format), train.npz (the 1,300 training
samples, for fine-tuning: `edgec build --prune/--qat/--auto --train`), calibration.npz and
validation.npz beside this script.

    .venv/bin/python examples/digits/train.py
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

HERE = Path(__file__).parent
SEED = 1234


def data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_val, y_val): pixels scaled to 0..1, shape (N, 8, 8, 1)."""
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[..., None]
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(SEED).permutation(len(x))
    x, y = x[order], y[order]
    split = 1300
    return x[:split], y[:split], x[split:], y[split:]


def model(keras):
    layers = keras.layers
    inputs = keras.Input(shape=(8, 8, 1), name="pixels")
    h = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
    h = layers.Conv2D(32, 3, padding="same", activation="relu")(h)
    h = layers.MaxPooling2D()(h)
    h = layers.Conv2D(64, 3, padding="same", activation="relu")(h)
    h = layers.MaxPooling2D()(h)
    h = layers.Flatten()(h)
    h = layers.Dropout(0.3)(h)
    outputs = layers.Dense(10, activation="softmax", name="digit")(h)
    return keras.Model(inputs, outputs, name="digits_cnn")


def main() -> None:
    import tensorflow as tf
    import tf_keras as keras

    keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    x_train, y_train, x_val, y_val = data()
    net = model(keras)
    net.compile(optimizer=keras.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy",
                metrics=["accuracy"])
    net.fit(x_train, y_train, epochs=40, batch_size=32, verbose=0,
            validation_data=(x_val, y_val))
    _, accuracy = net.evaluate(x_val, y_val, verbose=0)
    print(f"float validation accuracy: {100 * accuracy:.2f} % on {len(x_val)} samples")
    net.save(HERE / "model.keras")
    np.savez(HERE / "train.npz", x=x_train, y=y_train)
    np.savez(HERE / "calibration.npz", x=x_train[:300], y=y_train[:300])
    np.savez(HERE / "validation.npz", x=x_val, y=y_val)
    print(f"wrote {HERE / 'model.keras'}, train.npz, calibration.npz, validation.npz")


if __name__ == "__main__":
    main()
