/* MEAN over height and width: per-channel sums in the int32 scratch buffer, then division or requantisation
 * (asm/mean.ts). */
#include "mean.h"
#include "requantize.h"

void mean(
    const int8_t *input, int32_t pixels, int32_t channels, int32_t *scratch, int8_t *output,
    int32_t requantize, int32_t input_zero_point, int32_t multiplier, int32_t shift, int32_t output_zero_point) {
  const int32_t zero_point_sum = mcusim_mul(input_zero_point, pixels);
  int32_t p, c;
  for (c = 0; c < channels; c++) scratch[c] = 0;
  for (p = 0; p < pixels; p++) {
    const int8_t *pixel = input + p * channels;
    for (c = 0; c < channels; c++) scratch[c] = mcusim_add(scratch[c], pixel[c]);
  }
  for (c = 0; c < channels; c++) {
    const int32_t sum = scratch[c];
    const int32_t value = requantize == 0
        ? sum / pixels
        : mcusim_clamp(mcusim_add(mcusim_mbqm(mcusim_wrap((uint32_t)sum - (uint32_t)zero_point_sum), multiplier, shift),
                                  output_zero_point), -128, 127);
    output[c] = (int8_t)value;
  }
}
