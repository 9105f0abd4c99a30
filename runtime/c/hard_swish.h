/* HARD_SWISH, int8 (TFLite Micro reference_ops::HardSwish<int8_t>). The twin of asm/hard_swish.ts. */
#ifndef MCUSIM_HARD_SWISH_H
#define MCUSIM_HARD_SWISH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* x * relu6(x + 3) / 6 in 16-bit fixed point. output_multiplier and reluish_multiplier are int16 values
 * (DownScaleInt32ToInt16Multiplier); output_exponent lies in [-31, 0], reluish_exponent in [-31, 31]. */
void hard_swish(const int8_t *input, int8_t *output, int32_t size,
                int32_t input_zero_point, int32_t output_zero_point,
                int32_t output_multiplier, int32_t output_exponent,
                int32_t reluish_multiplier, int32_t reluish_exponent);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_HARD_SWISH_H */
