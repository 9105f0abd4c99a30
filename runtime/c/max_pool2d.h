/* MAX_POOL_2D, int8 NHWC (TFLite reference_integer_ops::MaxPool). The twin of asm/max_pool2d.ts. */
#ifndef MCUSIM_MAX_POOL2D_H
#define MCUSIM_MAX_POOL2D_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The largest tap inside the input (padding is never a candidate), clamped to [act_min, act_max]. Input and output
 * share one quantisation. */
void max_pool2d(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t channels,
    int8_t *output, int32_t out_h, int32_t out_w,
    int32_t filter_h, int32_t filter_w, int32_t stride_h, int32_t stride_w, int32_t pad_top, int32_t pad_left,
    int32_t act_min, int32_t act_max);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_MAX_POOL2D_H */
