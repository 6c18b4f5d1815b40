"""Lowering: each op of an INT8 flatbuffer becomes one call of an in-house C kernel.

A `Kernel` holds what code generation and memory planning need: the C parameter
struct (TFLite Micro's prepare-time arithmetic done here, once, in Python), the
constant arrays, which tensors it reads and writes, and its memory-access model.
Ops outside the supported set raise UnsupportedOpError naming them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from edgec.aot import access, quant
from edgec.errors import ModelError, UnsupportedOpError
from edgec.tflite.model import Operator, Subgraph, Tensor, constant_array

#: Ops the AOT runtime generates code for (RESHAPE costs nothing: it aliases its input).
SUPPORTED_OPS = ("ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D",
                 "DEQUANTIZE", "FULLY_CONNECTED", "LOGISTIC", "MAX_POOL_2D", "MEAN", "MUL", "PAD",
                 "PADV2", "QUANTIZE", "RESHAPE", "SOFTMAX")
#: Kernel families whose int8 result can take a fused residual ADD as epilogue.
FUSABLE = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")
MAX_DIMS = 6


@dataclass
class CArray:
    name: str
    ctype: str  # "int8_t", "int32_t", ...
    values: np.ndarray
    role: str = "weights"  # "weights" (filters, biases), "requant" (multipliers, shifts), "params"


@dataclass
class Kernel:
    """One kernel call. `call` is a format string over {params}, {in0}.., {out},
    {residual}, {shortcut}, {scratch}; pointers are filled in once the memory plan is known."""

    index: int  # op index in the flatbuffer
    opcode: str
    inputs: list[int]  # tensors read, in the order of {in0}, {in1}, ...
    output: int
    params_type: str
    params: dict  # C struct fields -> int / str (C expression)
    call: str
    arrays: list[CArray] = field(default_factory=list)
    extra_decls: list[str] = field(default_factory=list)
    # first_reads[k](): per output element, first element of inputs[k] it reads
    first_reads: list[Callable[[], np.ndarray]] = field(default_factory=list)
    residual: dict | None = None  # set when an ADD is fused in: shortcut tensor, add params
    fused: list[int] = field(default_factory=list)  # indices of ops folded into this one
    flat: bool = False  # an element-wise op whose inputs and output share one shape
    scratch_bytes: int = 0  # of the model's scratch buffer ({scratch} in `call`) it uses

    @property
    def name(self) -> str:
        return f"op{self.index}"

    @property
    def label(self) -> str:
        return "+".join([self.opcode, *("ADD" for _ in self.fused)])


def _unsupported(op: Operator, why: str) -> UnsupportedOpError:
    return UnsupportedOpError(
        f"op {op.opcode} at index {op.index} cannot be compiled ahead of time: {why}",
        hint="build with the default runtime (--runtime tflm), or replace the layer; "
             f"--runtime aot compiles: {', '.join(SUPPORTED_OPS)}")


def _t(graph: Subgraph, op: Operator, slot: int) -> Tensor | None:
    if slot >= len(op.inputs) or op.inputs[slot] < 0:
        return None
    return graph.tensors[op.inputs[slot]]


def _need_int8(op: Operator, *tensors: Tensor) -> None:
    for t in tensors:
        if t.type != "int8":
            raise _unsupported(op, f"tensor '{t.name}' is {t.type}; only int8 activations are supported")
        if t.quantization is None:
            raise _unsupported(op, f"tensor '{t.name}' has no quantization parameters")
        if t.quantization.per_channel:
            raise _unsupported(op, f"activation '{t.name}' is quantized per channel")


def _nhwc(t: Tensor, op: Operator) -> tuple[int, int, int, int]:
    if len(t.shape) != 4:
        raise _unsupported(op, f"tensor '{t.name}' has shape {list(t.shape)}, expected NHWC")
    return tuple(int(d) for d in t.shape)


def _padding(padding: str, stride: int, dilation: int, in_size: int, k: int, op: Operator,
             out_size: int) -> int:
    """TFLite's output size and leading padding for SAME / VALID."""
    effective = (k - 1) * dilation + 1
    if padding == "SAME":
        expected = (in_size + stride - 1) // stride
    elif padding == "VALID":
        expected = (in_size + stride - effective) // stride
    else:
        raise _unsupported(op, f"padding {padding}")
    if expected != out_size:
        raise ModelError(f"op {op.opcode} at index {op.index}: output size {out_size} does not "
                         f"match its {padding} padding ({expected})",
                         hint="the flatbuffer is inconsistent; re-export it from the converter")
    return max((out_size - 1) * stride + effective - in_size, 0) // 2


