/* LOGISTIC, int8: gemmlowp::logistic on the Q4-rescaled input, the Q0 result divided by 2^23 into 1/256 steps less
 * 128 (asm/logistic.ts). */
#include "logistic.h"
#include "requantize.h"

/* gemmlowp::logistic on a Q4 value; the result is Q0 (0.5 is 1 << 30). */
static int32_t logistic_q4(int32_t a) {
  if (a == 0) return 1 << 30;
  if (a > 0) return mcusim_one_over_one_plus_x(mcusim_exp_on_negative_values(-a, 4));
  return INT32_MAX - mcusim_one_over_one_plus_x(mcusim_exp_on_negative_values(a, 4)); /* one - logistic(|a|) */
}

void logistic(const int8_t *input, int8_t *output, int32_t size,
              int32_t input_zero_point, int32_t input_range_radius, int32_t input_multiplier, int32_t input_left_shift) {
  int32_t i;
  for (i = 0; i < size; i++) {
    const int32_t x = (int32_t)input[i] - input_zero_point;
    int32_t out;
    if (x <= -input_range_radius) {
      out = -128;
    } else if (x >= input_range_radius) {
      out = 127;
    } else {
      const int32_t q4 = mcusim_mbqm(x, input_multiplier, input_left_shift);
      out = mcusim_clamp(mcusim_rdbpot(logistic_q4(q4), 23) - 128, -128, 127);
    }
    output[i] = (int8_t)out;
  }
}
