/* edgec AOT kernels: helpers of the SIMD variants for cores with the Arm DSP extension
 * (Cortex-M4, M7, M33, M55), written with the ACLE intrinsics of <arm_acle.h>; the
 * Helium (MVE) variants of the Cortex-M55 (edgec_*_mve.c) share them.
 *
 * The variants (edgec_*_dsp.c) compute exactly what the portable kernels compute; two
 * things are prepared when the code is generated (edgec/aot/simd.py):
 * - the input offset is folded into the bias: sum(w * (x + offset)) + bias equals
 *   sum(w * x) + (bias + offset * sum(w)) in int32 arithmetic, provided every position
 *   outside the input holds the input zero point (-offset), which the kernels ensure;
 * - the weights are laid out in the order the kernels read them (see edgec_kernels.h).
 * Int8 values are widened to pairs of int16 with SXTB16: a word holding bytes b0..b3
 * gives (b0, b2) and, rotated by 8, (b1, b3). Both operands of a dot product are widened
 * the same way, so SMLAD(w02, x02) + SMLAD(w13, x13) is the four-element dot product.
 */
#ifndef EDGEC_DSP_H_
#define EDGEC_DSP_H_

#include <stdint.h>
#include <string.h>

#include "edgec_kernels.h"

#if !defined(__ARM_FEATURE_DSP) || !defined(__ARM_FEATURE_SIMD32)
#error "edgec's *_dsp.c kernels need a core with the Arm DSP extension (Cortex-M4, M7, M33, M55); generate the portable kernels for this core"
#endif

#include <arm_acle.h>

/* A 32-bit load from any address (Armv7E-M and Armv8-M load unaligned words in one LDR). */
EDGEC_INLINE int32_t edgec_load32(const void *p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* Bytes 0 and 2 of x, sign-extended to two int16 lanes (SXTB16). */
EDGEC_INLINE int32_t edgec_sxtb16(int32_t x) { return (int32_t)__sxtb16(x); }

/* Bytes 1 and 3 of x, sign-extended to two int16 lanes (SXTB16 with ROR #8). */
EDGEC_INLINE int32_t edgec_sxtb16_ror8(int32_t x) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}

/* Widens n groups of four int8 values into n pairs of words (b0, b2), (b1, b3), written
 * at dst[0], dst[1], then dst[stride], dst[stride + 1], ... */
EDGEC_INLINE void edgec_widen(const int8_t *src, int32_t n, int32_t *dst, int32_t stride) {
  int32_t g;
  for (g = 0; g < n; g++) {
    const int32_t x = edgec_load32(src + 4 * g);
    dst[0] = edgec_sxtb16(x);
    dst[1] = edgec_sxtb16_ror8(x);
    dst += stride;
  }
}

/* edgec_mbqm for a multiplier >= 0 (all edgec generates), with the 64-bit rounding done
 * by an add and an arithmetic shift: round(a * b / 2^31) half up equals edgec_srdhm's
 * result whenever b != INT32_MIN. */
EDGEC_INLINE int32_t edgec_dsp_mbqm(int32_t x, int32_t multiplier, int32_t shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const int64_t ab = (int64_t)(int32_t)((uint32_t)x << left) * multiplier;
  return edgec_rdbpot((int32_t)((ab + ((int64_t)1 << 30)) >> 31), right);
}

/* What happens to an accumulator (bias included): requantization, the fused activation's
 * clamp and, with a fused residual, the ADD with the shortcut. Kernels copy it into a
 * local once: stores of int8 outputs may alias anything, so values read through the
 * parameter struct would be read again after every store. */
typedef struct {
  const int32_t *multiplier, *shift;
  int32_t output_offset, act_min, act_max;
  const int8_t *shortcut; /* NULL: no fused residual */
  const int32_t *table;   /* the residual ADD's rescaled inputs (edgec_kernels.h) */
  int32_t add_multiplier, add_shift, add_offset, add_min, add_max;
} edgec_dsp_tail;

EDGEC_INLINE void edgec_dsp_tail_init(edgec_dsp_tail *t, const int32_t *multiplier,
                                      const int32_t *shift, int32_t output_offset,
                                      int32_t act_min, int32_t act_max,
                                      const edgec_residual *res, const int8_t *shortcut,
                                      const int32_t *residual_table) {
  t->multiplier = multiplier;
  t->shift = shift;
  t->output_offset = output_offset;
  t->act_min = act_min;
  t->act_max = act_max;
  t->shortcut = res != NULL ? shortcut : NULL;
  t->table = residual_table;
  if (res != NULL) {
    t->add_multiplier = res->add->output_multiplier;
    t->add_shift = res->add->output_shift;
    t->add_offset = res->add->output_offset;
    t->add_min = res->add->act_min;
    t->add_max = res->add->act_max;
  }
}

#if defined(__GNUC__) || defined(__clang__)
#define EDGEC_DSP_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define EDGEC_DSP_ALWAYS_INLINE static inline
#endif

/* output[at] for `channel`. `residual` is a constant at each call site: kernels run their
 * loops once with and once without a fused residual (EDGEC_DSP_ALWAYS_INLINE bodies). The
 * residual ADD is edgec_add_elem with its two input rescalings looked up (each depends on
 * one int8 value only) and the output rescaling computed. */
