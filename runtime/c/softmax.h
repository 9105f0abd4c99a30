/* SOFTMAX int8 -> int8 over the last dimension (TFLite reference_ops::Softmax, gemmlowp fixed point).
 * The twin of asm/softmax.ts. */
#ifndef MCUSIM_SOFTMAX_H
#define MCUSIM_SOFTMAX_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* input and output [outer, depth]; output scale 1/256, zero point -128. input_multiplier and input_left_shift come
 * from PreprocessSoftmaxScaling(beta, input_scale, 5), diff_min = -CalculateInputRadius(5, input_left_shift, 31). */
void softmax(const int8_t *input, int8_t *output, int32_t outer, int32_t depth,
             int32_t input_multiplier, int32_t input_left_shift, int32_t diff_min);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_SOFTMAX_H */
