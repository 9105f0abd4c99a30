/* CONV_2D with dilation_w 1: per output pixel, the kernel rows inside the input are [ky_lo, ky_hi) and the used taps
 * of each row one contiguous run of (kx_hi - kx_lo) * in_c bytes, matched by a contiguous run of weights (OHWI). Its
 * bytes equal conv2d's and the SIMD WebAssembly twin's (asm/conv2d_simd.ts): int32 sums wrap, so their order cannot
 * change a bit.
 *
 * Blocking: 2 output channels x 2 output pixels share every loaded input and weight word (4 sums). Two pixels pair up
 * when their tap windows are equal: vertically (rows oy and oy + 1 with the same kernel rows inside, any column) or,
 * on the other rows, horizontally (two columns whose kernel rows are whole); the rest go one at a time (2 channels x
 * 1 pixel). Channel pairs are the outer loop, so each channel's constants are set up once per call.
 * A pair's input-offset term is hoisted: sum w * (x + input_offset) = sum w * x + input_offset * sum w, exactly
 * modulo 2^32, with sum w over the taps used (for a whole kernel, once per channel). The dot products then multiply
 * raw int8 values: with the DSP extension 4 bytes per step (SXTB16 splits a word into two int16 pairs, SMLAD
 * multiplies and adds a pair) in assembly loops (dot22_rows, 16 bytes a turn; dot22_rows9 for the 3x3 kernels on 3
 * channels of image stems); a run's last 2 or 3 bytes are one more step on the word that ends the run with the weight
 * lanes already counted masked to zero, a last single byte a multiply-add. Single pixels add the offset in the int16
 * lanes instead (SXTAB16, bytes only if the offset does not fit them). Requantisation: mcusim_chan_requant (requantize.h), the
 * one-multiply form of mcusim_requant, and on the DSP path a byte-lane clamp of the 4 outputs. Windows cut by the
 * padding take the sums of their weights from a small per-channel-pair cache (border windows repeat row after row). */
#include "conv2d_simd.h"
#include "requantize.h"
#include "conv2d_rows.h"


/** sum_j w[j] over n bytes, modulo 2^32 (the input-offset term of a dot product is input_offset times it). */
static uint32_t weight_sum(const int8_t *w, int32_t n) {
  uint32_t s = 0;
  int32_t j = 0;
#ifdef MCUSIM_DSP
  /* SXTAB16 adds two bytes into each int16 half: at most 2 * 128 per word, so flush every 64 words. */
  while (n - j >= 4) {
    int32_t words = (n - j) >> 2;
    uint32_t pair = 0;
    if (words > 64) words = 64;
    for (; words > 0; words--, j += 4) {
      const uint32_t u = mcusim_load4(w + j);
      pair = mcusim_sxtab16(pair, u);
      pair = mcusim_sxtab16_ror8(pair, u);
    }
    s = mcusim_smlad(pair, 0x00010001u, s);
  }
#endif
  for (; j < n; j++) {
    const int32_t v = w[j];
    s += (uint32_t)v;
  }
  return s;
}

/* Tap geometry of a 2 x 2 block: rows kernel rows (> 0) of n bytes (> 0) each; the next row starts x_step input
 * bytes and w_step weight bytes after the previous one; dw is the distance from channel 0's weights to channel 1's.
 * With the DSP extension each row is len bytes (a multiple of 8) through dot22_rows, then words 4-byte steps, then
 * (window) one step on the word ending the run with the weight lanes already counted zeroed (keep), then bytes single
 * bytes; 3 rows of 9 bytes go through dot22_rows9 whole. x_adv, w_adv, dw4, dw, end and left are the assembly
 * loops' bookkeeping (read from memory there). */
typedef struct {
  int32_t rows, n, x_step, w_step;
  int32_t len, words, window, bytes;
  uint32_t keep;
  int32_t nine;                 /* 3 rows of exactly 9 bytes, contiguous weights (a 3x3 kernel on 3 channels) */
  uint32_t wt0, wt1;            /* dot22_rows9: (w[8], w[17]) of channel 0, 1 as int16 halves (set by the caller) */
  int32_t x_adv, w_adv, dw4, dw;
  const int8_t *end;            /* scratch of the assembly loops: the current row's end, rows left */
  int32_t left;
} runs_t;