EDGEC_DSP_ALWAYS_INLINE void edgec_dsp_put(const edgec_dsp_tail *t, const int residual,
                                           int8_t *output, size_t at, int32_t channel,
                                           int32_t acc) {
  int32_t r = edgec_clamp(edgec_dsp_mbqm(acc, t->multiplier[channel], t->shift[channel]) +
                              t->output_offset, t->act_min, t->act_max);
  if (residual) {
    const int32_t sum = t->table[r + 128] + t->table[256 + 128 + t->shortcut[at]];
    r = edgec_clamp(edgec_dsp_mbqm(sum, t->add_multiplier, t->add_shift) + t->add_offset,
                    t->add_min, t->add_max);
  }
  output[at] = (int8_t)r;
}

/* n bytes from src, or n copies of `value` when src is NULL (short runs: no call). */
EDGEC_INLINE void edgec_fill(int8_t *dst, const int8_t *src, int32_t n, int8_t value) {
  int32_t i;
  if (n > 16) {
    if (src != NULL) {
      memcpy(dst, src, (size_t)n);
    } else {
      memset(dst, value, (size_t)n);
    }
  } else if (src != NULL) {
    for (i = 0; i < n; i++) dst[i] = src[i];
  } else {
    for (i = 0; i < n; i++) dst[i] = value;
  }
}

/* The convolution window of output pixel (oy, ox) as int8 (im2col), in filter order:
 * k_h x k_w x in_c values, positions outside the input holding the input zero point,
 * zeros up to col_len. */
EDGEC_INLINE void edgec_window(const edgec_conv_dsp_params *p, const int8_t *image, int32_t oy,
                               int32_t ox, int8_t *col) {
  const int32_t c = p->in_c, k_h = p->k_h, k_w = p->k_w, in_h = p->in_h, in_w = p->in_w;
  const int32_t dh = p->dilation_h, dw = p->dilation_w, row_bytes = k_w * c;
  const int32_t iy0 = oy * p->stride_h - p->pad_h, ix0 = ox * p->stride_w - p->pad_w;
  const int32_t tail = p->col_len - k_h * row_bytes;
  const int8_t pad = (int8_t)p->pad_value;
  int8_t *dst = col;
  int32_t ky, kx;
  for (ky = 0; ky < k_h; ky++, dst += row_bytes) {
    const int32_t iy = iy0 + ky * dh;
    const int8_t *row = image + (size_t)(iy < 0 ? 0 : iy) * in_w * c;
    if (iy < 0 || iy >= in_h) {
      edgec_fill(dst, NULL, row_bytes, pad);
    } else if (dw == 1) { /* the valid taps of a row are one run of bytes */
      const int32_t first = ix0 < 0 ? -ix0 : 0;
      int32_t end = k_w < in_w - ix0 ? k_w : in_w - ix0;
      end = end > first ? end : first;
      edgec_fill(dst, NULL, first * c, pad);
      edgec_fill(dst + first * c, row + (size_t)(ix0 + first) * c, (end - first) * c, pad);
      edgec_fill(dst + end * c, NULL, (k_w - end) * c, pad);
    } else {
      for (kx = 0; kx < k_w; kx++) {
        const int32_t ix = ix0 + kx * dw;
        const int outside = ix < 0 || ix >= in_w;
        edgec_fill(dst + kx * c, outside ? NULL : row + (size_t)ix * c, c, pad);
      }
    }
  }
  edgec_fill(dst, NULL, tail, 0); /* meets zero weights */
}

/* Depthwise windows: the offset of each of the k_h x k_w taps from the window's corner. */
EDGEC_INLINE void edgec_tap_offsets(const edgec_depthwise_dsp_params *p, int32_t *offset) {
  int32_t ky, kx, t = 0;
  for (ky = 0; ky < p->k_h; ky++) {
    for (kx = 0; kx < p->k_w; kx++) {
      offset[t++] = (ky * p->dilation_h * p->in_w + kx * p->dilation_w) * p->channels;
    }
  }
}

/* The `taps` (k_h x k_w; a constant where the caller specialises) tap pointers of the
 * window whose corner is input position (iy0, ix0) of `image`: taps outside the input
 * point at pad_row (the input zero point, one per channel). */
EDGEC_DSP_ALWAYS_INLINE void edgec_window_taps(const edgec_depthwise_dsp_params *p,
                                               const int8_t *image, const int32_t iy0,
                                               const int32_t ix0, const int32_t taps,
                                               const int32_t *offset, const int8_t *pad_row,
                                               const int8_t **tap) {
  const int32_t ch = p->channels, k_h = p->k_h, k_w = p->k_w, in_h = p->in_h, in_w = p->in_w;
  const int32_t dh = p->dilation_h, dw = p->dilation_w;
  int32_t t, ky, kx;
  if (iy0 >= 0 && iy0 + (k_h - 1) * dh < in_h && ix0 >= 0 && ix0 + (k_w - 1) * dw < in_w) {
    const int8_t *corner = image + ((size_t)iy0 * in_w + ix0) * ch;
    for (t = 0; t < taps; t++) tap[t] = corner + offset[t];
    return;
  }
  for (t = 0, ky = 0; ky < k_h; ky++) {
    const int32_t iy = iy0 + ky * dh;
    for (kx = 0; kx < k_w; kx++, t++) {
      const int32_t ix = ix0 + kx * dw;
      tap[t] = (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w)
                   ? pad_row
                   : image + ((size_t)iy * in_w + ix) * ch;
    }
  }
}

#endif /* EDGEC_DSP_H_ */
