"""`edgec bench`: through the CLI, a Keras model built ahead of time and run on the emulated
Cortex-M4 of the stm32 target; bench.json's contract, report.html's bench figures, the
printed summary, and every error path with its exit code."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import assert_error, run
from tests.html_report.test_page import _Numbers, lookup

CONTRACT_KEYS = {"instructions_per_inference", "flash_bytes", "ram_bytes", "stack_bytes",
                 "tflm_arena_bytes", "bit_exact", "samples_compared", "per_op"}


@pytest.fixture(scope="module")
def benched(digits_example, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "out"
    result = run("bench", digits_example.model, "--target", "stm32", "--device", "qemu",
                 "--calibration", digits_example.calibration, "--validation",
                 digits_example.validation, "-o", out)
    return result, out


@pytest.fixture(scope="module")
def digits_file(digits_tflite, tmp_path_factory):
    path = tmp_path_factory.mktemp("digits-tflite") / "digits.tflite"
    path.write_bytes(digits_tflite)
    return path


def test_bench_writes_the_contract_and_prints_a_summary(benched):
    result, out = benched
    assert result.exit_code == 0, result.stderr
    bench = json.loads((out / "bench.json").read_text())
    assert CONTRACT_KEYS <= set(bench)
    assert bench["bit_exact"] is True and bench["samples_compared"] == 8
    assert bench["inputs"] == "validation" and bench["device"] == "qemu"
    assert bench["board"] == "mps2-an386" and bench["aot"]["kernel_set"] == "dsp"
    assert bench["ram_bytes"] == bench["static_ram_bytes"] + bench["stack_bytes"]
    assert bench["model_stack_bytes"] <= bench["aot"]["stack_bytes"]  # the build's bound holds
    assert bench["instructions_per_inference"] > sum(p["instructions"] for p in bench["per_op"]) > 0
    assert [p["op"] for p in bench["per_op"]] == ["CONV_2D", "MAX_POOL_2D", "FULLY_CONNECTED",
                                                  "SOFTMAX"]
    report = json.loads((out / "report.json").read_text())
    assert "bench.json" in report["outputs"] and report["aot"]["kernel_set"] == "dsp"
    for text in ("instructions per inference", "bit-exact with TFLite Micro on 8 validation",
                 "CONV_2D", "TFLite Micro arena", "lower bound on cycles"):
        assert text in result.stdout, text


def test_report_html_shows_the_bench_figures(benched):
    _, out = benched
    page = (out / "report.html").read_text()
    assert "On the device: mps2-an386 (cortex-m4) under qemu" in page and "bit-exact" in page
    data = {**json.loads((out / "report.json").read_text()),
            "bench": json.loads((out / "bench.json").read_text())}
    parser = _Numbers()
    parser.feed(page)
    keys = {k for k, _ in parser.found}
    assert {"bench.instructions_per_inference", "bench.estimated_ms", "bench.flash_bytes",
            "bench.ram_bytes", "bench.tflm_arena_bytes", "bench.samples_compared"} <= keys
    assert sum(k.startswith("bench.per_op.") for k in keys) == 4  # one cell per measured op
    for key, shown in parser.found:
        assert repr(lookup(data, key)) == shown, key


def test_json_prints_bench_json_and_a_later_build_removes_it(digits_file, tmp_path):
    out = tmp_path / "out"
    result = run("--quiet", "bench", digits_file, "--target", "stm32", "-o", out, "--samples", 2,
                 "--kernels", "scalar", "--json")
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed == json.loads((out / "bench.json").read_text())
    assert printed["samples_compared"] == 2 and printed["inputs"] == "random (seed 0)"
    assert printed["aot"]["kernel_set"] == "scalar" and printed["bit_exact"]
    assert run("--quiet", "build", digits_file, "--target", "stm32", "-o", out).exit_code == 0
    assert not (out / "bench.json").exists()  # OUT never mixes a build and an older bench


def test_a_model_over_the_targets_ram_fails_before_the_emulator(digits_file, tmp_path):
    small = tmp_path / "small.toml"
    small.write_text('inherits = "stm32l4r5"\nname = "1 KiB of RAM"\n[device]\nram = "1 KiB"\n'
                     '[runtime]\nram_overhead_bytes = 0\n')
    out = tmp_path / "out"
    result = run("bench", digits_file, "--target-file", small, "-o", out)
    assert_error(result, 8, "RAM budget exceeded")
    assert "nothing was run on the emulator" in result.stderr
    assert (out / "report.json").exists() and not (out / "bench.json").exists()


@pytest.mark.parametrize("args, code, message", [
    (["--target", "stm32u575"], 5, "no emulated board runs core 'cortex-m33'"),
    (["--target", "rp2040"], 5, "no emulated board runs core 'cortex-m0plus'"),
    (["--target", "cortex-a72"], 5, "runs microcontroller targets"),
    (["--target", "stm32", "--device", "renode"], 5, "unknown device 'renode'"),
    (["--target", "stm32", "--kernels", "fast"], 5, "unknown kernel set 'fast'"),
    (["--target", "stm32", "--samples", 0], 4, "--samples must be at least 1"),
])
def test_bench_errors_have_their_exit_codes(digits_file, tmp_path, args, code, message):
    out = tmp_path / "out"
    assert_error(run("bench", digits_file, *args, "-o", out), code, message)
    assert not out.exists()


def test_missing_model_is_a_model_error(tmp_path):
    assert_error(run("bench", tmp_path / "nope.tflite", "--target", "stm32", "-o", tmp_path / "o"),
                 3, "does not exist")


def test_dsp_kernels_on_a_core_without_dsp_is_a_target_error(digits_file, tmp_path):
    result = run("build", digits_file, "--target", "rp2040", "--runtime", "aot", "--kernels", "dsp",
                 "-o", tmp_path / "out")
    assert_error(result, 5, "needs the Arm DSP extension")


def test_mve_kernels_on_a_core_without_helium_is_a_target_error(digits_file, tmp_path):
    result = run("build", digits_file, "--target", "stm32", "--runtime", "aot", "--kernels", "mve",
                 "-o", tmp_path / "out")
    assert_error(result, 5, "needs Helium (MVE)")
    assert not (tmp_path / "out").exists()


def test_an_emulator_run_past_the_timeout_is_stopped(mlperf_tflites, tmp_path):
    model = tmp_path / "ic.tflite"
    model.write_bytes(mlperf_tflites["ic"])  # ~100 M instructions a sample with scalar kernels
    out = tmp_path / "out"
    result = run("bench", model, "--target", "stm32", "--kernels", "scalar", "--samples", 20,
                 "--timeout", 1, "-o", out)
    assert_error(result, 70, "did not finish within 1 s")
    assert not out.exists()
