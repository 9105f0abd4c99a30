/* STRIDED_SLICE, int8: nested loops over the output, rows with stride 1 on the last axis copied whole
 * (asm/strided_slice.ts). Positions are computed as indices so that no pointer ever leaves the input. */
#include <string.h>
#include "strided_slice.h"

void strided_slice(const int8_t *input, int32_t in_0, int32_t in_1, int32_t in_2, int32_t in_3, int32_t in_4,
                   int32_t begin_0, int32_t begin_1, int32_t begin_2, int32_t begin_3, int32_t begin_4,
                   int32_t stride_0, int32_t stride_1, int32_t stride_2, int32_t stride_3, int32_t stride_4,
                   int32_t count_0, int32_t count_1, int32_t count_2, int32_t count_3, int32_t count_4,
                   int8_t *output) {
  /* Row-major strides of the input, in elements (= bytes). */
  const int32_t s3 = in_4;
  const int32_t s2 = in_3 * s3;
  const int32_t s1 = in_2 * s2;
  const int32_t s0 = in_1 * s1;
  int8_t *dst = output;
  int32_t a, b, c, d, e;
  (void)in_0;
  for (a = 0; a < count_0; a++) {
    const int32_t pa = (begin_0 + a * stride_0) * s0;
    for (b = 0; b < count_1; b++) {
      const int32_t pb = pa + (begin_1 + b * stride_1) * s1;
      for (c = 0; c < count_2; c++) {
        const int32_t pc = pb + (begin_2 + c * stride_2) * s2;
        for (d = 0; d < count_3; d++) {
          const int32_t src = pc + (begin_3 + d * stride_3) * s3 + begin_4;
          if (stride_4 == 1) {
            memcpy(dst, input + src, (size_t)count_4);
          } else {
            for (e = 0; e < count_4; e++) dst[e] = input[src + e * stride_4];
          }
          dst += count_4;
        }
      }
    }
  }
}
