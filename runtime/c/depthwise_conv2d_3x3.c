/* DEPTHWISE_CONV_2D, 3x3 kernel, depth multiplier 1, dilation 1 (TFLite reference_integer_ops::
 * DepthwiseConvPerChannel). Sums wrap in int32 like the SIMD WebAssembly twin's (asm/depthwise_conv2d_3x3.ts), so the
 * bytes equal depthwise_conv2d's.
 *
 * Channel by channel (its requantisation constants computed once), output row by output row. Outputs whose 3x3 window
 * lies inside the input (the interior) sum w * x straight from the input and add bias + input_offset * sum w (the
 * same value modulo 2^32); a row's interior outputs are summed a chunk at a time and then requantised. Border outputs
 * take all nine taps too, a tap outside the input reading -input_offset (so that it adds 0 against the offset term).
 * Small inputs (whose padded plane fits DW3_PLANE bytes) are copied channel by channel into a padded plane on the
 * stack, where every window is inside. On cores with the DSP extension the interior taps go two per SMLAD: (x0, x1),
 * (x2, x3), ... paired by PKHBT against (w0, w1), (w2, w3), ..., loaded in program order by depthwise_common.h's
 * volatile byte loads (with plain C loads gcc hoists them and spills four weights per window).
 * Requantisation: mcusim_dw_outputs (depthwise_common.h), a chunk of sums at a time. */
#include "depthwise_conv2d_3x3.h"
#include "depthwise_common.h"

#include <string.h>

/** Interior sums per chunk (on the stack). */
#define DW3_CHUNK 32
/** Planes whose padded copy takes at most this many bytes go through one (on the stack). */
#define DW3_PLANE 160

/** Window sums of k outputs (base included) into acc: the first window's top-left tap at p, the taps tap bytes
 * apart in a row, the rows rs bytes apart, the windows st bytes apart. w: (w0, w1), (w2, w3), (w4, w5), (w6, w7),
 * (w8, 0) as int16 pairs (DSP) or the nine weights. */
static void dw3_sums(uint32_t *acc, int32_t k, const int8_t *p, int32_t tap, int32_t rs, int32_t st, const int32_t *w,
                     uint32_t base) {
  int32_t j;
#ifdef MCUSIM_DSP
  const uint32_t p01 = (uint32_t)w[0], p23 = (uint32_t)w[1], p45 = (uint32_t)w[2], p67 = (uint32_t)w[3], p8 = (uint32_t)w[4];
#endif
  for (j = 0; j < k; j++) {
    const int8_t *r1 = p + rs, *r2 = r1 + rs;
#ifdef MCUSIM_DSP
    /* Taps paired as loaded: (x0, x1), (x2, x3), ...; the two loads of a pair pipeline. */
    int32_t xa = mcusim_dw_ldrsb0(p), xb = mcusim_dw_ldrsb(p, tap);
    uint32_t t = mcusim_smlad(mcusim_pkhbt((uint32_t)xa, (uint32_t)xb), p01, base);
    xa = mcusim_dw_ldrsb2(p, tap);
    xb = mcusim_dw_ldrsb0(r1);
    t = mcusim_smlad(mcusim_pkhbt((uint32_t)xa, (uint32_t)xb), p23, t);
    xa = mcusim_dw_ldrsb(r1, tap);
    xb = mcusim_dw_ldrsb2(r1, tap);
    t = mcusim_smlad(mcusim_pkhbt((uint32_t)xa, (uint32_t)xb), p45, t);
    xa = mcusim_dw_ldrsb0(r2);
    xb = mcusim_dw_ldrsb(r2, tap);
    t = mcusim_smlad(mcusim_pkhbt((uint32_t)xa, (uint32_t)xb), p67, t);
    xa = mcusim_dw_ldrsb2(r2, tap);
    acc[j] = mcusim_smlad((uint32_t)xa, p8, t); /* high half -1 or 0, against 0 */
#else
    int32_t t = w[0] * p[0] + w[1] * p[tap] + w[2] * p[2 * tap];
    t += w[3] * r1[0] + w[4] * r1[tap] + w[5] * r1[2 * tap];
    t += w[6] * r2[0] + w[7] * r2[tap] + w[8] * r2[2 * tap];
    acc[j] = base + (uint32_t)t;
#endif
    if (j + 1 < k) p += st;
  }
}

