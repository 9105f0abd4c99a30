/* PAD: rows along the last axis are filled and copied whole (asm/pad.ts). */
#include <string.h>
#include "pad.h"

void pad(
    const int8_t *input, int32_t in_0, int32_t in_1, int32_t in_2, int32_t in_3,
    int8_t *output, int32_t out_0, int32_t out_1, int32_t out_2, int32_t out_3,
    int32_t before_0, int32_t before_1, int32_t before_2, int32_t before_3,
    int32_t pad_value) {
  const int32_t after_3 = out_3 - before_3 - in_3;
  const int fill = (int)(uint8_t)pad_value;
  int8_t *dst = output;
  int32_t n, h, w;
  for (n = 0; n < out_0; n++) {
    const int32_t i0 = n - before_0;
    for (h = 0; h < out_1; h++) {
      const int32_t i1 = h - before_1;
      for (w = 0; w < out_2; w++) {
        const int32_t i2 = w - before_2;
        if ((uint32_t)i0 < (uint32_t)in_0 && (uint32_t)i1 < (uint32_t)in_1 && (uint32_t)i2 < (uint32_t)in_2) {
          memset(dst, fill, (size_t)before_3);
          memcpy(dst + before_3, input + ((i0 * in_1 + i1) * in_2 + i2) * in_3, (size_t)in_3);
          memset(dst + before_3 + in_3, fill, (size_t)after_3);
        } else {
          memset(dst, fill, (size_t)out_3);
        }
        dst += out_3;
      }
    }
  }
}
