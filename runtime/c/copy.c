/* RESHAPE as a byte copy (asm/copy.ts). */
#include <string.h>
#include "copy.h"

void copy(const void *input, void *output, int32_t bytes) {
  if (input != output && bytes > 0) memmove(output, input, (size_t)bytes);
}
