/* DEPTHWISE_CONV_2D fast path for depth multipliers of 8 or more (out_c = in_c * depth_multiplier). The twin of
 * asm/depthwise_conv2d_mult.ts. */
#ifndef MCUSIM_DEPTHWISE_CONV2D_MULT_H
#define MCUSIM_DEPTHWISE_CONV2D_MULT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Same arguments and bytes as depthwise_conv2d. Preconditions (runtime/ops/depthwise_conv2d.ts selects this kernel
 * only then): depth_multiplier >= 8 and, for the WebAssembly twin, every shift >= -30 (this C version gives
 * depthwise_conv2d's bytes for any multiplier and shift). Any kernel size, stride, dilation and padding. */
void depthwise_conv2d_mult(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t depth_multiplier, int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_DEPTHWISE_CONV2D_MULT_H */
