/* FULLY_CONNECTED, int8, for cores with the Arm DSP extension (SXTB16 + SMLAD).
 *
 * Each input row is widened once into int16 pairs; output channels are taken four at a
 * time, so each input word loaded feeds four SMLADs. The input offset is in the bias
 * (edgec_dsp.h). Rows are row_len values long (a multiple of 8, zero weights beyond
 * accum_depth: whatever the scratch holds there is multiplied by zero). */
#include "edgec_dsp.h"

EDGEC_DSP_ALWAYS_INLINE void fc_body(const edgec_fc_dsp_params *p, const int8_t *input,
                                     int8_t *output, const edgec_dsp_tail *tail,
                                     const int residual, int32_t *scratch) {
  const int32_t accum = p->accum_depth, out_depth = p->out_depth;
  const int32_t full = accum / 4, rest = accum - 4 * full;
  const int32_t *const x_end = scratch + p->row_len / 2;
  const int32_t *const bias = p->bias;
  int32_t b;
  for (b = 0; b < p->batches; b++) {
    const int8_t *row = input + (size_t)b * accum;
    const size_t base = (size_t)b * out_depth;
    const int8_t *w = p->filter;
    int32_t oc;
    edgec_widen(row, full, scratch, 2);
    if (rest) { /* the last partial word */
      int8_t last[4] = {0, 0, 0, 0};
      memcpy(last, row + 4 * full, (size_t)rest);
      edgec_widen(last, 1, scratch + 2 * full, 2);
    }
    for (oc = 0; oc + 3 < out_depth; oc += 4) {
      int32_t a0 = bias[oc], a1 = bias[oc + 1], a2 = bias[oc + 2], a3 = bias[oc + 3];
      const int32_t *x = scratch;
      while (x < x_end) {
        int32_t g;
        for (g = 0; g < 2; g++) {
          const int32_t xa = x[2 * g], xb = x[2 * g + 1];
          const int32_t w0 = edgec_load32(w), w1 = edgec_load32(w + 4);
          const int32_t w2 = edgec_load32(w + 8), w3 = edgec_load32(w + 12);
          a0 = __smlad(edgec_sxtb16(w0), xa, a0);
          a0 = __smlad(edgec_sxtb16_ror8(w0), xb, a0);
          a1 = __smlad(edgec_sxtb16(w1), xa, a1);
          a1 = __smlad(edgec_sxtb16_ror8(w1), xb, a1);
          a2 = __smlad(edgec_sxtb16(w2), xa, a2);
          a2 = __smlad(edgec_sxtb16_ror8(w2), xb, a2);
          a3 = __smlad(edgec_sxtb16(w3), xa, a3);
          a3 = __smlad(edgec_sxtb16_ror8(w3), xb, a3);
          w += 16;
        }
        x += 4;
      }
      edgec_dsp_put(tail, residual, output, base + oc, oc, a0);
      edgec_dsp_put(tail, residual, output, base + oc + 1, oc + 1, a1);
      edgec_dsp_put(tail, residual, output, base + oc + 2, oc + 2, a2);
      edgec_dsp_put(tail, residual, output, base + oc + 3, oc + 3, a3);
    }
    for (; oc < out_depth; oc++) { /* the out_depth % 4 last rows */
      int32_t acc = bias[oc];
      const int32_t *x = scratch;
      while (x < x_end) {
        const int32_t w0 = edgec_load32(w);
        acc = __smlad(edgec_sxtb16(w0), x[0], acc);
        acc = __smlad(edgec_sxtb16_ror8(w0), x[1], acc);
        w += 4;
        x += 2;
      }
      edgec_dsp_put(tail, residual, output, base + oc, oc, acc);
    }
  }
}

void edgec_fully_connected_s8_dsp(const edgec_fc_dsp_params *p, const int8_t *input,
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
