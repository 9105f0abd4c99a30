/* DEQUANTIZE int8 -> float32 (TFLite reference_ops::Dequantize). The twin of asm/dequantize.ts. */
#ifndef MCUSIM_DEQUANTIZE_H
#define MCUSIM_DEQUANTIZE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* output[i] = scale * (input[i] - zero_point), one float32 product (exact operand, so correctly rounded). */
void dequantize(const int8_t *input, float *output, int32_t count, float scale, int32_t zero_point);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_DEQUANTIZE_H */
