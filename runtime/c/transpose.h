/* TRANSPOSE, int8, up to 5-D (TFLite reference_ops::Transpose). The twin of asm/transpose.ts. */
#ifndef MCUSIM_TRANSPOSE_H
#define MCUSIM_TRANSPOSE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* input [in_0 .. in_4] (shorter shapes padded with leading 1s); output dimension d is input dimension perm_d.
 * The output must not overlap the input. */
void transpose(const int8_t *input, int32_t in_0, int32_t in_1, int32_t in_2, int32_t in_3, int32_t in_4,
               int32_t perm_0, int32_t perm_1, int32_t perm_2, int32_t perm_3, int32_t perm_4,
               int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_TRANSPOSE_H */
