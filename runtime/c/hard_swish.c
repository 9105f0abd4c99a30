/* HARD_SWISH, int8 (TFLite Micro reference_ops::HardSwish<int8_t>): the input (less its zero point, times 128) is
 * rescaled onto the pre-shift output scale and, separately, onto a scale where 3.0 is 32768 and mapped from [-1, 1]
 * to [0, 1]; the truncating SaturatingDoublingHighMul of the two is shifted onto the output scale. Every
 * intermediate is an int16_t in TFLite, so each step truncates to 16 bits as the C++ conversions do
 * (asm/hard_swish.ts). */
#include "hard_swish.h"
#include "requantize.h"

/* The int16_t whose bits are the low 16 bits of x. */
static int32_t wrap16(int32_t x) {
  return (int32_t)(((uint32_t)x & 0xffffu) ^ 0x8000u) - 0x8000;
}

/* gemmlowp SaturatingRoundingDoublingHighMul<int16_t>. */
static int32_t srdhm16(int32_t a, int32_t b) {
  int32_t ab;
  if (a == b && a == -32768) return 32767;
  ab = a * b;
  return wrap16((ab + (ab >= 0 ? 1 << 14 : 1 - (1 << 14))) / 32768); /* C division truncates toward zero */
}

/* TFLite's SaturatingDoublingHighMul (int16): like srdhm16 but truncating instead of rounding. */
static int32_t sdhm16(int32_t a, int32_t b) {
  if (a == b && a == -32768) return 32767;
  return wrap16((a * b) / 32768);
}

/* TFLite's SaturatingLeftShift (int16), amount in [0, 30]. */
static int32_t saturating_left_shift16(int32_t value, int32_t amount) {
  const int64_t result = (int64_t)value * (int64_t)mcusim_shl(1, amount);
  return result > 32767 ? 32767 : result < -32768 ? -32768 : (int32_t)result;
}

/* gemmlowp RoundingDivideByPOT<int16_t>, exponent in [0, 31]. The mask (2^e - 1) is converted to int16_t, so for
 * e >= 16 it is -1; the formula then gives 1 for x >= 0 and -1 for x < 0, as the C++ does. */
static int32_t rounding_divide_by_pot16(int32_t x, int32_t exponent) {
  const int32_t mask = wrap16(mcusim_wrap((uint32_t)(((uint64_t)1 << ((uint32_t)exponent & 63u)) - 1u)));
  const int32_t remainder = wrap16(x & mask);
  const int32_t threshold = wrap16((mask >> 1) + (x < 0 ? 1 : 0));
  return wrap16((x >> ((uint32_t)exponent & 31u)) + (remainder > threshold ? 1 : 0));
}

void hard_swish(const int8_t *input, int8_t *output, int32_t size,
                int32_t input_zero_point, int32_t output_zero_point,
                int32_t output_multiplier, int32_t output_exponent,
                int32_t reluish_multiplier, int32_t reluish_exponent) {
  int32_t i;
  for (i = 0; i < size; i++) {
    const int32_t input_value = wrap16((int32_t)input[i] - input_zero_point);
    const int32_t hires = wrap16(input_value * 128);
    const int32_t preshift_output_scale = srdhm16(hires, output_multiplier);
    int32_t reluish = hires;
    int32_t preshift_output, out;
    if (reluish_exponent > 0) reluish = saturating_left_shift16(reluish, reluish_exponent - 1);
    reluish = srdhm16(reluish, reluish_multiplier);
    if (reluish_exponent > 0) reluish = saturating_left_shift16(reluish, 1);
    if (reluish_exponent < 0) reluish = rounding_divide_by_pot16(reluish, -reluish_exponent);
    reluish = (reluish + 32768) >> 1; /* [-1, 1] -> [0, 1] */
    preshift_output = sdhm16(reluish, preshift_output_scale);
    out = wrap16(rounding_divide_by_pot16(preshift_output, -output_exponent) + output_zero_point);
    output[i] = (int8_t)mcusim_clamp(out, -128, 127);
  }
}
