"""Threshold calibration: exact against brute force, monotone in the allowed drop."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from edgec.early_exit.thresholds import (ONE, OFF, Costs, calibrate, confidence, evaluate,
                                         exit_taken, fixed_confidence, fixed_threshold)


def test_confidence_softmax_and_margin():
    assert confidence(np.array([[0.0, 0.0]]), "softmax", 1.0) == pytest.approx([0.5])
    assert confidence(np.array([[0.0, 0.0]]), "margin", 1.0) == pytest.approx([0.0])
    p = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    assert confidence(np.array([[1.0, 2.0, 3.0]]), "softmax", 1.0) == pytest.approx([p[2]], abs=1e-8)
    assert confidence(np.array([[1.0, 2.0, 3.0]]), "margin", 1.0) == pytest.approx([p[2] - p[1]],
                                                                                 abs=1e-8)
    assert confidence(np.array([[1000.0, 0.0]]), "softmax", 1.0) == pytest.approx([1.0])  # no overflow


def test_fixed_point_confidence_is_exact_in_float_and_matches_the_threshold_test():
    """Dequantized int8 logits give the integer levels back; a confidence is an integer
    times 2^-30, so `conf >= t` and the C side's integer test agree, at the threshold too."""
    rng = np.random.default_rng(3)
    scale = np.float32(0.173)
    q = rng.integers(-128, 128, size=(500, 10))
    logits = ((q.astype(np.float64) + 5) * float(scale)).astype(np.float32)  # zero point -5
    for kind in ("softmax", "margin"):
        fixed = fixed_confidence(q, kind, float(scale))
        conf = confidence(logits, kind, float(scale))
        assert np.array_equal(conf * ONE, fixed.astype(np.float64))
        exact = np.exp(-float(scale) * (q.max(1, keepdims=True) - q))
        p = np.sort(exact / exact.sum(1, keepdims=True), axis=1)
        want = p[:, -1] if kind == "softmax" else p[:, -1] - p[:, -2]
        assert np.abs(conf - want).max() < 1e-8
        for t in np.unique(conf)[::7]:
            assert np.array_equal(conf >= t, fixed >= fixed_threshold(t))
            nudged = np.nextafter(t, 0.0)  # a threshold that is not a confidence
            assert np.array_equal(conf >= nudged, fixed >= fixed_threshold(nudged))


def test_exit_taken_and_costs():
    conf = np.array([[0.9, 0.1], [0.2, 0.95], [0.1, 0.1]])
    assert exit_taken(conf, [0.8, 0.9]).tolist() == [0, 1, 2]
    assert exit_taken(conf, [OFF, 0.9]).tolist() == [2, 1, 2]
    costs = Costs(backbone=(10, 20, 40), heads=(2, 3))
    assert costs.per_exit([0.5, 0.5]).tolist() == [12, 25, 45]
    assert costs.per_exit([OFF, 0.5]).tolist() == [10, 23, 43]  # an exit that is off costs nothing


def _problem(seed: int, n: int = 160, exits: int = 2):
    rng = np.random.default_rng(seed)
    conf = rng.uniform(0, 1, (n, exits))
    # confident exits are right more often; the model's output is right 95 % of the time
    chance = np.c_[0.2 + 0.75 * conf, np.full(n, 0.95)]
    correct = rng.uniform(0, 1, chance.shape) < chance
    costs = {1: Costs(backbone=(50, 100), heads=(4,)),
             2: Costs(backbone=(30, 60, 100), heads=(4, 4))}[exits]
    return conf, correct, costs


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_calibration_is_the_cheapest_feasible_choice(seed):
    conf, correct, costs = _problem(seed)
    required = int(correct[:, -1].sum()) - 3
    chosen = calibrate(conf, correct, costs, required)
    candidates = [np.append(np.unique(conf[:, k]), OFF) for k in range(conf.shape[1])]
    feasible = [evaluate(conf, correct, costs, t) for t in itertools.product(*candidates)]
    feasible = [r for r in feasible if r.correct >= required]
    assert chosen.correct >= required
    assert chosen.expected_macs == pytest.approx(min(r.expected_macs for r in feasible))


def test_more_allowed_drop_never_costs_more():
    conf, correct, costs = _problem(3, n=300)
    right = int(correct[:, -1].sum())
    spent, previous = [], None
    for drop in (0, 1, 2, 5, 10, 100, 300):
        chosen = calibrate(conf, correct, costs, right - drop)
        assert chosen.correct >= right - drop
        spent.append(chosen.expected_macs)
        if previous is not None:
            assert chosen.expected_macs <= previous
        previous = chosen.expected_macs
    assert spent[-1] < spent[0]  # the trade is real on this data
    # everything allowed: all inputs leave at the cheapest exit
    assert spent[-1] == pytest.approx(min(costs.per_exit([0.0, OFF])[0], costs.per_exit([OFF, 0.0])[1]))


def test_single_exit_and_no_exit():
    conf, correct, costs = _problem(4, exits=1)
    chosen = calibrate(conf, correct, costs, int(correct[:, -1].sum()))
    assert len(chosen.thresholds) == 1
    none = calibrate(conf[:, :0], correct[:, -1:], Costs(backbone=(100,), heads=()), 0)
    assert none.thresholds == () and none.exit_rates == (1.0,) and none.expected_macs == 100
