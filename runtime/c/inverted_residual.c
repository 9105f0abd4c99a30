/* Inverted-residual body, one expanded channel at a time (asm/inverted_residual.ts): per channel e, the expand
 * conv's channel e over every input pixel, the depthwise conv's channel e over that plane, and its contribution to
 * every projection sum. Each int8 plane is exactly what the separate kernels compute for channel e, and the int32 sums
 * wrap, so adding channel by channel (bias first) gives the three-kernel bytes. The scratch ends as the WebAssembly
 * twin leaves it: the final sums, then the last channel's two planes. */
#include "inverted_residual.h"
#include "requantize.h"

void inverted_residual(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *expand_filter, const int32_t *expand_bias, const int32_t *expand_multipliers, const int32_t *expand_shifts, int32_t expand_c,
    int32_t expand_input_offset, int32_t expand_output_offset, int32_t expand_act_min, int32_t expand_act_max,
    const int8_t *dw_filter, const int32_t *dw_bias, const int32_t *dw_multipliers, const int32_t *dw_shifts, int32_t k_h, int32_t k_w,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left, int32_t out_h, int32_t out_w,
    int32_t dw_input_offset, int32_t dw_output_offset, int32_t dw_act_min, int32_t dw_act_max,
    const int8_t *project_filter, const int32_t *project_bias, const int32_t *project_multipliers, const int32_t *project_shifts, int32_t out_c,
    int32_t project_input_offset, int32_t project_output_offset, int32_t project_act_min, int32_t project_act_max,
    int8_t *output, int32_t *scratch) {
  const int32_t in_pixels = in_h * in_w;
  const int32_t out_pixels = out_h * out_w;
  int32_t *acc = scratch;
  int8_t *plane_e = (int8_t *)(scratch + out_pixels * out_c);
  int8_t *plane_d = plane_e + in_pixels;
  int32_t p, q, o, e, c, oy, ox, ky, kx;
  for (q = 0; q < out_pixels; q++) {
    for (o = 0; o < out_c; o++) acc[q * out_c + o] = project_bias[o];
  }
  for (e = 0; e < expand_c; e++) {
    const int8_t *we = expand_filter + e * in_c;
    int32_t wsum = 0;
    int32_t e_base;
    for (c = 0; c < in_c; c++) wsum += we[c];
    /* sum_c w * (x + offset) = sum_c w * x + offset * sum_c w, wrapping like the WebAssembly twin. */
    e_base = mcusim_add(mcusim_mul(wsum, expand_input_offset), expand_bias[e]);
    for (p = 0; p < in_pixels; p++) {
      const int8_t *px = input + p * in_c;
      uint32_t s = 0;
      int32_t v;
      for (c = 0; c < in_c; c++) s += (uint32_t)((int32_t)we[c] * (int32_t)px[c]);
      v = mcusim_mbqm(mcusim_add(mcusim_wrap(s), e_base), expand_multipliers[e], expand_shifts[e]);
      plane_e[p] = (int8_t)mcusim_clamp(mcusim_add(v, expand_output_offset), expand_act_min, expand_act_max);
    }
    q = 0;
    for (oy = 0; oy < out_h; oy++) {
      const int32_t iy0 = oy * stride_h - pad_top;
      for (ox = 0; ox < out_w; ox++) {
        const int32_t ix0 = ox * stride_w - pad_left;
        uint32_t s = 0;
        int32_t v;
        for (ky = 0; ky < k_h; ky++) {
          const int32_t iy = iy0 + ky * dilation_h;
          if ((uint32_t)iy >= (uint32_t)in_h) continue; /* padded taps contribute nothing */
          for (kx = 0; kx < k_w; kx++) {
            const int32_t ix = ix0 + kx * dilation_w;
            if ((uint32_t)ix >= (uint32_t)in_w) continue;
            s += (uint32_t)((int32_t)dw_filter[(ky * k_w + kx) * expand_c + e] * ((int32_t)plane_e[iy * in_w + ix] + dw_input_offset));
          }
        }
        v = mcusim_mbqm(mcusim_add(mcusim_wrap(s), dw_bias[e]), dw_multipliers[e], dw_shifts[e]);
        plane_d[q] = (int8_t)mcusim_clamp(mcusim_add(v, dw_output_offset), dw_act_min, dw_act_max);
        q++;
      }
    }
    for (p = 0; p < out_pixels; p++) {
      const int32_t d = (int32_t)plane_d[p] + project_input_offset;
      int32_t *row = acc + p * out_c;
      for (o = 0; o < out_c; o++) row[o] = mcusim_add(row[o], mcusim_mul((int32_t)project_filter[o * expand_c + e], d));
    }
  }
  for (p = 0; p < out_pixels; p++) {
    const int32_t *row = acc + p * out_c;
    int8_t *out = output + p * out_c;
    for (o = 0; o < out_c; o++) {
      const int32_t v = mcusim_mbqm(row[o], project_multipliers[o], project_shifts[o]);
      out[o] = (int8_t)mcusim_clamp(mcusim_add(v, project_output_offset), project_act_min, project_act_max);
    }
  }
}
