"""Optimisation in a build and as its own commands: pruning, QAT, sparsity, INT4/INT16x8, the
accuracy guard and --auto. Real fine-tuning (a few epochs), the real converter, ai-edge-
quantizer and TFLite Micro; the CLI through CliRunner."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import edgec
from edgec.cli.main import app
from edgec.tflite import read_model
from edgec.tflm import MicroRunner

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def train_npz(digits, tmp_path_factory):
    path = tmp_path_factory.mktemp("train") / "train.npz"
    np.savez(path, x=digits.x_train, y=digits.y_train)
    return path


def data_args(example, train=None):
    args = ["-c", example.calibration, "--validation", example.validation]
    return args + (["--train", train] if train is not None else [])


@pytest.fixture(scope="module")
def pruned_build(digits_example, train_npz, tmp_path_factory):
    out = tmp_path_factory.mktemp("pruned") / "out"
    report = edgec.build(digits_example.model, target="stm32", calibration=digits_example.calibration,
                         validation=digits_example.validation, train=train_npz, prune=0.5,
                         epochs=3, max_accuracy_drop=5.0, out=out)
    return report, out


def test_pruning_in_a_build_shrinks_the_model_and_fills_every_pass_record(pruned_build,
                                                                          digits_tflite):
    report, out = pruned_build
    passes = {p.name: p for p in report.passes}
    assert [p.name for p in report.passes] == ["load", "data", "prune", "quantize", "check-ops",
                                               "measure", "validate", "budgets", "emit"]
    assert passes["prune"].params < passes["load"].params
    assert passes["prune"].accuracy is not None and passes["prune"].model_bytes is None
    assert passes["quantize"].model_bytes == report.model_bytes < len(digits_tflite)
    assert passes["measure"].arena_bytes == report.arena_bytes
    assert passes["validate"].accuracy == report.validation["accuracy_quantized"]
    assert passes["emit"].arena_bytes == report.arena_bytes  # carried while the model is unchanged
    assert report.optimization["prune"]["layers"] == [
        {"layer": report.optimization["prune"]["layers"][0]["layer"], "filters_before": 8,
         "filters_after": 4}]
    guard = report.accuracy_guard
    assert guard["ok"] and [c["pass"] for c in guard["checks"]] == ["prune", "quantize"]
    assert guard["baseline"] == report.validation["accuracy_float"]
    data = json.loads((out / "report.json").read_text())
    assert data["passes"][2]["name"] == "prune" and "params" in data["passes"][2]
    assert data["accuracy_guard"]["max_drop"] == 5.0 and data["plans"] == []
    graph = read_model((out / "model.tflite").read_bytes()).main
    conv = next(op for op in graph.operators if op.opcode == "CONV_2D")
    assert graph.tensors[conv.inputs[1]].shape[0] == 4  # 8 filters -> 4 in the flatbuffer


def test_the_guard_fails_with_exit_9_and_the_measured_drop(digits_example, train_npz, tmp_path):
    out = tmp_path / "out"
    result = run("build", digits_example.model, "-t", "stm32", *data_args(digits_example, train_npz),
                 "--prune", "0.9", "--epochs", "1", "--max-accuracy-drop", "0", "-o", out)
    assert result.exit_code == 9, result.stderr
    error = result.stderr.strip().splitlines()[-2]
    assert error.startswith("error: accuracy dropped ") and "after prune" in error
    guard = json.loads((out / "report.json").read_text())["accuracy_guard"]
    first = guard["checks"][0]
    assert guard["ok"] is False and first["pass"] == "prune" and not first["ok"]
    assert f"dropped {first['drop']:.2f} points" in error
    assert "Traceback" not in result.stderr


def test_a_scheme_or_option_the_build_cannot_honour_fails_before_any_work(digits_example, tmp_path):
    """The model file is junk: loading it would be exit 3 ("not a readable .keras file"), so
    any other outcome proves the check came first."""
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a model")

    def code(*args, model=junk):
        result = run("build", model, "-o", tmp_path / "o", *args)
        assert "not a readable" not in result.stderr
        return result.exit_code, result.stderr

    exit_code, stderr = code("-t", "stm32", "-c", digits_example.calibration, "--quant", "float16")
    assert exit_code == 5 and "cannot run float16 models" in stderr
    profile = tmp_path / "no_int4.toml"
    profile.write_text('inherits = "stm32l4r5"\nname = "int8 only"\n[quantization]\n'
                       'schemes = ["int8"]\n')
    exit_code, stderr = code("--target-file", profile, "-c", digits_example.calibration,
                             "--quant", "int4")
    assert exit_code == 5 and "cannot run int4 models" in stderr
    exit_code, stderr = code("-t", "stm32", *data_args(digits_example, digits_example.calibration),
                             "--qat", "--quant", "int16x8")
    assert exit_code == 5 and "QAT prepares" in stderr
    exit_code, stderr = code("-t", "stm32", "-c", digits_example.calibration, "--prune", "0.5")
    assert exit_code == 4 and "needs training data" in stderr
    exit_code, stderr = code("-t", "stm32", "-c", digits_example.calibration,
                             "--max-accuracy-drop", "1")
    assert exit_code == 4 and "needs held-out validation data" in stderr
    exit_code, _ = code("-t", "stm32", "-c", digits_example.calibration, "--auto", "--prune", "0.5")
    assert exit_code == 2
    exit_code, _ = code("-t", "stm32", "-c", digits_example.calibration, "--prune", "1.5")
    assert exit_code == 2
    converted = tmp_path / "model.tflite"
    converted.write_bytes(b"junk")
    exit_code, stderr = code("-t", "stm32", *data_args(digits_example, digits_example.calibration),
                             "--prune", "0.5", model=converted)
    assert exit_code == 3 and "needs a Keras model, but the input is an already converted" in stderr
    assert not (tmp_path / "o").exists()


def test_auto_picks_the_first_plan_that_fits_and_records_the_others(digits_example, train_npz,
                                                                    digits_tflite, tmp_path):
    """Flash budget just below the unpruned INT8 model: PTQ and QAT do not fit, pruning does."""
    out = tmp_path / "auto"
    budget = 32 * 1024 + len(digits_tflite) - 200
    result = run("--quiet", "build", digits_example.model, "-t", "stm32",
                 *data_args(digits_example, train_npz), "--auto", "--epochs", "2",
                 "--max-accuracy-drop", "5", "--flash-budget", budget, "-o", out, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    plans = report["plans"]
    assert [p["plan"] for p in plans] == ["int8 PTQ", "int8 QAT", "prune 25 % + int8 PTQ"]
    assert [p["fits"] for p in plans] == [False, False, True]
    assert [p["chosen"] for p in plans] == [False, False, True]
    assert all("flash over by" in p["reason"] for p in plans[:2]) and plans[2]["reason"] is None
    for p in plans:
        assert {"model_bytes", "arena_bytes", "accuracy", "accuracy_drop", "params"} <= set(p)
    assert plans[0]["model_bytes"] == len(digits_tflite)
    assert (out / "model.tflite").stat().st_size == plans[2]["model_bytes"] == report["model_bytes"]
    assert report["optimization"]["prune"]["ratio"] == 0.25
    assert json.loads((out / "report.json").read_text())["plans"] == plans


def test_prune_command_writes_a_keras_model_build_and_quantize_take(digits_example, train_npz,
                                                                     tmp_path):
    pruned = tmp_path / "pruned.keras"
    result = run("prune", digits_example.model, "--ratio", "0.5", "--train", train_npz,
                 "--validation", digits_example.validation, "--epochs", "2", "-o", pruned)
    assert result.exit_code == 0, result.stderr
    assert "4 -> " not in result.stdout and "->4" in result.stdout.replace(" ", "")
    assert pruned.exists() and not list(tmp_path.glob(".pruned.edgec-tmp-*"))

    result = run("--quiet", "build", pruned, "-t", "stm32", *data_args(digits_example),
                 "-o", tmp_path / "b", "--json")
    assert result.exit_code == 0, result.stderr
    params = json.loads(result.stdout)["model"]["params"]
    assert params < edgec.models.load_model(digits_example.model).params

    int4 = tmp_path / "pruned-int4.tflite"
    result = run("--quiet", "quantize", pruned, "--quant", "int4", "-t", "stm32",
                 *data_args(digits_example), "-o", int4, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["quantization"] == "int4" and report["model"]["params"] == params
    graph = read_model(int4.read_bytes()).main
    assert {graph.tensors[op.inputs[1]].type for op in graph.operators
            if op.opcode in ("CONV_2D", "FULLY_CONNECTED")} == {"int4"}
    assert MicroRunner(int4.read_bytes()).arena_bytes() == report["arena_bytes"]


def test_qat_command_makes_int4_weights_tflite_micro_runs(digits_example, train_npz, digits,
                                                          tmp_path):
    out = tmp_path / "qat4.tflite"
    result = run("--quiet", "qat", digits_example.model, "--quant", "int4", "--train", train_npz,
                 *data_args(digits_example), "--epochs", "2", "-t", "stm32", "-o", out, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["optimization"]["qat"]["weight_bits"] == 4
    graph = read_model(out.read_bytes()).main
    weights = [graph.tensors[op.inputs[1]] for op in graph.operators
               if op.opcode in ("CONV_2D", "FULLY_CONNECTED")]
    assert weights and {w.type for w in weights} == {"int4"}
    assert [graph.tensors[i].type for i in graph.inputs] == ["int8"]
    v = report["validation"]
    assert v["accuracy_quantized"] >= v["accuracy_float"] - 3.0


def test_qat_int8_build(digits_example, train_npz, tmp_path):
    report = edgec.build(digits_example.model, target="stm32", calibration=digits_example.calibration,
                         validation=digits_example.validation, train=train_npz, qat=True, epochs=2,
                         out=tmp_path / "qat")
    assert [p.name for p in report.passes][2:4] == ["qat", "quantize"]
    assert report.passes[2].params == report.passes[0].params  # QAT removes no weights
    assert report.optimization["qat"]["weight_bits"] == 8 and report.quantization == "int8"
    assert report.validation["accuracy_quantized"] >= report.validation["accuracy_float"] - 2.0


def test_sparsity_is_recorded_as_no_smaller_on_tflite_micro(digits_example, train_npz, digits_tflite,
                                                            tmp_path):
    from edgec.models import load_model

    before = [w.copy() for w in load_model(digits_example.model).keras.get_weights()]
    report = edgec.build(digits_example.model, target="stm32", calibration=digits_example.calibration,
                         validation=digits_example.validation, train=train_npz, sparsity="2:4",
                         epochs=1, out=tmp_path / "sparse")
    assert report.optimization["sparsity"]["zero_weights"] > 0.3
    assert any("not smaller or faster" in w for w in report.warnings)
    assert report.model_bytes >= 0.95 * len(digits_tflite)  # the zeros are stored all the same
    after = load_model(digits_example.model).keras.get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(before, after))


def test_auto_plans_follow_the_data_the_input_and_the_target(tmp_path):
    from dataclasses import replace
    from pathlib import Path

    from edgec.auto import auto_plans
    from edgec.builder import BuildOptions
    from edgec.targets import load_profile_file, load_target

    stm32 = load_target("stm32")
    with_train = BuildOptions(model=Path("m.keras"), train=Path("t.npz"))
    names = [p.name for p in auto_plans(with_train, stm32)]
    assert names == ["int8 PTQ", "int8 QAT", "prune 25 % + int8 PTQ", "prune 50 % + int8 PTQ",
                     "prune 75 % + int8 PTQ", "int4 PTQ", "int4 QAT", "prune 25 % + int4 PTQ",
                     "prune 50 % + int4 PTQ", "prune 75 % + int4 PTQ"]
    assert [p.name for p in auto_plans(BuildOptions(model=Path("m.keras")), stm32)] == \
        ["int8 PTQ", "int4 PTQ"]
    assert [p.name for p in auto_plans(with_train, stm32, kind="onnx")] == ["int8 PTQ", "int4 PTQ"]
    only_int8 = tmp_path / "int8only.toml"
    only_int8.write_text('inherits = "stm32l4r5"\nname = "x"\n[quantization]\nschemes = ["int8"]\n')
    assert [p.quant for p in auto_plans(with_train, load_profile_file(only_int8))] == ["int8"] * 5
    assert {p.quant for p in auto_plans(replace(with_train, quant="int4"), stm32)} == {"int4"}
