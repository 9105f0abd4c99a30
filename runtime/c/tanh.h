/* TANH, int8 (TFLite Micro reference_integer_ops::Tanh). The twin of asm/tanh.ts. */
#ifndef MCUSIM_TANH_H
#define MCUSIM_TANH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* @kernel tanh: the C function is tanh_int8, since C reserves the name tanh for <math.h> (kernels.json "function").
 * Output scale 1/128, zero point 0. The input less input_zero_point saturates beyond +-input_range_radius; inside,
 * it is rescaled to Q4 by MultiplyByQuantizedMultiplier(input_multiplier, input_left_shift) and put through
 * gemmlowp::tanh. */
void tanh_int8(const int8_t *input, int8_t *output, int32_t size,
               int32_t input_zero_point, int32_t input_range_radius, int32_t input_multiplier, int32_t input_left_shift);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_TANH_H */
