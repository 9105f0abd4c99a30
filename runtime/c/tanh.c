/* TANH, int8: gemmlowp::tanh on the Q4-rescaled input, the Q0 result divided by 2^24 into 1/128 steps
 * (asm/tanh.ts). The kernel is called tanh; its C function is tanh_int8 because C reserves tanh. */
#include "tanh.h"
#include "requantize.h"

/* gemmlowp::tanh on a Q4 value via neg_tanh_on_negative_values(-|a|); the result is Q0. */
static int32_t tanh_q4(int32_t a) {
  int32_t n, t;
  if (a == 0) return 0;
  n = a < 0 ? a : mcusim_sub(0, a);
  /* ExactMulByPot<1>: the same raw value read as Q5, i.e. exp(2n). */
  t = mcusim_one_minus_x_over_one_plus_x(mcusim_exp_on_negative_values(n, 5));
  return a < 0 ? mcusim_sub(0, t) : t;
}

void tanh_int8(const int8_t *input, int8_t *output, int32_t size,
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
      out = mcusim_clamp(mcusim_rdbpot(tanh_q4(q4), 24), -128, 127);
    }
    output[i] = (int8_t)out;
  }
}
