/* SUB, int8 (TFLite Micro reference_ops::SubElementwise / BroadcastQuantSubSlow). The twin of asm/sub.ts. */
#ifndef MCUSIM_SUB_H
#define MCUSIM_SUB_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ADD's arithmetic with the second rescaled term subtracted: input1 - input2, broadcast by period as in add. */
void sub(
    const int8_t *input1, int32_t input1_period, const int8_t *input2, int32_t input2_period, int8_t *output, int32_t size,
    int32_t left_shift,
    int32_t input1_offset, int32_t input1_multiplier, int32_t input1_shift,
    int32_t input2_offset, int32_t input2_multiplier, int32_t input2_shift,
    int32_t output_offset, int32_t output_multiplier, int32_t output_shift,
    int32_t act_min, int32_t act_max);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_SUB_H */
