/* What the 2 x 2 blocked CONV_2D kernels share (conv2d_simd.c, conv2d_narrow.c): 2 output channels x 2 output
 * pixels per block (4 wrapping int32 sums), the per-call geometry, the per-channel-pair constants, the stores with
 * their requantisation (mcusim_chan_t, requantize.h) and, on the DSP path, one 4-byte step of the 2 x 2 dot products
 * in assembly. No kernel of its own: a header of static functions. */
#ifndef MCUSIM_CONV2D_ROWS_H
#define MCUSIM_CONV2D_ROWS_H

#include "requantize.h"

typedef struct { uint32_t a0, a1, b0, b1; } acc22_t; /* pixel a / b x channel 0 / 1 */

/* Per call: the arguments the blocks need. */
typedef struct {
  const int8_t *input;
  int32_t in_h, in_w, in_c, k_h, k_w, stride_h, stride_w, dilation_h, pad_top, pad_left;
  int32_t input_offset, output_offset, act_min, act_max;
  uint32_t lo4, hi4; /* act_min, act_max in every byte */
  int32_t row_bytes, x_step, w_row;
} geo_t;

static inline void geo_init(geo_t *g, const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c, int32_t k_h,
                            int32_t k_w, int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t pad_top,
                            int32_t pad_left, int32_t input_offset, int32_t output_offset, int32_t act_min,
                            int32_t act_max) {
  g->input = input;
  g->in_h = in_h; g->in_w = in_w; g->in_c = in_c; g->k_h = k_h; g->k_w = k_w;
  g->stride_h = stride_h; g->stride_w = stride_w; g->dilation_h = dilation_h; g->pad_top = pad_top; g->pad_left = pad_left;
  g->input_offset = input_offset; g->output_offset = output_offset; g->act_min = act_min; g->act_max = act_max;
  g->lo4 = ((uint32_t)act_min & 0xffu) * 0x01010101u;
  g->hi4 = ((uint32_t)act_max & 0xffu) * 0x01010101u;
  g->row_bytes = in_w * in_c;
  g->x_step = dilation_h * g->row_bytes; /* the next kernel row, in the input */
  g->w_row = k_w * in_c;                 /* weight bytes per kernel row */
}

/* Per channel pair (o, o1): the requantisation constants and the pair's weights. */
typedef struct {
  mcusim_chan_t c0, c1;
  int fast;                /* mcusim_chan_requant applies to both channels */
  int32_t bias0, bias1;
  const int8_t *w;         /* channel o's weights */
  int32_t dw;              /* from channel o's weights to channel o1's */
  int32_t d1;              /* o1 - o: 1, or 0 for an odd last channel (computed twice, stored once) */
  /* conv2d_simd only: bias + input_offset * (sum of all the channel's weights), and the starts of the last partial
   * windows (border pairs repeat the same few windows row after row): key = the window's ky_lo, ky_hi, kx_lo, kx_hi;
   * start0/1 = bias + input_offset * (sum of the weights the window uses). */
  uint32_t whole0, whole1;
  uint32_t key[4];         /* ky_lo | ky_hi << 8 | kx_lo << 16 | kx_hi << 24 (kernels under 256 rows and columns) */
  uint32_t start0[4], start1[4];
  int32_t cached, next;
} pair_t;

/** The pair of output channels o and o + 1 (o again for an odd last one) of out_c, w_chan weight bytes each. */
static inline void pair_init(pair_t *cp, const int8_t *filter, const int32_t *bias, const int32_t *multipliers,
                             const int32_t *shifts, int32_t o, int32_t out_c, int32_t w_chan, int32_t output_offset) {
  const int32_t o1 = o + 1 < out_c ? o + 1 : o;
  cp->c0 = mcusim_chan_init(multipliers[o], shifts[o], output_offset);
  cp->c1 = mcusim_chan_init(multipliers[o1], shifts[o1], output_offset);
  cp->fast = cp->c0.fast && cp->c1.fast;
  cp->bias0 = bias[o];
  cp->bias1 = bias[o1];
  cp->w = filter + o * w_chan;
  cp->dw = (o1 - o) * w_chan;
  cp->d1 = o1 - o;
  cp->cached = 0;
  cp->next = 0;
}

#ifdef MCUSIM_DSP
/** A pair's 4 outputs from the sums s on the DSP path, both channels fast: pixel a's at out and out + d1, pixel
 * b's dout bytes on. Each is saturated to int8; the 4 bytes are packed as (a0, b0, a1, b1) and clamped to
 * [act_min, act_max] at once (lo4, hi4: the bounds in every byte). */
MCUSIM_HOT void store_pair_fast(int8_t *out, int32_t dout, int32_t d1, const acc22_t *s, const mcusim_chan_t *c0,
                                const mcusim_chan_t *c1, uint32_t lo4, uint32_t hi4) {
  const int32_t va0 = mcusim_chan_requant(s->a0, c0), vb0 = mcusim_chan_requant(s->b0, c0);
  const int32_t va1 = mcusim_chan_requant(s->a1, c1), vb1 = mcusim_chan_requant(s->b1, c1);
  const uint32_t pa = ((uint32_t)mcusim_ssat8(va0) & 0xffffu) | ((uint32_t)mcusim_ssat8(va1) << 16);
  const uint32_t pb = ((uint32_t)mcusim_ssat8(vb0) & 0xffffu) | ((uint32_t)mcusim_ssat8(vb1) << 16);
  const uint32_t v = mcusim_min8(mcusim_max8(mcusim_uxtb16(pa) | (mcusim_uxtb16(pb) << 8), lo4), hi4);
  mcusim_put8(out, v);
  mcusim_put8(out + dout, v >> 8);
  mcusim_put8(out + d1, v >> 16); /* for an odd last channel (d1 = 0) the same value again */
  mcusim_put8(out + dout + d1, v >> 24);
}
#endif