static runs_t runs_init(int32_t rows, int32_t n, int32_t x_step, int32_t w_step, int32_t dw) {
  runs_t r;
  r.rows = rows;
  r.n = n;
  r.x_step = x_step;
  r.w_step = w_step;
  r.len = 0;
#if defined(MCUSIM_DSP) && defined(__OPTIMIZE__)
  r.len = n & ~7;
#endif
  r.words = (n - r.len) >> 2;
  r.window = (n & 3) >= 2 && (n >> 2) > 0;
  r.keep = r.window ? 0xffffffffu << (8u * (uint32_t)(4 - (n & 3))) : 0u;
  r.bytes = r.window ? 0 : n & 3;
  r.nine = 0;
#if defined(MCUSIM_DSP) && defined(__OPTIMIZE__)
  if (n == 9 && w_step == 9 && rows == 3) {
    r.nine = 1;
    r.len = 9; /* dot22_rows9 takes the whole run */
  }
#endif
  r.x_adv = x_step - (r.nine ? 8 : r.len);
  r.w_adv = w_step - r.len;
  r.dw4 = dw - 4;
  r.dw = dw;
  r.wt0 = 0u;
  r.wt1 = 0u;
  r.end = 0;
  r.left = 0;
  return r;
}

/** Runs without dot22_rows9 (its one copy stays with the hot loop): 9-byte rows as 8 bytes through dot22_rows and
 * a last byte. */
static void no_nine(runs_t *r) {
  if (r->nine) {
    r->nine = 0;
    r->len = 8;
    r->words = 0;
    r->bytes = 1;
    r->x_adv = r->x_step - 8;
    r->w_adv = r->w_step - 8;
  }
}

/** sum over the runs r of the weights from w, modulo 2^32. */
static uint32_t runs_weight_sum(const int8_t *w, const runs_t *r) {
  uint32_t s = 0;
  int32_t rows = r->rows;
  for (;;) {
    s += weight_sum(w, r->n);
    if (--rows == 0) break;
    w += r->w_step;
  }
  return s;
}

#ifdef MCUSIM_DSP
#if defined(__OPTIMIZE__)
/* One 4-byte step of the 2 x 2 dot products in assembly: words q (pixel b, [x + dx]), p (pixel a, [x], x += 4),
 * u (channel 0, [w], w += 4), then DOT22_MACS (conv2d_rows.h) with channel 1's word v from [w + DW]. */
#define DOT22_STEP(DW, TAIL)                                                                                             \
  "ldr %[t0], [%[x], %[dx]]\n\t"                                                                                       \
  "ldr %[t1], [%[x]], #4\n\t"                                                                                          \
  "ldr %[t3], [%[w]], #4\n\t"                                                                                          \
  DOT22_MACS(DW, TAIL)

/** s += the raw dot products of pixels a (x), b (x + dx) with channels 0 (w), 1 (w + dw) over the first r->len bytes
 * (a positive multiple of 8) of each of the r->rows rows: 16 bytes per loop turn, a row of 16k + 8 bytes entering
 * its first turn half way. Written out because compilers spill some of the sums when left to themselves: the loop
 * holds 4 sums, 2 pointers, the pixel distance and 6 temporaries in 13 registers (so it also builds with a frame
 * pointer) and reads the channel distance, the row's end and the row bookkeeping from memory (r must be a local of
 * the caller, so that its fields are addressed from the stack pointer and not through a 14th register). */
