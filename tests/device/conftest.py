"""Fixtures for the emulator harness tests: small real models converted by TFLite's converter."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def maxpool_tflite(keras, digits, tmp_path_factory) -> bytes:
    """An int8 .tflite of one 2x2 MAX_POOL_2D over the 8x8 digits (fixtures/maxpool_model.c is its C)."""
    from edgec.models import load_model
    from edgec.passes.quantize import convert_int8

    inputs = keras.Input(shape=(8, 8, 1), batch_size=1)
    model = keras.Model(inputs, keras.layers.MaxPooling2D(2)(inputs))
    path = tmp_path_factory.mktemp("maxpool") / "maxpool.keras"
    model.save(path)
    return convert_int8(load_model(path), digits.x_train[:50])
