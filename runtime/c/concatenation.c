/* CONCATENATION: rows of each input copied side by side into the output rows (asm/concatenation.ts). */
#include <string.h>
#include "concatenation.h"

/* Copies input `src`'s rows into column `column` (bytes from the row start) of every output row. */
static void copy_rows(const void *src, int32_t row_bytes, uint8_t *output, int32_t column, int32_t out_row_bytes, int32_t outer) {
  const uint8_t *in = (const uint8_t *)src;
  int32_t o;
  if (row_bytes == 0) return;
  for (o = 0; o < outer; o++) memcpy(output + o * out_row_bytes + column, in + o * row_bytes, (size_t)row_bytes);
}

void concatenation(
    void *output, int32_t outer, int32_t out_row_bytes,
    const void *input_0, int32_t row_bytes_0, const void *input_1, int32_t row_bytes_1,
    const void *input_2, int32_t row_bytes_2, const void *input_3, int32_t row_bytes_3,
    const void *input_4, int32_t row_bytes_4, const void *input_5, int32_t row_bytes_5,
    const void *input_6, int32_t row_bytes_6, const void *input_7, int32_t row_bytes_7,
    const void *input_8, int32_t row_bytes_8, const void *input_9, int32_t row_bytes_9) {
  uint8_t *out = (uint8_t *)output;
  int32_t column = 0;
  copy_rows(input_0, row_bytes_0, out, column, out_row_bytes, outer); column += row_bytes_0;
  copy_rows(input_1, row_bytes_1, out, column, out_row_bytes, outer); column += row_bytes_1;
  copy_rows(input_2, row_bytes_2, out, column, out_row_bytes, outer); column += row_bytes_2;
  copy_rows(input_3, row_bytes_3, out, column, out_row_bytes, outer); column += row_bytes_3;
  copy_rows(input_4, row_bytes_4, out, column, out_row_bytes, outer); column += row_bytes_4;
  copy_rows(input_5, row_bytes_5, out, column, out_row_bytes, outer); column += row_bytes_5;
  copy_rows(input_6, row_bytes_6, out, column, out_row_bytes, outer); column += row_bytes_6;
  copy_rows(input_7, row_bytes_7, out, column, out_row_bytes, outer); column += row_bytes_7;
  copy_rows(input_8, row_bytes_8, out, column, out_row_bytes, outer); column += row_bytes_8;
  copy_rows(input_9, row_bytes_9, out, column, out_row_bytes, outer);
}
