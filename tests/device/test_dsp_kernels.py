"""The SIMD kernels (edgec/aot/simd.py: edgec_*_dsp.c, edgec_*_mve.c) are bit-exact with
TensorFlow Lite Micro: the DSP variants on emulated Cortex-M4, M7 and M55, the Helium ones on
the M55. Seeded random single-op models (tests/device/dsp_models.py), all compiled into one
firmware per core and kernel set behind a small dispatcher, so gcc and QEMU run once each."""

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
class Cases:
    tflites: list[bytes]
    rows: np.ndarray  # one per (model, sample): model number, then its inputs
    expected: list[bytes]  # TFLite Micro's outputs, per row
    output_bytes: int


@dataclass
class Batch:
    sources: list[Path]
    kernels: Path
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
def cases() -> Cases:
    tflites = dsp_models.models(seed=11, count=COUNT)
    rng = np.random.default_rng(3)
    inputs, expected = [], []
    for i, tflite in enumerate(tflites):
        model = read_model(tflite)
        graph = model.main
        runner = MicroRunner(tflite, model)
        for _ in range(SAMPLES):
            xs = [rng.integers(-128, 128, graph.tensors[t].shape, dtype=np.int8) for t in graph.inputs]
            inputs.append(np.int32(i).tobytes() + bytes(HEADER - 4) + b"".join(x.tobytes() for x in xs))
            expected.append(b"".join(o.tobytes() for o in runner.run_raw(xs)))
    width = max(len(r) for r in inputs)
    rows = np.stack([np.frombuffer(r.ljust(width, b"\0"), dtype=np.int8) for r in inputs])
    return Cases(tflites, rows, expected, max(len(e) for e in expected))


@pytest.fixture(scope="module")
def batches(cases, tmp_path_factory) -> dict[str, Batch]:
    """The models' C for each SIMD kernel set (the kernels themselves compiled once)."""
    out = {}
    for kernel_set in ("dsp", "mve"):
        folder = tmp_path_factory.mktemp(f"{kernel_set}-kernels")
        kernels = folder / "kernels"
        kernels.mkdir()
        names = sorted(set(codegen.KERNEL_FILES.values())) + [*codegen.KERNEL_HEADERS,
                                                              codegen.DSP_HEADER]
        for name in names:
            (kernels / name).write_bytes(codegen.kernel_source(name))
        # the MVE sources need Helium: only the set's own variants, with the portable kernels
        other = "_mve.c" if kernel_set == "dsp" else None
        sources = [kernels / n for n in names if n.endswith(".c")
                   and not (other and n.endswith(other))]
        stats = []
        for i, tflite in enumerate(cases.tflites):
            result = generate(read_model(tflite), name=f"m{i}", kernels=kernel_set)
            stats.append(result.stats)
            sub = folder / f"m{i}"
            sub.mkdir()
            for name in (codegen.SOURCE, codegen.HEADER):
                (sub / name).write_bytes(result.files[name])
            sources.append(sub / codegen.SOURCE)
        (folder / "dispatch.c").write_text(_dispatcher(len(cases.tflites)))
        sources.append(folder / "dispatch.c")
        out[kernel_set] = Batch(sources, kernels, stats)
    return out


def batch_sources(batch: Batch) -> list[Path]:
    """The generated models' C (not the kernels)."""
    return [path for path in batch.sources if path.name == codegen.SOURCE]


@pytest.mark.parametrize("kernel_set", ["dsp", "mve"])
def test_the_batch_exercises_every_variant_and_the_fallbacks(batches, kernel_set):
    stats = batches[kernel_set].stats
    calls = [s["simd_kernels"] for s in stats]
    assert sum(calls) >= 3 * COUNT - 8  # nearly every model takes a SIMD variant
    assert 0 in calls  # a grouped convolution or a depth multiplier of 2: portable kernel
    fused = [f for s in stats for f in s["fused"]]
    assert {"CONV_2D+ADD", "DEPTHWISE_CONV_2D+ADD", "FULLY_CONNECTED+ADD"} <= set(fused)
    assert all(s["kernel_set"] == kernel_set for s in stats)
    # each family has its own variant in the set (the MVE depthwise included)
    code = "".join(path.read_text() for path in batch_sources(batches[kernel_set]))
    for family in ("conv2d", "depthwise_conv2d", "fully_connected"):
        assert f"edgec_{family}_s8_{kernel_set}(&" in code


def test_depthwise_channels_cover_the_vector_tails(cases):
    """Depthwise channel counts below, at and past multiples of 8 (the MVE blocks) and of 4,
    with and without a fused residual."""
    seen = set()
    for tflite in cases.tflites:
        graph = read_model(tflite).main
        for op in graph.operators:
            if op.opcode == "DEPTHWISE_CONV_2D" and op.options["depth_multiplier"] == 1:
                channels = graph.tensors[op.inputs[0]].shape[-1]
                seen.add((channels < 8, channels % 8 == 0, len(graph.operators) > 1))
    assert {(True, False, False), (False, True, False), (False, False, False),
            (False, False, True)} <= seen


@pytest.mark.parametrize("kernel_set, core", [("dsp", "cortex-m4"), ("dsp", "cortex-m7"),
                                              ("dsp", "cortex-m55"), ("mve", "cortex-m55")])
def test_simd_kernels_are_bit_exact_with_tflite_micro(cases, batches, kernel_set, core, tmp_path):
    batch = batches[kernel_set]
    firmware = build_firmware(batch.sources, board=cortex_m_board(core), out_dir=tmp_path,
                              input_bytes=cases.rows.shape[1], output_bytes=cases.output_bytes,
                              include_dirs=[batch.kernels])
    run = run_firmware(firmware, cases.rows)
    wrong = [row // SAMPLES for row, (got, want) in enumerate(zip(run.outputs, cases.expected))
             if got.tobytes()[:len(want)] != want]
    assert not wrong, f"{kernel_set} kernels on {core}: models {sorted(set(wrong))} differ"
