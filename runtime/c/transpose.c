/* TRANSPOSE, int8: walks the output in row-major order and reads the input with the permuted strides; when the
 * last dimension stays last, whole rows are copied (asm/transpose.ts). */
#include <string.h>
#include "transpose.h"

void transpose(const int8_t *input, int32_t in_0, int32_t in_1, int32_t in_2, int32_t in_3, int32_t in_4,
               int32_t perm_0, int32_t perm_1, int32_t perm_2, int32_t perm_3, int32_t perm_4,
               int8_t *output) {
  const int32_t size[5] = { in_0, in_1, in_2, in_3, in_4 };
  const int32_t perm[5] = { perm_0, perm_1, perm_2, perm_3, perm_4 };
  int32_t stride[5]; /* row-major strides of the input, in elements (= bytes) */
  int32_t o[5], t[5];
  int32_t d, a, b, c, e, f;
  int8_t *dst = output;
  stride[4] = 1;
  for (d = 3; d >= 0; d--) stride[d] = stride[d + 1] * size[d + 1];
  for (d = 0; d < 5; d++) {
    o[d] = size[perm[d]];
    t[d] = stride[perm[d]];
  }
  for (a = 0; a < o[0]; a++) {
    for (b = 0; b < o[1]; b++) {
      for (c = 0; c < o[2]; c++) {
        for (e = 0; e < o[3]; e++) {
          const int8_t *src = input + a * t[0] + b * t[1] + c * t[2] + e * t[3];
          if (t[4] == 1) {
            memcpy(dst, src, (size_t)o[4]);
          } else {
            for (f = 0; f < o[4]; f++) dst[f] = src[f * t[4]];
          }
          dst += o[4];
        }
      }
    }
  }
}
