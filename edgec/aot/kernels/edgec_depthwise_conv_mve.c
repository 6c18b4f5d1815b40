/* DEPTHWISE_CONV_2D (depth multiplier 1), int8, for cores with Helium (MVE, Cortex-M55).
 *
 * Eight channels at a time, as int16 lanes. Per tap, a widening load (VLDRB.S16) gives the
 * input of the eight channels, another their weights; VMULLB / VMULLT multiply the even and
 * the odd lanes into int32 (exact: int8 * int8), added to two int32x4 accumulators, one
 * for channels {0, 2, 4, 6} of the block, one for {1, 3, 5, 7}; the bias is loaded that way
 * (VLD2 deinterleaves). Eight channels keep the accumulators, the two vectors loaded and
 * the products in registers (with sixteen, GCC 12 spills). The results are requantized four
 * lanes at a time and VMOVNB / VMOVNT narrow both accumulators into one int16 vector in
 * channel order, stored as bytes (VSTRB.16). The channels % 8 last channels take the same
 * path with a tail predicate (VCTP): no input byte past the last channel is read, no
 * output byte past it written; their weights are zero padded.
 *
 * The input offset is in the bias (edgec_dsp.h): taps outside the input read a row of the
 * input zero point. Each block's outputs are written after all its taps are read, pixel
 * after pixel, as the DSP variant does (the access contract of docs/aot.md). With a fused
 * residual the outputs are written channel by channel with edgec_dsp_put, which reads
 * shortcut[i] just before writing output[i]. Parameters as for
 * edgec_depthwise_conv2d_s8_dsp, except the filter and the per-channel tables: per block
 * of eight channels, the block's weights tap by tap (8 * k_h * k_w bytes, zero past the
 * last channel); bias, multiplier and shift zero padded to a multiple of 8. Scratch:
 * channels bytes rounded up to 8. */
#include <arm_mve.h>

#include "edgec_dsp.h"

/* GCC 12 schedules the loads and products of all nine taps of a 3x3 window first and
 * spills them to the stack. An empty asm after each tap that takes the accumulators in
 * vector registers and orders memory keeps every tap's loads, products and adds together
 * (it emits no code). */
#if defined(__GNUC__) && !defined(__clang__)
#define EDGEC_MVE_TAP_BARRIER(a, b) __asm__ volatile("" : "+w"(a), "+w"(b) : : "memory")
#else
#define EDGEC_MVE_TAP_BARRIER(a, b)
#endif

/* edgec_dsp_mbqm, the output offset and the activation's clamp on four lanes at once.
 * For a multiplier >= 0, VQRDMULH is (x * multiplier + 2^30) >> 31 (no saturation: that
 * needs both operands INT32_MIN), the add-and-shift of edgec_dsp_mbqm. VRSHL by -right
 * rounds halves up; edgec_rdbpot rounds them away from zero, so a negative value that is
 * shifted first loses 1 (the sign bit of x & shift, shift < 0). VSHL wraps like the C's
 * unsigned left shift. */
EDGEC_DSP_ALWAYS_INLINE int32x4_t dw_requantize(const int32x4_t acc, const int32x4_t multiplier,
                                                const int32x4_t shift,
                                                const int32_t output_offset,
                                                const int32_t act_min, const int32_t act_max) {
  const int32x4_t zero = vdupq_n_s32(0);
  const int32x4_t left = vmaxq_s32(shift, zero), right = vminq_s32(shift, zero); /* right <= 0 */
  int32x4_t x = vqrdmulhq_s32(vshlq_s32(acc, left), multiplier);
  x = vqaddq_s32(x, vshrq_n_s32(vandq_s32(x, right), 31));
  x = vaddq_n_s32(vrshlq_s32(x, right), output_offset);
  return vminq_s32(vmaxq_s32(x, vdupq_n_s32(act_min)), vdupq_n_s32(act_max));
}

/* Channels c0 .. c0 + 7 of one output pixel (the first n of them: `tail`, predicate
 * `pred`), written from output[at]. `tail` and `residual` are constants at each call site. */
