/* CONV_2D, 1x1 kernel, stride 1 (pointwise): every output pixel reads the same input pixel, so the convolution
 * is a GEMM over pixels x output channels x input channels. Its bytes equal conv2d's and the SIMD WebAssembly
 * twin's (asm/conv2d_1x1.ts).
 *
 * sum_c w[o][c] * (x[p][c] + input_offset) = sum_c w[o][c] * x[p][c] + input_offset * sum_c w[o][c], exactly, in
 * the int32 arithmetic modulo 2^32 both twins compute in; so the offset term (with the bias) is computed once per
 * output channel and per call, and the inner loop is a plain int8 dot product. Output blocking: 2 output channels
 * x 2 pixels share their loads (4 accumulators). With the DSP extension the dot product takes 4 channels per step:
 * SXTB16 splits a word into two int16 pairs and SMLAD multiplies and adds a pair. */
#include "conv2d_1x1.h"
#include "requantize.h"

/** sum_c w[c], modulo 2^32. */
static uint32_t weight_sum(const int8_t *w, int32_t n) {
  uint32_t s = 0;
  int32_t c;
  for (c = 0; c < n; c++) {
    const int32_t v = w[c];
    s += (uint32_t)v;
  }
  return s;
}

/** One output: the requantised, offset and clamped value of the wrapped sum acc. */
static inline int8_t finish(uint32_t acc, int32_t multiplier, int32_t shift, int32_t output_offset, int32_t act_min, int32_t act_max) {
  const int32_t value = mcusim_mbqm(mcusim_wrap(acc), multiplier, shift);
  return (int8_t)mcusim_clamp(mcusim_add(value, output_offset), act_min, act_max);
}

/** acc[i][j] += dot(x_i, w_j) over n int8 values, for pixels x0, x1 and weight rows w0, w1. */
static inline void dot_2x2(const int8_t *x0, const int8_t *x1, const int8_t *w0, const int8_t *w1, int32_t n, uint32_t acc[4]) {
  uint32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
  int32_t c = 0;
#ifdef MCUSIM_DSP
  for (; c + 4 <= n; c += 4) {
    const uint32_t xa = mcusim_load4(x0 + c), xb = mcusim_load4(x1 + c);
    const uint32_t wa = mcusim_load4(w0 + c), wb = mcusim_load4(w1 + c);
    const uint32_t xa_even = mcusim_sxtb16(xa), xa_odd = mcusim_sxtb16_ror8(xa);
    const uint32_t xb_even = mcusim_sxtb16(xb), xb_odd = mcusim_sxtb16_ror8(xb);
    const uint32_t wa_even = mcusim_sxtb16(wa), wa_odd = mcusim_sxtb16_ror8(wa);
    const uint32_t wb_even = mcusim_sxtb16(wb), wb_odd = mcusim_sxtb16_ror8(wb);
    a00 = mcusim_smlad(xa_even, wa_even, a00); a00 = mcusim_smlad(xa_odd, wa_odd, a00);
    a01 = mcusim_smlad(xa_even, wb_even, a01); a01 = mcusim_smlad(xa_odd, wb_odd, a01);
    a10 = mcusim_smlad(xb_even, wa_even, a10); a10 = mcusim_smlad(xb_odd, wa_odd, a10);
    a11 = mcusim_smlad(xb_even, wb_even, a11); a11 = mcusim_smlad(xb_odd, wb_odd, a11);
  }
#endif
  for (; c < n; c++) {
    const int32_t xa = x0[c], xb = x1[c], wa = w0[c], wb = w1[c];
    a00 += (uint32_t)(xa * wa); a01 += (uint32_t)(xa * wb);
    a10 += (uint32_t)(xb * wa); a11 += (uint32_t)(xb * wb);
  }
  acc[0] = a00; acc[1] = a01; acc[2] = a10; acc[3] = a11;
}

/** dot(x, w) over n int8 values, added to acc. */
static inline uint32_t dot_1x1(const int8_t *x, const int8_t *w, int32_t n, uint32_t acc) {
  int32_t c = 0;
#ifdef MCUSIM_DSP
  for (; c + 4 <= n; c += 4) {
    const uint32_t xv = mcusim_load4(x + c), wv = mcusim_load4(w + c);
    acc = mcusim_smlad(mcusim_sxtb16(xv), mcusim_sxtb16(wv), acc);
    acc = mcusim_smlad(mcusim_sxtb16_ror8(xv), mcusim_sxtb16_ror8(wv), acc);
  }
#endif
  for (; c < n; c++) acc += (uint32_t)((int32_t)x[c] * (int32_t)w[c]);
  return acc;
}

void conv2d_1x1(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max) {
  const int32_t pixels = out_h * out_w;
  int32_t o, p;
  (void)in_h; (void)in_w; (void)k_h; (void)k_w; (void)stride_h; (void)stride_w;
  (void)dilation_h; (void)dilation_w; (void)pad_top; (void)pad_left;
  for (o = 0; o + 2 <= out_c; o += 2) {
    const int8_t *w0 = filter + o * in_c;
    const int8_t *w1 = w0 + in_c;
    /* bias + input_offset * sum(w), per channel: the whole offset term of every sum of these two channels. */
    const uint32_t base0 = (uint32_t)bias[o] + (uint32_t)input_offset * weight_sum(w0, in_c);
    const uint32_t base1 = (uint32_t)bias[o + 1] + (uint32_t)input_offset * weight_sum(w1, in_c);
    const int32_t m0 = multipliers[o], m1 = multipliers[o + 1], s0 = shifts[o], s1 = shifts[o + 1];
    for (p = 0; p + 2 <= pixels; p += 2) {
      const int8_t *x0 = input + p * in_c;
      int8_t *out = output + p * out_c + o;
      uint32_t acc[4];
      acc[0] = base0; acc[1] = base1; acc[2] = base0; acc[3] = base1;
      dot_2x2(x0, x0 + in_c, w0, w1, in_c, acc);
      out[0] = finish(acc[0], m0, s0, output_offset, act_min, act_max);
      out[1] = finish(acc[1], m1, s1, output_offset, act_min, act_max);
      out[out_c] = finish(acc[2], m0, s0, output_offset, act_min, act_max);
      out[out_c + 1] = finish(acc[3], m1, s1, output_offset, act_min, act_max);
    }
    if (p < pixels) {
      const int8_t *x = input + p * in_c;
      int8_t *out = output + p * out_c + o;
      out[0] = finish(dot_1x1(x, w0, in_c, base0), m0, s0, output_offset, act_min, act_max);
      out[1] = finish(dot_1x1(x, w1, in_c, base1), m1, s1, output_offset, act_min, act_max);
    }
  }
  if (o < out_c) {
    const int8_t *w = filter + o * in_c;
    const uint32_t base = (uint32_t)bias[o] + (uint32_t)input_offset * weight_sum(w, in_c);
    for (p = 0; p < pixels; p++) {
      output[p * out_c + o] = finish(dot_1x1(input + p * in_c, w, in_c, base), multipliers[o], shifts[o], output_offset, act_min, act_max);
    }
  }
}
