"""The C of a staged early-exit model (edgec.aot.staged), compiled with the host's gcc:
on every validation input it stops at the stage the Python runtime (StagedModel, in
TensorFlow Lite Micro) stops at, with the same output bytes."""

from __future__ import annotations

import ctypes
import json

import numpy as np
import pytest

import edgec
from edgec.aot.staged import HEADER, SOURCE, generate_staged
from edgec.early_exit import StagedModel
from edgec.tflite.model import read_model
from edgec.tflite.quantize_io import to_tensor
from tests.aot.native import compile_library, write_files


def run_native(folder, model: StagedModel, x: np.ndarray, name: str = "edgec_model"):
    """(exit stages, output bytes per input) of <name>_early_exit_invoke built from `folder`."""
    lib = ctypes.CDLL(str(compile_library(sorted(folder.glob("*.c")), folder / "ee.so", folder)))
    fn = getattr(lib, f"{name}_early_exit_invoke")
    fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int32)]
    fn.restype = ctypes.c_int
    out = ctypes.create_string_buffer(max(r.outputs[0].nbytes for r in model.runners))
    stage = ctypes.c_int32(-1)
    exits, outputs = [], []
    for i in range(len(x)):
        data = to_tensor(x[i:i + 1].astype(np.float32), model.input).tobytes()
        assert fn(data, out, ctypes.byref(stage)) == 0
        exits.append(stage.value)
        outputs.append(out.raw[:model.runners[stage.value].outputs[0].nbytes])
    return np.array(exits), outputs


def python_bytes(model: StagedModel, result) -> list[bytes]:
    """The stopping stage's first output as int8 bytes (the runtime keeps it dequantized)."""
    return [to_tensor(result.scores[i][None], model.runners[k].outputs[0]).tobytes()
            for i, k in enumerate(result.exits)]


def assert_same_as_python(folder, out, x, name="edgec_model"):
    model = StagedModel.load(out)
    result = model.run(x)
    exits, outputs = run_native(folder, model, x, name)
    assert np.array_equal(exits, result.exits)
    assert outputs == python_bytes(model, result)
    last = len(model.runners) - 1
    assert 0 < np.sum(result.exits < last) < len(x)  # some leave early, some go through
    return result


def test_staged_c_agrees_with_the_runtime_on_every_input(staged, digits, tmp_path):
    manifest = json.loads((staged.out / "manifest.json").read_text())
    stages = [read_model((staged.out / s["file"]).read_bytes()) for s in manifest["stages"]]
    result = generate_staged(stages, manifest["thresholds"], manifest["confidence"])
    assert manifest["confidence"] == "softmax" and len(stages) >= 2
    assert {SOURCE, HEADER, "edgec_model_stage0.c", "edgec_model_stage1.h"} <= set(result.files)
    s = result.stats
    assert s["activation_bytes"] == max(s["stage_activation_bytes"])
    write_files(result.files, tmp_path / "c")
    assert_same_as_python(tmp_path / "c", staged.out, digits.x_val)


