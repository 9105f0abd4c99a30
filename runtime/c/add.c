/* ADD, int8 (TFLite reference_integer_ops::Add): the shared loop of add_or_subtract.h, summing (asm/add.ts). */
#include "add.h"
#include "add_or_subtract.h"
#include "requantize.h"

void add(
    const int8_t *input1, int32_t input1_period, const int8_t *input2, int32_t input2_period, int8_t *output, int32_t size,
    int32_t left_shift,
    int32_t input1_offset, int32_t input1_multiplier, int32_t input1_shift,
    int32_t input2_offset, int32_t input2_multiplier, int32_t input2_shift,
    int32_t output_offset, int32_t output_multiplier, int32_t output_shift,
    int32_t act_min, int32_t act_max) {
  mcusim_add_or_subtract(input1, input1_period, input2, input2_period, output, size, left_shift,
                         input1_offset, input1_multiplier, input1_shift, input2_offset, input2_multiplier, input2_shift,
                         output_offset, output_multiplier, output_shift, act_min, act_max, 0);
}
