"""Tiny models for the target tests, built in code, converted by the real TFLite converter.

Weights are random: these tests are about where ops run and what fits, not accuracy.
"""

from __future__ import annotations

import numpy as np

from edgec.tflite import Model, read_model

SHAPE = (8, 8, 1)  # the digits' shape, so the digits data can calibrate these models


def gelu_cnn(keras):
    """CONV_2D, GELU, CONV_2D, MAX_POOL_2D, RESHAPE, FULLY_CONNECTED, SOFTMAX: a GELU (which
    NNAPI and the Edge TPU do not take) between ops they do take."""
    keras.utils.set_random_seed(5)
    inputs = keras.Input(shape=SHAPE, batch_size=1)
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    h = keras.layers.Activation("gelu")(h)
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(h)
    h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.Flatten()(h)
    return keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(h))


def samples(n: int = 32) -> np.ndarray:
    return np.random.default_rng(0).random((n, *SHAPE), dtype=np.float32)


def int8(tf, function, shape=(1, *SHAPE)) -> tuple[bytes, Model]:
    """Full-INT8 conversion (int8 input and output) of a tf.function or Keras model."""
    if hasattr(function, "layers"):
        converter = tf.lite.TFLiteConverter.from_keras_model(function)
    else:
        concrete = tf.function(function).get_concrete_function(tf.TensorSpec(shape, tf.float32))
        converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete])
    rep = samples(20)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([x[None]] for x in rep)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    data = converter.convert()
    return data, read_model(data)


def float32(tf, keras_model, fixed_batch: bool = True) -> tuple[bytes, Model]:
    if fixed_batch:
        converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    else:
        shape = [None, *keras_model.input_shape[1:]]
        concrete = tf.function(lambda x: keras_model(x)).get_concrete_function(
            tf.TensorSpec(shape, tf.float32))
        converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], keras_model)
    data = converter.convert()
    return data, read_model(data)


def conv_weights(seed: int = 1, channels: int = 8) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(3, 3, 1, channels)).astype(np.float32)


def with_int4_weights(tflite: bytes) -> bytes:
    """The flatbuffer with its FULLY_CONNECTED weights retyped INT4 (values packed two per
    byte): what an INT4 build hands Vela. Not meant to run; Vela must never see it."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(bytearray(tflite), 0)
    graph = model.subgraphs[0]
    names = {i: c.builtinCode for i, c in enumerate(model.operatorCodes)}
    fc = next(op for op in graph.operators
              if names[op.opcodeIndex] == schema.BuiltinOperator.FULLY_CONNECTED)
    weights = graph.tensors[fc.inputs[1]]
    weights.type = schema.TensorType.INT4
    buffer = model.buffers[weights.buffer]
    values = np.clip(np.frombuffer(bytes(buffer.data), np.int8) // 16, -8, 7).astype(np.uint8) & 0xF
    buffer.data = list((values[0::2] | (values[1::2] << 4)).astype(np.uint8))
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())