def test_a_threshold_equal_to_a_confidence_is_decided_alike(staged, digits, tmp_path):
    """Thresholds moved onto confidences the inputs have: those inputs are right at the limit."""
    model = StagedModel.load(staged.out)
    trace = model.trace(digits.x_val)
    from edgec.early_exit.thresholds import confidence

    conf = confidence(trace.exit_logits[0], "softmax", trace.exit_scales[0])
    at = float(np.sort(conf)[len(conf) // 2])  # the median input's own confidence
    manifest = json.loads((staged.out / "manifest.json").read_text())
    manifest["stages"][0]["threshold"] = at
    (tmp_path / "out").mkdir()
    for s in manifest["stages"]:
        (tmp_path / "out" / s["file"]).write_bytes((staged.out / s["file"]).read_bytes())
    (tmp_path / "out" / "manifest.json").write_text(json.dumps(manifest))
    thresholds = [s["threshold"] for s in manifest["stages"][:-1]]
    stages = [read_model((staged.out / s["file"]).read_bytes()) for s in manifest["stages"]]
    write_files(generate_staged(stages, thresholds, "softmax", name="ee").files, tmp_path / "c")
    result = assert_same_as_python(tmp_path / "c", tmp_path / "out", digits.x_val, name="ee")
    assert np.sum(result.exits == 0) >= len(conf) // 2  # the median input itself left at exit 0


@pytest.fixture(scope="module")
def aot_build(residual_example, tmp_path_factory):
    out = tmp_path_factory.mktemp("ee-aot") / "out"
    report = edgec.build(residual_example.model, target="stm32", out=out,
                         calibration=residual_example.train, validation=residual_example.validation,
                         train=residual_example.train, early_exit="block1,down",
                         exit_confidence="margin", head_epochs=8, runtime="aot",
                         kernels="scalar")  # portable C: the host compiles it
    return report, out


def test_build_with_aot_writes_the_staged_c(aot_build, digits):
    report, out = aot_build
    names = [p.name for p in report.passes]
    assert names.index("early-exit-aot") == names.index("early-exit") + 1
    ee = report.aot["early_exit"]
    stages = len(report.early_exit["stages"])
    assert ee["stages"] == stages and len(ee["stage_activation_bytes"]) == stages
    assert ee["activation_bytes"] == max(ee["stage_activation_bytes"])
    assert ee["bss_bytes"] >= ee["activation_bytes"] + ee["io_bytes"]
    assert ee["stack_bytes"] > 0 and "arm-none-eabi-gcc" in ee["method"]
    flash, ram = report.budgets  # the staged C's, not the single model's
    assert flash.actual == ee["flash_bytes"] != report.aot["flash_bytes"]
    assert ram.actual == ee["ram_bytes"] and ram.parts["activations"] == ee["activation_bytes"]
    for name in ee["files"]:
        assert (out / name).is_file() and name in report.outputs
    from edgec.cli.summary import build_summary

    assert f"aot early exits: {stages} stages sharing" in build_summary(report, out)
    assert_same_as_python(out, out, digits.x_val)


ADAPTER = """#include <stdint.h>
#include "edgec_model_early_exit.h"
/* The bench program calls edgec_model_invoke: output[0] = exit stage, then the output. */
int edgec_model_invoke(const int8_t *input, int8_t *output) {
  int32_t stage = -1;
  int status = ee_early_exit_invoke(input, output + 1, &stage);
  output[0] = (int8_t)stage;
  return status;
}
"""


def test_staged_c_with_dsp_kernels_agrees_on_an_emulated_cortex_m4(staged, digits, tmp_path):
    from edgec.device.boards import cortex_m_board
    from edgec.device.cortex_m import build_firmware, run_firmware

    manifest = json.loads((staged.out / "manifest.json").read_text())
    stages = [read_model((staged.out / s["file"]).read_bytes()) for s in manifest["stages"]]
    result = generate_staged(stages, manifest["thresholds"], manifest["confidence"], name="ee",
                             kernels="dsp")
    assert any(f.endswith("_dsp.c") for f in result.files)
    folder = write_files({**result.files, "adapter.c": ADAPTER.encode()}, tmp_path / "c")
    model = StagedModel.load(staged.out)
    x = digits.x_val[:60]
    rows = np.stack([to_tensor(x[i:i + 1].astype(np.float32), model.input).reshape(-1)
                     for i in range(len(x))])
    out_bytes = max(r.outputs[0].nbytes for r in model.runners)
    firmware = build_firmware(sorted(folder.glob("*.c")), board=cortex_m_board("cortex-m4"),
                              out_dir=tmp_path / "fw", input_bytes=rows.shape[1],
                              output_bytes=1 + out_bytes, include_dirs=[folder])
    run = run_firmware(firmware, rows)
    want = model.run(x)
    exits = np.array([int(o[0]) for o in run.outputs])
    assert np.array_equal(exits, want.exits)
    got = [o.tobytes()[1:1 + model.runners[k].outputs[0].nbytes] for o, k in zip(run.outputs, exits)]
    assert got == python_bytes(model, want)
    assert 0 < np.sum(want.exits < len(stages) - 1) < len(x)


def test_a_single_stage_runs_through(staged, digits, tmp_path):
    """Every exit off leaves one stage, the single model: the driver just runs it."""
    tflite = (staged.out / "model.tflite").read_bytes()
    result = generate_staged([read_model(tflite)], [], "softmax")
    assert result.stats["io_bytes"] == 0 and result.stats["table_bytes"] == 0
    write_files(result.files, tmp_path / "c")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "stage_0.tflite").write_bytes(tflite)
    (tmp_path / "out" / "manifest.json").write_text(json.dumps({
        "format": "edgec-early-exit", "confidence": "softmax",
        "stages": [{"file": "stage_0.tflite", "threshold": None, "macs": 1}]}))
    model = StagedModel.load(tmp_path / "out")
    x = digits.x_val[:50]
    want = model.run(x)
    exits, outputs = run_native(tmp_path / "c", model, x)
    assert not exits.any() and outputs == python_bytes(model, want)
    assert len(set(outputs)) > 1


@pytest.mark.parametrize("kind", ["softmax", "margin"])
def test_c_confidence_is_the_python_integer_on_random_logits(staged, tmp_path, kind):
    """Beyond the validation data: random int8 logits (ties, extremes, 1 to 12 classes) and
    scales, through <name>_early_exit_confidence with the table exp_weights makes."""
    from edgec.early_exit.thresholds import exp_weights, fixed_confidence

    manifest = json.loads((staged.out / "manifest.json").read_text())
    stages = [read_model((staged.out / s["file"]).read_bytes()) for s in manifest["stages"]]
    write_files(generate_staged(stages, manifest["thresholds"], kind).files, tmp_path / "c")
    lib = ctypes.CDLL(str(compile_library(sorted((tmp_path / "c").glob("*.c")),
                                          tmp_path / "c" / "ee.so", tmp_path / "c")))
    fn = lib.edgec_model_early_exit_confidence
    fn.argtypes = [ctypes.c_char_p, ctypes.c_int32, ctypes.POINTER(ctypes.c_uint32)]
    fn.restype = ctypes.c_uint32
    rng = np.random.default_rng(11)
    for scale in (0.004, 0.0625, 0.173, 1.0, 9.5):
        table = (ctypes.c_uint32 * 256)(*exp_weights(scale, np.arange(256)).tolist())
        for classes in (1, 2, 3, 10, 12):
            q = rng.integers(-128, 128, size=(400, classes))
            q[:50] = rng.integers(-2, 2, size=(50, classes))  # many ties
            q[50:60, 0] = 127
            q[50:60, 1:] = -128  # the largest difference
            want = fixed_confidence(q, kind, scale)
            got = [fn(row.astype(np.int8).tobytes(), classes, table) for row in q]
            assert got == want.tolist(), (scale, classes)


def test_without_an_arm_compiler_the_staged_figures_are_estimates(residual_example, tmp_path):
    """The ESP32-S3 (Xtensa): the staged C's constants and buffers as generated, tables and
    the I/O buffer included."""
    report = edgec.build(residual_example.model, target="esp32s3", out=tmp_path / "out",
                         calibration=residual_example.train, validation=residual_example.validation,
                         train=residual_example.train, early_exit="block1,down", head_epochs=2,
                         runtime="aot")
    e = report.aot["early_exit"]
    assert e["method"].startswith("estimate")
    assert e["constant_bytes"] == e["weight_bytes"] + e["requant_bytes"] + e["table_bytes"] > 0
    assert e["bss_bytes"] == e["activation_bytes"] + e["scratch_bytes"] + e["io_bytes"]
    assert e["io_bytes"] > 0 and report.budget("ram").actual == e["ram_bytes"]
