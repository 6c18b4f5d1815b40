"""Confidence at an exit, and calibrating one threshold per exit.

An input leaves at exit k when the confidence of exit k's logits is at least exit k's
threshold. Confidence is computed from the int8 logits in fixed point with FRACTION_BITS
(30) fractional bits, so that generated C (edgec.aot.staged) computes the very same
integer and takes the same decision on every input:

- d_j = q_max - q_j (0..255 for int8 logits; the zero point cancels), and
  w_j = round(2^30 exp(-s d_j)) (s the logits' scale; `exp_weights`, a table of 256
  integers for C), so the largest logit weighs exactly 2^30;
- `softmax`: the largest softmax probability, floor(2^60 / sum_j w_j) / 2^30;
- `margin`: the largest probability minus the second largest,
  floor(2^30 (2^30 - w_second) / sum_j w_j) / 2^30.

Both lie in [0, 1] (within 2^-30 of the float64 softmax), so a threshold above 1 turns an
exit off. A confidence is an integer times 2^-30, exact in float64, so `conf >= t` equals
`conf * 2^30 >= ceil(t * 2^30)` in integers (`fixed_threshold`).

Calibration chooses, on validation data, the thresholds that minimise the expected MACs
per inference while the staged model's top-1 accuracy stays within the allowed drop of
the original's. Each exit's candidates are the confidences it produced on the data (a
threshold between two of them behaves like the upper one), plus "off"; an exit that is
off costs nothing, as its head is left out of the exported stages. The search is
exhaustive over the candidates (thinned to quantiles when there are too many to try).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

CONFIDENCES = ("softmax", "margin")
OFF = np.inf
MAX_COMBINATIONS = 1_000_000


FRACTION_BITS = 30
ONE = 1 << FRACTION_BITS


def exp_weights(scale: float, d: np.ndarray) -> np.ndarray:
    """round(2^30 exp(-scale d)) for logit differences d >= 0 (int64)."""
    x = -float(scale) * np.asarray(d, dtype=np.float64)
    return np.rint(np.exp(x) * ONE).astype(np.int64)


def fixed_confidence(levels: np.ndarray, kind: str, scale: float) -> np.ndarray:
    """Confidence times 2^30, an integer, of each row of integer logits (N, classes):
    the int8 values (or the values minus the zero point) of logits of scale `scale`."""
    q = np.asarray(levels, dtype=np.int64)
    w = exp_weights(scale, q.max(axis=1, keepdims=True) - q)
    total = w.sum(axis=1)
    if kind == "softmax":
        top = np.full(len(q), ONE, dtype=np.int64)
    elif kind == "margin":
        second = np.sort(w, axis=1)[:, -2] if w.shape[1] > 1 else np.zeros(len(q), np.int64)
        top = ONE - second
    else:
        raise ValueError(f"unknown confidence '{kind}'")
    return (top << FRACTION_BITS) // total


def confidence(logits: np.ndarray, kind: str, scale: float) -> np.ndarray:
    """Confidence (float64, a multiple of 2^-30) of each row of dequantized logits
    (N, classes) of scale `scale`: their integer levels are logits / scale rounded (exact
    for dequantized int8 values)."""
    levels = np.rint(np.asarray(logits, dtype=np.float64) / float(scale)).astype(np.int64)
    return fixed_confidence(levels, kind, scale).astype(np.float64) / ONE


def fixed_threshold(threshold: float) -> int:
    """The integer T with `confidence >= threshold` exactly when `confidence * 2^30 >= T`
    (confidence * 2^30 is an integer and threshold * 2^30 is exact in float64)."""
    return int(math.ceil(float(threshold) * ONE))


def exit_taken(conf: np.ndarray, thresholds) -> np.ndarray:
    """Index of the exit each input leaves at (len(thresholds) = through to the end)."""
    t = np.asarray(thresholds, dtype=np.float64)
    if t.size == 0:
        return np.zeros(len(conf), dtype=np.int64)
    fires = conf >= t[None, :]
    first = np.argmax(fires, axis=1)
    return np.where(fires.any(axis=1), first, len(t))


@dataclass(frozen=True)
class Costs:
    """MACs of the backbone up to each cut and to the end, and of each exit's head."""

    backbone: tuple[int, ...]  # cumulative: up to cut 0, ..., up to cut n-1, whole backbone
    heads: tuple[int, ...]

    def per_exit(self, thresholds) -> np.ndarray:
        """MACs spent by an input that leaves at exit k (k = n: at the end)."""
        enabled = np.array([t != OFF for t in thresholds], dtype=np.int64)
        heads = np.cumsum(np.array(self.heads, dtype=np.int64) * enabled)
        heads = np.append(heads, heads[-1] if len(heads) else 0)
        return np.array(self.backbone, dtype=np.int64) + heads


