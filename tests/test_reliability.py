"""Hostile and broken inputs, interrupted and concurrent builds, reproducibility (issue 9)."""

from __future__ import annotations

import fcntl
import io
import json
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import h5py
import pytest
from typer.testing import CliRunner

from edgec.cli.main import app

runner = CliRunner()


def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


def assert_clean_failure(result, code: int, text: str, out: Path):
    assert result.exit_code == code, (result.exit_code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert lines[-2].startswith("error: ") and text in lines[-2], result.stderr
    assert lines[-1].startswith("hint: ") and "Traceback" not in result.stderr
    assert not out.exists(), "a failed build must write nothing"
    assert not list(out.parent.glob(f".{out.name}.edgec-tmp-*"))


@pytest.fixture(scope="module")
def lambda_models(keras, tmp_path_factory):
    root = tmp_path_factory.mktemp("lambda")
    inputs = keras.Input(shape=(8, 8, 1))
    h = keras.layers.Lambda(lambda x: x * 2.0)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(h)))
    model.save(root / "lambda.keras")
    model.save(root / "lambda.h5")
    # the same .h5 with its config written compactly: no '"class_name": "Lambda"' substring
    compact = root / "compact.h5"
    compact.write_bytes((root / "lambda.h5").read_bytes())
    with h5py.File(compact, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        f.attrs["model_config"] = json.dumps(config, separators=(",", ":"))
    return root


@pytest.mark.parametrize("name", ["lambda.keras", "lambda.h5", "compact.h5"])
def test_lambda_layers_load_only_with_unsafe_load(lambda_models, digits_example, tmp_path, name):
    args = ["build", lambda_models / name, "-t", "stm32", "-c", digits_example.calibration]
    assert_clean_failure(cli(*args, "-o", tmp_path / "o"), 3, "has a Lambda layer", tmp_path / "o")
    result = cli(*args, "-o", tmp_path / "u", "--unsafe-load")
    assert result.exit_code == 0, result.stderr
    assert "--unsafe-load" in result.stderr  # said loudly


def damaged_keras(source: Path, target: Path) -> Path:
    """A .keras whose zip is intact but whose weights file is cut short."""
    buf = io.BytesIO()
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(buf, "w") as w:
        for name in z.namelist():
            data = z.read(name)
            w.writestr(name, data[:100] if name.endswith(".h5") else data)
    target.write_bytes(buf.getvalue())
    return target


def test_truncated_and_corrupt_model_files(digits_example, tmp_path):
    from edgec.models import load_model

    data = digits_example.model.read_bytes()
    (tmp_path / "truncated.keras").write_bytes(data[: len(data) // 2])
    (tmp_path / "notzip.keras").write_bytes(b"\x00" * 64)
    damaged_keras(digits_example.model, tmp_path / "weights.keras")
    load_model(digits_example.model).keras.save(tmp_path / "model.h5")
    (tmp_path / "truncated.h5").write_bytes((tmp_path / "model.h5").read_bytes()[:2000])
    for name, text in (("truncated.keras", "not a readable .keras file"),
                       ("notzip.keras", "not a readable .keras file"),
                       ("weights.keras", "cannot be loaded"),
                       ("truncated.h5", "not a readable HDF5 file")):
        out = tmp_path / f"out-{name}"
        assert_clean_failure(cli("build", tmp_path / name, "-t", "stm32", "-c",
                                 digits_example.calibration, "-o", out), 3, text, out)


def test_a_folder_where_a_file_is_expected(digits_example, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    out = tmp_path / "o"
    assert_clean_failure(cli("build", folder, "-t", "stm32", "-c", digits_example.calibration,
                             "-o", out), 3, "is not a SavedModel", out)
    assert_clean_failure(cli("build", digits_example.model, "-t", "stm32", "-c", folder, "-o", out),
                         4, "holds no images", out)
    assert_clean_failure(cli("build", digits_example.model, "--target-file", folder, "-c",
                             digits_example.calibration, "-o", out), 5, "is a folder", out)


def test_a_dynamic_input_shape_is_refused(keras, digits_example, tmp_path):
    inputs = keras.Input(shape=(None, 8, 1))
    model = keras.Model(inputs, keras.layers.Conv2D(2, 3)(inputs))
    model.save(tmp_path / "dyn.keras")
    out = tmp_path / "o"
    assert_clean_failure(cli("build", tmp_path / "dyn.keras", "-t", "stm32", "-c",
                             digits_example.calibration, "-o", out), 3, "dynamic shape", out)


def without_timings(report: dict) -> dict:
    return {**report, "passes": [{k: v for k, v in p.items() if k != "seconds"}
                                 for p in report["passes"]]}


def test_builds_are_reproducible(digits_example, tmp_path):
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        result = cli("build", digits_example.model, "-t", "stm32", "-c", digits_example.calibration,
                     "--validation", digits_example.validation, "--seed", "5", "-o", out)
        assert result.exit_code == 0, result.stderr
    for name in ("model.tflite", "model_data.c", "model_data.h"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    reports = [json.loads((out / "report.json").read_text()) for out in outs]
    assert without_timings(reports[0]) == without_timings(reports[1])


def edgec_process(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "edgec", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def build_args(example, out):
    return ["build", example.model, "-t", "stm32", "-c", example.calibration, "-o", out]


def test_sigterm_leaves_the_previous_good_output_untouched(digits_example, tmp_path):
    out = tmp_path / "out"
    assert cli(*build_args(digits_example, out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    proc = edgec_process(*build_args(digits_example, out))
    deadline = time.time() + 60
    while not list(tmp_path.glob(".out.edgec-tmp-*")) and time.time() < deadline:
        time.sleep(0.05)
    assert list(tmp_path.glob(".out.edgec-tmp-*")), "the build never started staging"
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not list(tmp_path.glob(".out.edgec-tmp-*"))


def test_two_builds_at_once(digits_example, tmp_path):
    procs = [edgec_process(*build_args(digits_example, tmp_path / name)) for name in ("a", "b")]
    for proc in procs:
        _, stderr = proc.communicate(timeout=180)
        assert proc.returncode == 0, stderr
    assert (tmp_path / "a" / "model.tflite").read_bytes() == (tmp_path / "b" / "model.tflite").read_bytes()


def test_a_second_build_into_a_busy_folder_fails_clearly(digits_example, tmp_path):
    out = tmp_path / "busy"
    with open(tmp_path / ".busy.edgec-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # what a running build holds
        result = cli(*build_args(digits_example, out))
    assert_clean_failure(result, 10, "another edgec build is writing to", out)


def test_an_unwritable_output_folder(digits_example, tmp_path):
    """/proc refuses new files even to root (CI runs as root, where chmod would not bite)."""
    out = Path("/proc/edgec-test-output")
    result = cli(*build_args(digits_example, out))
    assert result.exit_code == 10, result.stderr
    assert "cannot be written" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


ONNX_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "pytorch_patches" / "model.onnx"


@pytest.mark.parametrize("name, damage", [
    ("model.tflite", lambda data: data[: len(data) // 3]),
    ("model.tflite", lambda data: b""),
    ("model.tflite", lambda data: data[:4] + b"XXXX" + data[8:]),
    ("model.onnx", lambda data: data[: len(data) // 2]),
    ("model.onnx", lambda data: b""),
    ("model.onnx", lambda data: b"\x08\x07" + bytes(range(256)) * 4),
])
def test_damaged_tflite_and_onnx_files(digits_tflite, digits_example, tmp_path, name, damage):
    source = digits_tflite if name.endswith(".tflite") else ONNX_EXAMPLE.read_bytes()
    bad = tmp_path / name
    bad.write_bytes(damage(source))
    out = tmp_path / "o"
    assert_clean_failure(cli("build", bad, "-t", "stm32", "-c", digits_example.calibration,
                             "-o", out), 3, name, out)
    result = cli("analyze", bad, "-t", "stm32")
    assert result.exit_code == 3 and "Traceback" not in result.stderr, result.stderr
