/* A strided 2-D byte copy for patch-based schedules (tile crop and paste). The twin of asm/copy_2d.ts. */
#ifndef MCUSIM_COPY_2D_H
#define MCUSIM_COPY_2D_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* rows rows of row_bytes bytes, in_stride bytes apart in the source and out_stride apart in the destination.
 * Source and destination never overlap. */
void copy_2d(const int8_t *input, int8_t *output, int32_t rows, int32_t row_bytes, int32_t in_stride, int32_t out_stride);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_COPY_2D_H */