@dataclass(frozen=True)
class Calibration:
    thresholds: tuple[float, ...]  # per exit; OFF for an exit that is not worth its head
    exit_rates: tuple[float, ...]  # share of inputs leaving at each exit, then at the end
    expected_macs: float
    correct: int  # inputs the staged model gets right


def evaluate(conf: np.ndarray, correct: np.ndarray, costs: Costs, thresholds) -> Calibration:
    """The staged model with `thresholds` on data with per-exit confidences `conf` (N, n) and
    per-exit correctness `correct` (N, n + 1; the last column: the model's output)."""
    taken = exit_taken(conf, thresholds)
    spend = costs.per_exit(thresholds)[taken]
    rates = np.bincount(taken, minlength=conf.shape[1] + 1) / len(taken)
    return Calibration(
        thresholds=tuple(float(t) for t in thresholds), exit_rates=tuple(float(r) for r in rates),
        expected_macs=float(spend.mean()),
        correct=int(correct[np.arange(len(taken)), taken].sum()))


def calibrate(conf: np.ndarray, correct: np.ndarray, costs: Costs, required: int) -> Calibration:
    """The thresholds with the lowest expected MACs among those keeping at least `required`
    inputs right (ties: more right, then lower thresholds). All exits off always qualifies
    when `required` is at most what the model's output alone gets right; when nothing
    qualifies, the result is the one falling least short.

    Every combination of the first exits' candidates is tried; the last exit's candidates
    are evaluated for each of them at once, as arrays.
    """
    n = conf.shape[1]
    if n == 0:
        return evaluate(conf, correct, costs, [])
    per_exit = max(2, int(MAX_COMBINATIONS ** (1 / n)))
    candidates = [_candidates(conf[:, k], per_exit) for k in range(n)]
    best_key, best = None, None
    for prefix in _grid(candidates[:-1]):
        key, last = _best_last(conf, correct, costs, required, prefix, candidates[-1])
        if best_key is None or key < best_key:
            best_key, best = key, [*prefix, last]
    return evaluate(conf, correct, costs, best)


def _best_last(conf, correct, costs, required, prefix, last):
    """The best threshold for the last exit given the others', and its ranking key."""
    n, count = conf.shape[1], len(conf)
    taken = exit_taken(conf[:, :-1], prefix)  # n - 1: reaches the last exit
    going = taken == n - 1
    stopped = ~going
    on = costs.per_exit([*prefix, 0.0])
    off = costs.per_exit([*prefix, OFF])
    base_correct = int(correct[stopped, taken[stopped]].sum())
    base_macs = float(on[taken[stopped]].sum())  # exits before the last: cost the same either way
    fires = conf[going, -1][None, :] >= last[:, None]  # (candidates, inputs reaching it)
    right = base_correct + (fires & correct[going, n - 1]).sum(1) \
        + (~fires & correct[going, n]).sum(1)
    fired = fires.sum(1)
    is_off = np.isinf(last)
    macs = base_macs + np.where(is_off, going.sum() * off[n],
                                fired * on[n - 1] + (going.sum() - fired) * on[n])
    expected = macs / count
    short = np.maximum(required - right, 0)
    order = np.lexsort((last, -right, expected, short))  # last key sorts first
    j = int(order[0])
    key = (int(short[j]), float(expected[j]), -int(right[j]), tuple(prefix), float(last[j]))
    return key, float(last[j])


def _candidates(values: np.ndarray, limit: int) -> np.ndarray:
    unique = np.unique(values)
    if len(unique) > limit - 1:
        unique = np.unique(np.quantile(values, np.linspace(0, 1, limit - 1), method="lower"))
    return np.append(unique, OFF)


def _grid(candidates: list[np.ndarray]):
    """Every combination of one candidate per list (one empty combination for no lists)."""
    if not candidates:
        yield []
        return
    index = np.zeros(len(candidates), dtype=np.int64)
    sizes = [len(c) for c in candidates]
    while True:
        yield [float(c[i]) for c, i in zip(candidates, index)]
        k = len(index) - 1
        while k >= 0:
            index[k] += 1
            if index[k] < sizes[k]:
                break
            index[k] = 0
            k -= 1
        if k < 0:
            return
