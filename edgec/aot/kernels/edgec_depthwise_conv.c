/* DEPTHWISE_CONV_2D, int8 (portable reference). */
#include "edgec_kernels.h"

void edgec_depthwise_conv2d_s8(const edgec_depthwise_params *p, const int8_t *input,
                               int8_t *output, const edgec_residual *res,
                               const int8_t *shortcut) {
  const int32_t out_c = p->in_c * p->depth_multiplier;
  size_t o = 0;
  int32_t b, oy, ox, ic, m, ky, kx;
  for (b = 0; b < p->batches; b++) {
    for (oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      for (ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        for (ic = 0; ic < p->in_c; ic++) {
          for (m = 0; m < p->depth_multiplier; m++) {
            const int32_t oc = ic * p->depth_multiplier + m;
            const int32_t q = p->per_channel ? oc : 0;
            int32_t acc = 0;
            for (ky = 0; ky < p->k_h; ky++) {
              const int32_t iy = iy0 + ky * p->dilation_h;
              if (iy < 0 || iy >= p->in_h) {
                continue;
              }
              for (kx = 0; kx < p->k_w; kx++) {
                const int32_t ix = ix0 + kx * p->dilation_w;
                int32_t v;
                if (ix < 0 || ix >= p->in_w) {
                  continue;
                }
                v = input[(((size_t)b * p->in_h + iy) * p->in_w + ix) * p->in_c + ic];
                acc += (int32_t)p->filter[((size_t)ky * p->k_w + kx) * out_c + oc] *
                       (v + p->input_offset);
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
}
