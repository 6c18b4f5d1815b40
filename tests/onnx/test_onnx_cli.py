"""ONNX through the CLI: exit codes and messages; the conversion check's verdict."""

from __future__ import annotations

import numpy as np
import pytest

from edgec.errors import ConversionError
from edgec.onnx.check import compare_outputs, raise_on_divergence
from tests.cli.test_cli import assert_error, run


def test_dynamic_input_dimension_exits_3_with_the_override_as_hint(onnx_example, tmp_path):
    result = run("build", onnx_example.model, "-t", "stm32", "-c", onnx_example.calibration,
                 "-o", tmp_path / "o")
    assert_error(result, 3, "model input 'x' has a dynamic shape (N, 3, H, W)")
    assert "--input-shape 1,3,<size>,<size>" in result.stderr


def test_a_malformed_input_shape_is_a_usage_error(onnx_example, tmp_path):
    result = run("build", onnx_example.model, "-t", "stm32", "-c", onnx_example.calibration,
                 "--input-shape", "1,3,big", "-o", tmp_path / "o")
    assert result.exit_code == 2 and "is not a shape" in result.stderr


def test_a_conversion_over_the_tolerance_exits_7_naming_the_first_diverging_output(
        onnx_example, tmp_path):
    """The real conversion, held to a tolerance float32 rounding cannot meet."""
    result = run("build", onnx_example.model, "-t", "stm32", "-c", onnx_example.calibration,
                 "--input-shape", "1,3,12,12", "--conversion-tolerance", "1e-12",
                 "-o", tmp_path / "o")
    assert_error(result, 7, "onnx2tf 1.28.8 changed what the model computes: output 'logits' "
                            "differs from onnxruntime")
    assert not (tmp_path / "o").exists()


def test_the_check_names_the_first_output_over_its_tolerance():
    rng = np.random.default_rng(0)
    ref = [rng.normal(size=(5, 3)), rng.normal(size=(5, 2, 2)) * 10, rng.normal(size=(5, 4))]
    got = [ref[0] + 1e-6, ref[1] + 0.5, ref[2] + 0.5]
    got[1][3, 0, 0] += 1.0  # worst sample of the second output
    checks = compare_outputs(["a", "b", "c"], got, ref, tolerance=1e-3)
    assert [c.ok for c in checks] == [True, False, False]
    assert checks[1].sample == 3 and checks[1].max_abs_error == pytest.approx(1.5)
    assert checks[1].tolerance == pytest.approx(1e-3 * np.abs(ref[1]).max())
    with pytest.raises(ConversionError, match=r"output 'b' differs from ort by up to 1\.5 .*"
                                              r"worst at sample 3\) \(and 1 more output"):
        raise_on_divergence(checks, "tool", "ort")
    raise_on_divergence(checks[:1], "tool", "ort")  # all within tolerance: no error


def test_onnxsim_is_found_without_an_activated_environment(monkeypatch):
    """.venv/bin/edgec run with a PATH that lacks .venv/bin still finds onnxsim there."""
    import shutil
    import sys
    from pathlib import Path

    from edgec.onnx.convert import onnx2tf_env

    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("HTTPS_PROXY", "")
    assert shutil.which("onnxsim") is None or not shutil.which("onnxsim").startswith(sys.prefix)
    env = onnx2tf_env()
    assert Path(shutil.which("onnxsim", path=env["PATH"])).parent == Path(sys.executable).parent
    assert env["HTTPS_PROXY"] == env["HTTP_PROXY"] == "http://127.0.0.1:9"
