/* FULLY_CONNECTED, int8 input rows x int8 weights [units, depth], int32 bias (TFLite
 * reference_integer_ops::FullyConnected and FullyConnectedPerChannel). The twin of asm/fully_connected.ts. */
#ifndef MCUSIM_FULLY_CONNECTED_H
#define MCUSIM_FULLY_CONNECTED_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* input [rows, depth]; filter [units, depth]; bias, multipliers, shifts [units] (a per-tensor model repeats one
 * value); output [rows, units]. filter_offset = -weight zero point (non-zero only for per-tensor weights).
 * With the DSP extension, optimised GCC builds run most of the work in inline assembly (fully_connected.c); define
 * MCUSIM_NO_ASM to use the C loops instead (same bytes). */
void fully_connected(
    const int8_t *input, int32_t rows, int32_t depth,
    const int8_t *filter, int32_t units,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output,
    int32_t input_offset, int32_t filter_offset, int32_t output_offset, int32_t act_min, int32_t act_max);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_FULLY_CONNECTED_H */
