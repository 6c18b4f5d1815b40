"""The four MLPerf Tiny v1.0 reference architectures, as tf_keras builders.

Layer by layer as the benchmark's reference training code describes them:
- kws: keyword spotting DS-CNN, 49x10x1 MFCC input, 12 classes;
- vww: visual wake words, MobileNetV1 with width 0.25 at 96x96x3, 2 classes;
- ic: image classification, ResNet-8 on CIFAR-10 (32x32x3), 10 classes;
- ad: anomaly detection, dense autoencoder 640-128x4-8-128x4-640.

Weights are random unless trained by the caller; batch-norm statistics are randomised
(`randomize_batchnorm`) so a converted model's activations are not trivially uniform.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Reference:
    name: str
    description: str
    input_shape: tuple[int, ...]
    build: Callable  # (keras) -> keras.Model


def _conv_bn_relu(keras, x, filters, kernel, strides=1):
    layers = keras.layers
    x = layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return layers.ReLU()(x)


def _depthwise_separable(keras, x, filters, strides=1):
    layers = keras.layers
    x = layers.DepthwiseConv2D(3, strides=strides, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    return _conv_bn_relu(keras, x, filters, 1)


def ds_cnn(keras):
    layers = keras.layers
    inputs = keras.Input(shape=(49, 10, 1), name="mfcc")
    x = _conv_bn_relu(keras, inputs, 64, (10, 4), strides=(2, 2))
    x = layers.Dropout(0.2)(x)
    for _ in range(4):
        x = _depthwise_separable(keras, x, 64)
    x = layers.Dropout(0.4)(x)
    x = layers.AveragePooling2D(pool_size=(25, 5))(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(12, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="kws_ds_cnn")


def mobilenet_v1_025(keras):
    layers = keras.layers
    inputs = keras.Input(shape=(96, 96, 3), name="image")
    x = _conv_bn_relu(keras, inputs, 8, 3, strides=2)
    for filters, strides in ((16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1),
                             (128, 1), (128, 1), (128, 1), (128, 1), (256, 2), (256, 1)):
        x = _depthwise_separable(keras, x, filters, strides)
    x = layers.AveragePooling2D(pool_size=x.shape[1:3])(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="vww_mobilenet_v1_025")


def _residual_stack(keras, x, filters, strides):
    layers = keras.layers
    y = layers.Conv2D(filters, 3, strides=strides, padding="same")(x)
    y = layers.BatchNormalization()(y)
    y = layers.ReLU()(y)
    y = layers.Conv2D(filters, 3, padding="same")(y)
    y = layers.BatchNormalization()(y)
    if strides != 1 or x.shape[-1] != filters:
        x = layers.Conv2D(filters, 1, strides=strides, padding="same")(x)
    return layers.ReLU()(layers.Add()([x, y]))


def resnet8(keras):
    layers = keras.layers
    inputs = keras.Input(shape=(32, 32, 3), name="image")
    x = layers.Conv2D(16, 3, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = _residual_stack(keras, x, 16, 1)
    x = _residual_stack(keras, x, 32, 2)
    x = _residual_stack(keras, x, 64, 2)
    x = layers.AveragePooling2D(pool_size=8)(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="ic_resnet8")


def dense_autoencoder(keras):
    layers = keras.layers
    inputs = keras.Input(shape=(640,), name="features")
    x = inputs
    for units in (128, 128, 128, 128, 8, 128, 128, 128, 128):
        x = layers.Dense(units)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
    outputs = layers.Dense(640)(x)
    return keras.Model(inputs, outputs, name="ad_autoencoder")


MLPERF_TINY: dict[str, Reference] = {
    "kws": Reference("kws", "keyword spotting DS-CNN", (49, 10, 1), ds_cnn),
    "vww": Reference("vww", "visual wake words MobileNetV1 0.25", (96, 96, 3), mobilenet_v1_025),
    "ic": Reference("ic", "image classification ResNet-8", (32, 32, 3), resnet8),
    "ad": Reference("ad", "anomaly detection dense autoencoder", (640,), dense_autoencoder),
}


def randomize_batchnorm(model, seed: int = 0) -> None:
    """Give every BatchNormalization layer plausible non-identity statistics."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if type(layer).__name__ == "BatchNormalization":
            gamma, beta, mean, var = layer.get_weights()
            layer.set_weights([
                rng.uniform(0.5, 1.5, gamma.shape).astype(np.float32),
                rng.normal(0.0, 0.1, beta.shape).astype(np.float32),
                rng.normal(0.0, 0.1, mean.shape).astype(np.float32),
                rng.uniform(0.5, 1.5, var.shape).astype(np.float32),
            ])


def build_mlperf_tiny(name: str, keras, seed: int = 0):
    """A reference model with seeded random weights and batch-norm statistics."""
    keras.utils.set_random_seed(seed)
    model = MLPERF_TINY[name].build(keras)
    randomize_batchnorm(model, seed)
    return model


def quantized_mlperf_tiny(name: str, keras, samples: int = 64, seed: int = 0) -> bytes:
    """A reference model as an INT8 flatbuffer: `build_mlperf_tiny`, then edgec's quantize step
    calibrated on `samples` seeded uniform random inputs in [0, 1) (benchmarks and tests)."""
    from edgec.models import load_model
    from edgec.passes.quantize import convert_int8

    with tempfile.TemporaryDirectory(prefix="edgec-zoo-") as tmp:
        path = Path(tmp) / f"{name}.keras"
        build_mlperf_tiny(name, keras, seed).save(path)
        x = np.random.default_rng(seed).uniform(0, 1, (samples, *MLPERF_TINY[name].input_shape))
        return convert_int8(load_model(path), x.astype(np.float32))