MCUSIM_HOT void dot22_rows(const int8_t *x, int32_t dx, const int8_t *w, runs_t *r, acc22_t *s) {
  uint32_t a0 = s->a0, a1 = s->a1, b0 = s->b0, b1 = s->b1;
  uint32_t t0, t1, t2, t3, t4, t5;
  __asm__(
      "ldr %[t0], %[rows]\n\t"
      "str %[t0], %[left]\n"
      "0:\n\t" /* a row */
      "ldr %[t0], %[len]\n\t"
      "add %[t1], %[x], %[t0]\n\t"
      "str %[t1], %[end]\n\t"
      "tst %[t0], #8\n\t"
      "bne 3f\n"
      "1:\n\t"
      DOT22_STEP("%[dw4]", "")
      DOT22_STEP("%[dw4]", "")
      "3:\n\t"
      DOT22_STEP("%[dw4]", "")
      DOT22_STEP("%[dw4]", "ldr %[t4], %[end]\n\tcmp %[x], %[t4]\n\t")
      "bne 1b\n\t"
      "ldr %[t0], %[left]\n\t" /* the row is done: on to the next one, if any */
      "ldr %[t1], %[x_adv]\n\t"
      "ldr %[t2], %[w_adv]\n\t"
      "subs %[t0], %[t0], #1\n\t"
      "beq 2f\n\t"
      "str %[t0], %[left]\n\t"
      "add %[x], %[x], %[t1]\n\t"
      "add %[w], %[w], %[t2]\n\t"
      "b 0b\n"
      "2:"
      : DOT22_OPERANDS, [end] "=m"(r->end), [left] "=m"(r->left)
      : [dx] "r"(dx), [dw4] "m"(r->dw4), [x_adv] "m"(r->x_adv), [w_adv] "m"(r->w_adv), [len] "m"(r->len),
        [rows] "m"(r->rows)
      : "cc");
  s->a0 = a0; s->a1 = a1; s->b0 = b0; s->b1 = b1;
}

/** dot22_rows for 3 rows of exactly 9 bytes with contiguous weights (a 3x3 kernel on 3 input channels, the usual
 * stem), straight through: rows 0 and 1's last bytes first as one SMLAD per sum on the pairs (x_row0[8], x_row1[8])
 * and the pre-packed (w[8], w[17]) (r->wt0, r->wt1, per channel), then each row's two 4-byte steps, then row 2's last
 * byte (r a local of the caller, as for dot22_rows). */
MCUSIM_HOT void dot22_rows9(const int8_t *x, int32_t dx, const int8_t *w, runs_t *r, acc22_t *s) {
  uint32_t a0 = s->a0, a1 = s->a1, b0 = s->b0, b1 = s->b1;
  uint32_t t0, t1, t2, t3, t4, t5;
  __asm__(
      "ldr %[t5], %[x_step]\n\t"             /* rows 0 and 1, byte 8 */
      "add %[t4], %[x], %[dx]\n\t"
      "ldrsb %[t0], [%[x], #8]\n\t"
      "ldrsb %[t2], [%[t4], #8]\n\t"
      "add %[t1], %[x], %[t5]\n\t"
      "add %[t4], %[t4], %[t5]\n\t"
      "ldrsb %[t1], [%[t1], #8]\n\t"
      "ldrsb %[t3], [%[t4], #8]\n\t"
      "pkhbt %[t0], %[t0], %[t1], lsl #16\n\t" /* pixel a: (row 0, row 1) */
      "pkhbt %[t2], %[t2], %[t3], lsl #16\n\t" /* pixel b */
      "ldr %[t1], %[wt0]\n\t"
      "ldr %[t3], %[wt1]\n\t"
      "smlad %[a0], %[t0], %[t1], %[a0]\n\t"
      "smlad %[a1], %[t0], %[t3], %[a1]\n\t"
      "smlad %[b0], %[t2], %[t1], %[b0]\n\t"
      "smlad %[b1], %[t2], %[t3], %[b1]\n\t"
      DOT22_STEP("%[dw4]", "")                 /* row 0, bytes 0..7 */
      DOT22_STEP("%[dw4]", "")
      "ldr %[t4], %[x_adv]\n\t"
      "add %[w], %[w], #1\n\t"
      "add %[x], %[x], %[t4]\n\t"
      DOT22_STEP("%[dw4]", "")                 /* row 1 */
      DOT22_STEP("%[dw4]", "")
      "ldr %[t4], %[x_adv]\n\t"
      "add %[w], %[w], #1\n\t"
      "add %[x], %[x], %[t4]\n\t"
      DOT22_STEP("%[dw4]", "")                 /* row 2 */
      DOT22_STEP("%[dw4]", "")
      "ldr %[t4], %[dw]\n\t"                   /* row 2, byte 8 */
      "ldrsb %[t3], [%[w], %[t4]]\n\t"
      "ldrsb %[t0], [%[x], %[dx]]\n\t"
      "ldrsb %[t1], [%[x]]\n\t"
      "ldrsb %[t2], [%[w]]\n\t"
      "mla %[a0], %[t1], %[t2], %[a0]\n\t"
      "mla %[a1], %[t1], %[t3], %[a1]\n\t"
      "mla %[b0], %[t0], %[t2], %[b0]\n\t"
      "mla %[b1], %[t0], %[t3], %[b1]"
      : DOT22_OPERANDS
      : [dx] "r"(dx), [dw4] "m"(r->dw4), [dw] "m"(r->dw), [x_adv] "m"(r->x_adv), [x_step] "m"(r->x_step),
        [wt0] "m"(r->wt0), [wt1] "m"(r->wt1)
      : "cc");
  s->a0 = a0; s->a1 = a1; s->b0 = b0; s->b1 = b1;
}
#endif

