/* PAD, int8, 4-D (TFLite reference_ops::Pad). The twin of asm/pad.ts. */
#ifndef MCUSIM_PAD_H
#define MCUSIM_PAD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* output [out_0, out_1, out_2, out_3] holds input [in_0, in_1, in_2, in_3] shifted by before_0..3, and pad_value
 * (the output zero point) everywhere else. */
void pad(
    const int8_t *input, int32_t in_0, int32_t in_1, int32_t in_2, int32_t in_3,
    int8_t *output, int32_t out_0, int32_t out_1, int32_t out_2, int32_t out_3,
    int32_t before_0, int32_t before_1, int32_t before_2, int32_t before_3,
    int32_t pad_value);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_PAD_H */
