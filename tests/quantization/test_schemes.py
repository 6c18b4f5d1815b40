"""INT16x8 and INT4 post-training quantization: tensor types read from the flatbuffer with
edgec's reader, and the models run in TensorFlow Lite Micro."""

from __future__ import annotations

import pytest

from edgec.metrics import accuracy
from edgec.tflite import read_model
from edgec.tflm import MicroRunner


@pytest.fixture(scope="module")
def float_model(digits_example):
    from edgec.models import load_model

    return load_model(digits_example.model)


def _weights_and_biases(graph, opcode):
    for op in graph.operators:
        if op.opcode == opcode:
            yield graph.tensors[op.inputs[1]], graph.tensors[op.inputs[2]]


def test_int16x8_has_int16_activations_and_int8_weights(float_model, digits, digits_tflite):
    from edgec.quantization.converter import convert_int16x8

    tflite = convert_int16x8(float_model, digits.x_train[:100])
    graph = read_model(tflite).main
    ends = [graph.tensors[i].type for i in (*graph.inputs, *graph.outputs)]
    assert ends == ["int16", "int16"]
    for op in graph.operators:
        assert graph.tensors[op.inputs[0]].type == "int16", op.opcode
        assert graph.tensors[op.outputs[0]].type == "int16", op.opcode
    pairs = list(_weights_and_biases(graph, "CONV_2D")) + list(_weights_and_biases(graph, "FULLY_CONNECTED"))
    assert pairs and all(w.type == "int8" and b.type == "int64" for w, b in pairs)
    runner = MicroRunner(tflite)
    int8_arena = MicroRunner(digits_tflite).arena_bytes()
    assert runner.arena_bytes() > int8_arena  # activations take twice the bytes
    reference = float_model.predict(digits.x_val)[0]
    out = runner.run([digits.x_val])[0]
    assert abs(accuracy(out, digits.y_val) - accuracy(reference, digits.y_val)) <= 1.0


def test_int4_has_int4_weights_tflite_micro_runs(float_model, digits, digits_tflite):
    from edgec.quantization.int4 import convert_int4
    from edgec.targets import load_target
    from edgec.passes.op_check import op_records

    tflite = convert_int4(float_model, digits.x_train[:100])
    graph = read_model(tflite).main
    assert [graph.tensors[i].type for i in (*graph.inputs, *graph.outputs)] == ["int8", "int8"]
    conv = list(_weights_and_biases(graph, "CONV_2D"))
    fc = list(_weights_and_biases(graph, "FULLY_CONNECTED"))
    assert conv and all(w.type == "int4" and w.quantization.scale.size == w.shape[0] for w, _ in conv)
    assert fc and all(w.type == "int4" and w.quantization.scale.size == 1 for w, _ in fc)
    assert all(graph.tensors[op.inputs[0]].type == "int8" for op in graph.operators)
    assert len(tflite) < 0.8 * len(digits_tflite)
    assert all(r.supported for r in op_records(read_model(tflite), load_target("stm32")))
    out = MicroRunner(tflite).run([digits.x_val])[0]
    reference = float_model.predict(digits.x_val)[0]
    assert abs(accuracy(out, digits.y_val) - accuracy(reference, digits.y_val)) <= 3.0
