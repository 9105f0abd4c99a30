/* MAXIMUM and MINIMUM, int8: elementwise larger / smaller raw value (asm/maximum_minimum.ts). */
#include "maximum_minimum.h"

void maximum(const int8_t *input1, int32_t input1_period, const int8_t *input2, int32_t input2_period, int8_t *output, int32_t size) {
  int32_t i, j1 = 0, j2 = 0;
  for (i = 0; i < size; i++) {
    const int8_t a = input1[j1];
    const int8_t b = input2[j2];
    output[i] = a > b ? a : b;
    if (++j1 == input1_period) j1 = 0;
    if (++j2 == input2_period) j2 = 0;
  }
}

void minimum(const int8_t *input1, int32_t input1_period, const int8_t *input2, int32_t input2_period, int8_t *output, int32_t size) {
  int32_t i, j1 = 0, j2 = 0;
  for (i = 0; i < size; i++) {
    const int8_t a = input1[j1];
    const int8_t b = input2[j2];
    output[i] = a < b ? a : b;
    if (++j1 == input1_period) j1 = 0;
    if (++j2 == input2_period) j2 = 0;
  }
}
