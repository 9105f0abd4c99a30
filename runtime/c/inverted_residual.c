/* Inverted-residual body, one expanded channel at a time (asm/inverted_residual.ts): per channel e, the expand
 * conv's channel e over every input pixel, the depthwise conv's channel e over that plane, and its contribution to
 * every projection sum. Each int8 plane is exactly what the separate kernels compute for channel e, and the int32 sums
 * wrap, so adding channel by channel (bias first) gives the three-kernel bytes. The scratch ends as the WebAssembly
 * twin leaves it: the final sums, then the last channel's two planes.
 *
 * Speed: the expanded channels go in pairs (e, e + 1). Channel e's depthwise plane is parked in the output buffer
 * (written only at the very end) while channel e + 1's planes take their scratch places, and the projection then adds
 * both channels to each sum at once: w[o][e] and w[o][e + 1] are neighbours, so with the DSP extension one SMLAD on
 * the pair (d_e + offset, d_e+1 + offset) does it. The expand dot products take 2 pixels at a time (4 input bytes
 * per SMLAD pair with the DSP extension, the input offset hoisted as input_offset * sum w). Requantisation:
 * mcusim_chan_requant (requantize.h), the one-multiply form of mcusim_requant, with each channel's constants set up once. */
#include "inverted_residual.h"
#include "requantize.h"
#include "dot.h"

/* The arguments of the expand and depthwise stages. */
typedef struct {
  const int8_t *input;
  int32_t in_h, in_w, in_c, expand_c;
  const int8_t *expand_filter;
  const int32_t *expand_bias, *expand_multipliers, *expand_shifts;
  int32_t expand_input_offset, expand_output_offset, expand_act_min, expand_act_max;
  const int8_t *dw_filter;
  const int32_t *dw_bias, *dw_multipliers, *dw_shifts;
  int32_t k_h, k_w, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left, out_h, out_w;
  int32_t dw_input_offset, dw_output_offset, dw_act_min, dw_act_max;
} stages_t;

/** *a += sum w * x0, *b += sum w * x1 over n bytes (wrapping): two pixels, one weight row. */
static inline void dot2(const int8_t *x0, const int8_t *x1, const int8_t *w, int32_t n, uint32_t *a, uint32_t *b) {
  uint32_t s0 = *a, s1 = *b;
  int32_t j = 0;
#ifdef MCUSIM_DSP
  for (; j + 4 <= n; j += 4) {
    const uint32_t wv = mcusim_load4(w + j), p = mcusim_load4(x0 + j), q = mcusim_load4(x1 + j);
    const uint32_t we = mcusim_sxtb16(wv), wo = mcusim_sxtb16_ror8(wv);
    s0 = mcusim_smlad(mcusim_sxtb16(p), we, s0);
    s1 = mcusim_smlad(mcusim_sxtb16(q), we, s1);
    s0 = mcusim_smlad(mcusim_sxtb16_ror8(p), wo, s0);
    s1 = mcusim_smlad(mcusim_sxtb16_ror8(q), wo, s1);
  }
#endif
  for (; j < n; j++) {
    const int32_t u = w[j];
    s0 += (uint32_t)((int32_t)x0[j] * u);
    s1 += (uint32_t)((int32_t)x1[j] * u);
  }
  *a = s0;
  *b = s1;
}

#define MAX_TAPS 25 /* depthwise kernels up to 5x5 gather their weights per channel */

/** Expanded channel e: its expand plane into plane_e (in_h * in_w bytes), then its depthwise plane into plane_d
 * (out_h * out_w bytes). */
