/* ADD, int8 (TFLite reference_integer_ops::Add / AddFunc). The twin of asm/add.ts. */
#ifndef MCUSIM_ADD_H
#define MCUSIM_ADD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* output[i] = input1[i mod input1_period] + input2[i mod input2_period], each input offset, shifted left by
 * left_shift and rescaled (MultiplyByQuantizedMultiplierSmallerThanOneExp, all shifts <= 0), the sum rescaled to the
 * output, plus output_offset, clamped to [act_min, act_max]. A period equal to size is a full operand, the channel
 * count a per-channel vector, 1 a scalar. */
void add(
    const int8_t *input1, int32_t input1_period, const int8_t *input2, int32_t input2_period, int8_t *output, int32_t size,
    int32_t left_shift,
    int32_t input1_offset, int32_t input1_multiplier, int32_t input1_shift,
    int32_t input2_offset, int32_t input2_multiplier, int32_t input2_shift,
    int32_t output_offset, int32_t output_multiplier, int32_t output_shift,
    int32_t act_min, int32_t act_max);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_ADD_H */
