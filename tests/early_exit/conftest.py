"""A small residual classifier on the digits and one early-exit build of it, shared by the
early-exit tests (real training, real converter, real TFLite Micro)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner


def residual_digits_model(keras):
    """stem -> residual block (block1) -> strided conv (down) -> conv (block2) -> classifier."""
    layers = keras.layers
    inputs = keras.Input((8, 8, 1))
    stem = layers.Conv2D(8, 3, padding="same", activation="relu", name="stem")(inputs)
    r = layers.Conv2D(8, 3, padding="same", activation="relu", name="inner_a")(stem)
    r = layers.Conv2D(8, 3, padding="same", name="inner_b")(r)
    h = layers.ReLU(name="block1")(layers.Add(name="add")([stem, r]))
    h = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="down")(h)
    h = layers.Conv2D(16, 3, padding="same", activation="relu", name="block2")(h)
    h = layers.GlobalAveragePooling2D(name="pool")(h)
    return keras.Model(inputs, layers.Dense(10, activation="softmax", name="classes")(h))


@dataclass(frozen=True)
class Example:
    model: Path
    train: Path
    validation: Path


@dataclass(frozen=True)
class Staged:
    out: Path
    example: Example
    stdout: str


@pytest.fixture(scope="session")
def residual_example(tmp_path_factory, keras, digits) -> Example:
    keras.utils.set_random_seed(5)
    model = residual_digits_model(keras)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy")
    model.fit(digits.x_train, digits.y_train, epochs=10, batch_size=32, verbose=0)
    root = tmp_path_factory.mktemp("residual")
    model.save(root / "model.keras")
    np.savez(root / "train.npz", x=digits.x_train, y=digits.y_train)
    np.savez(root / "validation.npz", x=digits.x_val, y=digits.y_val)
    return Example(root / "model.keras", root / "train.npz", root / "validation.npz")


@pytest.fixture(scope="session")
def staged(residual_example, tmp_path_factory) -> Staged:
    """`edgec early-exit` with two named exits, through the CLI."""
    from edgec.cli.main import app

    out = tmp_path_factory.mktemp("early-exit") / "out"
    result = CliRunner().invoke(app, [
        "early-exit", str(residual_example.model), "--train", str(residual_example.train),
        "--validation", str(residual_example.validation), "--exits", "block1,down",
        "--head-epochs", "8", "-o", str(out)])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return Staged(out, residual_example, result.stdout)
