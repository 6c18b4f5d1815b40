"""Liveness on a real flatbuffer, checked by hand arithmetic."""

from __future__ import annotations

from edgec.tflite import read_model
from edgec.tflite.liveness import lifetimes, live_bytes_per_step


def test_small_cnn_timeline(digits_tflite):
    graph = read_model(digits_tflite).main
    # CONV_2D: input 64 B + output 8x8x8 = 512 B; MAX_POOL: 512 + 128; RESHAPE: 128 + 128;
    # FULLY_CONNECTED: 128 + 10; SOFTMAX: 10 + 10
    assert live_bytes_per_step(graph) == [64 + 512, 512 + 128, 128 + 128, 128 + 10, 10 + 10]
    spans = {s.tensor: s for s in lifetimes(graph)}
    assert spans[graph.inputs[0]].first == -1 and spans[graph.outputs[0]].last == 5
