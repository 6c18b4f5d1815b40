"""Fixtures for the AOT tests: the MLPerf Tiny reference models as INT8 flatbuffers."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="session")
def mlperf_tflites(keras, tmp_path_factory) -> dict[str, bytes]:
    """The four reference architectures (seeded random weights), converted by edgec's
    quantize step on a few random calibration samples."""
    from edgec.models import load_model
    from edgec.passes.quantize import convert_int8
    from edgec.zoo import MLPERF_TINY, build_mlperf_tiny

    folder = tmp_path_factory.mktemp("mlperf")
    out = {}
    for name, ref in MLPERF_TINY.items():
        path = folder / f"{name}.keras"
        build_mlperf_tiny(name, keras).save(path)
        x = np.random.default_rng(0).uniform(0, 1, (16, *ref.input_shape)).astype(np.float32)
        out[name] = convert_int8(load_model(path), x)
    return out
