"""The MLPerf Tiny reference architectures have the published shapes and sizes."""

from __future__ import annotations

import pytest

from edgec.zoo import MLPERF_TINY, build_mlperf_tiny


@pytest.mark.parametrize("name, inputs, outputs, params", [
    ("kws", (49, 10, 1), (12,), (20_000, 30_000)),      # DS-CNN, 4 separable blocks: ~24 k
    ("vww", (96, 96, 3), (2,), (200_000, 230_000)),     # MobileNetV1 0.25 with BN: ~219 k
    ("ic", (32, 32, 3), (10,), (75_000, 80_000)),       # ResNet-8: ~78 k
    ("ad", (640,), (640,), (260_000, 275_000)),         # autoencoder: ~270 k
])
def test_reference_shapes_and_sizes(keras, name, inputs, outputs, params):
    model = build_mlperf_tiny(name, keras)
    assert tuple(model.input_shape[1:]) == inputs == MLPERF_TINY[name].input_shape
    assert tuple(model.output_shape[1:]) == outputs
    low, high = params
    assert low <= model.count_params() <= high, model.count_params()
