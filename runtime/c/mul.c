/* MUL, int8 (TFLite reference_integer_ops::MulElementwise): the product of the offset inputs, requantised
 * (asm/mul.ts). */
#include "mul.h"
#include "requantize.h"

void mul(
    const int8_t *input1, int32_t input1_period, const int8_t *input2, int32_t input2_period, int8_t *output, int32_t size,
    int32_t input1_offset, int32_t input2_offset,
    int32_t output_offset, int32_t output_multiplier, int32_t output_shift,
    int32_t act_min, int32_t act_max) {
  int32_t i, j1 = 0, j2 = 0;
  for (i = 0; i < size; i++) {
    const int32_t product = mcusim_mul((int32_t)input1[j1] + input1_offset, (int32_t)input2[j2] + input2_offset);
    const int32_t raw = mcusim_add(mcusim_mbqm(product, output_multiplier, output_shift), output_offset);
    output[i] = (int8_t)mcusim_clamp(raw, act_min, act_max);
    if (++j1 == input1_period) j1 = 0;
    if (++j2 == input2_period) j2 = 0;
  }
}
