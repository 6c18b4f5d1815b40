/* edgec AOT kernels: parameter structs and entry points.
 *
 * Every kernel is plain C99 with no heap and no global state; tensors are int8
 * in NHWC order unless a comment says otherwise. Each op family lives in its
 * own file (edgec_<family>.c) so a target-specific variant (e.g. a SIMD
 * convolution) can replace one file without touching the others. A replacement
 * must keep the same results bit for bit and the same memory-access contract
 * the planner relies on: output elements are produced in increasing address
 * order, and the write of an element happens after every read that element
 * needs; reads needed by later elements may happen earlier or later. Elements
 * may also be produced in blocks of increasing address, in any order within a
 * block once every read the block needs has happened.
 */
#ifndef EDGEC_KERNELS_H_
#define EDGEC_KERNELS_H_

#include <stddef.h>
#include <stdint.h>

#include "edgec_fixedpoint.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ADD of two int8 tensors (also the epilogue of a residual fused into a conv). */
typedef struct {
  int32_t input1_offset, input2_offset; /* minus the zero points */
  int32_t left_shift;                   /* 20 for int8 */
  int32_t input1_multiplier, input1_shift;
  int32_t input2_multiplier, input2_shift;
  int32_t output_multiplier, output_shift;
  int32_t output_offset; /* output zero point */
  int32_t act_min, act_max;
} edgec_add_params;

EDGEC_INLINE int8_t edgec_add_elem(const edgec_add_params *p, int32_t a, int32_t b) {
  const int32_t sa = edgec_mbqm((a + p->input1_offset) * (1 << p->left_shift),
                                p->input1_multiplier, p->input1_shift);
  const int32_t sb = edgec_mbqm((b + p->input2_offset) * (1 << p->left_shift),
                                p->input2_multiplier, p->input2_shift);
  const int32_t out = edgec_mbqm(sa + sb, p->output_multiplier, p->output_shift) + p->output_offset;
  return (int8_t)edgec_clamp(out, p->act_min, p->act_max);
}

/* A residual ADD fused into the op that produces one of its inputs: the op's
 * int8 result r for element i becomes ADD(r, shortcut[i]) (or ADD(shortcut[i], r)
 * when op_is_input1 is 0), written to output[i]; output may be shortcut itself. */
typedef struct {
  const edgec_add_params *add;
  int32_t op_is_input1;
} edgec_residual;

EDGEC_INLINE int8_t edgec_residual_apply(const edgec_residual *res, const int8_t *shortcut,
                                         size_t i, int8_t r) {
  if (res == NULL) {
    return r;
  }
  return res->op_is_input1 ? edgec_add_elem(res->add, r, shortcut[i])
                           : edgec_add_elem(res->add, shortcut[i], r);
}

/* The tail shared by convolution, depthwise convolution and fully connected: add the
 * bias, requantize the int32 accumulator, add the output zero point and clamp to the
 * fused activation's range. */
EDGEC_INLINE int8_t edgec_requantize_acc(int32_t acc, const int32_t *bias, int32_t channel,
                                         int32_t multiplier, int32_t shift, int32_t output_offset,
                                         int32_t act_min, int32_t act_max) {
  if (bias != NULL) {
    acc += bias[channel];
  }
  acc = edgec_mbqm(acc, multiplier, shift) + output_offset;
  return (int8_t)edgec_clamp(acc, act_min, act_max);
}

/* CONV_2D (grouped when filter_c < in_c). filter: [out_c, k_h, k_w, filter_c]. */
typedef struct {
  int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c;
  int32_t k_h, k_w, filter_c;
  int32_t stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
  int32_t input_offset, output_offset, act_min, act_max;
  const int8_t *filter;
  const int32_t *bias;       /* out_c values, or NULL */
  const int32_t *multiplier; /* out_c values (1 when per_channel is 0) */
  const int32_t *shift;
  int32_t per_channel;
} edgec_conv_params;

void edgec_conv2d_s8(const edgec_conv_params *p, const int8_t *input, int8_t *output,
                     const edgec_residual *res, const int8_t *shortcut);

/* DEPTHWISE_CONV_2D. filter: [1, k_h, k_w, out_c], out_c = in_c * depth_multiplier. */
typedef struct {
  int32_t batches, in_h, in_w, in_c, out_h, out_w, depth_multiplier;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
  int32_t input_offset, output_offset, act_min, act_max;
  const int8_t *filter;
  const int32_t *bias;
  const int32_t *multiplier;
  const int32_t *shift;
  int32_t per_channel;
} edgec_depthwise_params;

void edgec_depthwise_conv2d_s8(const edgec_depthwise_params *p, const int8_t *input,
                               int8_t *output, const edgec_residual *res,
                               const int8_t *shortcut);

