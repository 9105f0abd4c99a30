/* DEQUANTIZE: scale * (q - zero_point) as one float32 product (asm/dequantize.ts). (q - zero_point) is at most 255
 * in size, so it converts to float exactly and the product is correctly rounded in any evaluation precision. */
#include "dequantize.h"

void dequantize(const int8_t *input, float *output, int32_t count, float scale, int32_t zero_point) {
  int32_t i;
  for (i = 0; i < count; i++) output[i] = scale * (float)((int32_t)input[i] - zero_point);
}
