/* CONV_2D fast path for dilation_w 1: each kernel row's taps inside the input are one contiguous run of bytes, in
 * the input and in the OHWI weights alike. The twin of asm/conv2d_simd.ts. */
#ifndef MCUSIM_CONV2D_SIMD_H
#define MCUSIM_CONV2D_SIMD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Same arguments and bytes as conv2d. Preconditions (runtime/ops/conv2d.ts selects this kernel only then):
 * dilation_w == 1 (dilation_w is not read), and for the WebAssembly twin out_c >= 4 and every shift >= -30
 * (this C version gives conv2d's bytes for any channel count, shift, padding and input offset). Stack: up to
 * about 750 bytes on Cortex-M (-Os, arm-none-eabi-gcc 12). */
void conv2d_simd(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_CONV2D_SIMD_H */