/* FULLY_CONNECTED. filter: [out_depth, accum_depth]. */
typedef struct {
  int32_t batches, accum_depth, out_depth;
  int32_t input_offset, filter_offset, output_offset, act_min, act_max;
  const int8_t *filter;
  const int32_t *bias;
  const int32_t *multiplier;
  const int32_t *shift;
  int32_t per_channel;
} edgec_fc_params;

void edgec_fully_connected_s8(const edgec_fc_params *p, const int8_t *input, int8_t *output,
                              const edgec_residual *res, const int8_t *shortcut);

/* SIMD variants of the three above for cores with the Arm DSP extension
 * (edgec_*_dsp.c; compiled only for such cores). Their parameters differ from the
 * portable kernels' in what edgec prepares when it generates the code: `bias` is per
 * output channel with the input offset folded in (bias + input_offset * sum of the
 * channel's weights; never NULL), `multiplier` and `shift` are per output channel, and
 * the weights are laid out in the order the kernel reads them. `pad_value` (the input
 * zero point) is what positions outside the input hold. `scratch` is the model's
 * static scratch buffer (report.json: aot.scratch_bytes). With a fused residual ADD,
 * `residual_table` holds what the ADD makes of each int8 input before adding: 256 values
 * for the op's result, then 256 for the shortcut (index: value + 128); NULL otherwise. */
typedef struct {
  int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
  int32_t col_len;  /* k_h * k_w * in_c rounded up to a multiple of 4 */
  int32_t direct;   /* 1: a 1x1 window of in_c % 4 == 0 channels, read from the input as is */
  int32_t pad_value, output_offset, act_min, act_max;
  /* rows of col_len bytes (zero padded); output channels 2i and 2i+1 interleaved four bytes
   * at a time, an odd last channel's row alone at the end */
  const int8_t *filter;
  const int32_t *bias, *multiplier, *shift;
  const int32_t *residual_table;
} edgec_conv_dsp_params;

/* scratch: 4 * col_len bytes, plus col_len unless direct. */
void edgec_conv2d_s8_dsp(const edgec_conv_dsp_params *p, const int8_t *input, int8_t *output,
                         const edgec_residual *res, const int8_t *shortcut, int32_t *scratch);

#define EDGEC_DSP_MAX_TAPS 32 /* k_h * k_w of a depthwise window the variant takes */
typedef struct {
  int32_t batches, in_h, in_w, channels, out_h, out_w; /* depth multiplier 1 */
  int32_t k_h, k_w, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
  int32_t pad_value, output_offset, act_min, act_max;
  /* per group of four channels, the four channels' weights tap by tap (4 * k_h * k_w
   * bytes); then each of the channels % 4 last channels' k_h * k_w weights */
  const int8_t *filter;
  const int32_t *bias, *multiplier, *shift;
  const int32_t *residual_table;
} edgec_depthwise_dsp_params;

/* scratch: channels bytes (rounded up to 4). */
void edgec_depthwise_conv2d_s8_dsp(const edgec_depthwise_dsp_params *p, const int8_t *input,
                                   int8_t *output, const edgec_residual *res,
                                   const int8_t *shortcut, int32_t *scratch);

typedef struct {
  int32_t batches, accum_depth, out_depth;
  int32_t row_len; /* accum_depth rounded up to a multiple of 4 */
  int32_t output_offset, act_min, act_max;
  /* rows of row_len bytes (zero padded); rows 4i .. 4i+3 interleaved four bytes at a time,
   * the out_depth % 4 last rows one after another at the end */
  const int8_t *filter;
  const int32_t *bias, *multiplier, *shift;
  const int32_t *residual_table;
} edgec_fc_dsp_params;

/* scratch: 2 * row_len bytes. */
void edgec_fully_connected_s8_dsp(const edgec_fc_dsp_params *p, const int8_t *input,
                                  int8_t *output, const edgec_residual *res,
                                  const int8_t *shortcut, int32_t *scratch);

/* Helium (MVE) variants for the Cortex-M55 (edgec_*_mve.c), with the parameters of the DSP
 * variants except the filter layout: rows of col_len (row_len) bytes, a multiple of 16 and
 * zero padded, one after another; `direct` unused. Scratch: 2 * col_len bytes; row_len bytes. */
void edgec_conv2d_s8_mve(const edgec_conv_dsp_params *p, const int8_t *input, int8_t *output,
                         const edgec_residual *res, const int8_t *shortcut, int32_t *scratch);
void edgec_fully_connected_s8_mve(const edgec_fc_dsp_params *p, const int8_t *input,
                                  int8_t *output, const edgec_residual *res,
                                  const int8_t *shortcut, int32_t *scratch);
