/* QUANTIZE and DEQUANTIZE (portable reference). */
#include <math.h>

#include "edgec_kernels.h"

void edgec_quantize_f32_s8(const edgec_affine_params *p, const float *input, int8_t *output) {
  int32_t i;
  for (i = 0; i < p->size; i++) {
    const int32_t q = (int32_t)roundf(input[i] / p->scale) + p->zero_point;
    output[i] = (int8_t)edgec_clamp(q, -128, 127);
  }
}

void edgec_requantize_s8(const edgec_requantize_params *p, const int8_t *input, int8_t *output) {
  int32_t i;
  for (i = 0; i < p->size; i++) {
    const int32_t q = edgec_mbqm((int32_t)input[i] - p->input_zero_point, p->multiplier, p->shift) +
                      p->output_zero_point;
    output[i] = (int8_t)edgec_clamp(q, -128, 127);
  }
}

void edgec_dequantize_s8_f32(const edgec_affine_params *p, const int8_t *input, float *output) {
  int32_t i;
  for (i = 0; i < p->size; i++) {
    output[i] = (float)((double)p->scale * (double)((int32_t)input[i] - p->zero_point));
  }
}
