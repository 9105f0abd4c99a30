/* DEPTHWISE_CONV_2D in place, one channel at a time through a scratch plane (asm/depthwise_conv2d_inplace.ts).
 * Arithmetic is TFLite's reference_integer_ops::DepthwiseConvPerChannel; int32 sums wrap, so tap order is free.
 * input and output may be the same buffer, so neither pointer is restrict and every read of the input happens
 * before the writes that could overwrite it.
 *
 * 3x3 kernels without dilation take a fast path: the channel's nine weights are held in registers, and outputs whose
 * taps all lie inside the plane (the interior) are nine unrolled multiply-adds on
 * sum w * x + (bias + input_offset * sum w), which equals bias + sum w * (x + input_offset) modulo 2^32. Outputs on
 * the border take a loop over the taps inside the plane. Other kernel sizes without dilation split interior and
 * border the same way (a loop over all taps inside, no bounds checks); dilated kernels take the general loop. */
#include "depthwise_conv2d_inplace.h"
#include "requantize.h"

#include <string.h>

/** Kernels of up to this many taps (7x7) without dilation take the interior/border split. */
#define MAX_TAPS 49

/** bias + sum over the taps inside the plane of w * (x + input_offset), for output (oy, ox), channel c. */
static uint32_t general_sum(
    const int8_t *plane, int32_t in_h, int32_t in_w, const int8_t *filter, int32_t k_h, int32_t k_w, int32_t channels,
    int32_t c, int32_t iy0, int32_t ix0, int32_t dilation_h, int32_t dilation_w, int32_t input_offset, int32_t b) {
  /* Kernel rows and columns inside the input: [ky_lo, ky_hi) x [kx_lo, kx_hi). */
  const int32_t ky_lo = iy0 >= 0 ? 0 : (dilation_h - 1 - iy0) / dilation_h;
  const int32_t ky_hi = iy0 >= in_h ? 0 : (in_h - 1 - iy0) / dilation_h + 1 < k_h ? (in_h - 1 - iy0) / dilation_h + 1 : k_h;
  const int32_t kx_lo = ix0 >= 0 ? 0 : (dilation_w - 1 - ix0) / dilation_w;
  const int32_t kx_hi = ix0 >= in_w ? 0 : (in_w - 1 - ix0) / dilation_w + 1 < k_w ? (in_w - 1 - ix0) / dilation_w + 1 : k_w;
  uint32_t acc = (uint32_t)b;
  int32_t ky, kx;
  for (ky = ky_lo; ky < ky_hi; ky++) {
    /* Indices, not pointers: a row's start may lie before the plane when ix0 < 0. */
    const int32_t row = (iy0 + ky * dilation_h) * in_w + ix0;
    const int32_t w_row = ky * k_w * channels + c;
    for (kx = kx_lo; kx < kx_hi; kx++) {
      acc += (uint32_t)((int32_t)filter[w_row + kx * channels] * ((int32_t)plane[row + kx * dilation_w] + input_offset));
    }
  }
  return acc;
}

