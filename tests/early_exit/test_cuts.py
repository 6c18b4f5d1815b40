"""Where a model can be cut: clean cut points and block boundaries of real Keras graphs."""

from __future__ import annotations

import pytest

from edgec.early_exit.cuts import CutPoint, cut_points, named_cuts, parse_exits, pick_even
from edgec.errors import ModelError
from edgec.zoo import build_mlperf_tiny


def _by_kind(model) -> dict[str, list[str]]:
    """Layer names by class, in model order (Keras numbers names per session)."""
    kinds: dict[str, list[str]] = {}
    for layer in model.layers:
        kinds.setdefault(type(layer).__name__, []).append(layer.name)
    return kinds


def test_resnet8_cuts_between_blocks_only(keras):
    model = build_mlperf_tiny("ic", keras)
    relu, conv, bn, add = (_by_kind(model)[k] for k in ("ReLU", "Conv2D", "BatchNormalization", "Add"))
    cuts = {c.layer: c for c in cut_points(model)}
    boundaries = [c.layer for c in cut_points(model) if c.block_boundary]
    # after the stem and after each residual block's Add + ReLU; then the classifier's tail
    assert boundaries[:4] == [relu[0], relu[2], relu[4], relu[6]]
    assert cuts[relu[2]].shape == (32, 32, 16) and cuts[relu[4]].shape == (16, 16, 32)
    # clean, but followed by a layer the converter fuses into it: not a block boundary
    for fused in (conv[0], bn[0], add[0], add[1]):
        assert not cuts[fused].block_boundary
    # inside a residual block the skip connection crosses: no cut at all
    for inside in (conv[1], relu[1], bn[2], conv[3], conv[5]):
        assert inside not in cuts
    assert model.layers[-1].name not in cuts  # the output


def test_sequential_model_cuts_everywhere(keras):
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, name="c1"),
                              keras.layers.ReLU(name="r1"), keras.layers.Flatten(name="f"),
                              keras.layers.Dense(3, name="d")])
    cuts = cut_points(model)
    assert [(c.layer, c.block_boundary) for c in cuts] == [("c1", False), ("r1", True), ("f", True)]


def test_named_cuts_are_sorted_and_checked(keras):
    model = build_mlperf_tiny("ic", keras)
    relu, conv = _by_kind(model)["ReLU"], _by_kind(model)["Conv2D"]
    assert [c.layer for c in named_cuts(model, [relu[4], relu[2]])] == [relu[2], relu[4]]
    with pytest.raises(ModelError, match="does not have: nope") as bad:
        named_cuts(model, [relu[2], "nope"])
    assert relu[2] in bad.value.hint  # the hint lists the clean cut points
    with pytest.raises(ModelError, match=f"'{conv[1]}' is not a clean cut point.*cross"):
        named_cuts(model, [conv[1]])
    with pytest.raises(ModelError, match="model's output"):
        named_cuts(model, [model.layers[-1].name])
    with pytest.raises(ModelError, match="more than once"):
        named_cuts(model, [relu[2], relu[2]])


def test_parse_exits():
    assert parse_exits("auto") == ("auto", 3)
    assert parse_exits("auto:2") == ("auto", 2)
    assert parse_exits(" a, b ") == ["a", "b"]
    for bad in ("", "a,,b", "auto:0", "auto:x", "auto:9"):
        with pytest.raises(ValueError):
            parse_exits(bad)


def test_pick_even_snaps_to_boundaries_at_even_mac_shares():
    cuts = [CutPoint(name, i, (4, 4, 4), boundary) for i, (name, boundary) in
            enumerate([("a", True), ("b", True), ("c", False), ("d", True), ("e", True)])]
    shares = {"a": 0.02, "b": 0.3, "c": 0.5, "d": 0.55, "e": 0.95}
    # goals 1/4, 1/2, 3/4: b (0.3), d (0.55, c is no boundary), d again; a and e are too close
    # to either end
    assert [c.layer for c in pick_even(cuts, shares, 3)] == ["b", "d"]
    assert [c.layer for c in pick_even(cuts, shares, 1)] == ["d"]
