"""The CLI: every error class gives its exit code and a one-line error with a hint, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from edgec import errors
from edgec.cli.main import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def assert_error(result, code: int, message: str):
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert lines[-2].startswith("error: ") and message in lines[-2], result.stderr
    assert lines[-1].startswith("hint: ")
    assert "Traceback" not in result.stderr


def test_exit_codes_are_distinct_and_documented():
    codes = [cls.exit_code for cls in errors.ERROR_CLASSES]
    assert len(set(codes)) == len(codes)
    readme = open("README.md").read()
    for cls in errors.ERROR_CLASSES:
        assert f"| {cls.exit_code} |" in readme, cls


def test_help_and_version():
    result = run("--help")
    assert result.exit_code == 0 and "Example: edgec build" in result.stdout
    for command in (["build"], ["targets"], ["targets", "list"], ["targets", "show"]):
        result = run(*command, "--help")
        assert result.exit_code == 0 and "Example" in result.stdout, command
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.strip() == "edgec 0.1.0"


def test_targets_list_and_show():
    result = run("targets", "list")
    assert result.exit_code == 0
    assert "stm32l4r5" in result.stdout and "stm32f446" in result.stdout
    listed = json.loads(run("targets", "list", "--json").stdout)
    assert {t["id"] for t in listed} >= {"stm32l4r5", "stm32f446", "stm32f746", "stm32h743"}
    result = run("targets", "show", "stm32")
    assert result.exit_code == 0
    assert "Cortex-M4".lower() in result.stdout.lower() and "640.0 KiB" in result.stdout
    assert "Every tensor has a static shape" in result.stdout  # a constraint's docstring
    assert "CONV_2D" in result.stdout


def test_successful_build_prints_a_summary(digits_example, tmp_path):
    result = run("build", digits_example.model, "--target", "stm32", "--calibration",
                 digits_example.calibration, "--validation", digits_example.validation,
                 "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    for text in ("budget", "flash", "ram", "top-1 agreement", "accuracy: float", "wrote"):
        assert text in result.stdout
    result = run("--quiet", "build", digits_example.model, "--target", "stm32", "--calibration",
                 digits_example.calibration, "-o", tmp_path / "out", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["target"] == "stm32l4r5"


def test_usage_error_is_exit_2():
    result = run("build")
    assert result.exit_code == errors.EXIT_USAGE


def test_model_error(tmp_path):
    assert_error(run("build", tmp_path / "none.keras", "-t", "stm32", "--synthetic-calibration",
                     "-o", tmp_path / "o"), 3, "does not exist")
    (tmp_path / "empty.keras").write_bytes(b"")
    assert_error(run("build", tmp_path / "empty.keras", "-t", "stm32", "--synthetic-calibration",
                     "-o", tmp_path / "o"), 3, "empty file")
    (tmp_path / "junk.keras").write_bytes(b"not a zip at all")
    assert_error(run("build", tmp_path / "junk.keras", "-t", "stm32", "--synthetic-calibration",
                     "-o", tmp_path / "o"), 3, "not a readable .keras file")
    (tmp_path / "junk.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 20)
    assert_error(run("build", tmp_path / "junk.h5", "-t", "stm32", "--synthetic-calibration",
                     "-o", tmp_path / "o"), 3, "not a readable HDF5 file")
    assert not (tmp_path / "o").exists()


def test_data_error(digits_example, tmp_path):
    assert_error(run("build", digits_example.model, "-t", "stm32", "-o", tmp_path / "o"), 4,
                 "needs calibration data")
    np.savez(tmp_path / "labels.npz", x=np.zeros((2, 8, 8, 1)), y=np.array([3, 12]))
    assert_error(run("build", digits_example.model, "-t", "stm32", "-c", tmp_path / "labels.npz",
                     "-o", tmp_path / "o"), 4, "labels of")


def test_target_error(digits_example, tmp_path):
    assert_error(run("build", digits_example.model, "-t", "nope", "-c", digits_example.calibration,
                     "-o", tmp_path / "o"), 5, "unknown target 'nope'")
    bad = tmp_path / "bad.toml"
    bad.write_text('inherits = "stm32l4r5"\nname = "x"\n[device]\nram = -1\n')
    assert_error(run("build", digits_example.model, "--target-file", bad, "-c",
                     digits_example.calibration, "-o", tmp_path / "o"), 5, "must be positive")
    assert_error(run("targets", "show", "nope"), 5, "unknown target")


@pytest.fixture(scope="module")
def gelu_model(keras, tmp_path_factory):
    inputs = keras.Input(shape=(8, 8, 1))
    h = keras.layers.Activation("gelu")(keras.layers.Conv2D(4, 3)(inputs))
    model = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(h)))
    path = tmp_path_factory.mktemp("gelu") / "gelu.keras"
    model.save(path)
    return path


def test_unsupported_op_names_op_index_and_reason(gelu_model, digits_example, tmp_path):
    result = run("build", gelu_model, "-t", "stm32", "-c", digits_example.calibration,
                 "-o", tmp_path / "o")
    assert_error(result, 6, "op GELU at index 1 is not supported on stm32l4r5: "
                            "tflite-micro has no kernel for GELU")
    assert not (tmp_path / "o").exists()


@pytest.fixture(scope="module")
def svd_saved_model(tf, tmp_path_factory):
    class Svd(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
        def __call__(self, x):
            return {"y": tf.linalg.svd(tf.reshape(x, [-1, 2, 2]), compute_uv=False)}

    module = Svd()
    path = tmp_path_factory.mktemp("svd") / "svd_model"
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.__call__})
    return path


def test_conversion_error(svd_saved_model, tmp_path):
    np.savez(tmp_path / "x.npz", x=np.random.default_rng(0).random((10, 4)))
    result = run("build", svd_saved_model, "-t", "stm32", "-c", tmp_path / "x.npz", "-o",
                 tmp_path / "o")
    assert_error(result, 7, "'tf.Svd' op is neither a custom op nor a flex op")


def test_budget_error_prints_summary_and_writes_outputs(digits_example, tmp_path):
    result = run("build", digits_example.model, "-t", "stm32", "-c", digits_example.calibration,
                 "--flash-budget", "33K", "-o", tmp_path / "o")
    assert_error(result, 8, "FLASH budget exceeded by")
    assert "OVER by" in result.stdout
    assert (tmp_path / "o" / "report.json").exists()


def test_bad_budget_value_is_a_usage_error(digits_example, tmp_path):
    result = run("build", digits_example.model, "-t", "stm32", "-c", digits_example.calibration,
                 "--ram-budget", "lots", "-o", tmp_path / "o")
    assert result.exit_code == 2 and "is not a size" in result.stderr


def test_output_error(digits_example, tmp_path):
    (tmp_path / "file").write_text("x")
    assert_error(run("build", digits_example.model, "-t", "stm32", "-c", digits_example.calibration,
                     "-o", tmp_path / "file"), 10, "is not a folder")
    assert_error(run("build", digits_example.model, "-t", "stm32", "-c", digits_example.calibration,
                     "-o", tmp_path / "file" / "under" / "out"), 10, "cannot be written")


def test_missing_parent_folders_of_the_output_are_created(digits_example, tmp_path):
    out = tmp_path / "new" / "deep" / "out"
    result = run("build", digits_example.model, "-t", "stm32", "-c", digits_example.calibration,
                 "-o", out)
    assert result.exit_code == 0, result.stderr
    assert (out / "model.tflite").exists()


def test_internal_error_is_exit_70_and_debug_shows_the_traceback(digits_example, tmp_path,
                                                                 monkeypatch):
    import edgec.builder
    from edgec.pipeline import Pass

    def broken(artifact, ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(edgec.builder, "build_passes",
                        lambda options, kind, profile=None: [Pass("broken", broken)])
    args = ["build", digits_example.model, "-t", "stm32", "-c", digits_example.calibration,
            "-o", tmp_path / "o"]
    assert_error(run(*args), 70, "pass 'broken' failed unexpectedly: RuntimeError: boom")
    result = run("--debug", *args)
    assert result.exit_code == 70 and "Traceback" in result.stderr


def test_the_installed_entry_point_takes_debug_anywhere(tmp_path):
    """Through `python -m edgec` (the console script's code path), not CliRunner."""
    result = subprocess.run([sys.executable, "-m", "edgec", "targets", "show", "nope", "--debug"],
                            capture_output=True, text=True)
    assert result.returncode == 5
    assert "error: unknown target 'nope'" in result.stderr and "Traceback" in result.stderr
    result = subprocess.run([sys.executable, "-m", "edgec", "targets", "show", "nope"],
                            capture_output=True, text=True)
    assert result.returncode == 5 and "Traceback" not in result.stderr


def test_compare_two_builds(digits_example, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("build", digits_example.model, "-t", "stm32", "-c", digits_example.calibration,
               "-o", a).exit_code == 0
    assert run("build", digits_example.model, "-t", "stm32f446", "-c", digits_example.calibration,
               "-o", b, "--validation", digits_example.validation).exit_code == 0
    result = run("compare", a, b)
    assert result.exit_code == 0, result.stderr
    assert "model bytes" in result.stdout and "stm32f446" in result.stdout
    data = json.loads(run("compare", a, b, "--json").stdout)
    rows = {m["metric"]: m for m in data["metrics"]}
    report_a = json.loads((a / "report.json").read_text())
    assert rows["model bytes"]["a"] == report_a["model_bytes"] and rows["model bytes"]["change"] == 0
    assert rows["flash bytes"]["ratio"] == 1.0
    assert_error(run("compare", a, tmp_path / "nothing"), 4, "holds no report.json")


def test_exit_codes_are_listed_in_the_root_help():
    text = run("--help").stdout
    for cls in errors.ERROR_CLASSES:
        assert f"{cls.exit_code} " in text


def test_shell_completion_script():
    result = run("--show-completion", "bash")
    assert result.exit_code == 0 and "complete" in result.stdout and "edgec" in result.stdout.lower()


@pytest.fixture(scope="module")
def tanh_model(keras, tmp_path_factory):
    inputs = keras.Input(shape=(8, 8, 1))
    h = keras.layers.Dense(6, activation="tanh")(keras.layers.Flatten()(inputs))
    path = tmp_path_factory.mktemp("tanh") / "tanh.keras"
    keras.Model(inputs, keras.layers.Dense(10)(h)).save(path)
    return path


def test_aot_runtime_refuses_an_op_without_in_house_kernel(tanh_model, digits_example, tmp_path):
    """TFLite Micro runs TANH, so check-ops passes; --runtime aot has no kernel for it: exit 6."""
    result = run("build", tanh_model, "-t", "stm32", "-c", digits_example.calibration,
                 "--runtime", "aot", "-o", tmp_path / "o")
    assert_error(result, 6, "op TANH at index 2 cannot be compiled ahead of time")
    assert not (tmp_path / "o").exists()
