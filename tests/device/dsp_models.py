"""Seeded random single-op int8 models for the DSP kernels (edgec/aot/simd.py): convolutions,
depthwise convolutions and fully connected layers, alone or with a residual ADD fused in.

The shapes aim at the variants' edges: channel counts around multiples of four (the
depthwise and fully connected blocks, the odd last output channel) and, for depthwise,
of eight (the Helium variant's vectors, 1 to 40 channels), odd pixel counts
(the last pixel of a convolution taken twice), 1x1 windows read in place, padding that
needs the input zero point, strides and dilations, and requantization shifts on both
sides of zero. A few models (grouped, depth multiplier 2) keep the portable kernel.
"""

from __future__ import annotations

import numpy as np

from tests.aot.graphs import ACT, Graph, conv_op


def _size(padding: str, size: int, k: int, stride: int, dilation: int) -> int:
    eff = (k - 1) * dilation + 1
    return (size + stride - 1) // stride if padding == "SAME" else (size + stride - eff) // stride


def _zero_point(rng) -> int:
    return int(rng.choice([-128, 127, 0, int(rng.integers(-128, 128))]))


def _activation(rng) -> int:
    return ACT[str(rng.choice(list(ACT)))]


def _residual(g: Graph, rng, y: int, shape, inputs: list[int]) -> tuple[list[int], int]:
    """ADD(y, shortcut) or ADD(shortcut, y), the shortcut a second graph input."""
    s = g.tensor(shape, scale=float(rng.uniform(0.01, 0.1)), zero_point=_zero_point(rng))
    out = g.tensor(shape, scale=float(rng.uniform(0.01, 0.1)), zero_point=_zero_point(rng))
    pair = [y, s] if rng.random() < 0.5 else [s, y]
    g.op("ADD", pair, [out], g.options("AddOptions", fusedActivationFunction=_activation(rng)),
         "AddOptions")
    return inputs + [s], out


def conv(rng, residual: bool = False, depthwise: bool = False, multiplier: int = 0) -> bytes:
    """multiplier: the depth multiplier of a depthwise convolution (0: 2 one time in 10, else 1)."""
    while True:
        n, h, w = int(rng.integers(1, 3)), int(rng.integers(1, 10)), int(rng.integers(1, 10))
        if depthwise:
            # around multiples of four (DSP words) and of eight (MVE vectors of int16)
            pick = rng.random()
            c = int(rng.choice([16, 32]) if pick < 0.2 else rng.integers(1, 8) if pick < 0.4
                    else rng.integers(8, 14) if pick < 0.55 else rng.integers(14, 41))
            k = int(rng.choice([1, 2, 3, 3, 3, 5]))
            kh = kw = k
            draw = rng.random()
            mult = multiplier or (2 if draw < 0.1 else 1)
            oc = c * mult
        else:
            direct = rng.random() < 0.3  # a 1x1 window read in place
            c = int(rng.choice([4, 8, 12])) if direct else int(rng.integers(1, 13))
            kh, kw = (1, 1) if direct else (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
            groups = 2 if (not direct and c % 2 == 0 and rng.random() < 0.1) else 1
            oc = int(rng.integers(1, 10)) * groups
        sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        dh, dw = int(rng.integers(1, 3)), int(rng.integers(1, 3))
        padding = str(rng.choice(["SAME", "VALID"]))
        oh, ow = _size(padding, h, kh, sh, dh), _size(padding, w, kw, sw, dw)
        if oh > 0 and ow > 0:
            break
    s_in, s_out = float(rng.uniform(0.002, 0.2)), float(rng.uniform(0.002, 0.2))
    per_channel = depthwise or rng.random() < 0.6
    f_scales = rng.uniform(0.002, 0.05, oc if per_channel else 1)
    g = Graph()
    x = g.tensor((n, h, w, c), scale=s_in, zero_point=_zero_point(rng))
    fshape = (1, kh, kw, oc) if depthwise else (oc, kh, kw, c // groups)
    f = g.tensor(fshape, scale=f_scales, zero_point=0, axis=3 if depthwise else 0,
                 data=rng.integers(-127, 128, fshape, dtype=np.int8))
    inputs = [x, f]
    if depthwise or rng.random() < 0.7:  # TFLM's depthwise kernel needs a bias
        inputs.append(g.tensor((oc,), "int32", scale=s_in * f_scales, zero_point=0,
                               data=rng.integers(-2**14, 2**14, oc, dtype=np.int32)))
    else:
        inputs.append(-1)
    shape = (n, oh, ow, oc)
    y = g.tensor(shape, scale=s_out, zero_point=_zero_point(rng))
    conv_op(g, inputs, y, depthwise=depthwise, padding=padding, strides=(sh, sw),
            dilations=(dh, dw), activation=_activation(rng), multiplier=oc // c)
    graph_inputs, out = ([x], y) if not residual else _residual(g, rng, y, shape, [x])
    return g.finish(graph_inputs, [out])


def fully_connected(rng, residual: bool = False) -> bytes:
    batches = int(rng.integers(1, 4))
    accum = int(rng.choice([int(rng.integers(1, 41)), 64, 72]))
    out_depth = int(rng.integers(1, 12))
    s_in = float(rng.uniform(0.002, 0.2))
    f_scales = rng.uniform(0.002, 0.05, out_depth if rng.random() < 0.5 else 1)
    g = Graph()
    x = g.tensor((batches, accum), scale=s_in, zero_point=_zero_point(rng))
    f = g.tensor((out_depth, accum), scale=f_scales, zero_point=0,
                 data=rng.integers(-127, 128, (out_depth, accum), dtype=np.int8))
    b = g.tensor((out_depth,), "int32", scale=s_in * f_scales, zero_point=0,
                 data=rng.integers(-2**14, 2**14, out_depth, dtype=np.int32)) \
        if rng.random() < 0.7 else -1
    shape = (batches, out_depth)
    y = g.tensor(shape, scale=float(rng.uniform(0.002, 0.2)), zero_point=_zero_point(rng))
    g.op("FULLY_CONNECTED", [x, f, b], [y],
         g.options("FullyConnectedOptions", fusedActivationFunction=_activation(rng)),
         "FullyConnectedOptions")
    graph_inputs, out = ([x], y) if not residual else _residual(g, rng, y, shape, [x])
    return g.finish(graph_inputs, [out])


def models(seed: int, count: int) -> list[bytes]:
    """`count` models of every kind (convolution, depthwise, fully connected), a quarter of
    them with a residual ADD; the second depthwise one has a depth multiplier of 2 (the
    portable kernel)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        residual = i % 4 == 3
        out += [conv(rng, residual), conv(rng, residual, depthwise=True, multiplier=2 * (i == 1)),
                fully_connected(rng, residual)]
    return out
