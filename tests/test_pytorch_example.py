"""The bundled PyTorch example (examples/pytorch_patches): a model exported by torch's dynamo
ONNX exporter, built for stm32 from the committed files (torch is not needed to build it)."""

from __future__ import annotations

from pathlib import Path

import edgec

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "pytorch_patches"


def test_the_pytorch_export_builds_for_stm32(tmp_path):
    report = edgec.build(EXAMPLE / "model.onnx", target="stm32",
                         calibration=EXAMPLE / "calibration.npz",
                         validation=EXAMPLE / "validation.npz", out=tmp_path / "patches")
    assert report.model["format"] == "onnx" and report.model["inputs"][0]["layout"] == "NCHW"
    assert report.model["inputs"][0]["shape"] == [1, 3, 16, 16]
    assert report.conversion["max_abs_error"] < 1e-3
    v = report.validation
    assert v["samples"] == 512 and v["accuracy_float"] > 60
    assert abs(v["accuracy_float"] - v["accuracy_quantized"]) <= 2.0
    assert all(b.ok for b in report.budgets)
