/* AVERAGE_POOL_2D, int8 NHWC (TFLite reference_integer_ops::AveragePool): no rescale, the valid taps' sum divided by
 * their count with rounding half away from zero (asm/average_pool2d.ts). */
#include "average_pool2d.h"
#include "requantize.h"

void average_pool2d(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t channels,
    int8_t *output, int32_t out_h, int32_t out_w,
    int32_t filter_h, int32_t filter_w, int32_t stride_h, int32_t stride_w, int32_t pad_top, int32_t pad_left,
    int32_t act_min, int32_t act_max) {
  int32_t oy, ox, c, ky, kx;
  for (oy = 0; oy < out_h; oy++) {
    const int32_t y0 = oy * stride_h - pad_top;
    const int32_t y_start = y0 < 0 ? -y0 : 0;
    const int32_t y_end = in_h - y0 < filter_h ? in_h - y0 : filter_h;
    for (ox = 0; ox < out_w; ox++) {
      const int32_t x0 = ox * stride_w - pad_left;
      const int32_t x_start = x0 < 0 ? -x0 : 0;
      const int32_t x_end = in_w - x0 < filter_w ? in_w - x0 : filter_w;
      const int32_t count = (y_end - y_start) * (x_end - x_start);
      const int32_t half = count / 2;
      int8_t *out_pixel = output + (oy * out_w + ox) * channels;
      for (c = 0; c < channels; c++) {
        int32_t acc = 0;
        for (ky = y_start; ky < y_end; ky++) {
          /* An index, not a pointer: the row's start may lie before the input when x0 < 0. */
          const int32_t row = ((y0 + ky) * in_w + x0) * channels + c;
          for (kx = x_start; kx < x_end; kx++) acc += input[row + kx * channels];
        }
        /* Integer division truncates toward zero, so adding/subtracting half the count rounds half away from zero. */
        acc = acc > 0 ? (acc + half) / count : (acc - half) / count;
        out_pixel[c] = (int8_t)mcusim_clamp(acc, act_min, act_max);
      }
    }
  }
}
