/* CONCATENATION (portable reference): copies each input's slice per outer index,
 * front to back, so it may run in place when an input already sits where its
 * slice goes. */
#include "edgec_kernels.h"

void edgec_concatenation(const edgec_concat_params *p, const int8_t *const *inputs,
                         int8_t *output) {
  size_t o = 0;
  int32_t outer, k, i;
  for (outer = 0; outer < p->outer; outer++) {
    for (k = 0; k < p->count; k++) {
      const int8_t *src = inputs[k] + (size_t)outer * (size_t)p->sizes[k];
      for (i = 0; i < p->sizes[k]; i++) {
        output[o++] = src[i];
      }
    }
  }
}
