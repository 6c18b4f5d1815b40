"""The CLI for accelerated targets: `targets show` lists the accelerator's rules, `build`
prints where the ops run as a table like edgetpu_compiler's log."""

from __future__ import annotations

from typer.testing import CliRunner

from edgec.cli.main import app

runner = CliRunner()


def test_targets_show_lists_the_accelerators_rules_and_ops():
    result = runner.invoke(app, ["targets", "show", "edgetpu"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "accelerator:   edgetpu (tpu)" in out
    assert "edgetpu takes an op only when (else it runs on the CPU):" in out
    assert "SOFTMAX takes a 1-D input (dimensions of size 1 aside) of at most 16,000" in out
    assert "Every tensor is 8-bit integer" in out  # full-int8, a rule for the whole model
    assert "The Edge TPU compiler maps ops in graph order" in out


def test_build_for_the_edge_tpu_prints_the_compiler_style_table(digits_example, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no edgetpu_compiler
    result = runner.invoke(app, ["build", str(digits_example.model), "-t", "coral",
                                 "-c", str(digits_example.calibration), "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Operator         Count  Status" in out
    assert "CONV_2D              1  Mapped to Edge TPU" in out
    assert "of MACs" in out and "edgetpu_compiler is not on PATH" in out