/** s += the 4-byte raw dot products of input words p (pixel a), q (pixel b) with weight words u (channel 0), v
 * (channel 1). */
static inline void mac22(uint32_t p, uint32_t q, uint32_t u, uint32_t v, acc22_t *s) {
  uint32_t pe = mcusim_sxtb16(p), ue = mcusim_sxtb16(u), ve = mcusim_sxtb16(v), qe = mcusim_sxtb16(q);
  s->a0 = mcusim_smlad(pe, ue, s->a0);
  s->a1 = mcusim_smlad(pe, ve, s->a1);
  s->b0 = mcusim_smlad(qe, ue, s->b0);
  s->b1 = mcusim_smlad(qe, ve, s->b1);
  pe = mcusim_sxtb16_ror8(p);
  ue = mcusim_sxtb16_ror8(u);
  ve = mcusim_sxtb16_ror8(v);
  qe = mcusim_sxtb16_ror8(q);
  s->a0 = mcusim_smlad(pe, ue, s->a0);
  s->a1 = mcusim_smlad(pe, ve, s->a1);
  s->b0 = mcusim_smlad(qe, ue, s->b0);
  s->b1 = mcusim_smlad(qe, ve, s->b1);
}

/** s += the 4-byte dot products of pixel x (input word p, offset pair off2 added) with channels u, v. */
static inline void mac12(uint32_t p, uint32_t u, uint32_t v, uint32_t off2, acc22_t *s) {
  uint32_t pe = mcusim_sxtab16(off2, p), ue = mcusim_sxtb16(u), ve = mcusim_sxtb16(v);
  s->a0 = mcusim_smlad(pe, ue, s->a0);
  s->a1 = mcusim_smlad(pe, ve, s->a1);
  pe = mcusim_sxtab16_ror8(off2, p);
  ue = mcusim_sxtb16_ror8(u);
  ve = mcusim_sxtb16_ror8(v);
  s->a0 = mcusim_smlad(pe, ue, s->a0);
  s->a1 = mcusim_smlad(pe, ve, s->a1);
}
#endif

/** s += the raw dot products sum w * x of pixels a (x), b (x + dx) with channels 0 (w), 1 (w + r->dw4 + 4) over the
 * runs r (3 rows of 9 bytes through dot22_rows9 if allow9, a constant: that copy of the loop only where it pays;
 * without it the runs must have been through no_nine). */
