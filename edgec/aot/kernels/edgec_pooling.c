/* AVERAGE_POOL_2D and MAX_POOL_2D, int8 (portable reference). Only the part of
 * each window inside the input counts. */
#include "edgec_kernels.h"

static int32_t window_start(int32_t origin) { return origin < 0 ? -origin : 0; }

static int32_t window_end(int32_t origin, int32_t filter, int32_t size) {
  return filter < size - origin ? filter : size - origin;
}

void edgec_avg_pool_s8(const edgec_pool_params *p, const int8_t *input, int8_t *output) {
  size_t o = 0;
  int32_t b, oy, ox, c, fy, fx;
  for (b = 0; b < p->batches; b++) {
    for (oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      const int32_t fy0 = window_start(iy0), fy1 = window_end(iy0, p->filter_h, p->in_h);
      for (ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        const int32_t fx0 = window_start(ix0), fx1 = window_end(ix0, p->filter_w, p->in_w);
        for (c = 0; c < p->channels; c++) {
          int32_t acc = 0, count = 0;
          for (fy = fy0; fy < fy1; fy++) {
            for (fx = fx0; fx < fx1; fx++) {
              acc += input[(((size_t)b * p->in_h + iy0 + fy) * p->in_w + ix0 + fx) * p->channels + c];
              count++;
            }
          }
          if (count > 0) { /* rounded to nearest, ties away from zero */
            acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
          }
          output[o++] = (int8_t)edgec_clamp(acc, p->act_min, p->act_max);
        }
      }
    }
  }
}

void edgec_max_pool_s8(const edgec_pool_params *p, const int8_t *input, int8_t *output) {
  size_t o = 0;
  int32_t b, oy, ox, c, fy, fx;
  for (b = 0; b < p->batches; b++) {
    for (oy = 0; oy < p->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      const int32_t fy0 = window_start(iy0), fy1 = window_end(iy0, p->filter_h, p->in_h);
      for (ox = 0; ox < p->out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        const int32_t fx0 = window_start(ix0), fx1 = window_end(ix0, p->filter_w, p->in_w);
        for (c = 0; c < p->channels; c++) {
          int32_t best = -128;
          for (fy = fy0; fy < fy1; fy++) {
            for (fx = fx0; fx < fx1; fx++) {
              const int32_t v =
                  input[(((size_t)b * p->in_h + iy0 + fy) * p->in_w + ix0 + fx) * p->channels + c];
              best = v > best ? v : best;
            }
          }
          output[o++] = (int8_t)edgec_clamp(best, p->act_min, p->act_max);
        }
      }
    }
  }
}