def _weights(op: Operator, filt: Tensor, bias: Tensor | None, out_c: int, axis: int) -> tuple:
    if not filt.is_constant:
        raise _unsupported(op, "its weights are not constant")
    if filt.type != "int8":
        raise _unsupported(op, f"weights '{filt.name}' are {filt.type}; only int8 weights are supported")
    if filt.quantization is None:
        raise _unsupported(op, f"weights '{filt.name}' are not quantized")
    q = filt.quantization
    if q.per_channel and (q.scale.size != out_c or q.axis != axis):
        raise _unsupported(op, f"weights '{filt.name}' have {q.scale.size} scales along axis {q.axis}")
    filter_data = constant_array(filt, np.int8)
    bias_data = None
    if bias is not None:
        if bias.type != "int32" or not bias.is_constant:
            raise _unsupported(op, f"bias '{bias.name}' is {bias.type}; only constant int32 biases are supported")
        bias_data = constant_array(bias, np.int32)
        if bias_data.size != out_c:
            raise ModelError(f"op {op.opcode} at index {op.index}: bias has {bias_data.size} values "
                             f"for {out_c} channels", hint="re-export the model from the converter")
    return filter_data, bias_data


def _requant_arrays(name: str, op: Operator, graph: Subgraph, x: Tensor, filt: Tensor, y: Tensor,
                    filter_data: np.ndarray, bias_data) -> tuple[list[CArray], dict]:
    mults, shifts = quant.channel_multipliers(x, filt, y)
    arrays = [CArray(f"{name}_filter", "int8_t", filter_data.reshape(-1)),
              CArray(f"{name}_multiplier", "int32_t", np.array(mults, dtype=np.int64), "requant"),
              CArray(f"{name}_shift", "int32_t", np.array(shifts, dtype=np.int64), "requant")]
    fields = {"filter": f"{name}_filter", "multiplier": f"{name}_multiplier",
              "shift": f"{name}_shift", "per_channel": int(len(mults) > 1), "bias": "NULL"}
    if bias_data is not None:
        arrays.append(CArray(f"{name}_bias", "int32_t", bias_data.astype(np.int64)))
        fields["bias"] = f"{name}_bias"
    return arrays, fields


