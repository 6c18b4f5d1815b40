/* ADD and MUL of two int8 tensors with broadcasting (portable reference). */
#include "edgec_kernels.h"

/* Visits the output in order, calling op(i, offset1, offset2) for each element. */
#define EDGEC_BROADCAST_LOOP(b, BODY)                                                   \
  do {                                                                                  \
    if ((b)->flat) {                                                                    \
      size_t n_ = 1, i_;                                                                \
      int d_;                                                                           \
      for (d_ = 0; d_ < EDGEC_MAX_DIMS; d_++) {                                         \
        n_ *= (size_t)(b)->dims[d_];                                                    \
      }                                                                                 \
      for (i_ = 0; i_ < n_; i_++) {                                                     \
        const size_t o_ = i_, a_ = i_, c_ = i_;                                         \
        BODY;                                                                           \
      }                                                                                 \
    } else {                                                                            \
      int32_t idx_[EDGEC_MAX_DIMS] = {0, 0, 0, 0, 0, 0};                                \
      size_t o_ = 0, a_ = 0, c_ = 0;                                                    \
      int d_;                                                                           \
      for (d_ = 0; d_ < EDGEC_MAX_DIMS; d_++) {                                         \
        if ((b)->dims[d_] == 0) {                                                       \
          return;                                                                       \
        }                                                                               \
      }                                                                                 \
      for (;;) {                                                                        \
        BODY;                                                                           \
        o_++;                                                                           \
        for (d_ = EDGEC_MAX_DIMS - 1; d_ >= 0; d_--) {                                  \
          a_ += (size_t)(b)->strides1[d_];                                              \
          c_ += (size_t)(b)->strides2[d_];                                              \
          if (++idx_[d_] < (b)->dims[d_]) {                                             \
            break;                                                                      \
          }                                                                             \
          a_ -= (size_t)(b)->strides1[d_] * (size_t)(b)->dims[d_];                      \
          c_ -= (size_t)(b)->strides2[d_] * (size_t)(b)->dims[d_];                      \
          idx_[d_] = 0;                                                                 \
        }                                                                               \
        if (d_ < 0) {                                                                   \
          break;                                                                        \
        }                                                                               \
      }                                                                                 \
    }                                                                                   \
  } while (0)

void edgec_add_s8(const edgec_add_params *p, const edgec_broadcast *b, const int8_t *in1,
                  const int8_t *in2, int8_t *output) {
  EDGEC_BROADCAST_LOOP(b, output[o_] = edgec_add_elem(p, in1[a_], in2[c_]));
}

void edgec_mul_s8(const edgec_mul_params *p, const edgec_broadcast *b, const int8_t *in1,
                  const int8_t *in2, int8_t *output) {
  EDGEC_BROADCAST_LOOP(b, {
    const int32_t prod = ((int32_t)in1[a_] + p->input1_offset) * ((int32_t)in2[c_] + p->input2_offset);
    const int32_t out = edgec_mbqm(prod, p->output_multiplier, p->output_shift) + p->output_offset;
    output[o_] = (int8_t)edgec_clamp(out, p->act_min, p->act_max);
  });
}
