"""`edgec build --early-exit`: the same pass inside a build, here with `auto` exits, margin
confidence, joint fine-tuning (which moves the backbone, hence the wider allowed drop) and
unlabelled validation data."""

from __future__ import annotations

import json

import numpy as np
import pytest

import edgec
from edgec.early_exit import run_early_exit
from edgec.early_exit.cuts import cut_points


@pytest.fixture(scope="module")
def auto_build(residual_example, digits, tmp_path_factory):
    root = tmp_path_factory.mktemp("ee-build")
    np.savez(root / "unlabelled.npz", x=digits.x_val)
    out = root / "out"
    report = edgec.build(residual_example.model, target="stm32f446", out=out,
                         calibration=residual_example.train, validation=root / "unlabelled.npz",
                         train=residual_example.train, early_exit="auto:2",
                         exit_confidence="margin", head_epochs=4, joint_epochs=1,
                         max_accuracy_drop=5.0)
    return report, out


def test_build_runs_the_early_exit_passes(auto_build):
    report, out = auto_build
    names = [p.name for p in report.passes]
    assert names.index("check-exits") == names.index("load") + 1
    assert names.index("early-exit") == names.index("budgets") + 1 < names.index("emit")
    ee = report.early_exit
    assert ee["confidence"] == "margin" and ee["joint_epochs"] == 1
    assert (out / "model.tflite").is_file() and (out / "manifest.json").is_file()
    assert all((out / s["file"]).is_file() for s in ee["stages"])
    assert [b.name for b in report.budgets] == ["flash", "ram"]
    assert report.budgets[0].parts["stages"] == sum(s["bytes"] for s in ee["stages"])


def test_auto_exits_are_block_boundaries(auto_build, residual_example):
    from edgec.models import load_model

    report, _ = auto_build
    boundaries = {c.layer for c in cut_points(load_model(residual_example.model).keras)
                  if c.block_boundary}
    trained = [c["layer"] for c in report.early_exit["candidates"]]
    assert 1 <= len(trained) <= 2 and set(trained) <= boundaries


def test_unlabelled_validation_calibrates_to_the_original_predictions(auto_build):
    report, out = auto_build
    ee = report.early_exit
    assert ee["accuracy_original"] == 100.0  # agreement with the original INT8 model
    assert ee["accuracy_staged"] >= 100.0 - ee["max_accuracy_drop"]
    assert ee["validation"]["labelled"] is False
    assert ee["exits_off_matches_original"] is None  # joint fine-tuning changed the backbone
    assert any("no labels" in w for w in report.warnings)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["confidence"] == "margin"


def test_runtime_reproduces_the_calibrated_rates(auto_build, digits):
    report, out = auto_build
    run = run_early_exit(out, digits.x_val)
    assert run.accuracy is None
    assert run.result.exit_rates(len(report.early_exit["stages"])) == report.early_exit["exit_rates"]
