/* LOGISTIC, int8 (TFLite Micro reference_integer_ops::Logistic). The twin of asm/logistic.ts. */
#ifndef MCUSIM_LOGISTIC_H
#define MCUSIM_LOGISTIC_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Output scale 1/256, zero point -128. The input less input_zero_point saturates beyond +-input_range_radius; inside,
 * it is rescaled to Q4 by MultiplyByQuantizedMultiplier(input_multiplier, input_left_shift) and put through
 * gemmlowp::logistic. */
void logistic(const int8_t *input, int8_t *output, int32_t size,
              int32_t input_zero_point, int32_t input_range_radius, int32_t input_multiplier, int32_t input_left_shift);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_LOGISTIC_H */
