/* CONV_2D, int8, for cores with Helium (MVE, Cortex-M55): VMLADAVA sums sixteen int8
 * products into a scalar accumulator in one instruction.
 *
 * Output pixels are taken two at a time: each one's window (im2col) is copied once as
 * int8 (always, also for 1x1 windows: the output may be planned over the input, and both
 * windows are read before either pixel is written), then every pair of output channels is a 2x2 block of dot products, so each vector
 * of weights and of window values loaded feeds two VMLADAVAs. The input offset is in the
 * bias (edgec_dsp.h), so positions outside the input hold its zero point. Parameters as for
 * edgec_conv2d_s8_dsp, except the filter: rows of col_len bytes (a multiple of 16, zero
 * padded) one after another. */
#include <arm_mve.h>

#include "edgec_dsp.h"

EDGEC_DSP_ALWAYS_INLINE void conv_body(const edgec_conv_dsp_params *p, const int8_t *input,
                                       int8_t *output, const edgec_dsp_tail *tail,
                                       const int residual, int32_t *scratch) {
  const int32_t pixels = p->out_h * p->out_w, col_len = p->col_len, out_c = p->out_c;
  const int32_t out_w = p->out_w;
  const size_t image_bytes = (size_t)p->in_h * p->in_w * p->in_c;
  const int32_t *const bias = p->bias;
  int8_t *const cols = (int8_t *)scratch; /* two windows, col_len bytes each */
  int32_t b, px;
  for (b = 0; b < p->batches; b++) {
    const int8_t *image = input + (size_t)b * image_bytes;
    const size_t base = (size_t)b * pixels * out_c;
    for (px = 0; px < pixels; px += 2) {
      const int32_t second = px + 1 < pixels ? px + 1 : px; /* an odd last pixel: twice */
      const size_t at0 = base + (size_t)px * out_c, at1 = base + (size_t)second * out_c;
      const int8_t *w = p->filter;
      const int8_t *col[2];
      int32_t j, oc;
      for (j = 0; j < 2; j++) {
        const int32_t pixel = j ? second : px, oy = pixel / out_w, ox = pixel % out_w;
        edgec_window(p, image, oy, ox, cols + j * col_len);
        col[j] = cols + j * col_len;
      }
      for (oc = 0; oc + 1 < out_c; oc += 2) {
        int32_t a00 = bias[oc], a01 = a00, a10 = bias[oc + 1], a11 = a10, k;
        for (k = 0; k < col_len; k += 16) {
          const int8x16_t x0 = vldrbq_s8(col[0] + k), x1 = vldrbq_s8(col[1] + k);
          const int8x16_t w0 = vldrbq_s8(w + k), w1 = vldrbq_s8(w + col_len + k);
          a00 = vmladavaq_s8(a00, w0, x0);
          a01 = vmladavaq_s8(a01, w0, x1);
          a10 = vmladavaq_s8(a10, w1, x0);
          a11 = vmladavaq_s8(a11, w1, x1);
        }
        w += 2 * col_len;
        edgec_dsp_put(tail, residual, output, at0 + oc, oc, a00);
        edgec_dsp_put(tail, residual, output, at0 + oc + 1, oc + 1, a10);
        if (second != px) {
          edgec_dsp_put(tail, residual, output, at1 + oc, oc, a01);
          edgec_dsp_put(tail, residual, output, at1 + oc + 1, oc + 1, a11);
        }
      }
      if (oc < out_c) { /* an odd last output channel */
        int32_t a0 = bias[oc], a1 = a0, k;
        for (k = 0; k < col_len; k += 16) {
          const int8x16_t w0 = vldrbq_s8(w + k);
          a0 = vmladavaq_s8(a0, w0, vldrbq_s8(col[0] + k));
          a1 = vmladavaq_s8(a1, w0, vldrbq_s8(col[1] + k));
        }
        edgec_dsp_put(tail, residual, output, at0 + oc, oc, a0);
        if (second != px) {
          edgec_dsp_put(tail, residual, output, at1 + oc, oc, a1);
        }
      }
    }
  }
}

void edgec_conv2d_s8_mve(const edgec_conv_dsp_params *p, const int8_t *input, int8_t *output,
                         const edgec_residual *res, const int8_t *shortcut, int32_t *scratch) {
  edgec_dsp_tail tail;
  edgec_dsp_tail_init(&tail, p->multiplier, p->shift, p->output_offset, p->act_min, p->act_max,
                      res, shortcut, p->residual_table);
  if (res != NULL) {
    conv_body(p, input, output, &tail, 1, scratch);
  } else {
    conv_body(p, input, output, &tail, 0, scratch);
  }
}
