/* DEPTHWISE_CONV_2D, the general kernel: any kernel size, stride, dilation and depth multiplier, loops in TFLite's
 * order, padded taps skipped. The WebAssembly twin (asm/depthwise_conv2d.ts) runs a SIMD path for depth multiplier 1;
 * its sums wrap in int32 like these, so the order of additions cannot change a byte. */
#include "depthwise_conv2d.h"
#include "requantize.h"

void depthwise_conv2d(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t depth_multiplier, int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max) {
  int32_t oy, ox, ic, m, ky, kx;
  for (oy = 0; oy < out_h; oy++) {
    const int32_t in_y0 = oy * stride_h - pad_top;
    for (ox = 0; ox < out_w; ox++) {
      const int32_t in_x0 = ox * stride_w - pad_left;
      int8_t *out_pixel = output + (oy * out_w + ox) * out_c;
      for (ic = 0; ic < in_c; ic++) {
        for (m = 0; m < depth_multiplier; m++) {
          const int32_t oc = ic * depth_multiplier + m;
          uint32_t acc = 0;
          int32_t value;
          for (ky = 0; ky < k_h; ky++) {
            const int32_t iy = in_y0 + ky * dilation_h;
            if ((uint32_t)iy >= (uint32_t)in_h) continue; /* padded taps contribute nothing */
            for (kx = 0; kx < k_w; kx++) {
              const int32_t ix = in_x0 + kx * dilation_w;
              int32_t x, w;
              if ((uint32_t)ix >= (uint32_t)in_w) continue;
              x = input[(iy * in_w + ix) * in_c + ic];
              w = filter[(ky * k_w + kx) * out_c + oc];
              acc += (uint32_t)(w * (x + input_offset));
            }
          }
          value = mcusim_mbqm(mcusim_wrap(acc + (uint32_t)bias[oc]), multipliers[oc], shifts[oc]);
          out_pixel[oc] = (int8_t)mcusim_clamp(mcusim_add(value, output_offset), act_min, act_max);
        }
      }
    }
  }
}
