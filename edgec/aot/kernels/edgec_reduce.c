/* MEAN of an int8 tensor over any set of axes (portable reference). Each output
 * element sums its reduced sub-space; multiplier and shift already fold in the
 * division by the element count. */
#include "edgec_kernels.h"

void edgec_mean_s8(const edgec_mean_params *p, const int8_t *input, int8_t *output) {
  int32_t strides[EDGEC_MAX_DIMS];
  int32_t kept[EDGEC_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
  size_t o = 0;
  int d;
  strides[EDGEC_MAX_DIMS - 1] = 1;
  for (d = EDGEC_MAX_DIMS - 2; d >= 0; d--) {
    strides[d] = strides[d + 1] * p->dims[d + 1];
  }
  for (;;) { /* over the kept axes, in output order */
    int32_t red[EDGEC_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
    int32_t sum = 0, out;
    size_t base = 0;
    for (d = 0; d < EDGEC_MAX_DIMS; d++) {
      base += (size_t)kept[d] * (size_t)strides[d];
    }
    for (;;) { /* over the reduced axes */
      size_t off = base;
      for (d = 0; d < EDGEC_MAX_DIMS; d++) {
        off += (size_t)red[d] * (size_t)strides[d];
      }
      sum += input[off];
      for (d = EDGEC_MAX_DIMS - 1; d >= 0; d--) {
        if (p->reduced[d] && ++red[d] < p->dims[d]) {
          break;
        }
        red[d] = 0;
      }
      if (d < 0) {
        break;
      }
    }
    sum -= p->input_zero_point * p->num_reduced;
    out = edgec_mbqm(sum, p->multiplier, p->shift) + p->output_zero_point;
    output[o++] = (int8_t)edgec_clamp(out, -128, 127);
    for (d = EDGEC_MAX_DIMS - 1; d >= 0; d--) {
      if (!p->reduced[d] && ++kept[d] < p->dims[d]) {
        break;
      }
      kept[d] = 0;
    }
    if (d < 0) {
      break;
    }
  }
}
