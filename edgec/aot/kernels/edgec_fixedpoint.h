/* edgec AOT kernels: fixed-point arithmetic shared by every kernel.
 *
 * These functions reproduce, bit for bit, the integer arithmetic TensorFlow Lite
 * Micro's reference kernels use (TFLite's double-rounding
 * MultiplyByQuantizedMultiplier and the gemmlowp fixed-point exp, logistic and
 * reciprocal it builds softmax and logistic on). Written for edgec from the
 * published descriptions of that arithmetic; portable C99.
 *
 * Notation: a "Qm" value is an int32 holding a real number with m integer bits
 * and 31 - m fractional bits (Q0 = [-1, 1)).
 */
#ifndef EDGEC_FIXEDPOINT_H_
#define EDGEC_FIXEDPOINT_H_

#include <stdint.h>

#ifndef EDGEC_INLINE
#define EDGEC_INLINE static inline
#endif

/* round(a * b / 2^31), rounding half away from zero; saturates the one overflow case. */
EDGEC_INLINE int32_t edgec_srdhm(int32_t a, int32_t b) {
  int64_t ab;
  int32_t nudge;
  if (a == INT32_MIN && b == INT32_MIN) {
    return INT32_MAX;
  }
  ab = (int64_t)a * (int64_t)b;
  nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31)); /* C99 division truncates toward zero */
}

/* x / 2^exponent rounded to nearest, ties away from zero (0 <= exponent <= 31). */
EDGEC_INLINE int32_t edgec_rdbpot(int32_t x, int exponent) {
  const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x * 2^exponent, saturating to the int32 range (0 <= exponent <= 30). */
EDGEC_INLINE int32_t edgec_sat_shl(int32_t x, int exponent) {
  const int32_t threshold = (int32_t)(((uint32_t)1 << (31 - exponent)) - 1u);
  if (x > threshold) {
    return INT32_MAX;
  }
  if (x < -threshold) {
    return INT32_MIN;
  }
  return (int32_t)((uint32_t)x << exponent);
}

/* x * multiplier * 2^shift, with multiplier a Q0.31 significand in [2^30, 2^31):
 * TFLite's MultiplyByQuantizedMultiplier (double rounding). */
EDGEC_INLINE int32_t edgec_mbqm(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  return edgec_rdbpot(edgec_srdhm((int32_t)((uint32_t)x << left), multiplier), right);
}

EDGEC_INLINE int32_t edgec_clamp(int32_t x, int32_t lo, int32_t hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

/* Number of leading zero bits of a 32-bit value (32 for 0). */
EDGEC_INLINE int edgec_clz32(uint32_t x) {
#if defined(__GNUC__) || defined(__clang__)
  return x == 0u ? 32 : __builtin_clz(x);
#else
  int n = 0;
  if (x == 0u) {
    return 32;
  }
  while ((x & 0x80000000u) == 0u) {
    x <<= 1;
    n++;
  }
  return n;
#endif
}

/* exp(a) for a in [-1/4, 0), Q0 in and out: Taylor expansion around -1/8. */
EDGEC_INLINE int32_t edgec_exp_quarter(int32_t a) {
  const int32_t exp_minus_one_eighth = 1895147668; /* round(exp(-1/8) * 2^31) */
  const int32_t one_third = 715827883;             /* round(2^31 / 3) */
  const int32_t x = a + (1 << 28);                 /* x = a + 1/8 */
  const int32_t x2 = edgec_srdhm(x, x);
  const int32_t x3 = edgec_srdhm(x2, x);
  const int32_t x4 = edgec_srdhm(x2, x2);
  const int32_t x4_over_4 = edgec_rdbpot(x4, 2);
  const int32_t poly = edgec_rdbpot(edgec_srdhm(x4_over_4 + x3, one_third) + x2, 1);
  return exp_minus_one_eighth + edgec_srdhm(exp_minus_one_eighth, x + poly);
}

/* exp(a) for a <= 0; a in Q(integer_bits) with integer_bits <= 5, result in Q0. */
EDGEC_INLINE int32_t edgec_exp_on_negative_values(int32_t a, int integer_bits) {
  /* round(exp(-2^k) * 2^31) for k = -2 .. 4 */
  static const int32_t exp_of_minus_pow2[7] = {1672461947, 1302514674, 790015084, 290630308,
                                               39332535,   720401,     242};
  const int fractional_bits = 31 - integer_bits;
  const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
  const int32_t a_mod_quarter_minus_quarter = (a & (one_quarter - 1)) - one_quarter;
  const int32_t remainder = a_mod_quarter_minus_quarter - a;
  int32_t result = edgec_exp_quarter(edgec_sat_shl(a_mod_quarter_minus_quarter, integer_bits));
  int k;
  for (k = -2; k <= 4; k++) {
    if (integer_bits > k && (remainder & ((int32_t)1 << (fractional_bits + k))) != 0) {
      result = edgec_srdhm(result, exp_of_minus_pow2[k + 2]);
    }
  }
  return a == 0 ? INT32_MAX : result;
}

/* 1 / (1 + a) for a in [0, 1): Q0 in and out, three Newton-Raphson steps in Q2. */
EDGEC_INLINE int32_t edgec_one_over_one_plus_x(int32_t a) {
  const int64_t sum = (int64_t)a + INT32_MAX;
  const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  const int32_t c48_over_17 = 1515870810;      /* 48/17 in Q2 */
  const int32_t c_neg32_over_17 = -1010580540; /* -32/17 in Q2 */
  int32_t x = c48_over_17 + edgec_srdhm(half_denominator, c_neg32_over_17);
  int i;
  for (i = 0; i < 3; i++) {
    const int32_t one_minus = ((int32_t)1 << 29) - edgec_srdhm(half_denominator, x);
    x = x + edgec_sat_shl(edgec_srdhm(x, one_minus), 2);
  }
  return edgec_sat_shl(x, 1); /* x / 2, from Q2 back to Q0 */
}

/* Logistic of a Q4 value, result in Q0. */
EDGEC_INLINE int32_t edgec_logistic_q4(int32_t a) {
  int32_t r;
  if (a == 0) {
    return (int32_t)1 << 30; /* 0.5 */
  }
  r = edgec_one_over_one_plus_x(edgec_exp_on_negative_values(a > 0 ? -a : a, 4));
  return a > 0 ? r : INT32_MAX - r;
}

/* 1 / x for x in Q(x_integer_digits), as a Q0 scale and a power of two. */
EDGEC_INLINE int32_t edgec_reciprocal(int32_t x, int x_integer_digits, int *num_bits_over_unit) {
  const int headroom_plus_one = edgec_clz32((uint32_t)x);
  const int32_t shifted_minus_one =
      (int32_t)(((uint32_t)x << headroom_plus_one) - ((uint32_t)1 << 31));
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  return edgec_one_over_one_plus_x(shifted_minus_one);
}

#endif /* EDGEC_FIXEDPOINT_H_ */