MCUSIM_HOT void block22(const int8_t *x, int32_t dx, const int8_t *w, runs_t *r, acc22_t *s, int allow9) {
  const int32_t dw = r->dw4 + 4;
  const int32_t done = r->len; /* bytes of every row counted by dot22_rows */
  (void)allow9;
  int32_t rows = r->rows;
#ifdef MCUSIM_DSP
  const int32_t bytes = r->bytes;
#if defined(__OPTIMIZE__)
  if (allow9 && r->nine) {
    dot22_rows9(x, dx, w, r, s);
    return;
  }
  if (done > 0) {
    dot22_rows(x, dx, w, r, s);
    if (done == r->n) return;
  }
#endif
#else
  const int32_t bytes = r->n;
#endif
  for (;;) {
    const int8_t *xp = x + done;
    const int8_t *wp = w + done;
    int32_t k;
#ifdef MCUSIM_DSP
    for (k = r->words; k > 0; k--) {
      mac22(mcusim_load4(xp), mcusim_load4(xp + dx), mcusim_load4(wp), mcusim_load4(wp + dw), s);
      xp += 4;
      wp += 4;
    }
    if (r->window) {
      const int32_t back = 4 - (r->n & 3);
      mac22(mcusim_load4(xp - back), mcusim_load4(xp - back + dx), mcusim_load4(wp - back) & r->keep,
            mcusim_load4(wp - back + dw) & r->keep, s);
    }
#endif
    for (k = 0; k < bytes; k++) {
      const int32_t p = xp[k], q = xp[k + dx], u = wp[k], v = wp[k + dw];
      s->a0 += (uint32_t)(p * u);
      s->a1 += (uint32_t)(p * v);
      s->b0 += (uint32_t)(q * u);
      s->b1 += (uint32_t)(q * v);
    }
    if (--rows == 0) break;
    x += r->x_step;
    w += r->w_step;
  }
}

/** s.a0, s.a1 += the dot products sum w * (x + input_offset) of pixel x with channels 0 (w), 1 (w + dw) over the
 * runs r. */
static void block12(const int8_t *x, const int8_t *w, int32_t dw, const runs_t *r, int32_t input_offset, acc22_t *out) {
  acc22_t s = *out;
  int32_t rows = r->rows;
#ifdef MCUSIM_DSP
  /* x + input_offset must fit the int16 lanes (always, for the op table's offsets); otherwise bytes only. */
  const int dsp = input_offset >= -32640 && input_offset <= 32640;
  const uint32_t off2 = mcusim_pair16(dsp ? input_offset : 0);
  const int32_t words = dsp ? r->n >> 2 : 0;
  const int window = dsp && r->window;
  const int32_t bytes = dsp ? r->bytes : r->n;
#else
  const int32_t bytes = r->n;
#endif
  for (;;) {
    const int8_t *xp = x;
    const int8_t *wp = w;
    int32_t k;
#ifdef MCUSIM_DSP
    for (k = words; k > 0; k--) {
      mac12(mcusim_load4(xp), mcusim_load4(wp), mcusim_load4(wp + dw), off2, &s);
      xp += 4;
      wp += 4;
    }
    if (window) {
      const int32_t back = 4 - (r->n & 3);
      mac12(mcusim_load4(xp - back), mcusim_load4(wp - back) & r->keep, mcusim_load4(wp - back + dw) & r->keep, off2, &s);
    }
#endif
    for (k = 0; k < bytes; k++) {
      const int32_t p = (int32_t)xp[k] + input_offset;
      s.a0 += (uint32_t)(p * (int32_t)wp[k]);
      s.a1 += (uint32_t)(p * (int32_t)wp[k + dw]);
    }
    if (--rows == 0) break;
    x += r->x_step;
    w += r->w_step;
  }
  *out = s;
}


/** Pixel a's outputs (at out, out + d1) and, when dout != 0, pixel b's (dout bytes on) from the sums s. */
static void store(int8_t *out, int32_t dout, const acc22_t *s, const pair_t *cp, const geo_t *g) {
  store22(out, dout, s, cp, g); /* one out-of-line copy here (the hot blocks call store_pair_fast themselves) */
}

/** Any block: pixel a at (oy, ox) and, when dout != 0, pixel b (dx input bytes and dout output bytes on) with the
 * same tap window, whose kernel rows inside are [ky_lo, ky_hi). */
