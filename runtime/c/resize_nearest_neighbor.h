/* RESIZE_NEAREST_NEIGHBOR, int8 NHWC (TFLite reference_ops::ResizeNearestNeighbor). The twin of
 * asm/resize_nearest_neighbor.ts. */
#ifndef MCUSIM_RESIZE_NEAREST_NEIGHBOR_H
#define MCUSIM_RESIZE_NEAREST_NEIGHBOR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* input [batches, in_h, in_w, channels] -> output [batches, out_h, out_w, channels]; align_corners and
 * half_pixel_centers are 0 or 1. The source index is computed in float32 exactly as TFLite's GetNearestNeighbor
 * does (IEEE single precision, round to nearest; no libm). */
void resize_nearest_neighbor(const int8_t *input, int32_t batches, int32_t in_h, int32_t in_w, int32_t channels,
                             int8_t *output, int32_t out_h, int32_t out_w,
                             int32_t align_corners, int32_t half_pixel_centers);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_RESIZE_NEAREST_NEIGHBOR_H */
