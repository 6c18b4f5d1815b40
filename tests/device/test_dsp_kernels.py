"""The DSP kernels (edgec/aot/dsp.py, edgec_*_dsp.c) are bit-exact with TensorFlow Lite Micro
on emulated Cortex-M4, M7 and M55: seeded random single-op models (tests/device/dsp_models.py),
all of them compiled into one firmware per core behind a small dispatcher, so gcc and QEMU
run once per core."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from edgec.aot import codegen, generate
from edgec.device.boards import cortex_m_board
from edgec.device.cortex_m import build_firmware, run_firmware
from edgec.tflite import read_model
from edgec.tflm import MicroRunner
from tests.device import dsp_models

COUNT = 16  # models of each kind
SAMPLES = 2
HEADER = 16  # bytes before a sample's input: the model's number, then padding


@dataclass
class Batch:
    sources: list[Path]
    kernels: Path
    rows: np.ndarray  # one per (model, sample): model number, then its inputs
    expected: list[bytes]  # TFLite Micro's outputs, per row
    output_bytes: int
    stats: list[dict]


def _dispatcher(count: int) -> str:
    decls = "".join(f"int m{i}_invoke(const int8_t *input, int8_t *output);\n" for i in range(count))
    cases = "".join(f"  case {i}: return m{i}_invoke(input + {HEADER}, output);\n"
                    for i in range(count))
    return ("#include <stdint.h>\n#include <string.h>\n" + decls +
            "int edgec_model_invoke(const int8_t *input, int8_t *output) {\n"
            "  int32_t which;\n  memcpy(&which, input, sizeof which);\n"
            f"  switch (which) {{\n{cases}  default: return -1;\n  }}\n}}\n")


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Batch:
    folder = tmp_path_factory.mktemp("dsp-kernels")
    kernels = folder / "kernels"
    kernels.mkdir()
    names = sorted(set(codegen.KERNEL_FILES.values())) + [*codegen.KERNEL_HEADERS, codegen.DSP_HEADER]
    for name in names:
        (kernels / name).write_bytes(codegen.kernel_source(name))
    sources = [kernels / n for n in names if n.endswith(".c")]
    tflites = dsp_models.models(seed=11, count=COUNT)
    rng = np.random.default_rng(3)
    inputs, expected, stats = [], [], []
    for i, tflite in enumerate(tflites):
        model = read_model(tflite)
        result = generate(model, name=f"m{i}", kernels="dsp")
        stats.append(result.stats)
        sub = folder / f"m{i}"
        sub.mkdir()
        for name in (codegen.SOURCE, codegen.HEADER):
            (sub / name).write_bytes(result.files[name])
        sources.append(sub / codegen.SOURCE)
        graph = model.main
        runner = MicroRunner(tflite, model)
        for _ in range(SAMPLES):
            xs = [rng.integers(-128, 128, graph.tensors[t].shape, dtype=np.int8) for t in graph.inputs]
            inputs.append(np.int32(i).tobytes() + bytes(HEADER - 4) + b"".join(x.tobytes() for x in xs))
            expected.append(b"".join(o.tobytes() for o in runner.run_raw(xs)))
    (folder / "dispatch.c").write_text(_dispatcher(len(tflites)))
    sources.append(folder / "dispatch.c")
    width = max(len(r) for r in inputs)
    rows = np.stack([np.frombuffer(r.ljust(width, b"\0"), dtype=np.int8) for r in inputs])
    return Batch(sources, kernels, rows, expected, max(len(e) for e in expected), stats)


def test_the_batch_exercises_every_variant_and_the_fallbacks(batch):
    calls = [s["dsp_kernels"] for s in batch.stats]
    assert sum(calls) >= 3 * COUNT - 8  # nearly every model takes a DSP variant
    assert 0 in calls  # a grouped convolution or a depth multiplier of 2: portable kernel
    fused = [f for s in batch.stats for f in s["fused"]]
    assert {"CONV_2D+ADD", "DEPTHWISE_CONV_2D+ADD", "FULLY_CONNECTED+ADD"} <= set(fused)
    assert all(s["kernel_set"] == "dsp" for s in batch.stats)


@pytest.mark.parametrize("core", ["cortex-m4", "cortex-m7", "cortex-m55"])
def test_dsp_kernels_are_bit_exact_with_tflite_micro(batch, core, tmp_path):
    firmware = build_firmware(batch.sources, board=cortex_m_board(core), out_dir=tmp_path,
                              input_bytes=batch.rows.shape[1], output_bytes=batch.output_bytes,
                              include_dirs=[batch.kernels])
    run = run_firmware(firmware, batch.rows)
    for row, (got, want) in enumerate(zip(run.outputs, batch.expected)):
        model = row // SAMPLES
        assert got.tobytes()[:len(want)] == want, (
            f"model {model} on {core} differs from TFLite Micro: "
            f"{np.frombuffer(want, np.int8)[:16]} vs {got[:16]}")
