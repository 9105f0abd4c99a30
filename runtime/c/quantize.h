/* QUANTIZE (TFLite Micro quantize_common.cc): float32 -> int8 and int8 -> int8. The twin of asm/quantize.ts. */
#ifndef MCUSIM_QUANTIZE_H
#define MCUSIM_QUANTIZE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* float32 -> int8 (reference_ops::AffineQuantize): round(input / scale) + zero_point, clamped to int8, where the
 * division is float32 and the rounding takes halves away from zero (std::round). NaN gives zero_point; values beyond
 * int32 saturate (TFLite leaves both undefined). */
void quantize(const float *input, int8_t *output, int32_t count, float scale, int32_t zero_point);

/* int8 -> int8 (reference_ops::Requantize): MultiplyByQuantizedMultiplier(input - input_zero_point) + output_zero_point,
 * clamped to int8. */
void quantize_int8(const int8_t *input, int8_t *output, int32_t count, int32_t multiplier, int32_t shift,
                   int32_t input_zero_point, int32_t output_zero_point);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_QUANTIZE_H */