static void expand_depthwise(const stages_t *k, int32_t e, int8_t *plane_e, int8_t *plane_d) {
  const int32_t in_pixels = k->in_h * k->in_w, in_c = k->in_c;
  const int8_t *we = k->expand_filter + e * in_c;
  const mcusim_chan_t ce = mcusim_chan_init(k->expand_multipliers[e], k->expand_shifts[e], k->expand_output_offset);
  const mcusim_chan_t cd = mcusim_chan_init(k->dw_multipliers[e], k->dw_shifts[e], k->dw_output_offset);
  const int32_t kk = k->k_h * k->k_w;
  const int32_t e_lo = k->expand_act_min, e_hi = k->expand_act_max;
  uint32_t wsum = 0, base;
  int32_t p, c, oy, ox, ky, kx, q = 0;
  for (c = 0; c < in_c; c++) {
    const int32_t v = we[c];
    wsum += (uint32_t)v;
  }
  /* sum_c w * (x + offset) = sum_c w * x + offset * sum_c w, wrapping like the WebAssembly twin. */
  base = (uint32_t)k->expand_bias[e] + (uint32_t)k->expand_input_offset * wsum;
#ifdef MCUSIM_DSP
  if (ce.fast && e_lo <= -128 && e_hi >= 127 && in_c == 8) {
    /* 8 input channels (MobileNetV2's tiny stages): the weights extended once, two words per pixel. */
    const uint32_t u = mcusim_load4(we), v = mcusim_load4(we + 4);
    const uint32_t ue = mcusim_sxtb16(u), uo = mcusim_sxtb16_ror8(u), ve = mcusim_sxtb16(v), vo = mcusim_sxtb16_ror8(v);
    for (p = 0; p + 2 <= in_pixels; p += 2) {
      const int8_t *x = k->input + p * 8;
      const uint32_t a0 = mcusim_load4(x), a1 = mcusim_load4(x + 4), b0 = mcusim_load4(x + 8), b1 = mcusim_load4(x + 12);
      uint32_t s0 = mcusim_smlad(mcusim_sxtb16(a0), ue, base), s1 = mcusim_smlad(mcusim_sxtb16(b0), ue, base);
      s0 = mcusim_smlad(mcusim_sxtb16_ror8(a0), uo, s0);
      s1 = mcusim_smlad(mcusim_sxtb16_ror8(b0), uo, s1);
      s0 = mcusim_smlad(mcusim_sxtb16(a1), ve, s0);
      s1 = mcusim_smlad(mcusim_sxtb16(b1), ve, s1);
      s0 = mcusim_smlad(mcusim_sxtb16_ror8(a1), vo, s0);
      s1 = mcusim_smlad(mcusim_sxtb16_ror8(b1), vo, s1);
      plane_e[p] = (int8_t)mcusim_sat8(mcusim_chan_requant(s0, &ce));
      plane_e[p + 1] = (int8_t)mcusim_sat8(mcusim_chan_requant(s1, &ce));
    }
  } else
#endif
  if (ce.fast && e_lo <= -128 && e_hi >= 127) {
    /* The common case: mcusim_chan_requant, and the clamp is the int8 range itself. */
    for (p = 0; p + 2 <= in_pixels; p += 2) {
      uint32_t s0 = base, s1 = base;
      dot2(k->input + p * in_c, k->input + (p + 1) * in_c, we, in_c, &s0, &s1);
      plane_e[p] = (int8_t)mcusim_sat8(mcusim_chan_requant(s0, &ce));
      plane_e[p + 1] = (int8_t)mcusim_sat8(mcusim_chan_requant(s1, &ce));
    }
  } else {
    for (p = 0; p + 2 <= in_pixels; p += 2) {
      uint32_t s0 = base, s1 = base;
      dot2(k->input + p * in_c, k->input + (p + 1) * in_c, we, in_c, &s0, &s1);
      plane_e[p] = mcusim_chan_output(s0, &ce, k->expand_output_offset, e_lo, e_hi);
      plane_e[p + 1] = mcusim_chan_output(s1, &ce, k->expand_output_offset, e_lo, e_hi);
    }
  }
  if (p < in_pixels) plane_e[p] = mcusim_chan_output(mcusim_dot(k->input + p * in_c, we, in_c, base), &ce, k->expand_output_offset, e_lo, e_hi);
  /* Depthwise channel e over the plane (its weights are expand_c bytes apart). */
  {
    const int8_t *wd = k->dw_filter + e;
    const uint32_t d_bias = (uint32_t)k->dw_bias[e];
    const int32_t off = k->dw_input_offset, in_w = k->in_w, dil_w = k->dilation_w;
    const int gather = kk <= MAX_TAPS;
    int16_t w[MAX_TAPS];
    uint32_t dsum = 0, whole;
    int32_t t;
    for (t = 0; t < kk; t++) {
      const int32_t v = wd[t * k->expand_c];
      if (gather) w[t] = (int16_t)v;
      dsum += (uint32_t)v;
    }
    whole = d_bias + (uint32_t)off * dsum; /* a window with every tap inside: the offset term of all weights */
    for (oy = 0; oy < k->out_h; oy++) {
      const int32_t iy0 = oy * k->stride_h - k->pad_top;
      const int rows_in = iy0 >= 0 && iy0 + (k->k_h - 1) * k->dilation_h < k->in_h;
      for (ox = 0; ox < k->out_w; ox++) {
        const int32_t ix0 = ox * k->stride_w - k->pad_left;
        uint32_t s;
        if (rows_in && ix0 >= 0 && ix0 + (k->k_w - 1) * dil_w < in_w && gather) {
          const int8_t *x = plane_e + iy0 * in_w + ix0;
          s = whole;
          if (kk == 9 && k->k_w == 3 && dil_w == 1) {
            /* 3x3: three rows of three taps, straight through. */
            const int32_t row = k->dilation_h * in_w;
            s += (uint32_t)(w[0] * x[0] + w[1] * x[1] + w[2] * x[2]);
            x += row;
            s += (uint32_t)(w[3] * x[0] + w[4] * x[1] + w[5] * x[2]);
            x += row;
            s += (uint32_t)(w[6] * x[0] + w[7] * x[1] + w[8] * x[2]);
          } else {
            for (ky = 0, t = 0; ky < k->k_h; ky++) {
              const int8_t *xr = x + ky * k->dilation_h * in_w;
              for (kx = 0; kx < k->k_w; kx++, t++) s += (uint32_t)(w[t] * (int32_t)xr[kx * dil_w]);
            }
          }
        } else {
          s = d_bias;
          for (ky = 0; ky < k->k_h; ky++) {
            const int32_t iy = iy0 + ky * k->dilation_h;
            if ((uint32_t)iy >= (uint32_t)k->in_h) continue; /* padded taps contribute nothing */
            for (kx = 0; kx < k->k_w; kx++) {
              const int32_t ix = ix0 + kx * dil_w;
              if ((uint32_t)ix >= (uint32_t)in_w) continue;
              s += (uint32_t)((int32_t)wd[(ky * k->k_w + kx) * k->expand_c] * ((int32_t)plane_e[iy * in_w + ix] + off));
            }
          }
        }
        plane_d[q++] = mcusim_chan_output(s, &cd, k->dw_output_offset, k->dw_act_min, k->dw_act_max);
      }
    }
  }
}

