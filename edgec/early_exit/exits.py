"""Choosing the exits: the layers the user named, or block boundaries at even MAC shares."""

from __future__ import annotations

import numpy as np

from edgec.early_exit.cuts import CutPoint, cut_points, named_cuts, parse_exits, pick_even
from edgec.early_exit.split import StagedGraph
from edgec.errors import ModelError

PROBE_SAMPLES = 8


def choose_exits(keras_model, spec: str, samples: np.ndarray) -> list[CutPoint]:
    """The cut points for `--exits` (`auto`, `auto:N` or layer names); ModelError when none fit."""
    try:
        parsed = parse_exits(spec)
    except ValueError as exc:
        raise ModelError(f"--exits {exc}", hint="use auto, auto:N or LAYER,LAYER,...")
    if isinstance(parsed, list):
        return named_cuts(keras_model, parsed)
    _, count = parsed
    boundaries = [c for c in cut_points(keras_model) if c.block_boundary]
    chosen = pick_even(boundaries, mac_shares(keras_model, boundaries, samples), count)
    if not chosen:
        raise ModelError("the model has no block boundary to attach an early exit to",
                         hint="exits need a point where one tensor carries everything forward, "
                              "with MACs on both sides; name layers with --exits LAYER,...")
    return chosen


def mac_shares(keras_model, cuts: list[CutPoint], samples: np.ndarray) -> dict[str, float]:
    """Each cut's share of the model's MACs before it, counted on the INT8 flatbuffer of the
    model with the cut tensors as extra outputs (one conversion on a few samples)."""
    if not cuts:
        return {}
    from edgec.models import from_tf_keras
    from edgec.passes.quantize import convert_int8
    from edgec.tf_runtime import keras

    probe = keras().Model(keras_model.inputs,
                          [keras_model.get_layer(c.layer).output for c in cuts]
                          + list(keras_model.outputs))
    graph = StagedGraph(convert_int8(from_tf_keras(probe, "keras2", "probe"),
                                     samples[:PROBE_SAMPLES]))
    *at_cuts, final = graph.outputs()
    total = sum(graph.macs[o] for o in graph.ancestors(final)) or 1
    return {c.layer: sum(graph.macs[o] for o in graph.ancestors(t)) / total
            for c, t in zip(cuts, at_cuts)}
