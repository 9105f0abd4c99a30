/* CONV_2D with dilation_w 1: per output pixel, the kernel rows inside the input are [ky_lo, ky_hi) and the used taps
 * of each row one contiguous run of (kx_hi - kx_lo) * in_c bytes, matched by a contiguous run of weights. A dot product
 * per run (SMLAD on the DSP extension); its bytes equal conv2d's and the SIMD WebAssembly twin's (asm/conv2d_simd.ts):
 * int32 sums wrap, so their order cannot change a bit. */
#include "conv2d_simd.h"
#include "requantize.h"

/** acc + sum_j w[j] * (x[j] + input_offset) over n bytes; with the DSP extension 4 bytes per SMLAD pair (SXTAB16
 * adds the offset to the sign-extended input bytes: they fit in int16 when |input_offset| <= 32000). */
static inline uint32_t run_dot(const int8_t *x, const int8_t *w, int32_t n, int32_t input_offset, uint32_t acc) {
  int32_t j = 0;
#ifdef MCUSIM_DSP
  if (input_offset >= -32000 && input_offset <= 32000) {
    const uint32_t in_pair = mcusim_pair16(input_offset);
    for (; j + 4 <= n; j += 4) {
      const uint32_t xv = mcusim_load4(x + j), wv = mcusim_load4(w + j);
      acc = mcusim_smlad(mcusim_sxtab16(in_pair, xv), mcusim_sxtb16(wv), acc);
      acc = mcusim_smlad(mcusim_sxtab16_ror8(in_pair, xv), mcusim_sxtb16_ror8(wv), acc);
    }
  }
#endif
  for (; j < n; j++) acc += (uint32_t)((int32_t)w[j] * ((int32_t)x[j] + input_offset));
  return acc;
}

void conv2d_simd(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max) {
  int32_t oy, ox, oc, ky;
  (void)dilation_w;
  for (oy = 0; oy < out_h; oy++) {
    const int32_t iy0 = oy * stride_h - pad_top;
    /* Kernel rows inside the input: iy0 + ky * dilation_h in [0, in_h). */
    const int32_t ky_lo = iy0 >= 0 ? 0 : (dilation_h - 1 - iy0) / dilation_h;
    const int32_t ky_hi = iy0 >= in_h ? 0 : (in_h - 1 - iy0) / dilation_h + 1 < k_h ? (in_h - 1 - iy0) / dilation_h + 1 : k_h;
    for (ox = 0; ox < out_w; ox++) {
      const int32_t ix0 = ox * stride_w - pad_left;
      const int32_t kx_lo = ix0 < 0 ? -ix0 : 0;
      const int32_t kx_hi = in_w - ix0 < k_w ? in_w - ix0 : k_w;
      const int32_t run = (kx_hi - kx_lo) * in_c; /* bytes of one kernel row's used taps */
      int8_t *out = output + (oy * out_w + ox) * out_c;
      for (oc = 0; oc < out_c; oc++) {
        uint32_t acc = 0;
        int32_t value;
        for (ky = ky_lo; ky < ky_hi; ky++) {
          const int8_t *x = input + ((iy0 + ky * dilation_h) * in_w + ix0 + kx_lo) * in_c;
          const int8_t *w = filter + ((oc * k_h + ky) * k_w + kx_lo) * in_c;
          acc = run_dot(x, w, run, input_offset, acc);
        }
        value = mcusim_mbqm(mcusim_wrap(acc + (uint32_t)bias[oc]), multipliers[oc], shifts[oc]);
        out[oc] = (int8_t)mcusim_clamp(mcusim_add(value, output_offset), act_min, act_max);
      }
    }
  }
}
