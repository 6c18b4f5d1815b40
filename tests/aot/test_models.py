"""Whole models: generated C is bit-exact with TFLite Micro, and the plans are tight."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

import edgec
from edgec.aot import generate
from edgec.tflite import read_model
from edgec.tflm import MicroRunner
from tests.aot.native import NativeModel, compile_library, write_files

SAMPLES = 4


def assert_bit_exact(tflite: bytes, native: NativeModel, rng, samples: int = SAMPLES) -> None:
    model = read_model(tflite)
    graph = model.main
    runner = MicroRunner(tflite, model)
    nbytes = sum(graph.tensors[o].nbytes for o in graph.outputs)
    for _ in range(samples):
        xs = [rng.integers(-128, 128, graph.tensors[i].shape, dtype=np.int8) for i in graph.inputs]
        expected = b"".join(o.tobytes() for o in runner.run_raw(xs))
        assert native.run(xs, nbytes) == expected


@pytest.mark.parametrize("name", ["kws", "vww", "ic", "ad"])
def test_mlperf_tiny_models_are_bit_exact(mlperf_tflites, name, tmp_path):
    tflite = mlperf_tflites[name]
    result = generate(read_model(tflite))  # generate() verifies the plan before returning
    native = NativeModel(write_files(result.files, tmp_path))
    assert_bit_exact(tflite, native, np.random.default_rng(5))
    stats = result.stats
    assert stats["activation_bytes"] <= stats["lower_bound_bytes"]
    assert stats["weight_bytes"] > 0 and stats["scratch_bytes"] == 0


def test_residual_adds_are_fused_and_beat_the_lower_bound(mlperf_tflites):
    stats = generate(read_model(mlperf_tflites["ic"])).stats
    assert stats["fused"] == ["CONV_2D+ADD"] * 3
    # three live 32x32x16 tensors without fusion; two with the sum written over the shortcut
    assert stats["lower_bound_bytes"] == 3 * 32 * 32 * 16
    assert stats["activation_bytes"] == 2 * 32 * 32 * 16


@pytest.fixture(scope="module")
def aot_build(digits_example, tmp_path_factory):
    out = tmp_path_factory.mktemp("aot") / "out"
    report = edgec.build(digits_example.model, target="stm32", calibration=digits_example.calibration,
                         out=out, runtime="aot", kernels="scalar")  # portable C: runs on the host
    return report, out


def test_build_writes_c_and_reports_the_plan(aot_build):
    report, out = aot_build
    data = json.loads((out / "report.json").read_text())
    assert set(data["aot"]) >= {"activation_bytes", "lower_bound_bytes", "weight_bytes"}
    assert data["aot"]["activation_bytes"] < data["arena_bytes"]
    for name in ("edgec_model.c", "edgec_model.h", "edgec_kernels.h", "edgec_fixedpoint.h",
                 "edgec_conv.c", "model.tflite", "report.json"):
        assert (out / name).is_file() and name in data["outputs"]
    names = [p["name"] for p in data["passes"]]
    assert names.index("aot") == names.index("check-ops") + 1
    header = (out / "edgec_model.h").read_text()
    assert "int edgec_model_invoke(const int8_t *input, int8_t *output);" in header
    assert f"#define EDGEC_MODEL_ACTIVATION_BYTES {data['aot']['activation_bytes']}u" in header


def test_built_c_matches_tflite_micro(aot_build, tmp_path):
    _, out = aot_build
    folder = tmp_path / "c"
    shutil.copytree(out, folder)
    native = NativeModel(folder)
    assert_bit_exact((out / "model.tflite").read_bytes(), native, np.random.default_rng(9), samples=8)


HARNESS = r"""
#include <stdint.h>
#include "edgec_model.h"
int marks[64]; int count = 0;
void mark(int index, const char *name) { (void)name; if (count < 64) marks[count++] = index; }
int run(const int8_t *in, int8_t *out) { return edgec_model_invoke(in, out); }
"""


def test_profile_macro_marks_every_op_then_end(aot_build, tmp_path):
    """EDGEC_PROFILE_OP(index, name) runs before each op and once with -1 after the last."""
    import ctypes

    report, out = aot_build
    folder = tmp_path / "p"
    shutil.copytree(out, folder)
    (folder / "harness.c").write_text(HARNESS)
    lib = ctypes.CDLL(str(compile_library(
        sorted(folder.glob("*.c")), folder / "p.so", folder,
        defines=('EDGEC_PROFILE_OP(i,n)=do{void mark(int,const char*);mark((i),(n));}while(0)',))))
    x = ctypes.create_string_buffer(64)
    y = ctypes.create_string_buffer(10)
    assert lib.run(x, y) == 0
    count = ctypes.c_int.in_dll(lib, "count").value
    seen = list((ctypes.c_int * 64).in_dll(lib, "marks")[:count])
    assert seen == report.aot["order"] + [-1]
    assert lib.run(None, y) == -1


def test_kernels_and_model_compile_warning_free_for_cortex_m4(aot_build, mlperf_tflites, tmp_path):
    _, out = aot_build
    ic, kws = read_model(mlperf_tflites["ic"]), read_model(mlperf_tflites["kws"])
    folders = [out, write_files(generate(ic).files, tmp_path / "ic"),  # and the DSP variants:
               write_files(generate(kws, kernels="dsp").files, tmp_path / "kws-dsp")]
    for folder in folders:
        for source in sorted(folder.glob("*.c")):
            cmd = ["arm-none-eabi-gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-mcpu=cortex-m4",
                   "-mthumb", "-O2", f"-I{folder}", "-c", str(source), "-o", str(tmp_path / "x.o")]
            result = subprocess.run(cmd, capture_output=True, text=True)
            assert result.returncode == 0 and not result.stderr, (source.name, result.stderr)


def test_generated_c_is_bit_exact_on_an_emulated_cortex_m4(aot_build, mlperf_tflites, tmp_path):
    """The build's C and ResNet-8's (fused residuals, overlapping plan) on Cortex-M4 under
    QEMU (edgec.device), against TFLite Micro; EDGEC_PROFILE_OP gives the per-op counts."""
    from edgec.device.bench import bench_c_model

    _, out = aot_build
    ic = write_files(generate(read_model(mlperf_tflites["ic"])).files, tmp_path / "ic")
    for tflite, folder in (((out / "model.tflite").read_bytes(), out), (mlperf_tflites["ic"], ic)):
        sources = [str(p) for p in sorted(folder.glob("edgec_*.c"))]
        stats = generate(read_model(tflite)).stats
        (tmp_path / f"fw_{folder.name}").mkdir()
        result = bench_c_model(tflite, sources, "stm32", include_dirs=[str(folder)],
                               work_dir=tmp_path / f"fw_{folder.name}", samples=3)
        assert result["bit_exact"] and result["samples_compared"] == 3
        assert [p["index"] for p in result["per_op"]] == stats["order"]
        assert result["static_ram_bytes"] >= stats["activation_bytes"]
