/* DEPTHWISE_CONV_2D, the general kernel: any kernel size, stride, dilation and depth multiplier, padded taps skipped
 * (TFLite reference_integer_ops::DepthwiseConvPerChannel). The WebAssembly twin (asm/depthwise_conv2d.ts) runs a
 * SIMD path for depth multiplier 1; int32 sums wrap in both, so the order of additions cannot change a byte.
 *
 * Output channel by output channel (its weights cached, its requantisation constants computed once): each output
 * row's tap rows inside the input are found once per row, and each output's tap columns once per output. Outputs
 * whose whole window lies inside the input (the interior) sum w * x over every tap and add
 * bias + input_offset * sum w (the same value modulo 2^32), two taps per SMLAD on cores with the DSP extension; the
 * others add w * (x + input_offset) per tap inside.
 * Requantisation: mcusim_dw_output (depthwise_common.h).
 * depthwise_conv2d_mult (the twin of the WebAssembly SIMD kernel for depth multipliers of 8 or more) is this kernel:
 * its per-output-channel loop serves any depth multiplier. */
#include "depthwise_conv2d.h"
#include "depthwise_common.h"

/** Weights cached per output channel when the kernel has at most this many taps. */
#define DWC_TAPS 64

void depthwise_conv2d(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t depth_multiplier, int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max) {
  const int32_t taps = k_h * k_w;
  const int32_t row = in_w * in_c;
  const int cached = taps <= DWC_TAPS;
  /* Kernel extent in the input, and the interior: outputs whose window lies inside the input. */
  const int32_t span_h = (k_h - 1) * dilation_h, span_w = (k_w - 1) * dilation_w;
  int32_t oy_lo = (pad_top + stride_h - 1) / stride_h, oy_hi = in_h - 1 - span_h + pad_top < 0 ? 0 : (in_h - 1 - span_h + pad_top) / stride_h + 1;
  int32_t ox_lo = (pad_left + stride_w - 1) / stride_w, ox_hi = in_w - 1 - span_w + pad_left < 0 ? 0 : (in_w - 1 - span_w + pad_left) / stride_w + 1;
  int8_t w[DWC_TAPS];
  int32_t off[DWC_TAPS]; /* interior: tap t's input offset from the window's first tap */
#ifdef MCUSIM_DSP
  uint32_t wp[DWC_TAPS / 2]; /* (w_t, w_t+1) int16 pairs */
#endif
  int32_t oc, oy, ox, ky, kx, t;
  if (oy_hi > out_h) oy_hi = out_h;
  if (ox_hi > out_w) ox_hi = out_w;
  if (cached) {
    for (t = 0; t < taps; t++) off[t] = (t / k_w) * dilation_h * row + (t % k_w) * dilation_w * in_c;
  }
  for (oc = 0; oc < out_c; oc++) {
    const int32_t ic = oc / depth_multiplier;
    mcusim_dw_requant_t rq;
    const uint32_t b = (uint32_t)bias[oc];
    uint32_t wsum = 0, base;
    mcusim_dw_requant_init(&rq, multipliers[oc], shifts[oc], output_offset);
    for (t = 0; t < taps; t++) {
      const int32_t v = filter[t * out_c + oc];
      if (cached) w[t] = (int8_t)v;
      wsum += (uint32_t)v;
    }
    base = b + (uint32_t)input_offset * wsum;
#ifdef MCUSIM_DSP
    if (cached) {
      for (t = 0; t + 1 < taps; t += 2) wp[t >> 1] = mcusim_dw_pair(w[t], w[t + 1]);
    }
#endif
    for (oy = 0; oy < out_h; oy++) {
      const int32_t iy0 = oy * stride_h - pad_top;
      /* Kernel rows inside the input: [ky_lo, ky_hi). */
      const int32_t ky_lo = iy0 >= 0 ? 0 : (dilation_h - 1 - iy0) / dilation_h;
      const int32_t ky_hi = iy0 >= in_h ? 0 : (in_h - 1 - iy0) / dilation_h + 1 < k_h ? (in_h - 1 - iy0) / dilation_h + 1 : k_h;
      const int interior_row = oy >= oy_lo && oy < oy_hi;
      int8_t *out = output + oy * out_w * out_c + oc;
      for (ox = 0; ox < out_w; ox++) {
        const int32_t ix0 = ox * stride_w - pad_left;
        uint32_t acc;
        if (interior_row && ox >= ox_lo && ox < ox_hi && cached) {
          /* Every tap inside: sum w * x (taps at the precomputed offsets), plus the offset term once. */
          const int8_t *x = input + iy0 * row + ix0 * in_c + ic;
#ifdef MCUSIM_DSP
          /* Two taps per SMLAD: (x_t, x_t+1) paired by PKHBT against (w_t, w_t+1). */
          uint32_t s = base;
          for (t = 0; t + 1 < taps; t += 2) s = mcusim_smlad(mcusim_pkhbt((uint32_t)x[off[t]], (uint32_t)x[off[t + 1]]), wp[t >> 1], s);
          if (t < taps) s += (uint32_t)((int32_t)w[t] * (int32_t)x[off[t]]);
          acc = s;
#else
          int32_t s = 0;
          for (t = 0; t < taps; t++) s += (int32_t)w[t] * (int32_t)x[off[t]];
          acc = base + (uint32_t)s;
#endif
        } else {
          /* Kernel columns inside the input: [kx_lo, kx_hi). Indices, not pointers: a row may start outside. */
          const int32_t kx_lo = ix0 >= 0 ? 0 : (dilation_w - 1 - ix0) / dilation_w;
          const int32_t kx_hi = ix0 >= in_w ? 0 : (in_w - 1 - ix0) / dilation_w + 1 < k_w ? (in_w - 1 - ix0) / dilation_w + 1 : k_w;
          acc = b;
          for (ky = ky_lo; ky < ky_hi; ky++) {
            const int32_t xr = (iy0 + ky * dilation_h) * row + ic;
            for (kx = kx_lo; kx < kx_hi; kx++) {
              const int32_t wt = cached ? w[ky * k_w + kx] : filter[(ky * k_w + kx) * out_c + oc];
              acc += (uint32_t)(wt * ((int32_t)input[xr + (ix0 + kx * dilation_w) * in_c] + input_offset));
            }
          }
        }
        out[ox * out_c] = mcusim_dw_output(acc, &rq, output_offset, act_min, act_max);
      }
    }
  }
}
