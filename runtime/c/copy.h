/* RESHAPE: the output is the input's bytes under another shape. The twin of asm/copy.ts. */
#ifndef MCUSIM_COPY_H
#define MCUSIM_COPY_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Copies `bytes` bytes with memmove semantics (the regions may overlap); nothing moves when input == output,
 * which is what the planner normally arranges (the output aliases the input's buffer). */
void copy(const void *input, void *output, int32_t bytes);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_COPY_H */
