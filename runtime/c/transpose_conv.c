/* TRANSPOSE_CONV, int8, scatter form: every input pixel adds (input + input_offset) * weight into the int32
 * accumulators of the output pixels it reaches (out-of-range ones skipped), in the scratch buffer, cleared first;
 * then bias, per-channel requantisation, output offset and clamp. int32 sums wrap, as in asm/transpose_conv.ts. */
#include <string.h>
#include "transpose_conv.h"
#include "requantize.h"

void transpose_conv(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t pad_top, int32_t pad_left,
    int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max,
    int32_t *scratch) {
  const int32_t count = out_h * out_w * out_c;
  const int32_t filter_row = k_w * in_c; /* bytes between filter rows (ky) of one output channel */
  const int32_t filter_channel = k_h * filter_row; /* bytes between output channels */
  int32_t iy, ix, ic, ky, kx, oc, i;
  memset(scratch, 0, (size_t)count * sizeof(int32_t));
  for (iy = 0; iy < in_h; iy++) {
    const int32_t oy0 = iy * stride_h - pad_top;
    for (ix = 0; ix < in_w; ix++) {
      const int32_t ox0 = ix * stride_w - pad_left;
      const int8_t *in_pixel = input + (iy * in_w + ix) * in_c;
      for (ic = 0; ic < in_c; ic++) {
        const int32_t v = (int32_t)in_pixel[ic] + input_offset;
        for (ky = 0; ky < k_h; ky++) {
          const int32_t oy = oy0 + ky;
          if ((uint32_t)oy >= (uint32_t)out_h) continue;
          for (kx = 0; kx < k_w; kx++) {
            const int32_t ox = ox0 + kx;
            int32_t *acc;
            const int8_t *w;
            if ((uint32_t)ox >= (uint32_t)out_w) continue;
            acc = scratch + (oy * out_w + ox) * out_c;
            w = filter + ky * filter_row + kx * in_c + ic;
            for (oc = 0; oc < out_c; oc++) acc[oc] = mcusim_add(acc[oc], v * (int32_t)w[oc * filter_channel]);
          }
        }
      }
    }
  }
  for (i = 0; i < count; i += out_c) {
    for (oc = 0; oc < out_c; oc++) {
      const int32_t acc = mcusim_mbqm(mcusim_add(scratch[i + oc], bias[oc]), multipliers[oc], shifts[oc]);
      output[i + oc] = (int8_t)mcusim_clamp(mcusim_add(acc, output_offset), act_min, act_max);
    }
  }
}
