"""AOT builds are budgeted by what their C takes on the core: the generated files compiled and
linked with arm-none-eabi-gcc (flash, static RAM) and a stack bound from GCC's call graph,
checked against the stack the model really uses under QEMU."""

from __future__ import annotations

import json

import pytest

import edgec
from edgec.aot import generate
from edgec.aot.footprint import LIBRARY_STACK, measure, stack_bound
from edgec.device.bench import bench_c_model
from edgec.errors import BudgetError, InternalError
from edgec.targets import load_target
from edgec.tflite import read_model
from tests.aot.native import write_files


@pytest.fixture(scope="module")
def digits_file(digits_tflite, tmp_path_factory):
    path = tmp_path_factory.mktemp("digits-tflite") / "digits.tflite"
    path.write_bytes(digits_tflite)
    return path


def test_budgets_are_the_compiled_figures(digits_file, tmp_path):
    report = edgec.build(digits_file, target="stm32", out=tmp_path / "out", runtime="aot")
    a = report.aot
    assert a["kernel_set"] == "dsp" and a["core"] == "cortex-m4"
    assert "arm-none-eabi-gcc -mcpu=cortex-m4" in a["method"]
    flash, ram = report.budget("flash"), report.budget("ram")
    assert flash.parts == {"code": a["code_bytes"], "constants": a["constant_bytes"]}
    assert flash.actual == a["flash_bytes"] == report.flash_bytes
    assert ram.parts == {"activations": a["activation_bytes"], "scratch": a["scratch_bytes"],
                         "stack": a["stack_bytes"]}
    assert ram.actual == a["ram_bytes"] == report.ram_bytes
    assert a["bss_bytes"] == a["activation_bytes"] + a["scratch_bytes"]  # nothing else static
    assert a["constant_bytes"] >= a["weight_bytes"] + a["requant_bytes"]
    assert 1000 < a["code_bytes"] < 16 * 1024 and 0 < a["stack_bytes"] < 2048
    assert ram.limit == 640 * 1024 and flash.limit == 2 * 1024 * 1024
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert saved["aot"]["ram_bytes"] == a["ram_bytes"]


def test_stack_bound_covers_what_the_model_uses_on_the_device(mlperf_tflites, tmp_path):
    """IC with the DSP kernels on Cortex-M4: the bound, then the stack painted under QEMU."""
    profile = load_target("stm32")
    result = generate(read_model(mlperf_tflites["ic"]), kernels="dsp")
    footprint = measure(result.files, profile.device.cflags)
    folder = write_files(result.files, tmp_path / "c")
    run = bench_c_model(mlperf_tflites["ic"], sorted(folder.glob("edgec_*.c")), profile,
                        include_dirs=[folder], samples=1)
    assert run["bit_exact"]
    assert run["model_stack_bytes"] <= footprint.stack_bytes <= run["model_stack_bytes"] + 256
    assert footprint.bss_bytes == result.stats["activation_bytes"] + result.stats["scratch_bytes"]
    harness = run["flash_bytes"] - footprint.flash_bytes  # startup, semihosting, bench loop
    assert 0 < harness < 4096


def test_a_core_without_dsp_gets_portable_kernels_compiled_for_it(digits_file, tmp_path):
    report = edgec.build(digits_file, target="rp2040", out=tmp_path / "out", runtime="aot")
    assert report.aot["kernel_set"] == "scalar" and report.aot["simd_kernels"] == 0
    assert "-mcpu=cortex-m0plus" in report.aot["method"]
    assert not (tmp_path / "out" / "edgec_dsp.h").exists()


def test_the_dsp_variants_can_be_turned_off(digits_file, tmp_path):
    report = edgec.build(digits_file, target="stm32", out=tmp_path / "out", runtime="aot",
                         kernels="scalar")
    assert report.aot["kernel_set"] == "scalar" and report.aot["scratch_bytes"] == 0
    assert (tmp_path / "out" / "edgec_conv.c").exists()
    assert not (tmp_path / "out" / "edgec_conv_dsp.c").exists()


def test_cores_edgec_cannot_compile_for_get_a_stated_estimate(digits_file, tmp_path):
    report = edgec.build(digits_file, target="esp32s3", out=tmp_path / "out", runtime="aot")
    a, profile = report.aot, load_target("esp32s3")
    assert a["method"].startswith("estimate")
    assert a["code_bytes"] == profile.runtime_code_bytes
    assert a["stack_bytes"] == profile.runtime_ram_bytes
    assert a["constant_bytes"] == a["weight_bytes"] + a["requant_bytes"]
    assert any("estimates" in w and "xtensa-lx7" in w for w in report.warnings)


def test_without_the_compiler_the_figures_are_estimates(digits_file, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no arm-none-eabi-gcc on it
    report = edgec.build(digits_file, target="stm32", out=tmp_path / "out", runtime="aot")
    assert report.aot["method"].startswith("estimate")
    assert any("not installed" in w for w in report.warnings)


def test_a_model_over_the_ram_budget_fails_with_the_aot_figures(digits_file, tmp_path):
    with pytest.raises(BudgetError, match=r"RAM budget exceeded .*activations .* stack") as info:
        edgec.build(digits_file, target="stm32", out=tmp_path / "out", runtime="aot",
                    ram_budget=256)
    assert info.value.report.budget("ram").parts["activations"] > 0
    assert (tmp_path / "out" / "edgec_model.c").exists()  # written for inspection


CALL_GRAPH = """graph: { title: "a.c"
node: { title: "root" label: "root\\na.c:1:5\\n16 bytes (static)" }
node: { title: "a.c:helper" label: "helper\\na.c:9:13\\n40 bytes (static)" }
node: { title: "memcpy" label: "__builtin_memcpy\\n<built-in>" shape : ellipse }
node: { title: "kernel" label: "kernel\\nb.c:3:6\\n100 bytes (static)" }
edge: { sourcename: "root" targetname: "a.c:helper" label: "a.c:2:3" }
edge: { sourcename: "root" targetname: "kernel" label: "a.c:3:3" }
edge: { sourcename: "a.c:helper" targetname: "memcpy" }
}
"""


def test_stack_bound_is_the_deepest_chain_with_library_leaves():
    assert stack_bound([CALL_GRAPH], "root") == 16 + max(40 + LIBRARY_STACK, 100)


@pytest.mark.parametrize("change, message", [
    ('edge: { sourcename: "kernel" targetname: "root" }\n}', "recursion"),
    ("100 bytes (static)", "dynamic"),
])
def test_stack_bound_refuses_what_it_cannot_bound(change, message):
    if "edge" in change:
        text = CALL_GRAPH.rstrip().rstrip("}") + change
    else:
        text = CALL_GRAPH.replace(change, "100 bytes (dynamic)")
    with pytest.raises(InternalError, match=message):
        stack_bound([text], "root")
