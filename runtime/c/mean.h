/* MEAN over the spatial axes of an int8 NHWC tensor (TFLite Micro reduce: EvalIntegerMean). The twin of asm/mean.ts. */
#ifndef MCUSIM_MEAN_H
#define MCUSIM_MEAN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* input [pixels, channels]; scratch: channels int32 sums (arena scratch, left holding the sums); output [channels].
 * requantize = 0 (identical input and output quantisation): sum / pixels, truncating (reference_ops::Mean).
 * Otherwise (reference_ops::QuantizedMeanOrSum): MultiplyByQuantizedMultiplier(sum - input_zero_point * pixels,
 * multiplier, shift) + output_zero_point, clamped to int8, with 1 / pixels already folded into multiplier and shift. */
void mean(
    const int8_t *input, int32_t pixels, int32_t channels, int32_t *scratch, int8_t *output,
    int32_t requantize, int32_t input_zero_point, int32_t multiplier, int32_t shift, int32_t output_zero_point);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_MEAN_H */
