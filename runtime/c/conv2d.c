/* CONV_2D, int8 NHWC input, OHWI per-channel weights, int32 bias (TFLite reference_integer_ops::ConvPerChannel).
 * Padded taps contribute nothing. Sums wrap like the WebAssembly twin (asm/conv2d.ts). */
#include "conv2d.h"
#include "requantize.h"

void conv2d(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max) {
  int32_t oy, ox, oc, ky, kx, ic;
  for (oy = 0; oy < out_h; oy++) {
    const int32_t in_y0 = oy * stride_h - pad_top;
    for (ox = 0; ox < out_w; ox++) {
      const int32_t in_x0 = ox * stride_w - pad_left;
      int8_t *out_pixel = output + (oy * out_w + ox) * out_c;
      for (oc = 0; oc < out_c; oc++) {
        uint32_t acc = 0;
        int32_t value;
        for (ky = 0; ky < k_h; ky++) {
          const int32_t iy = in_y0 + ky * dilation_h;
          if ((uint32_t)iy >= (uint32_t)in_h) continue; /* padded taps contribute nothing */
          for (kx = 0; kx < k_w; kx++) {
            const int32_t ix = in_x0 + kx * dilation_w;
            const int8_t *in_ptr;
            const int8_t *w_ptr;
            if ((uint32_t)ix >= (uint32_t)in_w) continue;
            in_ptr = input + (iy * in_w + ix) * in_c;
            w_ptr = filter + ((oc * k_h + ky) * k_w + kx) * in_c;
            for (ic = 0; ic < in_c; ic++) {
              acc += (uint32_t)((int32_t)w_ptr[ic] * ((int32_t)in_ptr[ic] + input_offset));
            }
          }
        }
        value = mcusim_mbqm(mcusim_wrap(acc + (uint32_t)bias[oc]), multipliers[oc], shifts[oc]);
        out_pixel[oc] = (int8_t)mcusim_clamp(mcusim_add(value, output_offset), act_min, act_max);
      }
    }
  }
}