/** Pixel a's outputs (at out, out + d1) and, when dout != 0, pixel b's (dout bytes on) from the sums s. */
MCUSIM_HOT void store22(int8_t *out, int32_t dout, const acc22_t *s, const pair_t *cp, const geo_t *g) {
  const int32_t d1 = cp->d1;
#ifdef MCUSIM_DSP
  if (cp->fast && dout != 0) {
    store_pair_fast(out, dout, d1, s, &cp->c0, &cp->c1, g->lo4, g->hi4);
    return;
  }
#endif
  if (cp->fast) {
    out[0] = mcusim_clamp8(mcusim_chan_requant(s->a0, &cp->c0), g->act_min, g->act_max);
    out[d1] = mcusim_clamp8(mcusim_chan_requant(s->a1, &cp->c1), g->act_min, g->act_max);
    if (dout != 0) {
      out[dout] = mcusim_clamp8(mcusim_chan_requant(s->b0, &cp->c0), g->act_min, g->act_max);
      out[dout + d1] = mcusim_clamp8(mcusim_chan_requant(s->b1, &cp->c1), g->act_min, g->act_max);
    }
  } else {
    out[0] = mcusim_chan_slow(s->a0, &cp->c0, g->output_offset, g->act_min, g->act_max);
    out[d1] = mcusim_chan_slow(s->a1, &cp->c1, g->output_offset, g->act_min, g->act_max);
    if (dout != 0) {
      out[dout] = mcusim_chan_slow(s->b0, &cp->c0, g->output_offset, g->act_min, g->act_max);
      out[dout + d1] = mcusim_chan_slow(s->b1, &cp->c1, g->output_offset, g->act_min, g->act_max);
    }
  }
}

/** Kernel rows inside the input for an output row whose first kernel row is input row iy0: [*lo, *hi). */
MCUSIM_HOT void rows_inside(const geo_t *g, int32_t iy0, int32_t *lo, int32_t *hi) {
  if (g->dilation_h == 1) { /* no divisions (they cost) */
    *lo = iy0 >= 0 ? 0 : -iy0;
    *hi = iy0 >= g->in_h ? 0 : g->in_h - iy0 < g->k_h ? g->in_h - iy0 : g->k_h;
  } else {
    const int32_t last = (g->in_h - 1 - iy0) / g->dilation_h + 1; /* for iy0 < in_h */
    *lo = iy0 >= 0 ? 0 : (g->dilation_h - 1 - iy0) / g->dilation_h;
    *hi = iy0 >= g->in_h ? 0 : last < g->k_h ? last : g->k_h;
  }
}

#if defined(MCUSIM_DSP) && defined(__OPTIMIZE__)
/* The arithmetic of one 4-byte step of the 2 x 2 dot products in assembly, after the loads of the words t1 (pixel a),
 * t0 (pixel b) and t3 (channel 0): channel 1's word is loaded from [w + DW] (DW, read from memory, = the channel
 * distance less what w has moved on); 8 SXTB16, 8 SMLAD on the temporaries t0..t5. TAIL goes between that load and
 * its use (a loop bound check: the flags survive SXTB16 and SMLAD). */
#define DOT22_MACS(DW, TAIL)                                                                                             \
  "sxtb16 %[t4], %[t3]\n\t"                                                                                            \
  "sxtb16 %[t3], %[t3], ror #8\n\t"                                                                                    \
  "sxtb16 %[t2], %[t1]\n\t"                                                                                            \
  "sxtb16 %[t1], %[t1], ror #8\n\t"                                                                                    \
  "smlad %[a0], %[t2], %[t4], %[a0]\n\t"                                                                               \
  "smlad %[a0], %[t1], %[t3], %[a0]\n\t"                                                                               \
  "sxtb16 %[t5], %[t0]\n\t"                                                                                            \
  "sxtb16 %[t0], %[t0], ror #8\n\t"                                                                                    \
  "smlad %[b0], %[t5], %[t4], %[b0]\n\t"                                                                               \
  "smlad %[b0], %[t0], %[t3], %[b0]\n\t"                                                                               \
  "ldr %[t4], " DW "\n\t"                                                                                              \
  "ldr %[t3], [%[w], %[t4]]\n\t"                                                                                       \
  TAIL                                                                                                                 \
  "sxtb16 %[t4], %[t3]\n\t"                                                                                            \
  "sxtb16 %[t3], %[t3], ror #8\n\t"                                                                                    \
  "smlad %[a1], %[t2], %[t4], %[a1]\n\t"                                                                               \
  "smlad %[a1], %[t1], %[t3], %[a1]\n\t"                                                                               \
  "smlad %[b1], %[t5], %[t4], %[b1]\n\t"                                                                               \
  "smlad %[b1], %[t0], %[t3], %[b1]\n\t"

/* The operands of the assembly loops built on DOT22_MACS: 4 sums, 2 pointers and 6 temporaries. */
#define DOT22_OPERANDS                                                                                                 \
  [a0] "+r"(a0), [a1] "+r"(a1), [b0] "+r"(b0), [b1] "+r"(b1), [x] "+r"(x), [w] "+r"(w), [t0] "=&r"(t0),             \
      [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5)
#endif

#endif /* MCUSIM_CONV2D_ROWS_H */
