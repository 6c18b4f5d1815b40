"""Op constraints catch what TFLite Micro refuses, on real converter output."""

from __future__ import annotations

import numpy as np
import pytest

from edgec.passes.op_check import op_records
from edgec.targets import load_target
from edgec.targets.constraints import CONSTRAINTS, rule_text
from edgec.tflite import read_model


@pytest.fixture(scope="module")
def dense_model(keras):
    inputs = keras.Input(shape=(16,))
    # 16 x 128 weights: over the 1024 below which the converter leaves weights in float
    outputs = keras.layers.Dense(4)(keras.layers.Dense(128, activation="relu")(inputs))
    return keras.Model(inputs, outputs)


def convert(tf, model, configure, fixed_batch=True):
    if fixed_batch:
        fn = tf.function(lambda x: model(x)).get_concrete_function(tf.TensorSpec([1, 16], tf.float32))
        converter = tf.lite.TFLiteConverter.from_concrete_functions([fn], model)
    else:
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
    configure(tf, converter)
    return read_model(converter.convert())


def reasons(model):
    return {(r.op, r.reason) for r in op_records(model, load_target("stm32")) if not r.supported}


def test_every_constraint_has_a_one_line_rule():
    for name in CONSTRAINTS:
        text = rule_text(name)
        assert text and "\n" not in text and text.endswith(".")


def test_float32_model_passes(tf, dense_model):
    assert reasons(convert(tf, dense_model, lambda tf, c: None)) == set()


def test_dynamic_range_quantization_is_hybrid(tf, dense_model):
    def hybrid(tf, c):
        c.optimizations = [tf.lite.Optimize.DEFAULT]

    found = reasons(convert(tf, dense_model, hybrid))
    assert ("FULLY_CONNECTED", "int8 weights with float32 activations (dynamic-range quantization)") \
        in found


def test_float16_weights_are_refused(tf, dense_model):
    def fp16(tf, c):
        c.optimizations = [tf.lite.Optimize.DEFAULT]
        c.target_spec.supported_types = [tf.float16]

    found = reasons(convert(tf, dense_model, fp16))
    assert any("float16" in reason for _, reason in found)


def test_dynamic_batch_is_refused(tf, dense_model):
    found = reasons(convert(tf, dense_model, lambda tf, c: None, fixed_batch=False))
    assert any("dynamic shape [-1, 16]" in reason for _, reason in found)


def test_an_op_without_a_kernel_is_refused(tf, keras):
    inputs = keras.Input(shape=(16,))
    model = keras.Model(inputs, keras.layers.Activation("gelu")(keras.layers.Dense(8)(inputs)))
    rep = np.random.default_rng(0).random((20, 1, 16), dtype=np.float32)

    def int8(tf, c):
        c.optimizations = [tf.lite.Optimize.DEFAULT]
        c.representative_dataset = lambda: ([x] for x in rep)
        c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]

    found = reasons(convert(tf, model, int8))
    assert ("GELU", "tflite-micro has no kernel for GELU") in found
