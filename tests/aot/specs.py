"""Hypothesis strategies: random single-op int8 models, one per TFLite Micro kernel.

Each strategy draws shapes, strides, paddings, dilations, activations and
quantization parameters, and returns the .tflite bytes (built with tests.aot.graphs).
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from tests.aot.graphs import ACT, PAD, Graph, conv_op

activations = st.sampled_from(["NONE", "RELU", "RELU6", "RELU_N1_TO_1"])
zero_points = st.integers(-128, 127)
scales = st.floats(0.002, 0.2)


def _rng(draw) -> np.random.Generator:
    return np.random.default_rng(draw(st.integers(0, 2**32 - 1)))


def _out_size(padding: str, size: int, k: int, stride: int, dilation: int) -> int:
    eff = (k - 1) * dilation + 1
    return (size + stride - 1) // stride if padding == "SAME" else (size + stride - eff) // stride


@st.composite
def conv(draw, depthwise: bool = False):
    n, h, w = draw(st.integers(1, 2)), draw(st.integers(1, 9)), draw(st.integers(1, 9))
    c = draw(st.integers(1, 8))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    padding = draw(st.sampled_from(["SAME", "VALID"]))
    oh, ow = _out_size(padding, h, kh, sh, dh), _out_size(padding, w, kw, sw, dw)
    assume(oh > 0 and ow > 0)
    if depthwise:
        mult = draw(st.integers(1, 3))
        oc = c * mult
        fshape, axis = (1, kh, kw, oc), 3
    else:
        groups = draw(st.sampled_from([g for g in (1, 2) if c % g == 0]))
        oc = draw(st.integers(1, 4)) * groups
        fshape, axis = (oc, kh, kw, c // groups), 0
    rng = _rng(draw)
    s_in, s_out = draw(scales), draw(scales)
    per_channel = depthwise or draw(st.booleans())  # TFLM's depthwise needs per-channel scales
    f_scales = rng.uniform(0.002, 0.05, oc if per_channel else 1)
    g = Graph()
    x = g.tensor((n, h, w, c), scale=s_in, zero_point=draw(zero_points))
    f = g.tensor(fshape, scale=f_scales, zero_point=0, axis=axis,
                 data=rng.integers(-127, 128, fshape, dtype=np.int8))
    inputs = [x, f]
    if depthwise or draw(st.booleans()):  # TFLM's depthwise kernel crashes without a bias
        inputs.append(g.tensor((oc,), "int32", scale=s_in * f_scales, zero_point=0,
                               data=rng.integers(-2**14, 2**14, oc, dtype=np.int32)))
    else:
        inputs.append(-1)
    y = g.tensor((n, oh, ow, oc), scale=s_out, zero_point=draw(zero_points))
    conv_op(g, inputs, y, depthwise=depthwise, padding=padding, strides=(sh, sw),
            dilations=(dh, dw), activation=ACT[draw(activations)], multiplier=oc // c)
    return g.finish([x], [y])


@st.composite
def fully_connected(draw):
    batches, accum, out = draw(st.integers(1, 3)), draw(st.integers(1, 40)), draw(st.integers(1, 20))
    rng = _rng(draw)
    s_in = draw(scales)
    per_channel = draw(st.booleans())
    f_scales = rng.uniform(0.002, 0.05, out if per_channel else 1)
    g = Graph()
    x = g.tensor((batches, accum), scale=s_in, zero_point=draw(zero_points))
    f = g.tensor((out, accum), scale=f_scales, zero_point=0,
                 data=rng.integers(-127, 128, (out, accum), dtype=np.int8))
    b = g.tensor((out,), "int32", scale=s_in * f_scales, zero_point=0,
                 data=rng.integers(-2**14, 2**14, out, dtype=np.int32)) if draw(st.booleans()) else -1
    y = g.tensor((batches, out), scale=draw(scales), zero_point=draw(zero_points))
    g.op("FULLY_CONNECTED", [x, f, b], [y],
         g.options("FullyConnectedOptions", fusedActivationFunction=ACT[draw(activations)]),
         "FullyConnectedOptions")
    return g.finish([x], [y])


@st.composite
def pool(draw, kind: str):
    n, h, w, c = draw(st.integers(1, 2)), draw(st.integers(1, 9)), draw(st.integers(1, 9)), draw(st.integers(1, 5))
    fh, fw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["SAME", "VALID"]))
    oh, ow = _out_size(padding, h, fh, sh, 1), _out_size(padding, w, fw, sw, 1)
    assume(oh > 0 and ow > 0)
    s, zp = draw(scales), draw(zero_points)
    g = Graph()
    x = g.tensor((n, h, w, c), scale=s, zero_point=zp)
    y = g.tensor((n, oh, ow, c), scale=s, zero_point=zp)
    g.op(kind, [x], [y], g.options("Pool2DOptions", padding=PAD[padding], strideW=sw, strideH=sh,
                                   filterWidth=fw, filterHeight=fh,
                                   fusedActivationFunction=ACT[draw(activations)]), "Pool2DOptions")
    return g.finish([x], [y])


@st.composite
def binary(draw, kind: str):
    rank = draw(st.integers(1, 4))
    out = [draw(st.integers(1, 5)) for _ in range(rank)]
    keep = [draw(st.sampled_from(["both", "first", "second"])) for _ in out]
    shapes = [[d if k in ("both", which) else 1 for d, k in zip(out, keep)]
              for which in ("first", "second")]
    for i, shape in enumerate(shapes):  # leading 1s may be left out: they broadcast too
        lead = next((j for j, d in enumerate(shape) if d != 1), len(shape))
        shapes[i] = shape[draw(st.integers(0, lead)):] or [1]
    if draw(st.booleans()):
        shapes = [out, out]
    g = Graph()
    a = g.tensor(shapes[0], scale=draw(scales), zero_point=draw(zero_points))
    b = g.tensor(shapes[1], scale=draw(scales), zero_point=draw(zero_points))
    y = g.tensor(out, scale=draw(scales), zero_point=draw(zero_points))
    options = "AddOptions" if kind == "ADD" else "MulOptions"
    g.op(kind, [a, b], [y], g.options(options, fusedActivationFunction=ACT[draw(activations)]), options)
    return g.finish([a, b], [y])


@st.composite
def softmax(draw):
    shape = [draw(st.integers(1, 3)), draw(st.integers(1, 40))]
    g = Graph()
    x = g.tensor(shape, scale=draw(st.floats(0.005, 0.5)), zero_point=draw(zero_points))
    y = g.tensor(shape, scale=1 / 256, zero_point=-128)
    g.op("SOFTMAX", [x], [y], g.options("SoftmaxOptions", beta=draw(st.sampled_from([1.0, 0.5, 2.0]))),
         "SoftmaxOptions")
    return g.finish([x], [y])


@st.composite
def logistic(draw):
    shape = [draw(st.integers(1, 6)) for _ in range(draw(st.integers(1, 3)))]
    g = Graph()
    x = g.tensor(shape, scale=draw(st.floats(0.005, 0.5)), zero_point=draw(zero_points))
    y = g.tensor(shape, scale=1 / 256, zero_point=-128)
    g.op("LOGISTIC", [x], [y])
    return g.finish([x], [y])


@st.composite
def mean(draw):
    rank = draw(st.integers(1, 4))
    shape = [draw(st.integers(1, 6)) for _ in range(rank)]
    axes = sorted(draw(st.sets(st.integers(0, rank - 1), min_size=1)))
    keep = draw(st.booleans())
    out = [1 if i in axes else d for i, d in enumerate(shape)] if keep else \
        [d for i, d in enumerate(shape) if i not in axes]
    negative = draw(st.booleans())
    g = Graph()
    x = g.tensor(shape, scale=draw(scales), zero_point=draw(zero_points))
    ax = g.tensor((len(axes),), "int32", data=np.array([a - rank if negative else a for a in axes],
                                                        dtype=np.int32))
    same = draw(st.booleans())
    y = g.tensor(out, scale=g.tensors[x].quantization.scale[0] if same else draw(scales),
                 zero_point=g.tensors[x].quantization.zeroPoint[0] if same else draw(zero_points))
    g.op("MEAN", [x, ax], [y], g.options("ReducerOptions", keepDims=keep), "ReducerOptions")
    return g.finish([x], [y])


@st.composite
def pad(draw, v2: bool = False):
    rank = draw(st.integers(1, 4))
    shape = [draw(st.integers(1, 5)) for _ in range(rank)]
    pads = [[draw(st.integers(0, 3)), draw(st.integers(0, 3))] for _ in range(rank)]
    s, zp = draw(scales), draw(zero_points)
    g = Graph()
    x = g.tensor(shape, scale=s, zero_point=zp)
    p = g.tensor((rank, 2), "int32", data=np.array(pads, dtype=np.int32))
    y = g.tensor([d + a + b for d, (a, b) in zip(shape, pads)], scale=s, zero_point=zp)
    if v2:
        v = g.tensor((1,), scale=s, zero_point=zp, data=np.array([draw(zero_points)], dtype=np.int8))
        g.op("PADV2", [x, p, v], [y], g.options("PadV2Options"), "PadV2Options")
    else:
        g.op("PAD", [x, p], [y], g.options("PadOptions"), "PadOptions")
    return g.finish([x], [y])


@st.composite
def concatenation(draw):
    rank = draw(st.integers(1, 4))
    base = [draw(st.integers(1, 4)) for _ in range(rank)]
    axis = draw(st.integers(0, rank - 1))
    count = draw(st.integers(2, 3))
    shapes = [base[:axis] + [draw(st.integers(1, 4))] + base[axis + 1:] for _ in range(count)]
    s, zp = draw(scales), draw(zero_points)
    g = Graph()
    ins = [g.tensor(sh, scale=s, zero_point=zp) for sh in shapes]
    out = base[:axis] + [sum(sh[axis] for sh in shapes)] + base[axis + 1:]
    y = g.tensor(out, scale=s, zero_point=zp)
    g.op("CONCATENATION", ins, [y], g.options("ConcatenationOptions",
                                              axis=axis - rank if draw(st.booleans()) else axis),
         "ConcatenationOptions")
    return g.finish(ins, [y])


@st.composite
def quantize(draw):
    shape = [draw(st.integers(1, 6)) for _ in range(draw(st.integers(1, 3)))]
    g = Graph()
    source = draw(st.sampled_from(["float32", "int8"]))
    x = g.tensor(shape, source, scale=None if source == "float32" else draw(scales),
                 zero_point=draw(zero_points))
    y = g.tensor(shape, scale=draw(scales), zero_point=draw(zero_points))
    g.op("QUANTIZE", [x], [y])
    return g.finish([x], [y])


@st.composite
def dequantize(draw):
    shape = [draw(st.integers(1, 6)) for _ in range(draw(st.integers(1, 3)))]
    g = Graph()
    x = g.tensor(shape, scale=draw(scales), zero_point=draw(zero_points))
    y = g.tensor(shape, "float32")
    g.op("DEQUANTIZE", [x], [y])
    return g.finish([x], [y])


OPS = {
    "CONV_2D": conv(), "DEPTHWISE_CONV_2D": conv(depthwise=True),
    "FULLY_CONNECTED": fully_connected(), "AVERAGE_POOL_2D": pool("AVERAGE_POOL_2D"),
    "MAX_POOL_2D": pool("MAX_POOL_2D"), "ADD": binary("ADD"), "MUL": binary("MUL"),
    "SOFTMAX": softmax(), "LOGISTIC": logistic(), "MEAN": mean(), "PAD": pad(),
    "PADV2": pad(v2=True), "CONCATENATION": concatenation(), "QUANTIZE": quantize(),
    "DEQUANTIZE": dequantize(),
}
