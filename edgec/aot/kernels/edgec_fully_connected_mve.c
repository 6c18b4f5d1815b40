/* FULLY_CONNECTED, int8, for cores with Helium (MVE, Cortex-M55): VMLADAVA sums sixteen
 * int8 products into a scalar accumulator in one instruction. Output channels four at a
 * time, so each vector of input values loaded feeds four VMLADAVAs. The input offset is in
 * the bias (edgec_dsp.h). Parameters as for edgec_fully_connected_s8_dsp, except the
 * filter: rows of row_len bytes (a multiple of 16, zero padded) one after another. */
#include <arm_mve.h>

#include "edgec_dsp.h"

EDGEC_DSP_ALWAYS_INLINE void fc_body(const edgec_fc_dsp_params *p, const int8_t *input,
                                     int8_t *output, const edgec_dsp_tail *tail,
                                     const int residual, int32_t *scratch) {
  const int32_t accum = p->accum_depth, out_depth = p->out_depth, row_len = p->row_len;
  const int32_t *const bias = p->bias;
  int8_t *const padded = (int8_t *)scratch; /* the input row, zero padded to row_len */
  int32_t b;
  for (b = 0; b < p->batches; b++) {
    const int8_t *x = input + (size_t)b * accum;
    const size_t base = (size_t)b * out_depth;
    const int8_t *w = p->filter;
    int32_t oc;
    if (accum != row_len) {
      memcpy(padded, x, (size_t)accum);
      memset(padded + accum, 0, (size_t)(row_len - accum));
      x = padded;
    }
    for (oc = 0; oc + 3 < out_depth; oc += 4) {
      int32_t a0 = bias[oc], a1 = bias[oc + 1], a2 = bias[oc + 2], a3 = bias[oc + 3], k;
      for (k = 0; k < row_len; k += 16) {
        const int8x16_t v = vldrbq_s8(x + k);
        a0 = vmladavaq_s8(a0, vldrbq_s8(w + k), v);
        a1 = vmladavaq_s8(a1, vldrbq_s8(w + row_len + k), v);
        a2 = vmladavaq_s8(a2, vldrbq_s8(w + 2 * row_len + k), v);
        a3 = vmladavaq_s8(a3, vldrbq_s8(w + 3 * row_len + k), v);
      }
      w += 4 * row_len;
      edgec_dsp_put(tail, residual, output, base + oc, oc, a0);
      edgec_dsp_put(tail, residual, output, base + oc + 1, oc + 1, a1);
      edgec_dsp_put(tail, residual, output, base + oc + 2, oc + 2, a2);
      edgec_dsp_put(tail, residual, output, base + oc + 3, oc + 3, a3);
    }
    for (; oc < out_depth; oc++) { /* the out_depth % 4 last rows */
      int32_t acc = bias[oc], k;
      for (k = 0; k < row_len; k += 16) {
        acc = vmladavaq_s8(acc, vldrbq_s8(w + k), vldrbq_s8(x + k));
      }
      w += row_len;
      edgec_dsp_put(tail, residual, output, base + oc, oc, acc);
    }
  }
}

void edgec_fully_connected_s8_mve(const edgec_fc_dsp_params *p, const int8_t *input,
                                  int8_t *output, const edgec_residual *res,
                                  const int8_t *shortcut, int32_t *scratch) {
  edgec_dsp_tail tail;
  edgec_dsp_tail_init(&tail, p->multiplier, p->shift, p->output_offset, p->act_min, p->act_max,
                      res, shortcut, p->residual_table);
  if (res != NULL) {
    fc_body(p, input, output, &tail, 1, scratch);
  } else {
    fc_body(p, input, output, &tail, 0, scratch);
  }
}
