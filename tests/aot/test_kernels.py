"""Every in-house kernel is bit-exact with TensorFlow Lite Micro's interpreter, over
random shapes, strides, paddings, dilations, activations and quantization parameters.

Each hypothesis example is a batch of random single-op models (hypothesis' first
batch is its minimal one; the other three are varied) (generated, compiled together with the host's gcc into one library, and run beside
TFLite Micro on random inputs), so the C compiler runs once per batch, not per model.
Generating each model also runs the memory-plan verifier on its plan.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgec.tflite import read_model
from edgec.tflm import MicroRunner
from tests.aot.native import Batch
from tests.aot.specs import OPS

BATCH = 16
SAMPLES = 3
_NUMPY = {"int8": np.int8, "float32": np.float32}


def _inputs(graph, rng):
    out = []
    for i in graph.inputs:
        t = graph.tensors[i]
        if t.type == "float32":
            out.append(rng.normal(0, 2, t.shape).astype(np.float32))
        else:
            out.append(rng.integers(-128, 128, t.shape, dtype=np.int8))
    return out


def check_bit_exact(tflites: list[bytes], folder) -> int:
    models = [read_model(t) for t in tflites]
    batch = Batch(models, folder)
    rng = np.random.default_rng(len(tflites))
    compared = 0
    for i, (tflite, model) in enumerate(zip(tflites, models)):
        graph = model.main
        runner = MicroRunner(tflite, model)
        nbytes = sum(graph.tensors[o].nbytes for o in graph.outputs)
        for _ in range(SAMPLES):
            xs = _inputs(graph, rng)
            expected = b"".join(np.ascontiguousarray(o).tobytes() for o in runner.run_raw(xs))
            got = batch.run(i, xs, nbytes)
            assert got == expected, (
                f"model {i} ({[op.opcode for op in graph.operators]}) differs from TFLite Micro:\n"
                f"tflm {np.frombuffer(expected, np.int8)[:24]}\naot  {np.frombuffer(got, np.int8)[:24]}\n"
                f"shapes {[list(graph.tensors[t].shape) for t in (*graph.inputs, *graph.outputs)]}")
            compared += 1
    return compared


@pytest.mark.parametrize("op", sorted(OPS))
def test_kernel_is_bit_exact_with_tflite_micro(op, tmp_path_factory):
    @settings(max_examples=4, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(OPS[op], min_size=BATCH, max_size=BATCH))
    def batches(tflites):
        assert check_bit_exact(tflites, tmp_path_factory.mktemp(op.lower())) == BATCH * SAMPLES

    batches()