void depthwise_conv2d_inplace(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t depth_multiplier, int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max,
    int8_t *scratch) {
  const int32_t channels = in_c;
  const int32_t pixels = in_h * in_w;
  const int dense = dilation_h == 1 && dilation_w == 1;
  const int fast = dense && k_h == 3 && k_w == 3;
  /* Interior outputs: oy in [oy_lo, oy_hi), ox in [ox_lo, ox_hi) read rows iy0..iy0+2 and columns ix0..ix0+2 inside. */
  int32_t oy_lo = 0, oy_hi = 0, ox_lo = 0, ox_hi = 0;
  int32_t c, i, oy, ox;
  (void)out_c; (void)depth_multiplier;
  if (dense) {
    oy_lo = (pad_top + stride_h - 1) / stride_h;
    oy_hi = in_h - k_h + pad_top < 0 ? 0 : (in_h - k_h + pad_top) / stride_h + 1;
    if (oy_hi > out_h) oy_hi = out_h;
    if (oy_hi < oy_lo) oy_hi = oy_lo;
    ox_lo = (pad_left + stride_w - 1) / stride_w;
    ox_hi = in_w - k_w + pad_left < 0 ? 0 : (in_w - k_w + pad_left) / stride_w + 1;
    if (ox_hi > out_w) ox_hi = out_w;
    if (ox_hi < ox_lo) ox_hi = ox_lo;
  }
  for (c = 0; c < channels; c++) {
    const int32_t b = bias[c];
    const int32_t m = multipliers[c];
    const int32_t sh = shifts[c];
    /* Gather channel c into the plane. */
    for (i = 0; i < pixels; i++) scratch[i] = input[i * channels + c];
    if (fast) {
      const int32_t w0 = filter[c], w1 = filter[channels + c], w2 = filter[2 * channels + c];
      const int32_t w3 = filter[3 * channels + c], w4 = filter[4 * channels + c], w5 = filter[5 * channels + c];
      const int32_t w6 = filter[6 * channels + c], w7 = filter[7 * channels + c], w8 = filter[8 * channels + c];
      const uint32_t base = (uint32_t)b + (uint32_t)input_offset * (uint32_t)(w0 + w1 + w2 + w3 + w4 + w5 + w6 + w7 + w8);
      const int32_t pad = -input_offset;
      for (oy = 0; oy < out_h; oy++) {
        const int32_t iy0 = oy * stride_h - pad_top;
        int8_t *out_row = output + oy * out_w * channels + c;
        const int interior_row = oy >= oy_lo && oy < oy_hi;
        for (ox = 0; ox < out_w; ox++) {
          const int32_t ix0 = ox * stride_w - pad_left;
          uint32_t acc;
          if (interior_row && ox >= ox_lo && ox < ox_hi) {
            /* Jump to the border columns after the interior run. */
            const int8_t *r0 = scratch + iy0 * in_w + ix0;
            const int8_t *r1 = r0 + in_w;
            const int8_t *r2 = r1 + in_w;
#ifdef MCUSIM_DSP
            if (stride_w == 1) {
              /* Two outputs per step: row k's four bytes x0..x3 as even (x0, x2) and odd (x1, x3) int16 pairs;
               * out0 += x0 w0 + x2 w2 (SMLAD with (w0, w2)) + x1 w1 (SMLABB), out1 += x1 w0 + x3 w2 + x2 w1 (SMLATB). */
              const uint32_t a0 = ((uint32_t)w0 & 0xffffu) | ((uint32_t)w2 << 16), a1 = ((uint32_t)w3 & 0xffffu) | ((uint32_t)w5 << 16);
              const uint32_t a2 = ((uint32_t)w6 & 0xffffu) | ((uint32_t)w8 << 16);
              const uint32_t b0 = (uint32_t)w1, b1 = (uint32_t)w4, b2 = (uint32_t)w7;
              for (; ox + 1 < ox_hi; ox += 2) {
                const uint32_t v0 = mcusim_load4(r0), v1 = mcusim_load4(r1), v2 = mcusim_load4(r2);
                uint32_t even = mcusim_sxtb16(v0), odd = mcusim_sxtb16_ror8(v0);
                uint32_t acc0 = mcusim_smlabb(odd, b0, mcusim_smlad(even, a0, base));
                uint32_t acc1 = mcusim_smlatb(even, b0, mcusim_smlad(odd, a0, base));
                even = mcusim_sxtb16(v1); odd = mcusim_sxtb16_ror8(v1);
                acc0 = mcusim_smlabb(odd, b1, mcusim_smlad(even, a1, acc0));
                acc1 = mcusim_smlatb(even, b1, mcusim_smlad(odd, a1, acc1));
                even = mcusim_sxtb16(v2); odd = mcusim_sxtb16_ror8(v2);
                acc0 = mcusim_smlabb(odd, b2, mcusim_smlad(even, a2, acc0));
                acc1 = mcusim_smlatb(even, b2, mcusim_smlad(odd, a2, acc1));
                out_row[ox * channels] = (int8_t)mcusim_clamp(mcusim_add(mcusim_mbqm(mcusim_wrap(acc0), m, sh), output_offset), act_min, act_max);
                out_row[(ox + 1) * channels] = (int8_t)mcusim_clamp(mcusim_add(mcusim_mbqm(mcusim_wrap(acc1), m, sh), output_offset), act_min, act_max);
                if (ox + 2 < ox_hi) { r0 += 2; r1 += 2; r2 += 2; }
              }
            }
#endif
            for (; ox < ox_hi; ox++) {
              int32_t s = w0 * r0[0] + w1 * r0[1] + w2 * r0[2];
              s += w3 * r1[0] + w4 * r1[1] + w5 * r1[2];
              s += w6 * r2[0] + w7 * r2[1] + w8 * r2[2];
              acc = base + (uint32_t)s;
              out_row[ox * channels] = (int8_t)mcusim_clamp(mcusim_add(mcusim_mbqm(mcusim_wrap(acc), m, sh), output_offset), act_min, act_max);
              if (ox + 1 < ox_hi) { r0 += stride_w; r1 += stride_w; r2 += stride_w; }
            }
            ox--;
            continue;
          }
          {
            /* Border: the same nine taps, a tap outside the plane reading pad = -input_offset (so that its
             * w * (x + input_offset) is 0 against base). Indices, not pointers: a row may start outside the plane. */
            const int v0 = (uint32_t)iy0 < (uint32_t)in_h, v1 = (uint32_t)(iy0 + 1) < (uint32_t)in_h, v2 = (uint32_t)(iy0 + 2) < (uint32_t)in_h;
            const int c0 = (uint32_t)ix0 < (uint32_t)in_w, c1 = (uint32_t)(ix0 + 1) < (uint32_t)in_w, c2 = (uint32_t)(ix0 + 2) < (uint32_t)in_w;
            const int32_t i0 = iy0 * in_w + ix0, i1 = i0 + in_w, i2 = i1 + in_w;
            uint32_t t;
            t = (uint32_t)w0 * (uint32_t)(v0 && c0 ? scratch[i0] : pad) + (uint32_t)w1 * (uint32_t)(v0 && c1 ? scratch[i0 + 1] : pad);
            t += (uint32_t)w2 * (uint32_t)(v0 && c2 ? scratch[i0 + 2] : pad) + (uint32_t)w3 * (uint32_t)(v1 && c0 ? scratch[i1] : pad);
            t += (uint32_t)w4 * (uint32_t)(v1 && c1 ? scratch[i1 + 1] : pad) + (uint32_t)w5 * (uint32_t)(v1 && c2 ? scratch[i1 + 2] : pad);
            t += (uint32_t)w6 * (uint32_t)(v2 && c0 ? scratch[i2] : pad) + (uint32_t)w7 * (uint32_t)(v2 && c1 ? scratch[i2 + 1] : pad);
            t += (uint32_t)w8 * (uint32_t)(v2 && c2 ? scratch[i2 + 2] : pad);
            acc = base + t;
          }
          out_row[ox * channels] = (int8_t)mcusim_clamp(mcusim_add(mcusim_mbqm(mcusim_wrap(acc), m, sh), output_offset), act_min, act_max);
        }
      }
    } else if (dense && k_h * k_w <= MAX_TAPS) {
      /* Any other kernel size without dilation: interior outputs sum w * x over all taps with no bounds checks, plus
       * bias + input_offset * sum w (exact modulo 2^32); border outputs take the general loop. */
      int32_t taps[MAX_TAPS]; /* the channel's weights, contiguous */
      uint32_t wsum = 0;
      for (i = 0; i < k_h * k_w; i++) {
        taps[i] = filter[i * channels + c];
        wsum += (uint32_t)taps[i];
      }
      for (oy = 0; oy < out_h; oy++) {
        const int32_t iy0 = oy * stride_h - pad_top;
        const int interior_row = oy >= oy_lo && oy < oy_hi;
        for (ox = 0; ox < out_w; ox++) {
          const int32_t ix0 = ox * stride_w - pad_left;
          uint32_t acc;
          if (interior_row && ox >= ox_lo && ox < ox_hi) {
            const int32_t *w = taps;
            int32_t ky, kx, s = 0;
            for (ky = 0; ky < k_h; ky++) {
              const int8_t *x = scratch + (iy0 + ky) * in_w + ix0;
              for (kx = 0; kx < k_w; kx++) s += w[kx] * (int32_t)x[kx];
              w += k_w; /* at most one past taps' used part: inside taps[] or its end */
            }
            acc = (uint32_t)b + (uint32_t)input_offset * wsum + (uint32_t)s;
          } else {
            /* Border: the taps inside the plane, [ky_lo, ky_hi) x [kx_lo, kx_hi), without divisions. */
            const int32_t ky_lo = iy0 < 0 ? -iy0 : 0, ky_hi = in_h - iy0 < k_h ? in_h - iy0 : k_h;
            const int32_t kx_lo = ix0 < 0 ? -ix0 : 0, kx_hi = in_w - ix0 < k_w ? in_w - ix0 : k_w;
            int32_t ky, kx;
            acc = (uint32_t)b;
            for (ky = ky_lo; ky < ky_hi; ky++) {
              const int32_t row = (iy0 + ky) * in_w + ix0; /* an index: ix0 may be negative */
              const int32_t *w = taps + ky * k_w;
              for (kx = kx_lo; kx < kx_hi; kx++) acc += (uint32_t)(w[kx] * ((int32_t)scratch[row + kx] + input_offset));
            }
          }
          output[(oy * out_w + ox) * channels + c] = (int8_t)mcusim_clamp(mcusim_add(mcusim_mbqm(mcusim_wrap(acc), m, sh), output_offset), act_min, act_max);
        }
      }
    } else {
      for (oy = 0; oy < out_h; oy++) {
        const int32_t iy0 = oy * stride_h - pad_top;
        for (ox = 0; ox < out_w; ox++) {
          const int32_t ix0 = ox * stride_w - pad_left;
          const uint32_t acc = general_sum(scratch, in_h, in_w, filter, k_h, k_w, channels, c, iy0, ix0, dilation_h, dilation_w, input_offset, b);
          output[(oy * out_w + ox) * channels + c] = (int8_t)mcusim_clamp(mcusim_add(mcusim_mbqm(mcusim_wrap(acc), m, sh), output_offset), act_min, act_max);
        }
      }
    }
  }
  /* The scratch is left zeroed, as the WebAssembly twin leaves it (its ring holds other bytes than this plane). */
  memset(scratch, 0, (size_t)pixels);
}
