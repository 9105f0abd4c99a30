/* DEPTHWISE_CONV_2D with depth multiplier 1, written over its own input (TinyEngine's in-place depthwise).
 * The twin of asm/depthwise_conv2d_inplace.ts. */
#ifndef MCUSIM_DEPTHWISE_CONV2D_INPLACE_H
#define MCUSIM_DEPTHWISE_CONV2D_INPLACE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Same arguments as depthwise_conv2d (depth multiplier 1, out_c == in_c) plus scratch: in_h * in_w bytes, one input
 * channel. output may be input itself (the schedule places it there): a channel's input bytes are copied (its whole
 * padded plane on the stack, or its rows into a ring in the scratch as output rows need them, or its whole plane into
 * the scratch) before any output of that channel overwrites them; channels are independent. The scratch is left
 * zeroed (the WebAssembly twin leaves it so too). The C kernel uses about 1 KB of stack (padded planes, per-channel
 * weights, a batch of int32 sums). */
void depthwise_conv2d_inplace(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t depth_multiplier, int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max,
    int8_t *scratch);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_DEPTHWISE_CONV2D_INPLACE_H */
