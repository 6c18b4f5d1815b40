"""The integer parameters TFLite Micro's kernels derive from a tensor's float scales.

Each function mirrors what the corresponding kernel computes when it is prepared
(same operations, same order, same float32/float64 precision), so the C kernels
fed with these values give TFLite Micro's results bit for bit.
"""

from __future__ import annotations

import math

import numpy as np

from edgec.errors import ModelError

QMIN, QMAX = -128, 127


def _round_half_away(x: float) -> int:
    """TfLiteRound / std::round: half away from zero."""
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def quantize_multiplier(real: float) -> tuple[int, int]:
    """A positive double as (Q0.31 significand, power-of-two shift): QuantizeMultiplier."""
    if not math.isfinite(real) or real < 0:
        raise ModelError(f"a requantization scale of {real} is out of range",
                         hint="the model's quantization scales are damaged; convert it again")
    if real == 0.0:
        return 0, 0
    significand, shift = math.frexp(real)
    q_fixed = _round_half_away(significand * (1 << 31))
    if q_fixed == 1 << 31:
        q_fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return q_fixed, shift


def scale(tensor) -> float:
    """The tensor's (first) scale as the double C++ gets from static_cast<double>(float)."""
    return float(np.float32(tensor.quantization.scale[0]))


def zero_point(tensor) -> int:
    return int(tensor.quantization.zero_point[0]) if tensor.quantization is not None else 0


def activation_range(activation: str, tensor) -> tuple[int, int]:
    """CalculateActivationRangeQuantized for an int8 output."""
    s, zp = np.float32(tensor.quantization.scale[0]), zero_point(tensor)

    def q(value: float) -> int:
        return zp + _round_half_away(float(np.float32(value) / s))

    if activation == "RELU":
        return max(QMIN, q(0.0)), QMAX
    if activation == "RELU6":
        return max(QMIN, q(0.0)), min(QMAX, q(6.0))
    if activation == "RELU_N1_TO_1":
        return max(QMIN, q(-1.0)), min(QMAX, q(1.0))
    return QMIN, QMAX


def channel_multipliers(input_t, filter_t, output_t) -> tuple[list[int], list[int]]:
    """Per-channel (or per-tensor) requantization of a convolution or fully connected op:
    input_scale * filter_scale / output_scale, each in double."""
    s_in, s_out = scale(input_t), scale(output_t)
    mults, shifts = [], []
    for s_f in filter_t.quantization.scale:
        m, sh = quantize_multiplier(s_in * float(np.float32(s_f)) / s_out)
        mults.append(m)
        shifts.append(sh)
    return mults, shifts


def add_params(in1, in2, out, activation: str) -> dict:
    """ADD int8: both inputs rescaled to twice the larger input scale, 20 bits of headroom."""
    left_shift = 20
    s1, s2 = scale(in1), scale(in2)
    twice_max = 2 * max(s1, s2)  # max of the float32 scales, then doubled in double
    m1, sh1 = quantize_multiplier(s1 / twice_max)
    m2, sh2 = quantize_multiplier(s2 / twice_max)
    mo, sho = quantize_multiplier(twice_max / ((1 << left_shift) * scale(out)))
    lo, hi = activation_range(activation, out)
    return {"input1_offset": -zero_point(in1), "input2_offset": -zero_point(in2),
            "left_shift": left_shift, "input1_multiplier": m1, "input1_shift": sh1,
            "input2_multiplier": m2, "input2_shift": sh2, "output_multiplier": mo,
            "output_shift": sho, "output_offset": zero_point(out), "act_min": lo, "act_max": hi}


def mul_params(in1, in2, out, activation: str) -> dict:
    m, sh = quantize_multiplier(scale(in1) * scale(in2) / scale(out))
    lo, hi = activation_range(activation, out)
    return {"input1_offset": -zero_point(in1), "input2_offset": -zero_point(in2),
            "output_offset": zero_point(out), "output_multiplier": m, "output_shift": sh,
            "act_min": lo, "act_max": hi}


def input_radius(integer_bits: int, left_shift: int, total_bits: int = 31) -> int:
    """CalculateInputRadius: the largest input difference that does not saturate."""
    value = 1.0 * ((1 << integer_bits) - 1) * (1 << (total_bits - integer_bits)) / (1 << left_shift)
    return int(math.floor(value))


def softmax_params(input_t, beta: float) -> dict:
    """PreprocessSoftmaxScaling with 5 integer bits for the scaled differences."""
    real = min(float(np.float32(beta)) * scale(input_t) * float(1 << 26), float((1 << 31) - 1))
    m, left_shift = quantize_multiplier(real)
    return {"input_multiplier": m, "input_left_shift": left_shift,
            "diff_min": -input_radius(5, left_shift)}


def logistic_params(input_t) -> dict:
    """The input rescaled to Q4.27 (frexp without renormalisation, as the kernel does)."""
    significand, left_shift = math.frexp(scale(input_t) * float(1 << 27))
    return {"input_zero_point": zero_point(input_t),
            "input_range_radius": input_radius(4, left_shift),
            "input_multiplier": _round_half_away(significand * (1 << 31)),
            "input_left_shift": left_shift}


def mean_multiplier(input_t, output_t, num_reduced: int) -> tuple[int, int]:
    """input_scale / output_scale with 1 / num_reduced folded in (QuantizedMeanOrSum)."""
    m, sh = quantize_multiplier(scale(input_t) / scale(output_t))
    extra = min(num_reduced.bit_length() - 1, 32, 31 + sh)
    return int((m << extra) // num_reduced), sh - extra


def requantize_multiplier(input_t, output_t) -> tuple[int, int]:
    return quantize_multiplier(scale(input_t) / scale(output_t))
