"""SIMD variants of the hot kernels: the Arm DSP extension (Cortex-M4, M7, M33, M55) and
Helium (MVE, Cortex-M55).

`specialize(kernel, "dsp")` turns a lowered CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED
call into a call of its variant in edgec_<family>_dsp.c (SXTB16 and SMLAD from
<arm_acle.h>); `specialize(kernel, "mve")` uses edgec_conv_mve.c,
edgec_fully_connected_mve.c (VMLADAVA from <arm_mve.h>) and edgec_depthwise_conv_mve.c
(eight channels a vector). What the variants expect is prepared here, once:

- the input offset folded into the bias: sum(w * (x + offset)) + bias equals
  sum(w * x) + bias + offset * sum(w) in int32 arithmetic, exact when every position
  outside the input holds the input zero point (the kernels see to that);
- multipliers and shifts per output channel;
- the weights laid out as the kernel reads them: DSP, pairs or fours of rows interleaved
  word by word, rows zero padded to a multiple of 8, depthwise taps grouped by four
  channels, so every weight is loaded once as part of a word; MVE, rows zero padded to a
  multiple of 16 (one vector), depthwise taps grouped by eight channels (zero padded,
  the per-channel tables too);
- with a fused residual ADD, a table of what the ADD makes of each int8 value of either
  input before adding (its rescaling depends on that one value), computed here with
  the kernels' own arithmetic (`mbqm`).

Ops the variants do not cover (grouped convolutions, depth multipliers other than 1,
windows of more than EDGEC_DSP_MAX_TAPS taps, weights with a zero point) keep the
portable kernel. Memory access is unchanged: the variants read and write the same
elements under the same contract, so the plan holds for both.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from edgec.aot.lower import CArray, Kernel

MAX_TAPS = 32  # EDGEC_DSP_MAX_TAPS in edgec_kernels.h


def _round4(n: int) -> int:
    return (n + 3) // 4 * 4


def _int32(values: np.ndarray) -> np.ndarray:
    """Values wrapped to int32, as the C arithmetic wraps them (kept as int64 for CArray)."""
    return np.asarray(values, dtype=np.int64).astype(np.uint32).astype(np.int32).astype(np.int64)


def _arrays(kernel: Kernel) -> dict[str, np.ndarray]:
    """The scalar kernel's constant arrays by role: filter, bias, multiplier, shift."""
    prefix = kernel.name + "_"
    return {a.name[len(prefix):]: np.asarray(a.values) for a in kernel.arrays
            if a.name.startswith(prefix)}


def _channel_tables(kernel: Kernel, rows: np.ndarray, channels: int, input_offset: int) -> list[CArray]:
    """Folded bias and per-channel multiplier / shift; rows: [channels, taps] weights."""
    a = _arrays(kernel)
    bias = a.get("bias", np.zeros(channels, dtype=np.int64)).astype(np.int64)
    folded = bias + input_offset * rows.astype(np.int64).sum(axis=1)
    name = kernel.name
    return [CArray(f"{name}_bias", "int32_t", _int32(folded)),
            CArray(f"{name}_multiplier", "int32_t",
                   np.broadcast_to(a["multiplier"], (channels,)).astype(np.int64), "requant"),
            CArray(f"{name}_shift", "int32_t",
                   np.broadcast_to(a["shift"], (channels,)).astype(np.int64), "requant")]


