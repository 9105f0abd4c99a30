/* LEAKY_RELU, int8 (TFLite Micro reference_ops::QuantizeLeakyRelu). The twin of asm/leaky_relu.ts. */
#ifndef MCUSIM_LEAKY_RELU_H
#define MCUSIM_LEAKY_RELU_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Input less its zero point, rescaled by the identity multiplier (input_scale / output_scale) where it is >= 0 and
 * by the alpha multiplier (input_scale * alpha / output_scale) where it is negative, plus output_zero_point, clamped
 * to int8. A negative alpha_multiplier is applied by magnitude and the result negated, as TFLite Micro does. */
void leaky_relu(const int8_t *input, int8_t *output, int32_t size,
                int32_t input_zero_point, int32_t output_zero_point,
                int32_t identity_multiplier, int32_t identity_shift,
                int32_t alpha_multiplier, int32_t alpha_shift);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_LEAKY_RELU_H */
