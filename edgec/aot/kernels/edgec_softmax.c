/* SOFTMAX int8 -> int8 over the last dimension (portable reference): exp of the
 * scaled differences to the row maximum in Q5.26, summed in Q12.19, times the
 * reciprocal of the sum. Output scale 1/256, zero point -128. */
#include "edgec_kernels.h"

void edgec_softmax_s8(const edgec_softmax_params *p, const int8_t *input, int8_t *output) {
  int32_t i, c;
  for (i = 0; i < p->outer; i++) {
    const int8_t *in = input + (size_t)i * p->depth;
    int8_t *out = output + (size_t)i * p->depth;
    int32_t max = -128, sum = 0, scale;
    int bits_over_unit, exponent;
    for (c = 0; c < p->depth; c++) {
      max = in[c] > max ? in[c] : max;
    }
    for (c = 0; c < p->depth; c++) {
      const int32_t diff = (int32_t)in[c] - max;
      if (diff >= p->diff_min) {
        const int32_t scaled = edgec_srdhm((int32_t)((uint32_t)diff << p->input_left_shift),
                                           p->input_multiplier);
        sum += edgec_rdbpot(edgec_exp_on_negative_values(scaled, 5), 12);
      }
    }
    scale = edgec_reciprocal(sum, 12, &bits_over_unit);
    exponent = bits_over_unit + 31 - 8;
    for (c = 0; c < p->depth; c++) {
      const int32_t diff = (int32_t)in[c] - max;
      int32_t v = -128;
      if (diff >= p->diff_min) {
        const int32_t scaled = edgec_srdhm((int32_t)((uint32_t)diff << p->input_left_shift),
                                           p->input_multiplier);
        const int32_t e = edgec_exp_on_negative_values(scaled, 5);
        v = edgec_clamp(edgec_rdbpot(edgec_srdhm(scale, e), exponent) - 128, -128, 127);
      }
      out[c] = (int8_t)v;
    }
  }
}
