/* DEPTHWISE_CONV_2D (depth multiplier 1), int8, for cores with Helium (MVE, Cortex-M55).
 *
 * Sixteen channels at a time. Per tap, two widening loads (VLDRB.S16) give the input of
 * channels c..c+7 and c+8..c+15 as int16, two more the weights; VMULLB / VMULLT multiply
 * the even and the odd int16 lanes into int32 (exact: int8 * int8), added to four int32x4
 * accumulators holding channels {0,2,4,6}, {1,3,5,7}, {8,10,12,14}, {9,11,13,15} of the
 * block. VST2 stores each pair interleaved, which puts the sixteen sums back in channel
 * order; the bias is loaded the same way (VLD2). The channels % 16 last channels take the
 * same path with tail-predicated input loads (VCTP): no byte past the last channel is
 * read, and their weights are zero padded.
 *
 * The input offset is in the bias (edgec_dsp.h): taps outside the input read a row of the
 * input zero point. Each block's outputs are written after all its taps are read, pixel
 * after pixel, as the DSP variant does (the access contract of docs/aot.md). Parameters as
 * for edgec_depthwise_conv2d_s8_dsp, except the filter and the bias: per block of sixteen
 * channels, the block's weights tap by tap (16 * k_h * k_w bytes, channels past the last
 * zero); the bias zero padded to a multiple of 16. Scratch: channels bytes rounded up to 16. */
#include <arm_mve.h>

#include "edgec_dsp.h"

/* The sums of sixteen channels (fewer in the last block: n) over the taps of one output
 * pixel, in channel order in acc[0..15]. `tail` is a constant at each call site. */
EDGEC_DSP_ALWAYS_INLINE void dw_block(const int8_t *const *tap, const int32_t taps,
                                      const int32_t c0, const int8_t *w, const int32_t *bias,
                                      const int tail, const int32_t n, int32_t *acc) {
  const int32x4x2_t lo = vld2q_s32(bias + c0), hi = vld2q_s32(bias + c0 + 8);
  int32x4_t a0 = lo.val[0], a1 = lo.val[1], a2 = hi.val[0], a3 = hi.val[1];
  const mve_pred16_t p_lo = vctp16q((uint32_t)(n < 8 ? n : 8));
  const mve_pred16_t p_hi = vctp16q((uint32_t)(n > 8 ? n - 8 : 0));
  int32x4x2_t pair;
  int32_t t;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 9
#endif
  for (t = 0; t < taps; t++) {
    const int8_t *x = tap[t] + c0;
    const int16x8_t x_lo = tail ? vldrbq_z_s16(x, p_lo) : vldrbq_s16(x);
    const int16x8_t x_hi = tail ? vldrbq_z_s16(x + 8, p_hi) : vldrbq_s16(x + 8);
    const int16x8_t w_lo = vldrbq_s16(w + 16 * t), w_hi = vldrbq_s16(w + 16 * t + 8);
    a0 = vaddq_s32(a0, vmullbq_int_s16(x_lo, w_lo));
    a1 = vaddq_s32(a1, vmulltq_int_s16(x_lo, w_lo));
    a2 = vaddq_s32(a2, vmullbq_int_s16(x_hi, w_hi));
    a3 = vaddq_s32(a3, vmulltq_int_s16(x_hi, w_hi));
  }
  pair.val[0] = a0;
  pair.val[1] = a1;
  vst2q_s32(acc, pair);
  pair.val[0] = a2;
  pair.val[1] = a3;
  vst2q_s32(acc + 8, pair);
}

EDGEC_DSP_ALWAYS_INLINE void dw_body(const edgec_depthwise_dsp_params *p, const int8_t *input,
                                     int8_t *output, const edgec_dsp_tail *tail,
                                     const int residual, const int32_t taps,
                                     const int8_t *pad_row) {
  const int32_t ch = p->channels, whole = ch / 16 * 16, k_h = p->k_h, k_w = p->k_w;
  const int32_t in_h = p->in_h, in_w = p->in_w, dh = p->dilation_h, dw = p->dilation_w;
  const int32_t span_h = (k_h - 1) * dh, span_w = (k_w - 1) * dw;
  const int8_t *const filter = p->filter;
  const int32_t *const bias = p->bias;
  const int8_t *tap[EDGEC_DSP_MAX_TAPS];
  int32_t offset[EDGEC_DSP_MAX_TAPS]; /* of each tap from the window's corner */
  int32_t acc[16];
  size_t at = 0;
  int32_t b, oy, ox, t = 0, ky, kx;
  for (ky = 0; ky < k_h; ky++) {
    for (kx = 0; kx < k_w; kx++) {
      offset[t++] = (ky * dh * in_w + kx * dw) * ch;
    }
  }
  for (b = 0; b < p->batches; b++) {
    const int8_t *image = input + (size_t)b * in_h * in_w * ch;
    for (oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      for (ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        const int8_t *w = filter;
        int32_t c, j;
        if (iy0 >= 0 && iy0 + span_h < in_h && ix0 >= 0 && ix0 + span_w < in_w) {
          const int8_t *corner = image + ((size_t)iy0 * in_w + ix0) * ch;
          for (t = 0; t < taps; t++) tap[t] = corner + offset[t];
        } else {
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
        for (c = 0; c < whole; c += 16) {
          dw_block(tap, taps, c, w, bias, 0, 16, acc);
          w += 16 * taps;
          for (j = 0; j < 16; j++) {
            edgec_dsp_put(tail, residual, output, at + j, c + j, acc[j]);
          }
          at += 16;
        }
        if (c < ch) { /* the channels % 16 last channels */
          const int32_t n = ch - c;
          dw_block(tap, taps, c, w, bias, 1, n, acc);
          for (j = 0; j < n; j++) {
            edgec_dsp_put(tail, residual, output, at + j, c + j, acc[j]);
          }
          at += n;
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
