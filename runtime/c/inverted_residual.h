/* A MobileNetV2 inverted-residual body as one kernel: 1x1 expand conv -> depthwise conv (depth multiplier 1) -> 1x1
 * project conv, one expanded channel at a time. The twin of asm/inverted_residual.ts. */
#ifndef MCUSIM_INVERTED_RESIDUAL_H
#define MCUSIM_INVERTED_RESIDUAL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* expand_* are the expand conv's arguments (weights [expand_c][in_c]), dw_* and the geometry the depthwise conv's
 * (weights [k_h][k_w][expand_c], output out_h x out_w), project_* the project conv's (weights [out_c][expand_c]).
 * scratch: 4 * out_h * out_w * out_c bytes of int32 sums, then in_h * in_w bytes (one expanded channel), then
 * out_h * out_w bytes (its depthwise output); left holding the final sums and the last channel's planes. output does
 * not overlap input or scratch (the C version parks a depthwise plane in output before writing the results there;
 * its stack: up to about 550 bytes on Cortex-M, -Os). */
void inverted_residual(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *expand_filter, const int32_t *expand_bias, const int32_t *expand_multipliers, const int32_t *expand_shifts, int32_t expand_c,
    int32_t expand_input_offset, int32_t expand_output_offset, int32_t expand_act_min, int32_t expand_act_max,
    const int8_t *dw_filter, const int32_t *dw_bias, const int32_t *dw_multipliers, const int32_t *dw_shifts, int32_t k_h, int32_t k_w,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left, int32_t out_h, int32_t out_w,
    int32_t dw_input_offset, int32_t dw_output_offset, int32_t dw_act_min, int32_t dw_act_max,
    const int8_t *project_filter, const int32_t *project_bias, const int32_t *project_multipliers, const int32_t *project_shifts, int32_t out_c,
    int32_t project_input_offset, int32_t project_output_offset, int32_t project_act_min, int32_t project_act_max,
    int8_t *output, int32_t *scratch);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_INVERTED_RESIDUAL_H */