/** mcusim_dw_outputs out of line: the kernel calls it from three places, and one copy of the loops is smaller and
 * as fast. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void dw3_requant(const uint32_t *acc, int32_t k, const mcusim_dw_requant_t *r, int8_t *out, int32_t step,
                        int32_t output_offset, int32_t act_min, int32_t act_max) {
  mcusim_dw_outputs(acc, k, r, out, step, output_offset, act_min, act_max);
}

void depthwise_conv2d_3x3(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t depth_multiplier, int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max) {
  const int32_t channels = out_c, row = in_w * out_c, step = stride_w * out_c, pad = -input_offset;
  /* Interior: oy in [oy_lo, oy_hi), ox in [ox_lo, ox_hi). */
  int32_t oy_lo = (pad_top + stride_h - 1) / stride_h, oy_hi = in_h - 3 + pad_top < 0 ? 0 : (in_h - 3 + pad_top) / stride_h + 1;
  int32_t ox_lo = (pad_left + stride_w - 1) / stride_w, ox_hi = in_w - 3 + pad_left < 0 ? 0 : (in_w - 3 + pad_left) / stride_w + 1;
  /* Padded plane (small inputs): input (iy, ix) at (pad_top + iy) * pw + pad_left + ix; every window inside. */
  const int32_t pr = (out_w - 1) * stride_w + 3 - pad_left - in_w, pb = (out_h - 1) * stride_h + 3 - pad_top - in_h;
  const int32_t pw = pad_left + in_w + (pr > 0 ? pr : 0), ph = pad_top + in_h + (pb > 0 ? pb : 0);
  const int padded = ph * pw <= DW3_PLANE && pad >= -128 && pad <= 127;
  uint32_t acc[DW3_CHUNK];
  int8_t plane[DW3_PLANE];
  int32_t c, oy, ox;
  (void)in_c; (void)k_h; (void)k_w; (void)dilation_h; (void)dilation_w; (void)depth_multiplier;
  if (oy_hi > out_h) oy_hi = out_h;
  if (ox_hi > out_w) ox_hi = out_w;
  if (ox_hi < ox_lo) ox_hi = ox_lo;
  if (padded) memset(plane, (int)pad, (size_t)(ph * pw)); /* the padding stays; each channel rewrites the inside */
  for (c = 0; c < channels; c++) {
    const int8_t *f = filter + c;
    int32_t w[9];
    mcusim_dw_requant_t rq;
    const uint32_t b = (uint32_t)bias[c];
    uint32_t base;
    int32_t i;
    for (i = 0; i < 9; i++) w[i] = f[i * channels];
    base = b + (uint32_t)input_offset * (uint32_t)(w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + w[6] + w[7] + w[8]);
    mcusim_dw_requant_init(&rq, multipliers[c], shifts[c], output_offset);
#ifdef MCUSIM_DSP
    {
      const int32_t w8 = w[8];
      w[0] = (int32_t)mcusim_pkhbt((uint32_t)w[0], (uint32_t)w[1]);
      w[1] = (int32_t)mcusim_pkhbt((uint32_t)w[2], (uint32_t)w[3]);
      w[2] = (int32_t)mcusim_pkhbt((uint32_t)w[4], (uint32_t)w[5]);
      w[3] = (int32_t)mcusim_pkhbt((uint32_t)w[6], (uint32_t)w[7]);
      w[4] = (int32_t)((uint32_t)w8 & 0xffffu);
    }
#endif
    if (padded) {
      int32_t iy, ix, o = c;
      for (iy = 0; iy < in_h; iy++) {
        for (ix = 0; ix < in_w; ix++) {
          plane[(pad_top + iy) * pw + pad_left + ix] = input[o];
          o += channels;
        }
      }
      for (oy = 0; oy < out_h; oy++) {
        for (ox = 0; ox < out_w; ox += DW3_CHUNK) {
          const int32_t k = out_w - ox < DW3_CHUNK ? out_w - ox : DW3_CHUNK;
          dw3_sums(acc, k, plane + oy * stride_h * pw + ox * stride_w, 1, pw, stride_w, w, base);
          dw3_requant(acc, k, &rq, output + (oy * out_w + ox) * channels + c, channels, output_offset, act_min, act_max);
        }
      }
      continue;
    }
    for (oy = 0; oy < out_h; oy++) {
      const int32_t iy0 = oy * stride_h - pad_top;
      const int interior_row = oy >= oy_lo && oy < oy_hi;
      /* Kernel rows inside the input. */
      const int v0 = (uint32_t)iy0 < (uint32_t)in_h, v1 = (uint32_t)(iy0 + 1) < (uint32_t)in_h;
      const int v2 = (uint32_t)(iy0 + 2) < (uint32_t)in_h;
      int8_t *out = output + oy * out_w * channels + c;
      for (ox = 0; ox < out_w; ox++) {
        const int32_t ix0 = ox * stride_w - pad_left;
        if (interior_row && ox == ox_lo && ox_lo < ox_hi) {
          /* The row's interior, a chunk at a time: sums first, then requantisation. */
          int32_t x0;
          for (x0 = ox_lo; x0 < ox_hi; x0 += DW3_CHUNK) {
            const int32_t k = ox_hi - x0 < DW3_CHUNK ? ox_hi - x0 : DW3_CHUNK;
            dw3_sums(acc, k, input + iy0 * row + (x0 * stride_w - pad_left) * channels + c, channels, row, step, w, base);
            dw3_requant(acc, k, &rq, out + x0 * channels, channels, output_offset, act_min, act_max);
          }
          ox = ox_hi - 1;
        } else {
          /* Border: all nine taps against base, a tap outside reading pad = -input_offset (its w * (pad +
           * input_offset) is 0). Indices, not pointers: a row may start outside the input. */
          const int c0 = (uint32_t)ix0 < (uint32_t)in_w, c1 = (uint32_t)(ix0 + 1) < (uint32_t)in_w;
          const int c2 = (uint32_t)(ix0 + 2) < (uint32_t)in_w;
          const int32_t i0 = iy0 * row + ix0 * channels + c, i1 = i0 + row, i2 = i1 + row;
          uint32_t t;
          t = (uint32_t)f[0] * (uint32_t)(v0 && c0 ? input[i0] : pad);
          t += (uint32_t)f[channels] * (uint32_t)(v0 && c1 ? input[i0 + channels] : pad);
          t += (uint32_t)f[2 * channels] * (uint32_t)(v0 && c2 ? input[i0 + 2 * channels] : pad);
          t += (uint32_t)f[3 * channels] * (uint32_t)(v1 && c0 ? input[i1] : pad);
          t += (uint32_t)f[4 * channels] * (uint32_t)(v1 && c1 ? input[i1 + channels] : pad);
          t += (uint32_t)f[5 * channels] * (uint32_t)(v1 && c2 ? input[i1 + 2 * channels] : pad);
          t += (uint32_t)f[6 * channels] * (uint32_t)(v2 && c0 ? input[i2] : pad);
          t += (uint32_t)f[7 * channels] * (uint32_t)(v2 && c1 ? input[i2 + channels] : pad);
          t += (uint32_t)f[8 * channels] * (uint32_t)(v2 && c2 ? input[i2 + 2 * channels] : pad);
          acc[0] = base + t;
          dw3_requant(acc, 1, &rq, out + ox * channels, channels, output_offset, act_min, act_max);
        }
      }
    }
  }
}
