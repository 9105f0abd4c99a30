/* TRANSPOSE_CONV, int8 NHWC input, per-channel int8 OHWI weights, int32 bias (TFLite
 * reference_integer_ops::TransposeConv). The twin of asm/transpose_conv.ts. */
#ifndef MCUSIM_TRANSPOSE_CONV_H
#define MCUSIM_TRANSPOSE_CONV_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* input [in_h, in_w, in_c]; filter [out_c, k_h, k_w, in_c]; bias, multipliers, shifts [out_c];
 * output [out_h, out_w, out_c]; scratch: out_h * out_w * out_c int32 accumulators (left holding the sums). */
void transpose_conv(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t pad_top, int32_t pad_left,
    int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max,
    int32_t *scratch);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_TRANSPOSE_CONV_H */
