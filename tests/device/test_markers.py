"""Turning marker hits into per-inference instructions (pure Python, exact arithmetic)."""

from __future__ import annotations

from edgec.device.markers import Marker, inferences
from edgec.device.plugin import Counts

MARKERS = (Marker(0x100, -2, "edgec:invoke"), Marker(0x200, 0, "CONV_2D"), Marker(0x210, 1, "RELU"),
           Marker(0x220, -1, "end"), Marker(0x104, -3, "edgec:return"))


def test_instructions_between_markers_per_op_and_per_inference():
    # invoke@1000, op0@1010, op1@1510, end@1530, return@1535; then a second inference
    hits = ((0, 1000), (1, 1010), (2, 1510), (3, 1530), (4, 1535),
            (0, 2000), (1, 2010), (2, 2600), (3, 2620), (4, 2625))
    first, second = inferences(Counts(hits, total=3000), MARKERS)
    assert first.instructions == 535
    assert [(op.index, op.op, op.instructions) for op in first.per_op] == [(0, "CONV_2D", 500),
                                                                           (1, "RELU", 20)]
    assert first.outside_ops == 15
    assert second.instructions == 625 and second.per_op[0].instructions == 590


def test_an_op_marked_twice_in_one_inference_is_summed():
    hits = ((0, 0), (1, 10), (2, 20), (1, 30), (2, 45), (3, 50), (4, 52))
    (only,) = inferences(Counts(hits, total=60), MARKERS)
    assert [(op.op, op.instructions) for op in only.per_op] == [("CONV_2D", 25), ("RELU", 15)]
    assert only.instructions == 52


def test_hits_outside_an_inference_are_ignored():
    assert inferences(Counts(((1, 5), (2, 9)), total=10), MARKERS) == []