def _conv(op: Operator, graph: Subgraph) -> Kernel:
    x, filt, bias, y = _t(graph, op, 0), _t(graph, op, 1), _t(graph, op, 2), graph.tensors[op.outputs[0]]
    _need_int8(op, x, y)
    n, h, w, c = _nhwc(x, op)
    _, oh, ow, oc = _nhwc(y, op)
    if len(filt.shape) != 4 or filt.shape[0] != oc or c % filt.shape[3]:
        raise _unsupported(op, f"filter shape {list(filt.shape)} does not fit input {list(x.shape)}")
    kh, kw, fc = (int(d) for d in filt.shape[1:])
    if oc % (c // fc):
        raise _unsupported(op, f"{oc} output channels cannot be split into {c // fc} groups")
    o = op.options
    g = {"batches": n, "in_h": h, "in_w": w, "in_c": c, "out_h": oh, "out_w": ow, "out_c": oc,
         "k_h": kh, "k_w": kw, "filter_c": fc, "stride_h": o["stride_h"], "stride_w": o["stride_w"],
         "dilation_h": o["dilation_h"], "dilation_w": o["dilation_w"]}
    g["pad_h"] = _padding(o["padding"], g["stride_h"], g["dilation_h"], h, kh, op, oh)
    g["pad_w"] = _padding(o["padding"], g["stride_w"], g["dilation_w"], w, kw, op, ow)
    filter_data, bias_data = _weights(op, filt, bias, oc, 0)
    name = f"op{op.index}"
    arrays, fields = _requant_arrays(name, op, graph, x, filt, y, filter_data, bias_data)
    lo, hi = quant.activation_range(o["activation"], y)
    params = {**g, "input_offset": -quant.zero_point(x), "output_offset": quant.zero_point(y),
              "act_min": lo, "act_max": hi, **fields}
    return Kernel(op.index, op.opcode, [x.index], y.index, "edgec_conv_params", params,
                  "edgec_conv2d_s8({params}, {in0}, {out}, {residual}, {shortcut})", arrays,
                  first_reads=[lambda: access.window(g, per_channel_input=False)])


def _depthwise(op: Operator, graph: Subgraph) -> Kernel:
    x, filt, bias, y = _t(graph, op, 0), _t(graph, op, 1), _t(graph, op, 2), graph.tensors[op.outputs[0]]
    _need_int8(op, x, y)
    n, h, w, c = _nhwc(x, op)
    _, oh, ow, oc = _nhwc(y, op)
    if len(filt.shape) != 4 or filt.shape[3] != oc or oc % c:
        raise _unsupported(op, f"filter shape {list(filt.shape)} does not fit input {list(x.shape)}")
    o = op.options
    g = {"batches": n, "in_h": h, "in_w": w, "in_c": c, "out_h": oh, "out_w": ow, "out_c": oc,
         "depth_multiplier": oc // c, "k_h": int(filt.shape[1]), "k_w": int(filt.shape[2]),
         "stride_h": o["stride_h"], "stride_w": o["stride_w"], "dilation_h": o["dilation_h"],
         "dilation_w": o["dilation_w"]}
    g["pad_h"] = _padding(o["padding"], g["stride_h"], g["dilation_h"], h, g["k_h"], op, oh)
    g["pad_w"] = _padding(o["padding"], g["stride_w"], g["dilation_w"], w, g["k_w"], op, ow)
    filter_data, bias_data = _weights(op, filt, bias, oc, 3)
    name = f"op{op.index}"
    arrays, fields = _requant_arrays(name, op, graph, x, filt, y, filter_data, bias_data)
    lo, hi = quant.activation_range(o["activation"], y)
    params = {k: v for k, v in g.items() if k != "out_c"}
    params.update({"input_offset": -quant.zero_point(x), "output_offset": quant.zero_point(y),
                   "act_min": lo, "act_max": hi, **fields})
    return Kernel(op.index, op.opcode, [x.index], y.index, "edgec_depthwise_params", params,
                  "edgec_depthwise_conv2d_s8({params}, {in0}, {out}, {residual}, {shortcut})",
                  arrays, first_reads=[lambda: access.window(g, per_channel_input=True)])


def _fully_connected(op: Operator, graph: Subgraph) -> Kernel:
    x, filt, bias, y = _t(graph, op, 0), _t(graph, op, 1), _t(graph, op, 2), graph.tensors[op.outputs[0]]
    _need_int8(op, x, y)
    if op.options.get("weights_format", 0) != 0:
        raise _unsupported(op, "shuffled weights")
    if len(filt.shape) != 2:
        raise _unsupported(op, f"weights of shape {list(filt.shape)}")
    out_depth, accum = (int(d) for d in filt.shape)
    if x.elements % accum or y.elements != (x.elements // accum) * out_depth:
        raise _unsupported(op, f"input {list(x.shape)} does not fit weights {list(filt.shape)}")
    batches = x.elements // accum
    filter_data, bias_data = _weights(op, filt, bias, out_depth, 0)
    name = f"op{op.index}"
    arrays, fields = _requant_arrays(name, op, graph, x, filt, y, filter_data, bias_data)
    lo, hi = quant.activation_range(op.options["activation"], y)
    params = {"batches": batches, "accum_depth": accum, "out_depth": out_depth,
              "input_offset": -quant.zero_point(x), "filter_offset": -quant.zero_point(filt),
              "output_offset": quant.zero_point(y), "act_min": lo, "act_max": hi, **fields}
    return Kernel(op.index, op.opcode, [x.index], y.index, "edgec_fc_params", params,
                  "edgec_fully_connected_s8({params}, {in0}, {out}, {residual}, {shortcut})",
                  arrays, first_reads=[lambda: access.rows(batches, out_depth, accum)])


def _pool(op: Operator, graph: Subgraph) -> Kernel:
    x, y = _t(graph, op, 0), graph.tensors[op.outputs[0]]
    _need_int8(op, x, y)
    n, h, w, c = _nhwc(x, op)
    _, oh, ow, oc = _nhwc(y, op)
    if oc != c:
        raise _unsupported(op, "pooling that changes the channel count")
    if (quant.scale(x), quant.zero_point(x)) != (quant.scale(y), quant.zero_point(y)):
        raise _unsupported(op, "input and output quantized differently")
    o = op.options
    g = {"batches": n, "in_h": h, "in_w": w, "in_c": c, "out_h": oh, "out_w": ow, "out_c": c,
         "k_h": o["filter_h"], "k_w": o["filter_w"], "stride_h": o["stride_h"],
         "stride_w": o["stride_w"], "dilation_h": 1, "dilation_w": 1}
    g["pad_h"] = _padding(o["padding"], g["stride_h"], 1, h, g["k_h"], op, oh)
    g["pad_w"] = _padding(o["padding"], g["stride_w"], 1, w, g["k_w"], op, ow)
    lo, hi = quant.activation_range(o["activation"], y)
    params = {"batches": n, "in_h": h, "in_w": w, "channels": c, "out_h": oh, "out_w": ow,
              "filter_h": g["k_h"], "filter_w": g["k_w"], "stride_h": g["stride_h"],
              "stride_w": g["stride_w"], "pad_h": g["pad_h"], "pad_w": g["pad_w"],
              "act_min": lo, "act_max": hi}
    fn = "edgec_avg_pool_s8" if op.opcode == "AVERAGE_POOL_2D" else "edgec_max_pool_s8"
    return Kernel(op.index, op.opcode, [x.index], y.index, "edgec_pool_params", params,
                  fn + "({params}, {in0}, {out})",
                  first_reads=[lambda: access.window(g, per_channel_input=True)])


def _broadcast(op: Operator, a: Tensor, b: Tensor, y: Tensor) -> tuple[dict, list, list]:
    out = [1] * (MAX_DIMS - len(y.shape)) + [int(d) for d in y.shape]
    if len(y.shape) > MAX_DIMS:
        raise _unsupported(op, f"more than {MAX_DIMS} dimensions")
    strides = []
    for t in (a, b):
        shape = [1] * (MAX_DIMS - len(t.shape)) + [int(d) for d in t.shape]
        if len(t.shape) > MAX_DIMS or any(s not in (1, o) for s, o in zip(shape, out)):
            raise _unsupported(op, f"shapes {list(a.shape)} and {list(b.shape)} do not broadcast "
                                   f"to {list(y.shape)}")
        dense = np.cumprod([1] + shape[::-1][:-1])[::-1]
        strides.append([int(st) if s != 1 else 0 for s, st in zip(shape, dense)])
    flat = int(list(a.shape) == list(y.shape) == list(b.shape))
    fields = {"dims": out, "strides1": strides[0], "strides2": strides[1], "flat": flat}
    return fields, out, strides


def _binary(op: Operator, graph: Subgraph) -> Kernel:
    a, b, y = _t(graph, op, 0), _t(graph, op, 1), graph.tensors[op.outputs[0]]
    _need_int8(op, a, b, y)
    fields, out, strides = _broadcast(op, a, b, y)
    activation = op.options.get("activation", "NONE")
    if op.opcode == "ADD":
        params, ptype, fn = quant.add_params(a, b, y, activation), "edgec_add_params", "edgec_add_s8"
    else:
        params, ptype, fn = quant.mul_params(a, b, y, activation), "edgec_mul_params", "edgec_mul_s8"
    name = f"op{op.index}"
    decl = f"static const edgec_broadcast {name}_broadcast = {c_struct(fields)};"
    kernel = Kernel(op.index, op.opcode, [a.index, b.index], y.index, ptype, params,
                    fn + "({params}, &" + name + "_broadcast, {in0}, {in1}, {out})",
                    extra_decls=[decl],
                    first_reads=[lambda: access.broadcast(out, strides[0]),
                                 lambda: access.broadcast(out, strides[1])],
                    flat=bool(fields["flat"]))
    return kernel


def _softmax(op: Operator, graph: Subgraph) -> Kernel:
    x, y = _t(graph, op, 0), graph.tensors[op.outputs[0]]
    _need_int8(op, x, y)
    if quant.zero_point(y) != -128 or float(np.float32(y.quantization.scale[0])) != 1 / 256:
        raise _unsupported(op, "int8 softmax needs output scale 1/256 and zero point -128")
    depth = int(x.shape[-1]) if x.shape else 1
    params = {"outer": x.elements // max(depth, 1), "depth": depth,
              **quant.softmax_params(x, op.options["beta"])}
    return Kernel(op.index, op.opcode, [x.index], y.index, "edgec_softmax_params", params,
                  "edgec_softmax_s8({params}, {in0}, {out})",
                  first_reads=[lambda: access.elementwise(x.elements)])


def _logistic(op: Operator, graph: Subgraph) -> Kernel:
    x, y = _t(graph, op, 0), graph.tensors[op.outputs[0]]
    _need_int8(op, x, y)
    if quant.zero_point(y) != -128 or float(np.float32(y.quantization.scale[0])) != 1 / 256:
        raise _unsupported(op, "int8 logistic needs output scale 1/256 and zero point -128")
    params = {"size": x.elements, **quant.logistic_params(x)}
    return Kernel(op.index, op.opcode, [x.index], y.index, "edgec_logistic_params", params,
                  "edgec_logistic_s8({params}, {in0}, {out})",
                  first_reads=[lambda: access.elementwise(x.elements)])


def _axes(op: Operator, t: Tensor | None, rank: int) -> list[int]:
    if t is None or not t.is_constant:
        raise _unsupported(op, "its axes are not constant")
    axes = sorted({int(a) % rank if -rank <= int(a) < rank else -1
                   for a in constant_array(t, np.int32 if t.type == "int32" else np.int64).reshape(-1)})
    if -1 in axes:
        raise _unsupported(op, f"an axis outside the input's {rank} dimensions")
    return axes


def _mean(op: Operator, graph: Subgraph) -> Kernel:
    x, y = _t(graph, op, 0), graph.tensors[op.outputs[0]]
    _need_int8(op, x, y)
    rank = len(x.shape)
    if rank > MAX_DIMS:
        raise _unsupported(op, f"more than {MAX_DIMS} dimensions")
    axes = _axes(op, _t(graph, op, 1), rank)
    dims = [1] * (MAX_DIMS - rank) + [int(d) for d in x.shape]
    reduced = [0] * (MAX_DIMS - rank) + [int(i in axes) for i in range(rank)]
    count = int(np.prod([d for d, r in zip(dims, reduced) if r], dtype=np.int64))
    if count == 0 or x.elements == 0:
        raise _unsupported(op, "an empty reduction")
    m, sh = quant.mean_multiplier(x, y, count)
    params = {"dims": dims, "reduced": reduced, "num_reduced": count,
              "input_zero_point": quant.zero_point(x), "output_zero_point": quant.zero_point(y),
              "multiplier": m, "shift": sh}
    return Kernel(op.index, op.opcode, [x.index], y.index, "edgec_mean_params", params,
                  "edgec_mean_s8({params}, {in0}, {out})",
                  first_reads=[lambda: access.reduction(dims, reduced)])


def _pad(op: Operator, graph: Subgraph) -> Kernel:
    x, pads, y = _t(graph, op, 0), _t(graph, op, 1), graph.tensors[op.outputs[0]]
    _need_int8(op, x, y)
    rank = len(x.shape)
    if rank > MAX_DIMS or pads is None or not pads.is_constant:
        raise _unsupported(op, "non-constant paddings or more than 6 dimensions")
    table = constant_array(pads, np.int32 if pads.type == "int32" else np.int64).reshape(-1, 2)
    if table.shape[0] != rank or (table < 0).any():
        raise _unsupported(op, f"paddings {table.tolist()} for a rank-{rank} input")
    value = quant.zero_point(y)
    if op.opcode == "PADV2":
        v = _t(graph, op, 2)
        if v is not None:
            if not v.is_constant or v.type != "int8":
                raise _unsupported(op, "a padding value that is not a constant int8")
            value = int(constant_array(v, np.int8).reshape(-1)[0])
    if (quant.scale(x), quant.zero_point(x)) != (quant.scale(y), quant.zero_point(y)):
        raise _unsupported(op, "input and output quantized differently")
    lead = MAX_DIMS - rank
    in_dims = [1] * lead + [int(d) for d in x.shape]
    before = [0] * lead + [int(p) for p in table[:, 0]]
    out_dims = [1] * lead + [int(d) for d in y.shape]
    if out_dims != [i + int(b) + int(a) for i, b, a in
                    zip(in_dims, before, [0] * lead + [int(p) for p in table[:, 1]])]:
        raise ModelError(f"op PAD at index {op.index}: output shape {list(y.shape)} does not match "
                         f"its paddings", hint="re-export the model from the converter")
    params = {"in_dims": in_dims, "out_dims": out_dims, "before": before, "value": value}
    return Kernel(op.index, op.opcode, [x.index], y.index, "edgec_pad_params", params,
                  "edgec_pad_s8({params}, {in0}, {out})",
                  first_reads=[lambda: access.padding(in_dims, out_dims, before)])


def _concatenation(op: Operator, graph: Subgraph) -> Kernel:
    ins = [graph.tensors[i] for i in op.inputs if i >= 0]
    y = graph.tensors[op.outputs[0]]
    _need_int8(op, *ins, y)
    if op.options.get("activation", "NONE") != "NONE":
        raise _unsupported(op, "a fused activation")
    for t in ins:
        if (quant.scale(t), quant.zero_point(t)) != (quant.scale(y), quant.zero_point(y)):
            raise _unsupported(op, f"input '{t.name}' is quantized differently from the output")
    rank = len(y.shape)
    axis = op.options.get("axis", 0)
    axis = axis + rank if axis < 0 else axis
    if not 0 <= axis < rank:
        raise _unsupported(op, f"axis {op.options.get('axis')} of a rank-{rank} output")
    outer = int(np.prod(y.shape[:axis], dtype=np.int64))
    sizes = [t.elements // max(outer, 1) for t in ins]
    name = f"op{op.index}"
    arrays = [CArray(f"{name}_sizes", "int32_t", np.array(sizes, dtype=np.int64), "params")]
    pointers = ", ".join("{in%d}" % k for k in range(len(ins)))
    params = {"outer": outer, "count": len(ins), "sizes": f"{name}_sizes"}
    reads = [(lambda k=k: access.concatenation(outer, sizes, k)) for k in range(len(ins))]
    return Kernel(op.index, op.opcode, [t.index for t in ins], y.index, "edgec_concat_params",
                  params, "{{ const int8_t *const in_[] = {{" + pointers + "}}; "
                  "edgec_concatenation({params}, in_, {out}); }}",
                  arrays, first_reads=reads)


def _quantize(op: Operator, graph: Subgraph) -> Kernel:
    x, y = _t(graph, op, 0), graph.tensors[op.outputs[0]]
    n = x.elements
    reads = [lambda: access.elementwise(n)]
    if op.opcode == "DEQUANTIZE":
        _need_int8(op, x)
        if y.type != "float32":
            raise _unsupported(op, f"dequantizing to {y.type}")
        params = {"size": n, "scale": float(np.float32(x.quantization.scale[0])),
                  "zero_point": quant.zero_point(x)}
        return Kernel(op.index, op.opcode, [x.index], y.index, "edgec_affine_params", params,
                      "edgec_dequantize_s8_f32({params}, {in0}, (float *){out})", first_reads=reads)
    _need_int8(op, y)
    if x.type == "float32":
        params = {"size": n, "scale": float(np.float32(y.quantization.scale[0])),
                  "zero_point": quant.zero_point(y)}
        return Kernel(op.index, op.opcode, [x.index], y.index, "edgec_affine_params", params,
                      "edgec_quantize_f32_s8({params}, (const float *){in0}, {out})",
                      first_reads=reads)
    _need_int8(op, x)
    m, sh = quant.requantize_multiplier(x, y)
    params = {"size": n, "input_zero_point": quant.zero_point(x),
              "output_zero_point": quant.zero_point(y), "multiplier": m, "shift": sh}
    return Kernel(op.index, op.opcode, [x.index], y.index, "edgec_requantize_params", params,
                  "edgec_requantize_s8({params}, {in0}, {out})", first_reads=reads)


LOWERINGS: dict[str, Callable[[Operator, Subgraph], Kernel]] = {
    "CONV_2D": _conv, "DEPTHWISE_CONV_2D": _depthwise, "FULLY_CONNECTED": _fully_connected,
    "AVERAGE_POOL_2D": _pool, "MAX_POOL_2D": _pool, "ADD": _binary, "MUL": _binary,
    "SOFTMAX": _softmax, "LOGISTIC": _logistic, "MEAN": _mean, "PAD": _pad, "PADV2": _pad,
    "CONCATENATION": _concatenation, "QUANTIZE": _quantize, "DEQUANTIZE": _quantize,
}


def lower(op: Operator, graph: Subgraph) -> Kernel:
    """The kernel call for one op (not RESHAPE, which the schedule turns into an alias)."""
    fn = LOWERINGS.get(op.opcode)
    if fn is None:
        raise _unsupported(op, "edgec has no in-house kernel for it")
    if len(op.outputs) != 1:
        raise _unsupported(op, f"{len(op.outputs)} outputs")
    for i in (*op.inputs, *op.outputs):
        if i >= 0 and graph.tensors[i].dynamic:
            raise _unsupported(op, f"tensor '{graph.tensors[i].name}' has a dynamic shape")
    return fn(op, graph)


def c_value(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value!r}f"
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(c_value(v) for v in value) + "}"
    return str(int(value))


def c_struct(fields: dict, width: int = 96) -> str:
    """A C99 designated initializer, wrapped to `width` columns."""
    lines, line = [], ""
    for item in (f".{k} = {c_value(v)}," for k, v in fields.items()):
        if line and len(line) + len(item) + 1 > width:
            lines.append(line)
            line = ""
        line = f"{line} {item}" if line else item
    lines.append(line.rstrip(","))
    return "{\n    " + "\n    ".join(lines) + "\n}"
