/* MAXIMUM and MINIMUM, int8 (TFLite Micro maximum_minimum.cc). The twins of asm/maximum_minimum.ts. */
#ifndef MCUSIM_MAXIMUM_MINIMUM_H
#define MCUSIM_MAXIMUM_MINIMUM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The larger (smaller) of the two raw int8 values, broadcast by period as in add; the inputs and the output share
 * one quantisation, so there is no rescaling. */
void maximum(const int8_t *input1, int32_t input1_period, const int8_t *input2, int32_t input2_period, int8_t *output, int32_t size);
void minimum(const int8_t *input1, int32_t input1_period, const int8_t *input2, int32_t input2_period, int8_t *output, int32_t size);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_MAXIMUM_MINIMUM_H */
