/* CONV_2D, int8 (portable reference). Windows that fall outside the input are
 * skipped (implicit zero padding in real terms: input_offset is not added there). */
#include "edgec_kernels.h"

void edgec_conv2d_s8(const edgec_conv_params *p, const int8_t *input, int8_t *output,
                     const edgec_residual *res, const int8_t *shortcut) {
  const int32_t groups = p->in_c / p->filter_c;
  const int32_t per_group = p->out_c / groups;
  size_t o = 0;
  int32_t b, oy, ox, oc, ky, kx, ic;
  for (b = 0; b < p->batches; b++) {
    for (oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      for (ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        for (oc = 0; oc < p->out_c; oc++) {
          const int32_t group_base = (oc / per_group) * p->filter_c;
          const int32_t q = p->per_channel ? oc : 0;
          int32_t acc = 0;
          for (ky = 0; ky < p->k_h; ky++) {
            const int32_t iy = iy0 + ky * p->dilation_h;
            if (iy < 0 || iy >= p->in_h) {
              continue;
            }
            for (kx = 0; kx < p->k_w; kx++) {
              const int32_t ix = ix0 + kx * p->dilation_w;
              const int8_t *in_px;
              const int8_t *f;
              if (ix < 0 || ix >= p->in_w) {
                continue;
              }
              in_px = input + (((size_t)b * p->in_h + iy) * p->in_w + ix) * p->in_c + group_base;
              f = p->filter + (((size_t)oc * p->k_h + ky) * p->k_w + kx) * p->filter_c;
              for (ic = 0; ic < p->filter_c; ic++) {
                acc += (int32_t)f[ic] * ((int32_t)in_px[ic] + p->input_offset);
              }
            }
          }
          output[o] = edgec_residual_apply(
              res, shortcut, o,
              edgec_requantize_acc(acc, p->bias, oc, p->multiplier[q], p->shift[q],
                                   p->output_offset, p->act_min, p->act_max));
          o++;
        }
      }
    }
  }
}
