/* RESIZE_NEAREST_NEIGHBOR, int8 NHWC: each output pixel copies all channels of its source pixel, whose index is
 *   scale = align_corners && out > 1 ? (in - 1) / (out - 1) : in / out          (float division)
 *   v     = (i + (half_pixel_centers ? 0.5 : 0)) * scale                         (float)
 *   src   = min(align_corners ? round(v) : floor(v), in - 1), then max(src, 0) with half_pixel_centers
 * with round = std::round (halves away from zero), as asm/resize_nearest_neighbor.ts and TFLite compute it. */
#include <string.h>
#include "resize_nearest_neighbor.h"

static int32_t nearest(int32_t i, int32_t in_size, int32_t out_size, int32_t align_corners, int32_t half_pixel_centers) {
  const float scale = align_corners != 0 && out_size > 1 ? (float)(in_size - 1) / (float)(out_size - 1) : (float)in_size / (float)out_size;
  const float offset = half_pixel_centers != 0 ? 0.5f : 0.0f;
  const float v = ((float)i + offset) * scale; /* v >= 0 */
  /* floor(v) for v >= 0 without libm: below 2^23 the int32 conversion truncates; above, v is an integer. */
  float f = v < 8388608.0f ? (float)(int32_t)v : v;
  int32_t src;
  if (align_corners != 0 && v - f >= 0.5f) f += 1.0f; /* std::round for v >= 0; v - floor(v) is exact */
  src = (int32_t)f < in_size - 1 ? (int32_t)f : in_size - 1;
  if (half_pixel_centers != 0 && src < 0) src = 0;
  return src;
}

void resize_nearest_neighbor(const int8_t *input, int32_t batches, int32_t in_h, int32_t in_w, int32_t channels,
                             int8_t *output, int32_t out_h, int32_t out_w,
                             int32_t align_corners, int32_t half_pixel_centers) {
  const int32_t row_bytes = in_w * channels;
  int8_t *dst = output;
  int32_t b, y, x;
  for (b = 0; b < batches; b++) {
    const int8_t *image = input + b * in_h * row_bytes;
    for (y = 0; y < out_h; y++) {
      const int8_t *row = image + nearest(y, in_h, out_h, align_corners, half_pixel_centers) * row_bytes;
      for (x = 0; x < out_w; x++) {
        memcpy(dst, row + nearest(x, in_w, out_w, align_corners, half_pixel_centers) * channels, (size_t)channels);
        dst += channels;
      }
    }
  }
}
