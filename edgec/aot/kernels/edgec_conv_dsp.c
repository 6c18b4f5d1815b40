/* CONV_2D, int8, for cores with the Arm DSP extension (SXTB16 + SMLAD).
 *
 * Output pixels are taken two at a time: each one's window (im2col) is widened once
 * into int16 pairs, then every pair of output channels is a 2x2 block of dot products,
 * so each weight word and each input word loaded feeds two SMLADs. The window is
 * col_len values long (a multiple of 8, zero weights beyond the real window). The input offset is
 * in the bias (edgec_dsp.h), so positions outside the input hold its zero point. */
#include "edgec_dsp.h"

/* One group of four window values of both pixels with output channels oc and oc + 1: a
 * doubleword of weights (one word per channel) and two of widened window values (pixel 0,
 * pixel 1), each weight word widened once and used twice. Written out so that the loads
 * are LDRDs (gcc splits them into single loads) and no accumulator leaves its register:
 * 3 loads, 4 SXTB16 and 8 SMLAD for 16 multiply-accumulates. w and x advance. */
#define DOT2X2()                                                                     \
  do {                                                                               \
    int32_t w0_, w1_, x0_, x1_, x2_, x3_, t_;                                        \
    __asm__("ldrd %[w0], %[w1], [%[w]], #8\n\t"                                      \
            "ldrd %[x0], %[x1], [%[x]], #8\n\t"                                      \
            "ldrd %[x2], %[x3], [%[x]], #8\n\t"                                      \
            "sxtb16 %[t], %[w0]\n\t"                                                  \
            "sxtb16 %[w0], %[w0], ror #8\n\t"                                         \
            "smlad %[a00], %[t], %[x0], %[a00]\n\t"                                   \
            "smlad %[a01], %[t], %[x2], %[a01]\n\t"                                   \
            "smlad %[a00], %[w0], %[x1], %[a00]\n\t"                                  \
            "smlad %[a01], %[w0], %[x3], %[a01]\n\t"                                  \
            "sxtb16 %[t], %[w1]\n\t"                                                  \
            "sxtb16 %[w1], %[w1], ror #8\n\t"                                         \
            "smlad %[a10], %[t], %[x0], %[a10]\n\t"                                   \
            "smlad %[a11], %[t], %[x2], %[a11]\n\t"                                   \
            "smlad %[a10], %[w1], %[x1], %[a10]\n\t"                                  \
            "smlad %[a11], %[w1], %[x3], %[a11]"                                        \
            : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11),       \
              [w] "+r"(w), [x] "+r"(x), [w0] "=&r"(w0_), [w1] "=&r"(w1_),               \
              [x0] "=&r"(x0_), [x1] "=&r"(x1_), [x2] "=&r"(x2_), [x3] "=&r"(x3_),      \
              [t] "=&r"(t_)                                                          \
            :                                                                        \
            : "memory");                                                             \
  } while (0)

/* Dot products of the widened windows with output channel pairs, two groups of four
 * input values per step (col_len is a multiple of 8), then the tail for each result. */
EDGEC_DSP_ALWAYS_INLINE void conv_body(const edgec_conv_dsp_params *p, const int8_t *input,
                                       int8_t *output, const edgec_dsp_tail *tail,
                                       const int residual, int32_t *scratch) {
  const int32_t pixels = p->out_h * p->out_w, col_len = p->col_len, out_c = p->out_c;
  const int32_t in_c = p->in_c, out_w = p->out_w, direct = p->direct;
  const int32_t step_y = p->stride_h * p->in_w * in_c, step_x = p->stride_w * in_c;
  const size_t image_bytes = (size_t)p->in_h * p->in_w * in_c;
  const int8_t *const filter = p->filter;
  const int32_t *const bias = p->bias;
  int32_t *const cols = scratch; /* two widened windows, interleaved group by group */
  const int32_t *const cols_end = cols + col_len;
  int8_t *const col8 = (int8_t *)(scratch + col_len);
  int32_t b, px;
  for (b = 0; b < p->batches; b++) {
    const int8_t *image = input + (size_t)b * image_bytes;
    const size_t base = (size_t)b * pixels * out_c;
    for (px = 0; px < pixels; px += 2) {
      const int32_t second = px + 1 < pixels ? px + 1 : px; /* an odd last pixel: twice */
      const size_t at0 = base + (size_t)px * out_c, at1 = base + (size_t)second * out_c;
      const int8_t *w = filter;
      int32_t j, oc;
      for (j = 0; j < 2; j++) {
        const int32_t pixel = j ? second : px, oy = pixel / out_w, ox = pixel % out_w;
        const int8_t *src = col8;
        if (direct) {
          src = image + (size_t)oy * step_y + (size_t)ox * step_x;
        } else {
          edgec_window(p, image, oy, ox, col8);
        }
        edgec_widen(src, col_len / 4, cols + 2 * j, 4);
      }
      for (oc = 0; oc + 1 < out_c; oc += 2) {
        int32_t a00 = bias[oc], a01 = a00, a10 = bias[oc + 1], a11 = a10;
        const int32_t *x = cols;
        while (x < cols_end) { /* two groups of four window values per step */
          DOT2X2();
          DOT2X2();
        }
        edgec_dsp_put(tail, residual, output, at0 + oc, oc, a00);
        edgec_dsp_put(tail, residual, output, at0 + oc + 1, oc + 1, a10);
        if (second != px) {
          edgec_dsp_put(tail, residual, output, at1 + oc, oc, a01);
          edgec_dsp_put(tail, residual, output, at1 + oc + 1, oc + 1, a11);
        }
      }
      if (oc < out_c) { /* an odd last output channel */
        int32_t a0 = bias[oc], a1 = a0;
        const int32_t *x = cols;
        while (x < cols_end) {
          const int32_t w0 = edgec_load32(w);
          const int32_t wa = edgec_sxtb16(w0), wb = edgec_sxtb16_ror8(w0);
          a0 = __smlad(wa, x[0], a0);
          a0 = __smlad(wb, x[1], a0);
          a1 = __smlad(wa, x[2], a1);
          a1 = __smlad(wb, x[3], a1);
          w += 4;
          x += 4;
        }
        edgec_dsp_put(tail, residual, output, at0 + oc, oc, a0);
        if (second != px) {
          edgec_dsp_put(tail, residual, output, at1 + oc, oc, a1);
        }
      }
    }
  }
}

void edgec_conv2d_s8_dsp(const edgec_conv_dsp_params *p, const int8_t *input, int8_t *output,
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
