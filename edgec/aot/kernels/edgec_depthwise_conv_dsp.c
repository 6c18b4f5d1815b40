/* DEPTHWISE_CONV_2D (depth multiplier 1), int8, for cores with the Arm DSP extension.
 *
 * Four channels at a time: one word of input and one of weights per tap, widened with
 * SXTB16 into the even and odd channels, which SMLABB / SMLATT accumulate separately.
 * The input offset is in the bias (edgec_dsp.h): taps outside the input read a row of
 * the input zero point. 3x3 windows get a loop of nine unrolled taps. */
#include "edgec_dsp.h"

EDGEC_DSP_ALWAYS_INLINE void dw_body(const edgec_depthwise_dsp_params *p, const int8_t *input,
                                     int8_t *output, const edgec_dsp_tail *tail,
                                     const int residual, const int32_t taps,
                                     const int8_t *pad_row) {
  const int32_t ch = p->channels, quads = ch / 4;
  const int32_t in_h = p->in_h, in_w = p->in_w;
  const int8_t *const filter = p->filter;
  const int32_t *const bias = p->bias;
  const int8_t *tap[EDGEC_DSP_MAX_TAPS];
  int32_t offset[EDGEC_DSP_MAX_TAPS]; /* of each tap from the window's corner */
  size_t at = 0;
  int32_t b, oy, ox, t;
  edgec_tap_offsets(p, offset);
  for (b = 0; b < p->batches; b++) {
    const int8_t *image = input + (size_t)b * in_h * in_w * ch;
    for (oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      for (ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        const int8_t *w = filter;
        int32_t q, c;
        edgec_window_taps(p, image, iy0, ix0, taps, offset, pad_row, tap);
        for (q = 0; q < quads; q++) {
          const int32_t c0 = 4 * q;
          int32_t a0 = bias[c0], a1 = bias[c0 + 1], a2 = bias[c0 + 2], a3 = bias[c0 + 3];
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 9
#endif
          for (t = 0; t < taps; t++) {
            const int32_t x = edgec_load32(tap[t] + c0), f = edgec_load32(w + 4 * t);
            const int32_t x02 = edgec_sxtb16(x), x13 = edgec_sxtb16_ror8(x);
            const int32_t f02 = edgec_sxtb16(f), f13 = edgec_sxtb16_ror8(f);
            a0 = __smlabb(x02, f02, a0);
            a2 = __smlatt(x02, f02, a2);
            a1 = __smlabb(x13, f13, a1);
            a3 = __smlatt(x13, f13, a3);
          }
          w += 4 * taps;
          edgec_dsp_put(tail, residual, output, at, c0, a0);
          edgec_dsp_put(tail, residual, output, at + 1, c0 + 1, a1);
          edgec_dsp_put(tail, residual, output, at + 2, c0 + 2, a2);
          edgec_dsp_put(tail, residual, output, at + 3, c0 + 3, a3);
          at += 4;
        }
        for (c = 4 * quads; c < ch; c++) { /* the channels % 4 last channels */
          int32_t acc = bias[c];
          for (t = 0; t < taps; t++) {
            acc += (int32_t)tap[t][c] * w[t];
          }
          w += taps;
          edgec_dsp_put(tail, residual, output, at++, c, acc);
        }
      }
    }
  }
}

void edgec_depthwise_conv2d_s8_dsp(const edgec_depthwise_dsp_params *p, const int8_t *input,
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
