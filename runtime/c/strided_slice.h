/* STRIDED_SLICE, int8, up to 5-D (TFLite reference_ops::StridedSlice). The twin of asm/strided_slice.ts. */
#ifndef MCUSIM_STRIDED_SLICE_H
#define MCUSIM_STRIDED_SLICE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* input [in_0 .. in_4]; per dimension the first index begin_d, the step stride_d (negative walks backwards) and the
 * number count_d of elements taken: output element (i_0 .. i_4) is input element (begin_d + i_d * stride_d).
 * The output must not overlap the input. */
void strided_slice(const int8_t *input, int32_t in_0, int32_t in_1, int32_t in_2, int32_t in_3, int32_t in_4,
                   int32_t begin_0, int32_t begin_1, int32_t begin_2, int32_t begin_3, int32_t begin_4,
                   int32_t stride_0, int32_t stride_1, int32_t stride_2, int32_t stride_3, int32_t stride_4,
                   int32_t count_0, int32_t count_1, int32_t count_2, int32_t count_3, int32_t count_4,
                   int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_STRIDED_SLICE_H */
