/* Strided 2-D byte copy (asm/copy_2d.ts). */
#include <string.h>
#include "copy_2d.h"

void copy_2d(const int8_t *input, int8_t *output, int32_t rows, int32_t row_bytes, int32_t in_stride, int32_t out_stride) {
  int32_t r;
  for (r = 0; r < rows; r++) memcpy(output + r * out_stride, input + r * in_stride, (size_t)row_bytes);
}
