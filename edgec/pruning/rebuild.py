"""Rebuilding a smaller dense model: the same architecture with fewer filters, and the kept
slices of the trained weights.

The new model is made from the old one's config (so it stays a plain Sequential or
Functional tf_keras model that saves, loads and converts like any other), with each
producer's `filters` / `units` set to the channels it keeps. Every layer then gets the
old weights sliced to the kept output channels and the kept input channels (rows, for a
Dense layer after Flatten).
"""

from __future__ import annotations

import copy

import numpy as np

from edgec.errors import InternalError
from edgec.pruning.graph import PRODUCERS, ChannelGraph, Node


def _slice(node: Node, weights: list[np.ndarray], keep_in: np.ndarray, keep_out: np.ndarray,
           channels_in: int) -> list[np.ndarray]:
    if node.kind in PRODUCERS:
        kernel = weights[0][..., keep_in, :][..., keep_out]
        return [kernel] + [w[keep_out] for w in weights[1:]]  # bias
    if node.kind in ("DepthwiseConv1D", "DepthwiseConv2D"):
        return [weights[0][..., keep_in, :]] + [w[keep_in] for w in weights[1:]]
    if node.kind == "BatchNormalization":
        return [w[keep_in] for w in weights]
    if node.kind == "PReLU":
        return [w[..., keep_in] if w.shape[-1] == channels_in else w for w in weights]
    return weights


def rebuild(model, graph: ChannelGraph, kept: dict[int, np.ndarray]):
    """A new model with only the kept channels of each group, weights copied."""
    keep = {}  # layer name -> (kept input indices, kept output indices, input channels)
    for node in graph.nodes:
        if node.layer is None:
            continue
        source = graph.layouts[node.inputs[0]] if node.inputs else graph.layouts[node.name]
        out = graph.layouts[node.name]
        keep[node.name] = (graph.kept_indices(source, kept), graph.kept_indices(out, kept),
                           graph.channels(source) * source.positions)

    config = copy.deepcopy(model.get_config())
    for entry in config["layers"]:
        name = entry["config"]["name"]
        if entry["class_name"] in PRODUCERS and name in keep:
            entry["config"][PRODUCERS[entry["class_name"]]] = int(len(keep[name][1]))
    smaller = type(model).from_config(config)

    by_name = {node.name: node for node in graph.nodes}
    for layer in model.layers:
        weights = layer.get_weights()
        if not weights:
            continue
        keep_in, keep_out, channels_in = keep[layer.name]
        smaller.get_layer(layer.name).set_weights(
            _slice(by_name[layer.name], weights, keep_in, keep_out, channels_in))

    before = [tuple(t.shape[1:]) for t in model.outputs]
    after = [tuple(t.shape[1:]) for t in smaller.outputs]
    if before != after:
        raise InternalError(f"pruning changed the model's outputs from {before} to {after}")
    return smaller
