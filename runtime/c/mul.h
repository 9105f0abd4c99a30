/* MUL, int8 (TFLite reference_integer_ops::MulElementwise). The twin of asm/mul.ts. */
#ifndef MCUSIM_MUL_H
#define MCUSIM_MUL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* output[i] = MultiplyByQuantizedMultiplier((input1[i mod input1_period] + input1_offset) *
 * (input2[i mod input2_period] + input2_offset)) + output_offset, clamped to [act_min, act_max]
 * (broadcasting as in add). */
void mul(
    const int8_t *input1, int32_t input1_period, const int8_t *input2, int32_t input2_period, int8_t *output, int32_t size,
    int32_t input1_offset, int32_t input2_offset,
    int32_t output_offset, int32_t output_multiplier, int32_t output_shift,
    int32_t act_min, int32_t act_max);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_MUL_H */
