"""`edgec.build` end to end: real converter, real TFLite Micro, outputs and report."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

import edgec
from edgec.errors import BudgetError, DataError, TargetError
from edgec.tflite import read_model

REPORT_KEYS = {"target", "model_bytes", "arena_bytes", "flash_bytes", "ram_bytes", "budgets", "ops",
               "passes", "validation", "edgec_version"}


@pytest.fixture(scope="module")
def built(digits_example, tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "out"
    report = edgec.build(digits_example.model, target="stm32", calibration=digits_example.calibration,
                         validation=digits_example.validation, out=out)
    return report, out


def test_outputs_are_written(built):
    report, out = built
    assert sorted(p.name for p in out.iterdir()) == ["model.tflite", "model_data.c", "model_data.h",
                                                     "report.html", "report.json"]
    assert report.outputs == ["model.tflite", "model_data.c", "model_data.h", "report.html",
                              "report.json"]


def test_report_json_holds_the_contract_keys(built):
    report, out = built
    data = json.loads((out / "report.json").read_text())
    assert REPORT_KEYS <= set(data)
    assert data["target"] == "stm32l4r5"
    assert data["model_bytes"] == (out / "model.tflite").stat().st_size
    assert data["flash_bytes"] == data["model_bytes"] + 32 * 1024
    assert data["ram_bytes"] == data["arena_bytes"] + 4 * 1024
    assert [b["name"] for b in data["budgets"]] == ["flash", "ram"]
    assert all(set(b) >= {"name", "limit", "actual", "ok"} and b["ok"] for b in data["budgets"])
    assert all(set(op) >= {"index", "op", "supported"} for op in data["ops"])
    assert [p["name"] for p in data["passes"]] == ["load", "data", "quantize", "check-ops", "measure",
                                                   "validate", "budgets", "emit"]
    assert all(p["seconds"] >= 0 for p in data["passes"])
    v = data["validation"]
    assert set(v) >= {"samples", "top1_agreement", "cosine", "rmse", "max_abs_error",
                      "accuracy_float", "accuracy_quantized"}
    assert v["samples"] == 497


def test_flatbuffer_is_full_int8_with_batch_one(built):
    _, out = built
    graph = read_model((out / "model.tflite").read_bytes()).main
    inp, outp = graph.tensors[graph.inputs[0]], graph.tensors[graph.outputs[0]]
    assert (inp.type, outp.type) == ("int8", "int8")
    assert inp.shape == (1, 8, 8, 1) and outp.shape == (1, 10)
    conv = next(op for op in graph.operators if op.opcode == "CONV_2D")
    weights = graph.tensors[conv.inputs[1]]
    assert weights.type == "int8" and weights.quantization.scale.size == weights.shape[0]  # per channel
    assert all(t.type in ("int8", "int32") for t in graph.tensors)


def test_arena_is_what_tflite_micro_needs(built):
    """The reported arena is enough for TFLite Micro, and 1 KiB less is not."""
    from tflite_micro import runtime

    from edgec.native_stderr import capture_native_stderr

    report, out = built
    path = str(out / "model.tflite")

    def runs(arena: int) -> bool:
        with capture_native_stderr():
            try:
                interp = runtime.Interpreter.from_file(path, arena_size=arena)
                interp.set_input(np.zeros((1, 8, 8, 1), np.int8), 0)
                interp.invoke()
                return True
            except RuntimeError:
                return False

    assert runs(report.arena_bytes + 64)
    assert not runs(report.arena_bytes - 1024)


def test_int8_accuracy_stays_close_to_float(built):
    v = built[0].validation
    assert v["accuracy_float"] > 90
    assert abs(v["accuracy_float"] - v["accuracy_quantized"]) <= 2.0
    assert v["top1_agreement"] >= 97 and v["cosine"] > 0.99


def test_c_array_compiles_and_holds_the_flatbuffer(built, tmp_path):
    report, out = built
    (tmp_path / "check.c").write_text(f"""
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "model_data.h"
int main(void) {{
  static unsigned char buf[1 << 20];
  FILE *f = fopen("{out / 'model.tflite'}", "rb");
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  if (n != edgec_model_data_len) return 2;
  if (memcmp(buf, edgec_model_data, n) != 0) return 3;
  if (((uintptr_t)edgec_model_data) % EDGEC_MODEL_DATA_ALIGNMENT != 0) return 4;
  if (EDGEC_MODEL_ARENA_BYTES != {report.arena_bytes}u) return 5;
  if (EDGEC_MODEL_INPUT0_BYTES != 64u || EDGEC_MODEL_OUTPUT0_BYTES != 10u) return 6;
  printf("ok %u\\n", (unsigned)edgec_model_data_len);
  return 0;
}}
""")
    exe = tmp_path / "check"
    subprocess.run(["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-I", str(out),
                    str(tmp_path / "check.c"), str(out / "model_data.c"), "-o", str(exe)], check=True)
    result = subprocess.run([str(exe)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"ok {report.model_bytes}"


def test_budget_breach_writes_outputs_then_fails(digits_example, tmp_path):
    out = tmp_path / "tight"
    with pytest.raises(BudgetError) as info:
        edgec.build(digits_example.model, target="stm32", calibration=digits_example.calibration,
                    out=out, ram_budget=6 * 1024)
    error = info.value
    assert "RAM budget exceeded by" in error.message and "flash" not in error.message.lower()
    assert "larger target" in error.hint
    data = json.loads((out / "report.json").read_text())
    ram = next(b for b in data["budgets"] if b["name"] == "ram")
    assert ram["ok"] is False and ram["limit"] == 6 * 1024 and ram["actual"] > ram["limit"]
    assert (out / "model.tflite").exists()


def test_no_calibration_refuses_int8_unless_synthetic_is_asked_for(digits_example, tmp_path):
    with pytest.raises(DataError, match="needs calibration data"):
        edgec.build(digits_example.model, target="stm32", out=tmp_path / "a")
    assert not (tmp_path / "a").exists()
    report = edgec.build(digits_example.model, target="stm32", synthetic_calibration=True,
                         calibration_samples=50, out=tmp_path / "b")
    assert report.accuracy_known is False
    assert report.calibration["synthetic"] is True
    assert any("synthetic" in w for w in report.warnings)
    assert json.loads((tmp_path / "b" / "report.json").read_text())["accuracy_known"] is False


def test_a_failed_build_leaves_the_previous_good_output_untouched(built, digits_example, tmp_path):
    _, good = built
    out = tmp_path / "keep"
    edgec.build(digits_example.model, target="stm32", calibration=digits_example.calibration, out=out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.zeros((3, 4, 4, 1)))
    with pytest.raises(DataError):
        edgec.build(digits_example.model, target="stm32", calibration=bad, out=out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not list(tmp_path.glob(".keep.edgec-tmp-*"))


def test_unknown_target_fails_before_any_work(digits_example, tmp_path):
    with pytest.raises(TargetError, match="unknown target"):
        edgec.build(digits_example.model, target="nope", calibration=digits_example.calibration,
                    out=tmp_path / "x")
