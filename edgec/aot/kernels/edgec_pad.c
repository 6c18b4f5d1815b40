/* PAD / PADV2 of an int8 tensor with a constant (portable reference). */
#include "edgec_kernels.h"

void edgec_pad_s8(const edgec_pad_params *p, const int8_t *input, int8_t *output) {
  int32_t idx[EDGEC_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
  int32_t in_strides[EDGEC_MAX_DIMS];
  size_t o = 0;
  int d;
  in_strides[EDGEC_MAX_DIMS - 1] = 1;
  for (d = EDGEC_MAX_DIMS - 2; d >= 0; d--) {
    in_strides[d] = in_strides[d + 1] * p->in_dims[d + 1];
  }
  for (d = 0; d < EDGEC_MAX_DIMS; d++) {
    if (p->out_dims[d] == 0) {
      return;
    }
  }
  for (;;) {
    size_t off = 0;
    int inside = 1;
    for (d = 0; d < EDGEC_MAX_DIMS; d++) {
      const int32_t i = idx[d] - p->before[d];
      if (i < 0 || i >= p->in_dims[d]) {
        inside = 0;
        break;
      }
      off += (size_t)i * (size_t)in_strides[d];
    }
    output[o++] = inside ? input[off] : p->value;
    for (d = EDGEC_MAX_DIMS - 1; d >= 0; d--) {
      if (++idx[d] < p->out_dims[d]) {
        break;
      }
      idx[d] = 0;
    }
    if (d < 0) {
      break;
    }
  }
}
