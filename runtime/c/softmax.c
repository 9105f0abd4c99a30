/* SOFTMAX int8 -> int8 (TFLite Micro reference_ops::Softmax, the gemmlowp fixed-point path), row by row over the
 * last dimension (asm/softmax.ts). Fixed-point formats are noted Qm (m integer bits, 31 - m fractional bits); the
 * gemmlowp functions (exp on negative values, 1 / (1 + x)) are the shared ones in requantize.h. Additions that
 * gemmlowp does in plain int32 go through mcusim_add, so they wrap as in the WebAssembly twin. */
#include "softmax.h"
#include "requantize.h"

/* Leading zero bits of x (32 for 0), as WebAssembly's i32.clz. */
static int32_t count_leading_zeros(uint32_t x) {
  int32_t n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    n++;
  }
  return n;
}

void softmax(const int8_t *input, int8_t *output, int32_t outer, int32_t depth,
             int32_t input_multiplier, int32_t input_left_shift, int32_t diff_min) {
  int32_t row, c;
  for (row = 0; row < outer; row++) {
    const int8_t *in_row = input + row * depth;
    int8_t *out_row = output + row * depth;
    int32_t max_in_row = -128;
    int32_t sum_of_exps = 0;
    int32_t headroom_plus_one, num_bits_over_unit, shifted_scale, exponent;
    for (c = 0; c < depth; c++) {
      if (in_row[c] > max_in_row) max_in_row = in_row[c];
    }

    /* Sum of exp(diff) in Q12 (kAccumulationIntegerBits). */
    for (c = 0; c < depth; c++) {
      const int32_t diff = (int32_t)in_row[c] - max_in_row;
      if (diff >= diff_min) {
        /* MultiplyByQuantizedMultiplierGreaterThanOne: Q5 */
        const int32_t scaled = mcusim_srdhm(mcusim_shl(diff, input_left_shift), input_multiplier);
        sum_of_exps = mcusim_add(sum_of_exps, mcusim_rdbpot(mcusim_exp_on_negative_values(scaled, 5), 12)); /* Rescale<12> from Q0 */
      }
    }

    /* GetReciprocal(sum, 12): 1 / sum as a Q0 value in [0.5, 1) times 2^-num_bits_over_unit. */
    headroom_plus_one = count_leading_zeros((uint32_t)sum_of_exps);
    num_bits_over_unit = 12 - headroom_plus_one;
    shifted_scale = mcusim_one_over_one_plus_x(mcusim_wrap(((uint32_t)sum_of_exps << ((uint32_t)headroom_plus_one & 31u)) - 0x80000000u));
    /* TFLite rounds by 2^exponent to get 1/256 units. It stops (TFLITE_CHECK) when exponent > 31, which needs a row
     * sum of exps >= 512; the exact rounded quotient there is 0 (the product is below 2^31), so write that. */
    exponent = num_bits_over_unit + 31 - 8;

    for (c = 0; c < depth; c++) {
      const int32_t diff = (int32_t)in_row[c] - max_in_row;
      int32_t out = -128;
      if (diff >= diff_min) {
        const int32_t scaled = mcusim_srdhm(mcusim_shl(diff, input_left_shift), input_multiplier);
        const int32_t unsat = exponent > 31 ? 0 : mcusim_rdbpot(mcusim_srdhm(shifted_scale, mcusim_exp_on_negative_values(scaled, 5)), exponent);
        out = unsat - 128;
        if (out > 127) out = 127;
        if (out < -128) out = -128;
      }
      out_row[c] = (int8_t)out;
    }
  }
}