def _interleave(rows: np.ndarray, block: int) -> np.ndarray:
    """Rows [n, length % 4 == 0]: each `block` consecutive rows interleaved four bytes at a
    time, the n % block last rows after them as they are."""
    n, length = rows.shape
    whole = n // block * block
    blocks = rows[:whole].reshape(n // block, block, length // 4, 4).transpose(0, 2, 1, 3)
    return np.concatenate([blocks.reshape(-1), rows[whole:].reshape(-1)])


def _pad_columns(rows: np.ndarray, multiple: int) -> np.ndarray:
    """Rows zero padded to a multiple of `multiple` values (what the kernel takes per step:
    two words for DSP, a vector of 16 for MVE)."""
    n, length = rows.shape
    out = np.zeros((n, (length + multiple - 1) // multiple * multiple), dtype=np.int8)
    out[:, :length] = rows
    return out


def _wrap(x: int) -> int:
    return (x + (1 << 31)) % (1 << 32) - (1 << 31)


def mbqm(x: int, multiplier: int, shift: int) -> int:
    """edgec_mbqm (TFLite's MultiplyByQuantizedMultiplier with double rounding) on Python
    ints, for multiplier >= 0: exactly what the C computes in int32."""
    left, right = max(shift, 0), max(-shift, 0)
    high = (_wrap(x << left) * multiplier + (1 << 30)) >> 31
    mask = (1 << right) - 1
    threshold = (mask >> 1) + (1 if high < 0 else 0)
    return (high >> right) + (1 if (high & mask) > threshold else 0)


def residual_table(residual: dict) -> np.ndarray:
    """ADD's rescaled input for every int8 value: the op's result (256), then the shortcut's."""
    add = residual["add"]
    sides = ("1", "2") if residual["op_is_input1"] else ("2", "1")
    return np.array([mbqm((v + add[f"input{i}_offset"]) * (1 << add["left_shift"]),
                          add[f"input{i}_multiplier"], add[f"input{i}_shift"])
                     for i in sides for v in range(-128, 128)], dtype=np.int64)


def _refs(k: Kernel) -> tuple[dict[str, str], list[CArray]]:
    """The DSP params' array fields, and the residual table when an ADD is fused in."""
    name = k.name
    fields = {"filter": f"{name}_filter", "bias": f"{name}_bias",
              "multiplier": f"{name}_multiplier", "shift": f"{name}_shift",
              "residual_table": "NULL"}
    if k.residual is None:
        return fields, []
    fields["residual_table"] = f"{name}_residual_table"
    return fields, [CArray(f"{name}_residual_table", "int32_t", residual_table(k.residual),
                           "requant")]


def _conv(k: Kernel, isa: str) -> Kernel:
    p = k.params
    if p["filter_c"] != p["in_c"]:  # grouped
        return k
    taps = p["k_h"] * p["k_w"] * p["in_c"]
    rows = _arrays(k)["filter"].astype(np.int8).reshape(p["out_c"], taps)
    padded = _pad_columns(rows, 16 if isa == "mve" else 8)
    col_len = padded.shape[1]
    # DSP: a 1x1 window over a multiple of 4 channels is widened straight from the input.
    # MVE always copies the windows: reading the input in place while writing the output
    # would break the access contract the memory plan relies on (in-place 1x1 convolutions).
    direct = int(isa == "dsp" and p["k_h"] == p["k_w"] == 1 and p["pad_h"] == p["pad_w"] == 0
                 and p["in_c"] % 4 == 0)
    keep = ("batches", "in_h", "in_w", "in_c", "out_h", "out_w", "out_c", "k_h", "k_w",
            "stride_h", "stride_w", "dilation_h", "dilation_w", "pad_h", "pad_w")
    refs, tables = _refs(k)
    params = {**{f: p[f] for f in keep}, "col_len": col_len, "direct": direct,
              "pad_value": -p["input_offset"], "output_offset": p["output_offset"],
              "act_min": p["act_min"], "act_max": p["act_max"], **refs}
    if isa == "mve":  # two int8 windows
        filter_data, scratch = padded.reshape(-1), 2 * col_len
    else:  # two widened windows (4 bytes per 2 values), and an int8 one to widen from
        filter_data, scratch = _interleave(padded, 2), 4 * col_len + (0 if direct else col_len)
    arrays = [CArray(f"{k.name}_filter", "int8_t", filter_data),
              *_channel_tables(k, rows, p["out_c"], p["input_offset"]), *tables]
    return replace(k, params_type="edgec_conv_dsp_params", params=params, arrays=arrays,
                   call=f"edgec_conv2d_s8_{isa}({{params}}, {{in0}}, {{out}}, {{residual}}, "
                        "{shortcut}, {scratch})",
                   scratch_bytes=scratch)


def _depthwise(k: Kernel, isa: str) -> Kernel:
    """DSP: SMLABB/SMLATT over four channels a word; MVE: eight channels a vector."""
    p = k.params
    taps = p["k_h"] * p["k_w"]
    if p["depth_multiplier"] != 1 or taps > MAX_TAPS:
        return k
    c = p["in_c"]
    weights = _arrays(k)["filter"].astype(np.int8).reshape(taps, c)
    tables = _channel_tables(k, weights.T, c, p["input_offset"])
    if isa == "mve":  # per block of 8 channels, its weights tap by tap, zero padded
        blocks = (c + 7) // 8
        padded = _pad_columns(weights, 8)
        filter_data = padded.reshape(taps, blocks, 8).transpose(1, 0, 2).reshape(-1)
        for i, table in enumerate(tables):  # bias, multiplier, shift: loaded 8 at a time
            values = np.zeros(8 * blocks, dtype=np.int64)
            values[:c] = table.values
            tables[i] = replace(table, values=values)
        scratch = 8 * blocks
    else:  # per group of four channels, their weights tap by tap; then the last c % 4
        quads = c // 4
        grouped = weights[:, :4 * quads].reshape(taps, quads, 4).transpose(1, 0, 2).reshape(-1)
        tail = weights[:, 4 * quads:].T.reshape(-1)
        filter_data, scratch = np.concatenate([grouped, tail]), _round4(c)
    keep = ("batches", "in_h", "in_w", "out_h", "out_w", "k_h", "k_w", "stride_h", "stride_w",
            "dilation_h", "dilation_w", "pad_h", "pad_w")
    refs, residual = _refs(k)
    params = {**{f: p[f] for f in keep}, "channels": c, "pad_value": -p["input_offset"],
              "output_offset": p["output_offset"], "act_min": p["act_min"],
              "act_max": p["act_max"], **refs}
    arrays = [CArray(f"{k.name}_filter", "int8_t", filter_data), *tables, *residual]
    return replace(k, params_type="edgec_depthwise_dsp_params", params=params, arrays=arrays,
                   call=f"edgec_depthwise_conv2d_s8_{isa}({{params}}, {{in0}}, {{out}}, "
                        "{residual}, {shortcut}, {scratch})",
                   scratch_bytes=scratch)


def _fully_connected(k: Kernel, isa: str) -> Kernel:
    p = k.params
    if p["filter_offset"] != 0:
        return k
    rows = _arrays(k)["filter"].astype(np.int8).reshape(p["out_depth"], p["accum_depth"])
    padded = _pad_columns(rows, 16 if isa == "mve" else 8)
    row_len = padded.shape[1]
    refs, tables = _refs(k)
    params = {"batches": p["batches"], "accum_depth": p["accum_depth"],
              "out_depth": p["out_depth"], "row_len": row_len,
              "output_offset": p["output_offset"], "act_min": p["act_min"],
              "act_max": p["act_max"], **refs}
    if isa == "mve":  # the input row, zero padded
        filter_data, scratch = padded.reshape(-1), row_len
    else:  # the input row widened: 4 bytes per 2 values
        filter_data, scratch = _interleave(padded, 4), 2 * row_len
    arrays = [CArray(f"{k.name}_filter", "int8_t", filter_data),
              *_channel_tables(k, rows, p["out_depth"], p["input_offset"]), *tables]
    return replace(k, params_type="edgec_fc_dsp_params", params=params, arrays=arrays,
                   call=f"edgec_fully_connected_s8_{isa}({{params}}, {{in0}}, {{out}}, "
                        "{residual}, {shortcut}, {scratch})",
                   scratch_bytes=scratch)


VARIANTS = {"CONV_2D": _conv, "DEPTHWISE_CONV_2D": _depthwise, "FULLY_CONNECTED": _fully_connected}
#: The kernel sets with SIMD variants (edgec.aot.KERNEL_SETS adds the portable "scalar").
ISAS = ("dsp", "mve")


def specialize(kernel: Kernel, isa: str = "dsp") -> Kernel:
    """The variant of a kernel call for `isa` ("dsp" or "mve"), or the call itself when
    there is none."""
    variant = VARIANTS.get(kernel.opcode)
    return kernel if variant is None else variant(kernel, isa)


def is_variant(kernel: Kernel) -> bool:
    """A call of a DSP or MVE variant."""
    return kernel.params_type.endswith("_dsp_params")