static void any_block(const geo_t *g, pair_t *cp, int32_t iy0, int32_t ky_lo, int32_t ky_hi, int32_t ox,
                      int32_t dx, int8_t *out, int32_t dout) {
  const int32_t ix0 = ox * g->stride_w - g->pad_left;
  const int32_t kx_lo = ix0 < 0 ? -ix0 : 0;
  const int32_t kx_hi = g->in_w - ix0 < g->k_w ? g->in_w - ix0 : g->k_w;
  acc22_t s;
  s.a0 = s.b0 = (uint32_t)cp->bias0;
  s.a1 = s.b1 = (uint32_t)cp->bias1;
  if (ky_hi > ky_lo && kx_hi > kx_lo) {
    runs_t r = runs_init(ky_hi - ky_lo, (kx_hi - kx_lo) * g->in_c, g->x_step, g->w_row, cp->dw);
    const int8_t *x = g->input + ((iy0 + ky_lo * g->dilation_h) * g->in_w + ix0 + kx_lo) * g->in_c;
    const int8_t *w = cp->w + ky_lo * g->w_row + kx_lo * g->in_c;
    if (dout != 0) {
      /* The input-offset terms: input_offset * (sum of the weights the taps use), per channel. */
      if (r.rows == g->k_h && r.n == g->w_row) {
        s.a0 = s.b0 = cp->whole0;
        s.a1 = s.b1 = cp->whole1;
      } else {
        const int keyed = g->k_h < 256 && g->k_w < 256;
        const uint32_t key = (uint32_t)ky_lo | (uint32_t)ky_hi << 8 | (uint32_t)kx_lo << 16 | (uint32_t)kx_hi << 24;
        int32_t i = 0;
        while (keyed && i < cp->cached && cp->key[i] != key) i++;
        if (!keyed || i == cp->cached) {
          i = cp->next;
          cp->next = (cp->next + 1) & 3;
          if (cp->cached < 4 && keyed) cp->cached++;
          cp->key[i] = key;
          cp->start0[i] = (uint32_t)cp->bias0 + (uint32_t)g->input_offset * runs_weight_sum(w, &r);
          cp->start1[i] = (uint32_t)cp->bias1 + (uint32_t)g->input_offset * runs_weight_sum(w + cp->dw, &r);
        }
        s.a0 = s.b0 = cp->start0[i];
        s.a1 = s.b1 = cp->start1[i];
      }
      no_nine(&r);
      block22(x, dx, w, &r, &s, 0);
    } else {
      block12(x, w, cp->dw, &r, g->input_offset, &s);
    }
  }
  store(out, dout, &s, cp, g);
}

/** count blocks whose taps are all inside (runs whole, a local of the caller: see dot22_rows): pixel a at input
 * offset x_off, pixel b dx bytes on; each block step input bytes and out_step output bytes after the previous one. */
MCUSIM_HOT void whole_blocks(const geo_t *g, const pair_t *cp, runs_t *whole, int32_t x_off, int32_t dx, int32_t step,
                      int8_t *out, int32_t dout, int32_t out_step, int32_t count) {
  int32_t i;
#ifdef MCUSIM_DSP
  if (cp->fast) {
    for (i = 0; i < count; i++) {
      acc22_t s;
      s.a0 = s.b0 = cp->whole0;
      s.a1 = s.b1 = cp->whole1;
      block22(g->input + x_off + i * step, dx, cp->w, whole, &s, 1);
      store_pair_fast(out + i * out_step, dout, cp->d1, &s, &cp->c0, &cp->c1, g->lo4, g->hi4);
    }
    return;
  }
#endif
  no_nine(whole); /* (whole is set up again for the next channel pair) */
  for (i = 0; i < count; i++) {
    acc22_t s;
    s.a0 = s.b0 = cp->whole0;
    s.a1 = s.b1 = cp->whole1;
    block22(g->input + x_off + i * step, dx, cp->w, whole, &s, 0);
    store(out + i * out_step, dout, &s, cp, g);
  }
}

/** rows_inside (conv2d_rows.h), out of line here: once or twice per output row. */
static void rows_in(const geo_t *g, int32_t iy0, int32_t *lo, int32_t *hi) {
  rows_inside(g, iy0, lo, hi);
}