EDGEC_DSP_ALWAYS_INLINE void dw_block(const edgec_dsp_tail *t, const int residual,
                                      const int8_t *const *tap, const int32_t taps,
                                      const int32_t c0, const int8_t *w, const int32_t *bias,
                                      int8_t *output, const size_t at, const int tail,
                                      const int32_t n, const mve_pred16_t pred) {
  const int32x4x2_t b = vld2q_s32(bias + c0);
  int32x4_t even = b.val[0], odd = b.val[1];
  int32_t k;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 9
#endif
  for (k = 0; k < taps; k++) {
    const int16x8_t x = tail ? vldrbq_z_s16(tap[k] + c0, pred) : vldrbq_s16(tap[k] + c0);
    const int16x8_t f = vldrbq_s16(w + 8 * k);
    even = vaddq_s32(even, vmullbq_int_s16(x, f));
    odd = vaddq_s32(odd, vmulltq_int_s16(x, f));
    EDGEC_MVE_TAP_BARRIER(even, odd);
  }
  if (residual) { /* the sums in channel order (VST2 interleaves), then one by one */
    int32_t acc[8], j;
    int32x4x2_t pair;
    pair.val[0] = even;
    pair.val[1] = odd;
    vst2q_s32(acc, pair);
    for (j = 0; j < n; j++) {
      edgec_dsp_put(t, residual, output, at + j, c0 + j, acc[j]);
    }
  } else {
    const int32x4x2_t m = vld2q_s32(t->multiplier + c0), s = vld2q_s32(t->shift + c0);
    const int32_t offset = t->output_offset, lo = t->act_min, hi = t->act_max;
    int16x8_t v = vdupq_n_s16(0);
    v = vmovnbq_s32(v, dw_requantize(even, m.val[0], s.val[0], offset, lo, hi));
    v = vmovntq_s32(v, dw_requantize(odd, m.val[1], s.val[1], offset, lo, hi));
    if (tail) {
      vstrbq_p_s16(output + at, v, pred);
    } else {
      vstrbq_s16(output + at, v);
    }
  }
}

EDGEC_DSP_ALWAYS_INLINE void dw_body(const edgec_depthwise_dsp_params *p, const int8_t *input,
                                     int8_t *output, const edgec_dsp_tail *tail,
                                     const int residual, const int32_t taps,
                                     const int8_t *pad_row) {
  const int32_t ch = p->channels, whole = ch / 8 * 8;
  const int32_t in_h = p->in_h, in_w = p->in_w;
  const int32_t *const bias = p->bias;
  const mve_pred16_t last = vctp16q((uint32_t)(ch - whole)); /* the last channels' lanes */
  const int8_t *tap[EDGEC_DSP_MAX_TAPS];
  int32_t offset[EDGEC_DSP_MAX_TAPS]; /* of each tap from the window's corner */
  size_t at = 0;
  int32_t b, oy, ox;
  edgec_tap_offsets(p, offset);
  for (b = 0; b < p->batches; b++) {
    const int8_t *image = input + (size_t)b * in_h * in_w * ch;
    for (oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      for (ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        const int8_t *w = p->filter;
        int32_t c;
        edgec_window_taps(p, image, iy0, ix0, taps, offset, pad_row, tap);
        for (c = 0; c < whole; c += 8) {
          dw_block(tail, residual, tap, taps, c, w, bias, output, at, 0, 8, last);
          w += 8 * taps;
          at += 8;
        }
        if (c < ch) { /* the channels % 8 last channels */
          dw_block(tail, residual, tap, taps, c, w, bias, output, at, 1, ch - c, last);
          at += (size_t)(ch - c);
        }
      }
    }
  }
}

void edgec_depthwise_conv2d_s8_mve(const edgec_depthwise_dsp_params *p, const int8_t *input,
                                   int8_t *output, const edgec_residual *res,
                                   const int8_t *shortcut, int32_t *scratch) {
  const int8_t *pad_row = (const int8_t *)scratch;
  const int32_t taps = p->k_h * p->k_w;
  edgec_dsp_tail tail;
  edgec_dsp_tail_init(&tail, p->multiplier, p->shift, p->output_offset, p->act_min, p->act_max,
                      res, shortcut, p->residual_table);
  memset(scratch, p->pad_value, (size_t)p->channels);
  if (res != NULL) {
    dw_body(p, input, output, &tail, 1, taps, pad_row);
  } else if (taps == 9) {
    dw_body(p, input, output, &tail, 0, 9, pad_row);
  } else {
    dw_body(p, input, output, &tail, 0, taps, pad_row);
  }
}
