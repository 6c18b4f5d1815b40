"""Ranking filters by the norm of their weights and choosing which to keep.

A filter's score is the L1 or L2 norm of its kernel slice. A group made by several layers
(a residual block's shortcut and its last convolution) sums their scores, each layer's
first divided by its mean so that no layer dominates by the scale of its weights alone.
The same normalisation makes scores of different groups comparable for a global ratio.
"""

from __future__ import annotations

import math

import numpy as np

from edgec.pruning.graph import ChannelGraph

NORMS = ("l1", "l2")
SCOPES = ("layer", "global")
#: With a global ratio, no group is cut below this share of its channels.
GLOBAL_MIN_KEEP = 0.1


def filter_norms(kernel: np.ndarray, norm: str) -> np.ndarray:
    """One norm per output channel of a Conv/Dense kernel shaped [..., in, out]."""
    flat = np.abs(kernel.reshape(-1, kernel.shape[-1]).astype(np.float64))
    return flat.sum(axis=0) if norm == "l1" else np.sqrt((flat ** 2).sum(axis=0))


def group_scores(graph: ChannelGraph, model, norm: str) -> dict[int, np.ndarray]:
    """Scores of every prunable group's channels, with mean 1 in each group."""
    scores = {}
    for root in graph.prunable():
        total = np.zeros(graph.sizes[root])
        for name in graph.producers(root):
            norms = filter_norms(model.get_layer(name).get_weights()[0], norm)
            mean = norms.mean()
            total += norms / mean if mean > 0 else norms
        mean = total.mean()
        scores[root] = total / mean if mean > 0 else total
    return scores


def _top(scores: np.ndarray, keep: int) -> np.ndarray:
    order = np.argsort(-scores, kind="stable")  # highest first; ties keep the lower index
    return np.sort(order[:keep])


def select(scores: dict[int, np.ndarray], ratio: float, scope: str) -> dict[int, np.ndarray]:
    """The channel indices each group keeps, sorted.

    layer: every group loses round(ratio * n) channels (keeping at least one).
    global: the lowest-scoring round(ratio * N) channels of all groups together go, but no
    group keeps fewer than GLOBAL_MIN_KEEP of its channels (and at least one).
    """
    if scope == "layer":
        return {root: _top(s, max(1, len(s) - round(ratio * len(s)))) for root, s in scores.items()}
    total = sum(len(s) for s in scores.values())
    target = round(ratio * total)
    keep = {root: len(s) for root, s in scores.items()}
    floor = {root: max(1, math.ceil(GLOBAL_MIN_KEEP * len(s))) for root, s in scores.items()}
    candidates = sorted(((float(v), root, i) for root, s in scores.items() for i, v in enumerate(s)))
    removed: dict[int, set[int]] = {root: set() for root in scores}
    for value, root, index in candidates:
        if target <= 0:
            break
        if keep[root] > floor[root]:
            removed[root].add(index)
            keep[root] -= 1
            target -= 1
    return {root: np.array([i for i in range(len(s)) if i not in removed[root]], dtype=np.int64)
            for root, s in scores.items()}