/* Depthwise: per block of eight channels, the block's weights tap by tap (8 * k_h * k_w
 * bytes, zero past the last channel); bias, multiplier and shift zero padded to a multiple
 * of 8. Scratch: channels bytes rounded up to 8. */
void edgec_depthwise_conv2d_s8_mve(const edgec_depthwise_dsp_params *p, const int8_t *input,
                                   int8_t *output, const edgec_residual *res,
                                   const int8_t *shortcut, int32_t *scratch);

/* AVERAGE_POOL_2D and MAX_POOL_2D. */
typedef struct {
  int32_t batches, in_h, in_w, channels, out_h, out_w;
  int32_t filter_h, filter_w, stride_h, stride_w, pad_h, pad_w;
  int32_t act_min, act_max;
} edgec_pool_params;

void edgec_avg_pool_s8(const edgec_pool_params *p, const int8_t *input, int8_t *output);
void edgec_max_pool_s8(const edgec_pool_params *p, const int8_t *input, int8_t *output);

/* Broadcasting element-wise ops over up to EDGEC_MAX_DIMS dimensions: strides
 * are in elements, 0 along a broadcast dimension. */
#define EDGEC_MAX_DIMS 6
typedef struct {
  int32_t dims[EDGEC_MAX_DIMS]; /* output shape, padded with leading 1s */
  int32_t strides1[EDGEC_MAX_DIMS];
  int32_t strides2[EDGEC_MAX_DIMS];
  int32_t flat; /* 1: no broadcasting, both inputs have the output's shape */
} edgec_broadcast;

void edgec_add_s8(const edgec_add_params *p, const edgec_broadcast *b, const int8_t *in1,
                  const int8_t *in2, int8_t *output);

typedef struct {
  int32_t input1_offset, input2_offset, output_offset;
  int32_t output_multiplier, output_shift;
  int32_t act_min, act_max;
} edgec_mul_params;

void edgec_mul_s8(const edgec_mul_params *p, const edgec_broadcast *b, const int8_t *in1,
                  const int8_t *in2, int8_t *output);

/* SOFTMAX over the last dimension; output scale 1/256, zero point -128. */
typedef struct {
  int32_t outer, depth;
  int32_t input_multiplier, input_left_shift, diff_min;
} edgec_softmax_params;

void edgec_softmax_s8(const edgec_softmax_params *p, const int8_t *input, int8_t *output);

/* LOGISTIC; output scale 1/256, zero point -128. */
typedef struct {
  int32_t size, input_zero_point, input_range_radius, input_multiplier, input_left_shift;
} edgec_logistic_params;

void edgec_logistic_s8(const edgec_logistic_params *p, const int8_t *input, int8_t *output);

/* MEAN over any set of axes; multiplier/shift already include 1 / num_reduced. */
typedef struct {
  int32_t dims[EDGEC_MAX_DIMS]; /* input shape, padded with leading 1s */
  int32_t reduced[EDGEC_MAX_DIMS]; /* 1 for a reduced axis */
  int32_t num_reduced;
  int32_t input_zero_point, output_zero_point, multiplier, shift;
} edgec_mean_params;

void edgec_mean_s8(const edgec_mean_params *p, const int8_t *input, int8_t *output);

/* PAD (and PADV2): constant padding of an int8 tensor. */
typedef struct {
  int32_t in_dims[EDGEC_MAX_DIMS];
  int32_t out_dims[EDGEC_MAX_DIMS];
  int32_t before[EDGEC_MAX_DIMS]; /* padding before each dimension */
  int8_t value;
} edgec_pad_params;

void edgec_pad_s8(const edgec_pad_params *p, const int8_t *input, int8_t *output);

/* CONCATENATION of n inputs along one axis (bytes; all inputs share the output's
 * quantization). outer = product of dims before the axis; sizes[i] = bytes each
 * input contributes per outer index. */
typedef struct {
  int32_t outer, count;
  const int32_t *sizes;
} edgec_concat_params;

void edgec_concatenation(const edgec_concat_params *p, const int8_t *const *inputs,
                         int8_t *output);

/* QUANTIZE float32 -> int8, QUANTIZE int8 -> int8 (requantize), DEQUANTIZE int8 -> float32. */
typedef struct {
  int32_t size;
  float scale;
  int32_t zero_point;
} edgec_affine_params;

typedef struct {
  int32_t size, input_zero_point, output_zero_point, multiplier, shift;
} edgec_requantize_params;

void edgec_quantize_f32_s8(const edgec_affine_params *p, const float *input, int8_t *output);
void edgec_requantize_s8(const edgec_requantize_params *p, const int8_t *input, int8_t *output);
void edgec_dequantize_s8_f32(const edgec_affine_params *p, const int8_t *input, float *output);

#ifdef __cplusplus
}
#endif

#endif /* EDGEC_KERNELS_H_ */
