/* The ADD / SUB loop shared by add.c and sub.c (the twin of addOrSubtract in asm/add.ts): both inputs offset, shifted
 * left by left_shift bits and rescaled to a common scale (MultiplyByQuantizedMultiplierSmallerThanOneExp, every shift
 * <= 0), added or subtracted (wrapping), rescaled to the output, offset and clamped. Input k is read at index
 * (i mod period k). */
#ifndef MCUSIM_ADD_OR_SUBTRACT_H
#define MCUSIM_ADD_OR_SUBTRACT_H

#include "requantize.h"

static inline int32_t mcusim_rescale_smaller_than_one(int32_t x, int32_t multiplier, int32_t shift) {
  return mcusim_rdbpot(mcusim_srdhm(x, multiplier), mcusim_sub(0, shift));
}

static inline void mcusim_add_or_subtract(
    const int8_t *input1, int32_t input1_period, const int8_t *input2, int32_t input2_period, int8_t *output, int32_t size,
    int32_t left_shift,
    int32_t input1_offset, int32_t input1_multiplier, int32_t input1_shift,
    int32_t input2_offset, int32_t input2_multiplier, int32_t input2_shift,
    int32_t output_offset, int32_t output_multiplier, int32_t output_shift,
    int32_t act_min, int32_t act_max, int subtract) {
  int32_t i, j1 = 0, j2 = 0;
  for (i = 0; i < size; i++) {
    const int32_t x1 = mcusim_shl(mcusim_add(input1[j1], input1_offset), left_shift);
    const int32_t x2 = mcusim_shl(mcusim_add(input2[j2], input2_offset), left_shift);
    const int32_t t1 = mcusim_rescale_smaller_than_one(x1, input1_multiplier, input1_shift);
    const int32_t t2 = mcusim_rescale_smaller_than_one(x2, input2_multiplier, input2_shift);
    const int32_t raw = mcusim_add(mcusim_rescale_smaller_than_one(subtract ? mcusim_sub(t1, t2) : mcusim_add(t1, t2), output_multiplier, output_shift), output_offset);
    output[i] = (int8_t)mcusim_clamp(raw, act_min, act_max);
    if (++j1 == input1_period) j1 = 0;
    if (++j2 == input2_period) j2 = 0;
  }
}

#endif /* MCUSIM_ADD_OR_SUBTRACT_H */
