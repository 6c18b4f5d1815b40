"""Per-op costs from the flatbuffer agree with Keras' own counts and hand arithmetic."""

from __future__ import annotations

from edgec.tflite import read_model
from edgec.tflite.costs import op_costs


def test_costs_of_the_small_cnn(digits_tflite, keras):
    from tests.conftest import small_cnn

    costs = {c.op: c for c in op_costs(read_model(digits_tflite))}
    conv, fc = costs["CONV_2D"], costs["FULLY_CONNECTED"]
    # conv 3x3, 1 -> 8 channels, SAME on 8x8: 8*8*8 outputs x 9 taps
    assert conv.macs == 8 * 8 * 8 * 9 and conv.params == 9 * 8 + 8
    assert conv.weight_bytes == 9 * 8 + 8 * 4  # int8 weights, int32 biases
    assert conv.activation_bytes == 8 * 8 * 8
    # dense after 2x2 pooling: 4*4*8 = 128 inputs -> 10
    assert fc.macs == 128 * 10 and fc.params == 128 * 10 + 10
    assert costs["RESHAPE"].params == 0 and costs["RESHAPE"].macs == 0
    assert costs["MAX_POOL_2D"].macs == 0
    assert sum(c.params for c in op_costs(read_model(digits_tflite))) == small_cnn(keras).count_params()