void conv2d_simd(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max) {
  const int32_t out_row = out_w * out_c;
  const int32_t w_chan = k_h * k_w * in_c; /* weight bytes per output channel */
  const int32_t px_step = stride_w * in_c; /* input bytes from one output column to the next */
  /* Columns whose kernel rows are whole: [ox_a, ox_b), ix0 = ox * stride_w - pad_left >= 0 and ix0 + k_w <= in_w. */
  const int32_t ox_a = pad_left <= 0 ? 0 : (pad_left + stride_w - 1) / stride_w < out_w ? (pad_left + stride_w - 1) / stride_w : out_w;
  const int32_t room = in_w - k_w + pad_left;
  const int32_t ox_b0 = room < 0 ? 0 : room / stride_w + 1 < out_w ? room / stride_w + 1 : out_w;
  const int32_t ox_b = ox_b0 > ox_a ? ox_b0 : ox_a;
  const int32_t pairs = (ox_b - ox_a) >> 1; /* horizontal pairs in those columns */
  geo_t g;
  int32_t o;
  (void)dilation_w;
  geo_init(&g, input, in_h, in_w, in_c, k_h, k_w, stride_h, stride_w, dilation_h, pad_top, pad_left, input_offset,
           output_offset, act_min, act_max);
  for (o = 0; o < out_c; o += 2) {
    pair_t cp;
    runs_t whole; /* the runs of a whole kernel */
    int32_t oy = 0;
    pair_init(&cp, filter, bias, multipliers, shifts, o, out_c, w_chan, output_offset);
    cp.whole0 = (uint32_t)cp.bias0 + (uint32_t)input_offset * weight_sum(cp.w, w_chan);
    cp.whole1 = (uint32_t)cp.bias1 + (uint32_t)input_offset * weight_sum(cp.w + cp.dw, w_chan);
    whole = runs_init(k_h, g.w_row, g.x_step, g.w_row, cp.dw);
    if (whole.nine) {
      whole.wt0 = ((uint32_t)(int32_t)cp.w[8] & 0xffffu) | ((uint32_t)(int32_t)cp.w[17] << 16);
      whole.wt1 = ((uint32_t)(int32_t)cp.w[cp.dw + 8] & 0xffffu) | ((uint32_t)(int32_t)cp.w[cp.dw + 17] << 16);
    }
    while (oy < out_h) {
      const int32_t iy0 = oy * stride_h - pad_top;
      int8_t *out_o = output + oy * out_row + o;
      int32_t ky_lo, ky_hi, ox;
      int vertical = 0;
      rows_in(&g, iy0, &ky_lo, &ky_hi);
      if (oy + 1 < out_h) {
        /* Rows oy and oy + 1 pair up (pixel b below pixel a) when they have the same kernel rows inside. */
        int32_t lo1, hi1;
        rows_in(&g, iy0 + stride_h, &lo1, &hi1);
        vertical = lo1 == ky_lo && hi1 == ky_hi;
      }
      for (ox = 0; ox < out_w; ox++) {
        const int whole_rows = ky_lo == 0 && ky_hi == k_h;
        const int32_t x_off = (iy0 * in_w + ox * stride_w - pad_left) * in_c;
        if (ox == ox_a && whole_rows && (vertical ? ox_b > ox_a : pairs > 0)) {
          /* The columns whose taps are all inside, as pairs: below (vertical) or to the right. One call site, so
           * that whole_blocks is inlined and reads whole from this frame. */
          const int32_t count = vertical ? ox_b - ox_a : pairs;
          whole_blocks(&g, &cp, &whole, x_off, vertical ? stride_h * g.row_bytes : px_step, vertical ? px_step : 2 * px_step,
                       out_o + ox * out_c, vertical ? out_row : out_c, vertical ? out_c : 2 * out_c, count);
          ox += (vertical ? count : 2 * count) - 1;
        } else if (vertical) {
          any_block(&g, &cp, iy0, ky_lo, ky_hi, ox, stride_h * g.row_bytes, out_o + ox * out_c, out_row);
        } else if (ox == ox_a && pairs > 0) {
          /* Pixel b right of pixel a, in columns whose kernel rows are whole. */
          int32_t i;
          for (i = 0; i < pairs; i++) {
            any_block(&g, &cp, iy0, ky_lo, ky_hi, ox + 2 * i, px_step, out_o + (ox + 2 * i) * out_c, out_c);
          }
          ox += 2 * pairs - 1;
        } else {
          any_block(&g, &cp, iy0, ky_lo, ky_hi, ox, 0, out_o + ox * out_c, 0);
        }
      }
      oy += vertical ? 2 : 1;
    }
  }
}
