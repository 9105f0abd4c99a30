/* CONCATENATION (TFLite reference_ops::Concatenation) with equal quantisation on every input and the output: a pure
 * byte copy, so one kernel serves int8, int32 and float32. The twin of asm/concatenation.ts. */
#ifndef MCUSIM_CONCATENATION_H
#define MCUSIM_CONCATENATION_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every tensor is viewed as [outer, row bytes]: output row o is input 0's row o, then input 1's row o, and so on.
 * Up to ten inputs (TFLite Micro's kMaxInputNum); unused pairs carry row_bytes 0 and their pointer is never read
 * (pass a null pointer). The inputs must not overlap the output. */
void concatenation(
    void *output, int32_t outer, int32_t out_row_bytes,
    const void *input_0, int32_t row_bytes_0, const void *input_1, int32_t row_bytes_1,
    const void *input_2, int32_t row_bytes_2, const void *input_3, int32_t row_bytes_3,
    const void *input_4, int32_t row_bytes_4, const void *input_5, int32_t row_bytes_5,
    const void *input_6, int32_t row_bytes_6, const void *input_7, int32_t row_bytes_7,
    const void *input_8, int32_t row_bytes_8, const void *input_9, int32_t row_bytes_9);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_CONCATENATION_H */
