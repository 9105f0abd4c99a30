/* CONV_2D fast path for 1x1 kernels with stride 1 and no dilation (pointwise): a GEMM
 * output[p][o] = sum_c filter[o][c] * (input[p][c] + input_offset). The twin of asm/conv2d_1x1.ts. */
#ifndef MCUSIM_CONV2D_1X1_H
#define MCUSIM_CONV2D_1X1_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Same arguments as conv2d. Only in_c, out_h * out_w (the pixel count) and out_c shape the work: in_h, in_w,
 * k_h, k_w, the strides, dilations and paddings are implied (1x1, stride 1) and ignored. Like its WebAssembly twin
 * it is meant for shifts >= -30 (runtime/ops/conv2d.ts picks it only then); this C version gives conv2d's bytes for any shift.
 * With the DSP extension, optimised GCC builds run most of the work in inline assembly (conv2d_1x1.c); define
 * MCUSIM_NO_ASM to use the C loops instead (same bytes). */
void conv2d_1x1(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_CONV2D_1X1_H */