#define PAIR_WEIGHTS 32 /* the projection packs the pair's weights for up to this many output channels (stack) */

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
  stages_t k;
  int32_t p, q, o, e;
  k.input = input; k.in_h = in_h; k.in_w = in_w; k.in_c = in_c; k.expand_c = expand_c;
  k.expand_filter = expand_filter; k.expand_bias = expand_bias; k.expand_multipliers = expand_multipliers;
  k.expand_shifts = expand_shifts; k.expand_input_offset = expand_input_offset;
  k.expand_output_offset = expand_output_offset; k.expand_act_min = expand_act_min; k.expand_act_max = expand_act_max;
  k.dw_filter = dw_filter; k.dw_bias = dw_bias; k.dw_multipliers = dw_multipliers; k.dw_shifts = dw_shifts;
  k.k_h = k_h; k.k_w = k_w; k.stride_h = stride_h; k.stride_w = stride_w; k.dilation_h = dilation_h;
  k.dilation_w = dilation_w; k.pad_top = pad_top; k.pad_left = pad_left; k.out_h = out_h; k.out_w = out_w;
  k.dw_input_offset = dw_input_offset; k.dw_output_offset = dw_output_offset; k.dw_act_min = dw_act_min;
  k.dw_act_max = dw_act_max;
  for (q = 0; q < out_pixels; q++) {
    for (o = 0; o < out_c; o++) acc[q * out_c + o] = project_bias[o];
  }
  for (e = 0; e < expand_c; e += 2) {
    if (e + 1 < expand_c && out_c <= PAIR_WEIGHTS && out_pixels > 0 && out_c > 0) {
      /* Channels e and e + 1: e's depthwise plane waits in the output buffer (out_pixels * out_c >= out_pixels bytes,
       * all written at the end), e + 1's planes take their places in the scratch. */
      int8_t *d0 = output;
      uint32_t wpair[PAIR_WEIGHTS];
      expand_depthwise(&k, e, plane_e, d0);
      expand_depthwise(&k, e + 1, plane_e, plane_d);
      for (o = 0; o < out_c; o++) {
        /* (w[o][e], w[o][e + 1]) as two int16 halves */
        const uint32_t lo = (uint32_t)(int32_t)project_filter[o * expand_c + e] & 0xffffu;
        const uint32_t hi = (uint32_t)(int32_t)project_filter[o * expand_c + e + 1] << 16;
        wpair[o] = lo | hi;
      }
      for (p = 0; p < out_pixels; p++) {
        const int32_t a = (int32_t)d0[p] + project_input_offset, b = (int32_t)plane_d[p] + project_input_offset;
        int32_t *row = acc + p * out_c;
#ifdef MCUSIM_DSP
        /* |d + offset| <= 255: both fit the int16 halves. */
        const uint32_t dpair = ((uint32_t)a & 0xffffu) | ((uint32_t)b << 16);
        for (o = 0; o < out_c; o++) row[o] = mcusim_wrap(mcusim_smlad(wpair[o], dpair, (uint32_t)row[o]));
#else
        for (o = 0; o < out_c; o++) {
          const int32_t w0 = mcusim_wrap(wpair[o] << 16) >> 16, w1 = mcusim_wrap(wpair[o]) >> 16;
          row[o] = mcusim_wrap((uint32_t)row[o] + (uint32_t)(w0 * a) + (uint32_t)(w1 * b));
        }
#endif
      }
    } else {
      expand_depthwise(&k, e, plane_e, plane_d);
      for (p = 0; p < out_pixels; p++) {
        const int32_t d = (int32_t)plane_d[p] + project_input_offset;
        int32_t *row = acc + p * out_c;
        for (o = 0; o < out_c; o++) row[o] = mcusim_add(row[o], mcusim_mul((int32_t)project_filter[o * expand_c + e], d));
      }
      e--; /* one channel only: the loop's step of 2 then moves on by 1 */
    }
  }
  for (o = 0; o < out_c; o++) {
    const mcusim_chan_t c = mcusim_chan_init(project_multipliers[o], project_shifts[o], project_output_offset);
    for (p = 0; p < out_pixels; p++) {
      output[p * out_c + o] = mcusim_chan_output((uint32_t)acc[p * out_c + o], &c, project_output_offset, project_act_min, project_act_max);
    }
  }
}
