/* DEPTHWISE_CONV_2D fast path: 3x3 kernel, depth multiplier 1, dilation 1. The twin of asm/depthwise_conv2d_3x3.ts. */
#ifndef MCUSIM_DEPTHWISE_CONV2D_3X3_H
#define MCUSIM_DEPTHWISE_CONV2D_3X3_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Same arguments as depthwise_conv2d. k_h, k_w, the dilations and depth_multiplier are implied (3, 3, 1, 1) and
 * ignored, and out_c is also the input's channel stride. runtime/ops/depthwise_conv2d.ts picks this kernel for
 * 3x3, depth multiplier 1, dilation 1, stride 1 or 2, out_c >= 8 and shifts >= -30 (the WebAssembly twin's limits;
 * this C version gives depthwise_conv2d's bytes for any stride, channel count and shift). Uses about 300 bytes of
 * stack (a padded plane for small inputs and a chunk of int32 sums). */
void depthwise_conv2d_3x3(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t depth_multiplier, int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_DEPTHWISE_CONV2D_3X3_H */
