/* DEPTHWISE_CONV_2D, 3x3 kernel, depth multiplier 1, dilation 1. For each output pixel the taps inside the input
 * form a rectangle [ky_lo, ky_hi) x [kx_lo, kx_hi); the channel loop runs innermost over contiguous bytes. Sums wrap
 * in int32 like the SIMD WebAssembly twin's (asm/depthwise_conv2d_3x3.ts), so the bytes equal depthwise_conv2d's. */
#include "depthwise_conv2d_3x3.h"
#include "requantize.h"

void depthwise_conv2d_3x3(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t depth_multiplier, int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max) {
  const int32_t channels = out_c;
  int32_t oy, ox, ky, kx, c;
  (void)in_c; (void)k_h; (void)k_w; (void)dilation_h; (void)dilation_w; (void)depth_multiplier;
  for (oy = 0; oy < out_h; oy++) {
    const int32_t iy0 = oy * stride_h - pad_top;
    const int32_t ky_lo = iy0 < 0 ? -iy0 : 0;
    const int32_t ky_hi = in_h - iy0 < 3 ? in_h - iy0 : 3;
    for (ox = 0; ox < out_w; ox++) {
      const int32_t ix0 = ox * stride_w - pad_left;
      const int32_t kx_lo = ix0 < 0 ? -ix0 : 0;
      const int32_t kx_hi = in_w - ix0 < 3 ? in_w - ix0 : 3;
      int8_t *out = output + (oy * out_w + ox) * channels;
      for (c = 0; c < channels; c++) {
        uint32_t acc = 0;
        int32_t value;
        for (ky = ky_lo; ky < ky_hi; ky++) {
          /* Indices, not pointers: a row's start may lie before the input when ix0 < 0. */
          const int32_t x_row = ((iy0 + ky) * in_w + ix0) * channels + c;
          const int32_t w_row = ky * 3 * channels + c;
          for (kx = kx_lo; kx < kx_hi; kx++) {
            acc += (uint32_t)((int32_t)filter[w_row + kx * channels] * ((int32_t)input[x_row + kx * channels] + input_offset));
          }
        }
        value = mcusim_mbqm(mcusim_wrap(acc + (uint32_t)bias[c]), multipliers[c], shifts[c]);
        out[c] = (int8_t)mcusim_clamp(mcusim_add(value, output_offset), act_min, act_max);
      }
    }
  }
}
