/* DEPTHWISE_CONV_2D, int8 NHWC input, 1HWC per-channel int8 weights (out_c = in_c * depth_multiplier), int32 bias
 * (TFLite reference_integer_ops::DepthwiseConvPerChannel). The twins of asm/depthwise_conv2d.ts and
 * asm/depthwise_conv2d_mult.ts. */
#ifndef MCUSIM_DEPTHWISE_CONV2D_H
#define MCUSIM_DEPTHWISE_CONV2D_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* input [in_h, in_w, in_c]; filter [k_h, k_w, out_c]; bias, multipliers, shifts [out_c]; output [out_h, out_w, out_c].
 * Output channel oc = ic * depth_multiplier + m reads input channel ic. Any kernel size, stride, dilation. */
void depthwise_conv2d(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t depth_multiplier, int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max);

/* @kernel-alias depthwise_conv2d_mult depthwise_conv2d: the WebAssembly kernel depthwise_conv2d_mult (8 outputs of one
 * input channel per SIMD step, chosen by runtime/ops/depthwise_conv2d.ts for depth multipliers of 8 or more) takes the
 * same arguments and gives the same bytes as depthwise_conv2d, whose per-channel loop already serves any depth
 * multiplier; so in C the emitted model calls depthwise_conv2d for it (kernels.json "function"). */

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_DEPTHWISE_CONV2D_H */
