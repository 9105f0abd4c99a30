/* AVERAGE_POOL_2D, int8 NHWC (TFLite reference_integer_ops::AveragePool). The twin of asm/average_pool2d.ts. */
#ifndef MCUSIM_AVERAGE_POOL2D_H
#define MCUSIM_AVERAGE_POOL2D_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Input [in_h, in_w, channels] and output [out_h, out_w, channels] share one quantisation: the sum of the taps inside
 * the input (padding is not counted) divided by their count, rounding half away from zero, clamped to
 * [act_min, act_max]. Every window must hold at least one input tap (TFLite's SAME/VALID geometry ensures it). */
void average_pool2d(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t channels,
    int8_t *output, int32_t out_h, int32_t out_w,
    int32_t filter_h, int32_t filter_w, int32_t stride_h, int32_t stride_w, int32_t pad_top, int32_t pad_left,
    int32_t act_min, int32_t act_max);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_AVERAGE_POOL2D_H */
