"""The memory plan: the verifier rejects unsafe plans and accepts every real one; the
access model the planner relies on matches a brute-force walk of the kernels' loops."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgec.aot import access, planner, schedule
from edgec.aot.memory import overlap_gaps, plan_memory
from edgec.aot.verify import PlanError, verify
from edgec.errors import UnsupportedOpError
from edgec.tflite import read_model
from tests.aot.graphs import Graph


@pytest.fixture(scope="module")
def ic(mlperf_tflites):
    graph = read_model(mlperf_tflites["ic"]).main
    sched = schedule.build(graph)
    return graph, sched, plan_memory(sched, graph)


@pytest.mark.parametrize("name", ["kws", "vww", "ic", "ad"])
def test_verifier_accepts_every_real_plan(mlperf_tflites, name):
    graph = read_model(mlperf_tflites[name]).main
    for fuse in (False, True):
        sched = schedule.build(graph, fuse=fuse)
        plan = plan_memory(sched, graph)  # runs verify(); raises on a bad plan
        verify(sched, graph, plan.offsets, plan.activation_bytes)
        assert plan.activation_bytes <= sum(b.size for b in sched.buffers.values())


def test_verifier_rejects_two_live_tensors_at_one_offset(ic):
    graph, sched, plan = ic
    lifetimes = sched.lifetimes()
    # the fused residual step reads its input and its shortcut: both live, never overlapping
    step = next(s for s, k in enumerate(sched.kernels) if k.residual is not None)
    k = sched.kernels[step]
    a, b = sched.buffer_of[k.inputs[0]], sched.buffer_of[k.residual["shortcut"]]
    assert lifetimes[a][0] <= step <= lifetimes[a][1] and lifetimes[b][0] <= step <= lifetimes[b][1]
    bad = dict(plan.offsets)
    bad[b] = bad[a]
    with pytest.raises(PlanError, match="live together and overlap|over input bytes still"):
        verify(sched, graph, bad, plan.activation_bytes + max(x.size for x in sched.buffers.values()))


def test_verifier_rejects_an_output_that_overtakes_its_input(ic):
    """An output may start below its input by the access model's gap; 4 bytes less is unsafe."""
    graph, sched, plan = ic
    gaps = {pair: gap for pair, gap in overlap_gaps(sched, graph).items() if gap and gap > 0}
    (x, y), gap = max(gaps.items(), key=lambda kv: kv[1])
    bad = {b: o + 1_000_000 for b, o in plan.offsets.items()}  # room to move, same relations
    for b in bad:
        if b not in (x, y):
            bad[b] = 10 * 1_000_000 + plan.offsets[b] + 100_000 * b  # out of the way
    bad[y] = bad[x] - gap
    verify(sched, graph, bad, max(o + sched.buffers[b].size for b, o in bad.items()))
    bad[y] = bad[x] - gap + planner.ALIGN
    with pytest.raises(PlanError, match="writes output element"):
        verify(sched, graph, bad, max(o + sched.buffers[b].size for b, o in bad.items()))


def test_verifier_rejects_a_plan_outside_the_buffer(ic):
    graph, sched, plan = ic
    with pytest.raises(PlanError, match="outside"):
        verify(sched, graph, plan.offsets, plan.activation_bytes - planner.ALIGN)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.integers(1, 2), st.integers(1, 7), st.integers(1, 7), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.integers(1, 2),
       st.integers(1, 2), st.integers(0, 2), st.integers(0, 2), st.booleans(), st.integers(1, 2))
def test_window_access_model_matches_the_kernel_loops(n, h, w, c, oc, kh, kw, sh, sw, dh, dw, ph, pw,
                                                     depthwise, mult):
    """The first input element each output element reads, by walking the loops."""
    out_c = c * mult if depthwise else oc
    oh = max((h + 2 * ph - ((kh - 1) * dh + 1)) // sh + 1, 1)
    ow = max((w + 2 * pw - ((kw - 1) * dw + 1)) // sw + 1, 1)
    g = {"batches": n, "in_h": h, "in_w": w, "in_c": c, "out_h": oh, "out_w": ow, "out_c": out_c,
         "k_h": kh, "k_w": kw, "stride_h": sh, "stride_w": sw, "dilation_h": dh, "dilation_w": dw,
         "pad_h": ph, "pad_w": pw, "depth_multiplier": mult if depthwise else 1}
    expected = []
    for b in range(n):
        for y in range(oh):
            for x in range(ow):
                for o in range(out_c):
                    reads = [((b * h + y * sh - ph + ky * dh) * w + x * sw - pw + kx * dw) * c + ic
                             for ky in range(kh) for kx in range(kw)
                             for ic in ([o // g["depth_multiplier"]] if depthwise else range(c))
                             if 0 <= y * sh - ph + ky * dh < h and 0 <= x * sw - pw + kx * dw < w]
                    expected.append(min(reads) if reads else access.NONE)
    got = access.window(g, per_channel_input=depthwise)
    np.testing.assert_array_equal(got, np.array(expected, dtype=np.int64))


def test_gap_of_elementwise_is_zero_and_of_fully_connected_is_the_output():
    assert access.overlap_gap(access.elementwise(10), 1) == 0  # fully in place
    assert access.overlap_gap(access.elementwise(10), 4) == 27  # float output: 4 bytes per byte read
    assert access.overlap_gap(access.rows(1, 5, 8), 1) == 4  # all but the last write precede reads
    assert access.overlap_gap(access.rows(1, 1, 8), 1) is None  # one output: reads come first


def test_op_without_kernel_is_an_unsupported_op_error_naming_it():
    g = Graph()
    x = g.tensor((1, 4), scale=0.1, zero_point=0)
    y = g.tensor((1, 4), scale=1 / 128, zero_point=0)
    g.op("TANH", [x], [y])
    with pytest.raises(UnsupportedOpError, match="op TANH at index 0 cannot be compiled ahead of time"):
        schedule.build(read_model(g.finish([x], [y])).main)
