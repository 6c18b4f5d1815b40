/* FULLY_CONNECTED, int8 (portable reference). */
#include "edgec_kernels.h"

void edgec_fully_connected_s8(const edgec_fc_params *p, const int8_t *input, int8_t *output,
                              const edgec_residual *res, const int8_t *shortcut) {
  size_t o = 0;
  int32_t b, oc, d;
  for (b = 0; b < p->batches; b++) {
    const int8_t *x = input + (size_t)b * p->accum_depth;
    for (oc = 0; oc < p->out_depth; oc++) {
      const int8_t *w = p->filter + (size_t)oc * p->accum_depth;
      const int32_t q = p->per_channel ? oc : 0;
      int32_t acc = 0;
      for (d = 0; d < p->accum_depth; d++) {
        acc += ((int32_t)w[d] + p->filter_offset) * ((int32_t)x[d] + p->input_offset);
      }
      output[o] = edgec_residual_apply(
          res, shortcut, o,
          edgec_requantize_acc(acc, p->bias, oc, p->multiplier[q], p->shift[q],
                               p->output_offset, p->act_min, p->act_max));
      o++;
    }
  }
}
