"""LiteRT's interpreter as edgec uses it: validation runs and the measured arena."""

from __future__ import annotations

import numpy as np

from edgec.litert import LiteRTRunner
from edgec.tflite import read_model
from edgec.tflm import MicroRunner


def test_arena_lies_between_the_live_tensors_and_tflite_micros_arena(digits_tflite):
    model = read_model(digits_tflite)
    graph = model.main
    # any plan must hold an op's inputs and output at once
    lower = max(sum(graph.tensors[i].nbytes for i in (*op.inputs, *op.outputs)
                    if i >= 0 and not graph.tensors[i].is_constant) for op in graph.operators)
    arena = LiteRTRunner(digits_tflite, model).arena_bytes()
    # for this CNN (one input channel, so LiteRT's im2col scratch is small) TFLite Micro's
    # arena, which also holds its interpreter's persistent structures, is the larger
    assert lower <= arena <= MicroRunner(digits_tflite, model).arena_bytes()


def test_litert_and_tflite_micro_agree_on_the_int8_model(digits_tflite, digits):
    x = digits.x_val[:50]
    litert = LiteRTRunner(digits_tflite).run([x])[0]
    micro = MicroRunner(digits_tflite).run([x])[0]
    assert np.array_equal(litert.argmax(1), micro.argmax(1))
    assert np.max(np.abs(litert - micro)) <= 2 / 256  # at most a couple of int8 steps apart
