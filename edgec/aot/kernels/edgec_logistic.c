/* LOGISTIC int8 -> int8 (portable reference): the input in Q4.27, gemmlowp-style
 * fixed-point logistic, rescaled to output scale 1/256, zero point -128. */
#include "edgec_kernels.h"

void edgec_logistic_s8(const edgec_logistic_params *p, const int8_t *input, int8_t *output) {
  int32_t i;
  for (i = 0; i < p->size; i++) {
    const int32_t x = (int32_t)input[i] - p->input_zero_point;
    int32_t v;
    if (x <= -p->input_range_radius) {
      v = -128;
    } else if (x >= p->input_range_radius) {
      v = 127;
    } else {
      const int32_t in_q4 = edgec_mbqm(x, p->input_multiplier, p->input_left_shift);
      v = edgec_clamp(edgec_rdbpot(edgec_logistic_q4(in_q4), 31 - 8) - 128, -128, 127);
    }
    output[i] = (int8_t)v;
  }
}
