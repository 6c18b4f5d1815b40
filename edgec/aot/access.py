"""What each output element of a kernel reads: the memory-access model the planner and
the verifier rely on.

For every input of a step, `first_reads` gives, per output element in the order the
kernel writes them, the lowest input element that output element reads (NONE when it
reads nothing from that input). Kernels write outputs in increasing order and write
an element only after every read it needs, so once element j is written, the only
input bytes still to be read are those read by elements after j: an output may
overlap its input as long as each write lands below that frontier.
"""

from __future__ import annotations

import numpy as np

NONE = np.iinfo(np.int64).max


def elementwise(n: int) -> np.ndarray:
    """Element j reads element j (also softmax rows, logistic, quantize, residual shortcuts)."""
    return np.arange(n, dtype=np.int64)


def broadcast(out_shape, strides) -> np.ndarray:
    """Broadcasting element-wise op: element j reads the input at sum(index * stride)."""
    index = np.indices(out_shape, dtype=np.int64).reshape(len(out_shape), -1)
    return (index * np.asarray(strides, dtype=np.int64)[:, None]).sum(axis=0)


def _first_in_window(out_size: int, stride: int, pad: int, dilation: int, kernel: int,
                     in_size: int) -> np.ndarray:
    """Per output position, the first input position its window reads (-1: none)."""
    origin = np.arange(out_size, dtype=np.int64) * stride - pad
    taps = origin[:, None] + np.arange(kernel, dtype=np.int64)[None, :] * dilation
    inside = (taps >= 0) & (taps < in_size)
    first = np.where(inside, taps, NONE).min(axis=1)
    return np.where(first == NONE, -1, first)


def window(g: dict, per_channel_input: bool) -> np.ndarray:
    """Convolution, depthwise convolution and pooling over NHWC.

    Output element (b, oy, ox, c) reads its window's pixels; a convolution reads every
    input channel of them (its first read is channel 0 of the first pixel), a
    depthwise convolution or pooling reads only its own input channel.
    """
    fy = _first_in_window(g["out_h"], g["stride_h"], g["pad_h"], g["dilation_h"], g["k_h"], g["in_h"])
    fx = _first_in_window(g["out_w"], g["stride_w"], g["pad_w"], g["dilation_w"], g["k_w"], g["in_w"])
    b = np.arange(g["batches"], dtype=np.int64)[:, None, None]
    pixel = (b * g["in_h"] + fy[None, :, None]) * g["in_w"] + fx[None, None, :]
    valid = (fy[None, :, None] >= 0) & (fx[None, None, :] >= 0) & (b >= 0)
    first = pixel * g["in_c"]
    out_c = g["out_c"]
    if per_channel_input:  # output channel oc reads input channel oc // multiplier
        channel = np.arange(out_c, dtype=np.int64) // g.get("depth_multiplier", 1)
    else:
        channel = np.zeros(out_c, dtype=np.int64)
    reads = first[..., None] + channel
    return np.where(valid[..., None], reads, NONE).reshape(-1)


def rows(batches: int, row_out: int, row_in: int) -> np.ndarray:
    """Fully connected: every output of a batch row reads that whole input row."""
    return np.repeat(np.arange(batches, dtype=np.int64) * row_in, row_out)


def reduction(dims, reduced) -> np.ndarray:
    """MEAN: each output reads its reduced sub-space; the first read is its base offset."""
    dims = [int(d) for d in dims]
    strides = np.cumprod([1] + dims[::-1][:-1])[::-1].astype(np.int64)
    kept = [d if not r else 1 for d, r in zip(dims, reduced)]
    index = np.indices(kept, dtype=np.int64).reshape(len(dims), -1)
    return (index * strides[:, None]).sum(axis=0)


def padding(in_dims, out_dims, before) -> np.ndarray:
    """PAD: an output element inside the copied region reads one input element."""
    in_dims = np.asarray(in_dims, dtype=np.int64)
    index = np.indices(out_dims, dtype=np.int64).reshape(len(out_dims), -1)
    src = index - np.asarray(before, dtype=np.int64)[:, None]
    inside = ((src >= 0) & (src < in_dims[:, None])).all(axis=0)
    strides = np.cumprod(np.concatenate([[1], in_dims[::-1][:-1]]))[::-1]
    return np.where(inside, (src * strides[:, None]).sum(axis=0), NONE)


def concatenation(outer: int, sizes: list[int], which: int) -> np.ndarray:
    """CONCATENATION: output bytes copy input `which`'s slices, outer index by outer index."""
    total = sum(sizes)
    out = np.full((outer, total), NONE, dtype=np.int64)
    start = sum(sizes[:which])
    out[:, start:start + sizes[which]] = (np.arange(outer, dtype=np.int64)[:, None] * sizes[which]
                                          + np.arange(sizes[which], dtype=np.int64)[None, :])
    return out.reshape(-1)


def later_frontier(first_reads_bytes: np.ndarray) -> np.ndarray:
    """Per output element j, the lowest input byte read by any element after j (NONE if none)."""
    n = len(first_reads_bytes)
    frontier = np.full(n, NONE, dtype=np.int64)
    if n > 1:
        suffix = np.minimum.accumulate(first_reads_bytes[::-1])[::-1]
        frontier[:-1] = suffix[1:]
    return frontier


def overlap_gap(first_reads_bytes: np.ndarray, out_elem_bytes: int) -> int | None:
    """The least D such that the output may start D bytes below the input's start
    (a_out <= a_in - D) without clobbering anything still to be read; None when any
    placement is safe (no element reads after another's write)."""
    frontier = later_frontier(first_reads_bytes)
    ends = (np.arange(len(frontier), dtype=np.int64) + 1) * out_elem_bytes
    mask = frontier != NONE
    if not mask.any():
        return None
    return int((ends[mask] - frontier[mask]).max())
