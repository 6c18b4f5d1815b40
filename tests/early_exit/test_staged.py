"""A staged early-exit model end to end: `edgec early-exit` through the CLI (session
fixture `staged`), its manifest, its stages in TensorFlow Lite Micro and `edgec run`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from edgec.cli.main import app
from edgec.early_exit import StagedModel, run_early_exit
from edgec.early_exit.split import StagedGraph
from edgec.tflite import read_model
from edgec.tflite.costs import op_costs
from edgec.tflm import MicroRunner

MANIFEST_KEYS = {"stages", "full_macs", "expected_macs", "exit_rates", "accuracy_original",
                 "accuracy_staged"}


@pytest.fixture(scope="module")
def manifest(staged):
    return json.loads((staged.out / "manifest.json").read_text())


@pytest.fixture(scope="module")
def validation(staged):
    with np.load(staged.example.validation) as data:
        return data["x"], data["y"]


def test_manifest_contract(staged, manifest):
    assert MANIFEST_KEYS <= set(manifest)
    stages = manifest["stages"]
    assert len(stages) >= 2, "the calibration kept no exit: the test model's heads are too weak"
    for k, stage in enumerate(stages):
        assert {"file", "threshold", "macs"} <= set(stage)
        data = (staged.out / stage["file"]).read_bytes()
        assert stage["macs"] == sum(c.macs for c in op_costs(read_model(data)))
        assert stage["bytes"] == len(data)
        assert (stage["threshold"] is None) == (k == len(stages) - 1)
    assert [s["exit_layer"] for s in stages[:-1]] == manifest["exits"]
    assert set(manifest["exits"]) <= {"block1", "down"}
    assert sum(manifest["exit_rates"]) == pytest.approx(1.0)
    cumulative = np.cumsum([s["macs"] for s in stages])
    assert manifest["expected_macs"] == pytest.approx(float(np.dot(manifest["exit_rates"], cumulative)))
    assert manifest["expected_macs"] < manifest["full_macs"]
    assert manifest["accuracy_staged"] >= manifest["accuracy_original"] - manifest["max_accuracy_drop"]
    assert manifest["exits_off_matches_original"] is True
    assert manifest["runtime_checked_samples"] == 497


def test_stages_chain_through_their_cut_tensors(staged, manifest):
    """Stage k's second output is stage k+1's input: same shape, type and quantization."""
    graphs = [read_model((staged.out / s["file"]).read_bytes()).main for s in manifest["stages"]]
    for k, (first, second) in enumerate(zip(graphs, graphs[1:])):
        assert len(first.outputs) == 2 and len(first.inputs) == 1
        carried = first.tensors[first.outputs[1]]
        taken = second.tensors[second.inputs[0]]
        assert (carried.type, carried.shape) == (taken.type, taken.shape) == ("int8", carried.shape)
        assert carried.quantization.scale.tolist() == taken.quantization.scale.tolist(), k
        assert carried.quantization.zero_point.tolist() == taken.quantization.zero_point.tolist()
        assert first.tensors[first.outputs[0]].shape == (1, 10)  # the exit's logits
    assert len(graphs[-1].outputs) == 1


def test_with_every_exit_off_the_stages_are_the_int8_model_bit_for_bit(staged, validation):
    """Thresholds above 1 never fire: the chain's output is exactly the single INT8 model's.

    Exact, not approximate, because the stages are cut out of one INT8 conversion of the
    model with its heads, calibrated on the same samples as the single model: every
    backbone tensor has the same quantization in both, and a cut tensor keeps its one set
    of parameters on both sides of the cut (no requantization between stages). Stages
    converted one by one would each get their own input and output scales at the cuts,
    and the chain would differ from the single model by that rounding.
    """
    x, _ = validation
    model = StagedModel.load(staged.out)
    off = model.run(x, thresholds=[1.01] * (len(model.runners) - 1), label="exits off")
    assert (off.exits == len(model.runners) - 1).all()
    single = MicroRunner((staged.out / "model.tflite").read_bytes()).run([x])[0]
    assert np.array_equal(off.scores, single.reshape(len(x), -1))


def test_thresholds_trade_accuracy_for_macs(staged, manifest, validation):
    """Lower thresholds: inputs leave earlier, MACs fall monotonically and accuracy goes from
    the original model's (nothing leaves early) to the first exit's (everything does)."""
    x, y = validation
    x, y = x[:250], y[:250]
    model = StagedModel.load(staged.out)
    exits = len(model.runners) - 1
    macs, accuracies = [], []
    for t in (1.01, 0.999, 0.99, 0.9, 0.7, 0.5, 0.0):
        result = model.run(x, thresholds=[t] * exits, label=f"threshold {t}")
        macs.append(float(result.macs.mean()))
        accuracies.append(100.0 * float(np.mean(result.predictions == y)))
    assert all(a >= b for a, b in zip(macs, macs[1:])), macs
    assert macs[0] == manifest["stages"][-1]["cumulative_macs"]  # every stage ran
    assert macs[-1] == manifest["stages"][0]["macs"]  # everything left at the first exit
    single = MicroRunner((staged.out / "model.tflite").read_bytes()).run([x])[0]
    assert accuracies[0] == 100.0 * float(np.mean(single.argmax(axis=1) == y))
    assert accuracies[-1] < accuracies[0] - 5, accuracies  # the first exit alone is worse


def test_run_agrees_with_the_manifest(staged, manifest, tmp_path):
    result = CliRunner().invoke(app, ["run", str(staged.out), "--input",
                                      str(staged.example.validation), "--json",
                                      "--save", str(tmp_path / "p.npz")])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["exit_rates"] == manifest["exit_rates"]
    assert summary["accuracy"] == manifest["accuracy_staged"]
    assert summary["mean_macs"] == manifest["expected_macs"]
    with np.load(tmp_path / "p.npz") as saved:
        assert set(saved.files) == {"predictions", "exits", "scores", "confidences", "macs"}
        assert len(saved["predictions"]) == summary["samples"] == 497
    text = CliRunner().invoke(app, ["run", str(staged.out), "--input", str(staged.example.validation)])
    assert text.exit_code == 0 and "left at stage 0" in text.stdout and "top-1 accuracy" in text.stdout


def test_runtime_exits_match_the_exit_confidences(staged, manifest, validation):
    """An input stops at stage k exactly when exit k is the first confident enough."""
    x, _ = validation
    run = run_early_exit(staged.out, x[:120]).result
    thresholds = [s["threshold"] for s in manifest["stages"][:-1]]
    for i, stage in enumerate(run.exits):
        if stage < len(thresholds):
            assert run.confidences[i] >= thresholds[stage]
        else:
            assert np.isnan(run.confidences[i])


def test_report_and_budgets(staged, manifest):
    report = json.loads((staged.out / "report.json").read_text())
    ee = report["early_exit"]
    assert ee["thresholds"] == [s["threshold"] for s in manifest["stages"][:-1]]
    assert ee["exit_rates"] == manifest["exit_rates"]
    for key in ("expected_macs", "full_macs", "accuracy_original", "accuracy_staged"):
        assert ee[key] == manifest[key]
    flash, ram = report["budgets"]
    assert flash["parts"] == {"stages": sum(s["bytes"] for s in manifest["stages"]),
                              "runtime_code": 32 * 1024}
    carried = max(s["carried_bytes"] for s in manifest["stages"])
    assert carried > 0
    assert ram["parts"] == {"arena": max(s["arena_bytes"] for s in manifest["stages"]),
                            "carried_tensor": carried, "runtime_overhead": 4 * 1024}
    assert [p["name"] for p in report["passes"]] == [
        "load", "check-exits", "data", "quantize", "check-ops", "measure", "validate", "budgets",
        "early-exit", "emit"]
    assert set(report["outputs"]) >= {s["file"] for s in manifest["stages"]} | {"manifest.json"}
    html = (staged.out / "report.html").read_text()
    assert "Early exits" in html
    assert "expected" in staged.stdout and "leave here" in staged.stdout  # the CLI's summary


def test_stage_macs_add_up_to_the_model_and_heads(staged, manifest):
    single = read_model((staged.out / "model.tflite").read_bytes())
    assert manifest["full_macs"] == sum(c.macs for c in op_costs(single))
    heads = sum(c["head_macs"] for c in manifest["candidates"] if c["threshold"] is not None)
    assert sum(s["macs"] for s in manifest["stages"]) == manifest["full_macs"] + heads


def test_a_graph_without_exits_is_one_segment(staged):
    """The splitter finds the heads from the signature's outputs; one output, no exits."""
    graph = StagedGraph((staged.out / "model.tflite").read_bytes())
    parts = graph.parts()
    assert parts.heads == () and len(parts.segments) == 1
    assert sum(parts.segment_macs) == sum(graph.macs)


def test_report_page_shows_the_exits_with_the_json_numbers(staged):
    from tests.html_report.test_page import _Numbers, lookup

    report = json.loads((staged.out / "report.json").read_text())
    parser = _Numbers()
    parser.feed((staged.out / "report.html").read_text())
    shown = dict(parser.found)
    for key in ("early_exit.expected_macs", "early_exit.full_macs", "early_exit.accuracy_staged",
                "early_exit.stages.0.threshold", "early_exit.stages.0.macs"):
        assert shown[key] == repr(lookup(report, key)), key
    for key, value in parser.found:
        assert repr(lookup(report, key)) == value, key
