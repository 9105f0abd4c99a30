/* LEAKY_RELU, int8: two requantisations, one per sign of the input (asm/leaky_relu.ts). */
#include "leaky_relu.h"
#include "requantize.h"

void leaky_relu(const int8_t *input, int8_t *output, int32_t size,
                int32_t input_zero_point, int32_t output_zero_point,
                int32_t identity_multiplier, int32_t identity_shift,
                int32_t alpha_multiplier, int32_t alpha_shift) {
  const int alpha_negative = alpha_multiplier < 0;
  const int32_t alpha_magnitude = alpha_negative ? mcusim_sub(0, alpha_multiplier) : alpha_multiplier;
  int32_t i;
  for (i = 0; i < size; i++) {
    const int32_t x = (int32_t)input[i] - input_zero_point;
    int32_t raw;
    if (x >= 0) {
      raw = mcusim_add(output_zero_point, mcusim_mbqm(x, identity_multiplier, identity_shift));
    } else {
      const int32_t scaled = mcusim_mbqm(x, alpha_magnitude, alpha_shift);
      raw = mcusim_add(output_zero_point, alpha_negative ? mcusim_sub(0, scaled) : scaled);
    }
    output[i] = (int8_t)mcusim_clamp(raw, -128, 127);
  }
}
