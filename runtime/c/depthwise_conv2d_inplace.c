/* DEPTHWISE_CONV_2D in place, one channel at a time (asm/depthwise_conv2d_inplace.ts).
 * Arithmetic is TFLite's reference_integer_ops::DepthwiseConvPerChannel; int32 sums wrap, so tap order is free.
 * input and output may be the same buffer, so neither pointer is restrict and every read of an input byte happens
 * before the write that could overwrite it.
 *
 * Padded path (dilation 1; the kernel, cropped to the rows and columns that ever touch the input, at most 7 x 7):
 * a channel's input rows are copied into padded rows whose padding columns, slack and padding rows hold
 * pad = -input_offset, so that a padded tap adds w * pad = -input_offset * w and every output is a full window sum
 *   bias + input_offset * sum w + sum w * x  ==  bias + sum over taps inside of w * (x + input_offset)  (mod 2^32).
 * - Whole planes (small inputs): up to four channels' padded planes in a buffer on the stack, each copied before
 *   any output of its channel is written (one word load gives four channels' bytes; a 4x4 byte transpose).
 * - Ring (larger inputs): per channel a ring of `slots` padded rows in the scratch, stored twice (slots s and
 *   s + slots) so that the rows of any batch's windows are consecutive (or once, for kernels other than 3x3 when
 *   the doubled ring does not fit). Output rows go in raster order, a batch of rows at a time; a batch writes raster
 *   pixels below (its last row + 1) * out_w, and the set-up checks for the given geometry that every input row is
 *   copied before an output pixel of its channel lands on it (always so for SAME and VALID padding), else the
 *   kernel takes the plane path. 3x3 kernels run up to four channels' rings at a time (cheaper copies).
 * A batch's window sums (bias + input_offset * sum w included) go to ACC_N accumulators on the stack, then are
 * requantised. On cores with the DSP extension two int8 taps go through one SMLAD: 3x3 kernels with all nine weights
 * in registers (stride 1: two outputs per row word, even/odd SXTB16 halves against (w0, w2) and (w1, 0), SMLADX for
 * the crossed middle tap; other strides one output per row word), other widths a kernel row at a time (four taps
 * per word, a fifth alone). The loops' loads and stores are volatile asm (a 3x3 row's word load together with its
 * two SXTB16) so that the compiler keeps them in order (hoisting the loads would need more registers than the core
 * has); the multiply-adds are dsp.h's wrappers. The per-channel constants and the folded-offset requantisation are
 * depthwise_common.h's.
 * Requantisation: for multiplier >= 0, shift in [-23, -2] (effective scales below 1/4, what the op table produces)
 * and an int8 output offset, one SMLAL per output (mcusim_dw_scale: the same bits as mcusim_mbqm plus the offset), then
 * SSAT (and a per-halfword clamp when the activation range is narrower than int8); otherwise mcusim_requant_output.
 *
 * Plane path (dilation, larger kernels, geometry the padded path cannot serve): channel c is gathered whole into
 * the scratch plane, then every output is summed over its taps inside the plane. */
#include "depthwise_conv2d_inplace.h"
#include "depthwise_common.h"

#include <string.h>

/** Padded path: the cropped kernel is at most RING_K x RING_K. */
#define RING_K 7
/** Sums per batch (on the stack). */
#define ACC_N 48
/** Bytes of stack buffer for whole padded planes (up to four of them). */
#define STACK_PLANE 260
/** Bytes past the end of the padded rows that word loads may touch (filled with pad): a load reads up to three bytes
 * past a window's last tap, against zero weights; inside the buffer those are the next row's bytes. */
#define SLACK 3
/** Weight words per kernel row (DSP): int16 pairs (w0, w2), (w1, w3), (w4, w6), (w5, w7). */
#define ROW_WORDS 4

/* The hot loops stay functions of their own, so that the compiler gives them all the registers; the set-up of the
 * padded path is inlined into the kernel (one stack frame for its buffers). */
#if defined(__GNUC__)
#define DWI_NOINLINE __attribute__((noinline))
#define DWI_INLINE inline __attribute__((always_inline))
#else
#define DWI_NOINLINE
#define DWI_INLINE inline
#endif

#ifdef MCUSIM_DSP
/* Loads and stores of the inner loops, volatile: the compiler keeps them in program order instead of hoisting every
 * load to the top of the loop body, which would need more registers than the core has (and cost spills and reloads
 * in every iteration). */
#define DWI_ASM __asm__ __volatile__

/** The word at p + o (any alignment). */
static inline uint32_t dwi_ld(const int8_t *p, int32_t o) {
  uint32_t r;
  DWI_ASM("ldr %0, [%1, %2]" : "=r"(r) : "r"(p), "r"(o) : "memory");
  return r;
}

/** The word at p + 2 o. */
static inline uint32_t dwi_ld2(const int8_t *p, int32_t o) {
  uint32_t r;
  DWI_ASM("ldr %0, [%1, %2, lsl #1]" : "=r"(r) : "r"(p), "r"(o) : "memory");
  return r;
}

/** The word at p. */
static inline uint32_t dwi_ld0(const int8_t *p) {
  uint32_t r;
  DWI_ASM("ldr %0, [%1]" : "=r"(r) : "r"(p) : "memory");
  return r;
}

/** The word at *p, then *p += 1 word. */
static inline uint32_t dwi_ld_next(const uint32_t **p) {
  uint32_t r;
  const uint32_t *q = *p;
  DWI_ASM("ldr %0, [%1], #4" : "=r"(r), "+r"(q) : : "memory");
  *p = q;
  return r;
}

/** out[*o] = the low byte of v, then *o += step. */
static inline void dwi_stb_next(int8_t *out, int32_t *o, int32_t step, int32_t v) {
  int32_t i = *o;
  DWI_ASM("strb %1, [%2, %0]\n\tadd %0, %0, %3" : "+&r"(i) : "r"(v), "r"(out), "r"(step) : "memory");
  *o = i;
}

/** The word at p. */
static inline uint32_t dwi_ld_acc(const uint32_t *p) {
  uint32_t r;
  DWI_ASM("ldr %0, [%1]" : "=r"(r) : "r"(p) : "memory");
  return r;
}

/** **p = v, then *p += 1 word. */
static inline void dwi_st_next(uint32_t **p, uint32_t v) {
  uint32_t *q = *p;
  DWI_ASM("str %1, [%0], #4" : "+r"(q) : "r"(v) : "memory");
  *p = q;
}

#endif

/** A channel's requantisation, and its sums' start value. */
typedef struct {
  uint32_t base; /* bias + input_offset * sum of the (cropped) weights */
  mcusim_dw_requant_t r;
} dwi_channel;

/** One channel's 3x3 weights, (w0, w2), (w1, 0) per kernel row, and its requantisation. */
typedef struct {
  uint32_t wp[6];
  dwi_channel k;
} dwi_params3;

/** Work shared by the loops of one call: geometry, the current channel's weights and constants, the sums. */
typedef struct {
  int32_t width;    /* bytes from one padded row to the next */
  int32_t step;     /* stride_h * width: from one output row's first window to the next one's */
  int32_t stride;   /* stride_w */
  int32_t kh, kw;   /* the cropped kernel */
  int32_t channels; /* the input's and output's pixel stride */
  int32_t in_h, in_w, out_h, out_w, stride_h;
  int32_t iy0;      /* input row (padding rows negative or >= in_h) of output row 0's first window row */
  int32_t lead;     /* padded column of input column 0 */
  int32_t col0;     /* padded column of output column 0's first window column */
  int32_t top;      /* padded rows above input row 0 (whole plane) */
  int32_t pad;      /* the padding byte, -input_offset */
  int32_t slots;    /* ring: padded rows it holds */
  int32_t copy;     /* ring: bytes to a row's second copy (0: rows are stored once) */
  int32_t group;    /* ring: bytes from one channel's ring to the next's */
  int32_t batch;    /* output rows per batch */
  int32_t chunk;    /* outputs of a row per batch */
  int8_t *buf;
  int32_t output_offset, act_min, act_max;
#ifdef MCUSIM_DSP
  const uint32_t *wp; /* the current channel's weights: 3x3 as dwi_params3.wp, else ROW_WORDS per kernel row */
  uint32_t wrows[RING_K * ROW_WORDS];
#else
  const int8_t *wp;   /* the current channel's weights, kh x kw */
  int8_t wrows[RING_K * RING_K];
#endif
  const dwi_channel *k;          /* the current channel's requantisation */
  const int8_t *rowp[RING_K];    /* kernels other than 3x3: kernel row ky of the batch's first window */
  dwi_channel k1;
  union {
    uint32_t plane[STACK_PLANE / 4]; /* whole planes */
    dwi_params3 p3[4];               /* ring, 3x3: up to four channels at a time */
  } u;
  uint32_t acc[ACC_N];
} dwi_job;

/** Requantises the first n sums (base included) into out[0], out[channels], ... */
static inline void dwi_requant(const dwi_job *jb, int8_t *out, int32_t n) {
  const mcusim_dw_requant_t *const r = &jb->k->r;
  const int32_t step = jb->channels, act_min = jb->act_min, act_max = jb->act_max;
#ifdef MCUSIM_DSP
  if (r->fast) {
    const uint32_t *acc = jb->acc;
    const int32_t m = r->m, chp = r->chp, sh = r->sh;
    int32_t j, o = 0;
    if (act_min == -128 && act_max == 127) {
      /* Saturation to int8 is the clamp. */
      for (j = n >> 2; j > 0; j--) {
        uint32_t x0 = dwi_ld_next(&acc), x1 = dwi_ld_next(&acc);
        int32_t r0 = mcusim_ssat8(mcusim_dw_scale(x0, m, chp, sh));
        int32_t r1 = mcusim_ssat8(mcusim_dw_scale(x1, m, chp, sh));
        dwi_stb_next(out, &o, step, r0);
        dwi_stb_next(out, &o, step, r1);
        x0 = dwi_ld_next(&acc);
        x1 = dwi_ld_next(&acc);
        r0 = mcusim_ssat8(mcusim_dw_scale(x0, m, chp, sh));
        r1 = mcusim_ssat8(mcusim_dw_scale(x1, m, chp, sh));
        dwi_stb_next(out, &o, step, r0);
        dwi_stb_next(out, &o, step, r1);
      }
      for (j = n & 3; j > 0; j--) dwi_stb_next(out, &o, step, mcusim_ssat8(mcusim_dw_scale(dwi_ld_next(&acc), m, chp, sh)));
    } else {
      /* Two outputs per step: saturated to int8, paired as int16 and clamped per half. */
      const uint32_t lo = mcusim_pair16(act_min), hi = mcusim_pair16(act_max);
      for (j = 0; j + 1 < n; j += 2) {
        const int32_t r0 = mcusim_ssat8(mcusim_dw_scale(acc[j], m, chp, sh));
        const int32_t r1 = mcusim_ssat8(mcusim_dw_scale(acc[j + 1], m, chp, sh));
        const uint32_t p = mcusim_min16(mcusim_max16(mcusim_pkhbt((uint32_t)r0, (uint32_t)r1), lo), hi);
        out[o] = (int8_t)(mcusim_wrap(p << 16) >> 16); /* each half is in [act_min, act_max] */
        out[o + step] = (int8_t)(mcusim_wrap(p) >> 16);
        o += 2 * step;
      }
      if (j < n) out[o] = (int8_t)mcusim_clamp(mcusim_ssat8(mcusim_dw_scale(acc[j], m, chp, sh)), act_min, act_max);
    }
    return;
  }
#endif
  mcusim_dw_outputs(jb->acc, n, r, out, step, jb->output_offset, act_min, act_max);
}

#ifdef MCUSIM_DSP
/** The word of bytes s[0], s[step], s[2 step], s[3 step] (four loads in a row: they pipeline). */
static inline uint32_t dwi_gather4(const int8_t *s, int32_t step, int32_t step2, int32_t step3) {
  const uint32_t b0 = mcusim_dw_ldrb0(s), b1 = mcusim_dw_ldrb(s, step), b2 = mcusim_dw_ldrb(s, step2), b3 = mcusim_dw_ldrb(s, step3);
  return b0 | b1 << 8 | b2 << 16 | b3 << 24;
}
#endif

/** Copies `rows` rows of n bytes, src[0], src[step], ... (the next row src_row bytes on), to dst (the next row
 * dst_row bytes on), and to dst + copy as well when copy is not 0. */
static DWI_NOINLINE void dwi_gather(int8_t *dst, int32_t dst_row, int32_t copy, const int8_t *src, int32_t src_row,
                                    int32_t rows, int32_t n, int32_t step) {
  const int32_t step4 = 4 * step;
#ifdef MCUSIM_DSP
  const int32_t step2 = 2 * step, step3 = 3 * step;
#endif
  int32_t r, d = 0, so = 0;
  for (r = 0; r < rows; r++) {
    int32_t i = 0, o = so;
#ifdef MCUSIM_DSP
    if (copy) {
      for (; i + 4 <= n; i += 4) {
        const uint32_t v = dwi_gather4(src + o, step, step2, step3);
        memcpy(dst + d + i, &v, 4);
        memcpy(dst + d + i + copy, &v, 4);
        o += step4;
      }
    } else {
      for (; i + 4 <= n; i += 4) {
        const uint32_t v = dwi_gather4(src + o, step, step2, step3);
        memcpy(dst + d + i, &v, 4);
        o += step4;
      }
    }
#else
    for (; i + 4 <= n; i += 4) {
      const uint32_t v = (uint32_t)(uint8_t)src[o] | (uint32_t)(uint8_t)src[o + step] << 8 |
                         (uint32_t)(uint8_t)src[o + 2 * step] << 16 | (uint32_t)(uint8_t)src[o + 3 * step] << 24;
      memcpy(dst + d + i, &v, 4);
      if (copy) memcpy(dst + d + i + copy, &v, 4);
      o += step4;
    }
#endif
    for (; i < n; i++) {
      dst[d + i] = src[o];
      if (copy) dst[d + i + copy] = src[o];
      o += step;
    }
    d += dst_row;
    so += src_row;
  }
}

#ifdef MCUSIM_DSP
/* 3x3 rows: a word load split at once into its even bytes (x0, x2) and odd bytes (x1, x3) as int16 pairs (LDR,
 * SXTB16, SXTB16 ROR #8), one volatile statement. With the loads alone volatile and dsp.h's pure SXTB16, gcc
 * interleaves the rows and spills in the loop tails (measured on mlperf-vww, Cortex-M4: the 6x6x128 steps 1.4% and
 * the kernel 0.3% slower than with this split). */

/** The odd pair of the word at p + o; *e its even pair. */
static inline uint32_t dwi_lds(const int8_t *p, int32_t o, uint32_t *e) {
  uint32_t v, x;
  DWI_ASM("ldr %0, [%2, %3]\n\tsxtb16 %1, %0\n\tsxtb16 %0, %0, ror #8" : "=r"(v), "=r"(x) : "r"(p), "r"(o) : "memory");
  *e = x;
  return v;
}

/** The odd pair of the word at p + 2 o; *e its even pair. */
static inline uint32_t dwi_lds2(const int8_t *p, int32_t o, uint32_t *e) {
  uint32_t v, x;
  DWI_ASM("ldr %0, [%2, %3, lsl #1]\n\tsxtb16 %1, %0\n\tsxtb16 %0, %0, ror #8" : "=r"(v), "=r"(x) : "r"(p), "r"(o) : "memory");
  *e = x;
  return v;
}

/** The odd pair of the word at *p, then *p += step (0 or 2); *e its even pair. */
static inline uint32_t dwi_lds_next(const int8_t **p, int32_t step, uint32_t *e) {
  uint32_t v, x;
  const int8_t *q = *p;
  if (step == 2) {
    DWI_ASM("ldr %0, [%2], #2\n\tsxtb16 %1, %0\n\tsxtb16 %0, %0, ror #8" : "=r"(v), "=r"(x), "+r"(q) : : "memory");
  } else {
    DWI_ASM("ldr %0, [%2]\n\tsxtb16 %1, %0\n\tsxtb16 %0, %0, ror #8" : "=r"(v), "=r"(x) : "r"(q) : "memory");
  }
  *p = q;
  *e = x;
  return v;
}

/** acc + the four taps of a row word, split into its even pair e = (x0, x2) against a = (w0, w2) and its odd pair
 * v = (x1, x3) against b = (w1, w3). */
static inline uint32_t dwi_row4(uint32_t e, uint32_t v, uint32_t a, uint32_t b, uint32_t acc) {
  return mcusim_smlad(v, b, mcusim_smlad(e, a, acc));
}

/** dwi_row4 of the unsplit word x. */
static inline uint32_t dwi_word4(uint32_t x, uint32_t a, uint32_t b, uint32_t acc) {
  return dwi_row4(mcusim_sxtb16(x), mcusim_sxtb16_ror8(x), a, b, acc);
}

/** 3x3, one window from the words at p + w, p + 2 w and p (then p += step, 0 or 2): base + its sum. */
static inline uint32_t dwi_window3(const int8_t **p, int32_t step, int32_t w, uint32_t base, uint32_t a0, uint32_t b0,
                                   uint32_t a1, uint32_t b1, uint32_t a2, uint32_t b2) {
  uint32_t e, v, s;
  v = dwi_lds(*p, w, &e);
  s = dwi_row4(e, v, a1, b1, base);
  v = dwi_lds2(*p, w, &e);
  s = dwi_row4(e, v, a2, b2, s);
  v = dwi_lds_next(p, step, &e);
  return dwi_row4(e, v, a0, b0, s);
}

/* 3x3, stride 1: two outputs (base + window sums) from the word at p of each of the rows p, p + w, p + 2 w, stored at
 * *acc; then p += step (2, or 0). A row's word x0..x3 splits into even (x0, x2) and odd (x1, x3) int16 pairs;
 * out0 = even.(w0, w2) + odd.(w1, 0), out1 = odd.(w0, w2) + even.(w1, 0) crossed (SMLADX: x2 w1).
 * a_r = (w_r0, w_r2), b_r = (w_r1, 0). */
static inline void dwi_pair3x3(const int8_t **p, int32_t step, uint32_t **acc, int32_t w, uint32_t base, uint32_t a0,
                               uint32_t b0, uint32_t a1, uint32_t b1, uint32_t a2, uint32_t b2) {
  uint32_t v, e, s0, s1;
  v = dwi_lds(*p, w, &e);
  s0 = mcusim_smlad(v, b1, mcusim_smlad(e, a1, base));
  s1 = mcusim_smladx(e, b1, mcusim_smlad(v, a1, base));
  v = dwi_lds2(*p, w, &e);
  s0 = mcusim_smlad(v, b2, mcusim_smlad(e, a2, s0));
  s1 = mcusim_smladx(e, b2, mcusim_smlad(v, a2, s1));
  v = dwi_lds_next(p, step, &e);
  s0 = mcusim_smlad(v, b0, mcusim_smlad(e, a0, s0));
  s1 = mcusim_smladx(e, b0, mcusim_smlad(v, a0, s1));
  dwi_st_next(acc, s0);
  dwi_st_next(acc, s1);
}

/** 3x3, stride 1, `rows` output rows of n windows from x (rows x, x + width, x + 2 width; the next output row's
 * windows jb->step bytes on): base + the window sums into jb->acc, four outputs per loop step. The loop body needs
 * 14 registers (six weight pairs, base, p, width, the sums' pointer, four temporaries); the end is reloaded. */
static DWI_NOINLINE void dwi_mac3x3_s1(dwi_job *jb, const int8_t *x, int32_t n, int32_t rows) {
  const uint32_t a0 = jb->wp[0], b0 = jb->wp[1], a1 = jb->wp[2], b1 = jb->wp[3], a2 = jb->wp[4], b2 = jb->wp[5];
  const uint32_t base = jb->k->base;
  const int32_t w = jb->width, step = jb->step;
  uint32_t *acc = jb->acc;
  int32_t xo = 0;
  for (;;) {
    const int8_t *p = x + xo;
    const int8_t *const end = p + (n & ~3);
    while (p != end) {
      dwi_pair3x3(&p, 2, &acc, w, base, a0, b0, a1, b1, a2, b2);
      dwi_pair3x3(&p, 2, &acc, w, base, a0, b0, a1, b1, a2, b2);
    }
    if (n & 2) {
      /* Not post-incremented: gcc copies p around a post-increment load here, and an add is cheaper. */
      dwi_pair3x3(&p, 0, &acc, w, base, a0, b0, a1, b1, a2, b2);
      p += 2;
    }
    if (n & 1) dwi_st_next(&acc, dwi_window3(&p, 0, w, base, a0, b0, a1, b1, a2, b2));
    if (--rows == 0) break;
    xo += step;
  }
}

/** 3x3, stride s (2 or more): one output per step, each row's three taps from one word; the windows of a row are
 * s bytes apart. */
static DWI_NOINLINE void dwi_mac3x3(dwi_job *jb, const int8_t *x, int32_t n, int32_t rows) {
  const uint32_t a0 = jb->wp[0], b0 = jb->wp[1], a1 = jb->wp[2], b1 = jb->wp[3], a2 = jb->wp[4], b2 = jb->wp[5];
  const uint32_t base = jb->k->base;
  const int32_t w = jb->width, step = jb->step, stride = jb->stride;
  uint32_t *acc = jb->acc;
  int32_t xo = 0;
  for (;;) {
    const int8_t *p = x + xo;
    const int8_t *const last = p + (n - 1) * stride; /* the row's last window */
    if (stride == 2) {
      const int8_t *const end = last + 2;
      do {
        dwi_st_next(&acc, dwi_window3(&p, 2, w, base, a0, b0, a1, b1, a2, b2));
      } while (p != end);
    } else {
      for (;;) {
        dwi_st_next(&acc, dwi_window3(&p, 0, w, base, a0, b0, a1, b1, a2, b2));
        if (p == last) break;
        p += stride;
      }
    }
    if (--rows == 0) break;
    xo += step;
  }
}

/** Any kernel up to RING_K x RING_K, a kernel row at a time: jb->acc += sum_t w_t row[j * stride + t], kernel row ky
 * of the batch's first output row at jb->rowp[ky], the next output row jb->step on. Four taps per word (even and odd
 * int16 pairs against (w0, w2), (w1, w3)); a fifth tap alone (width 5, against (w4, 0): the sign-extended byte's high
 * half meets a zero weight). Each output's loads go first (they pipeline), then its multiply-adds. */
static DWI_NOINLINE void dwi_mac_rows(dwi_job *jb, int32_t n, int32_t rows) {
  const int32_t kh = jb->kh, kw = jb->kw, step = jb->step, stride = jb->stride;
  int32_t ky, r, j;
  for (j = 0; j < n * rows; j++) jb->acc[j] = jb->k->base;
  for (ky = 0; ky < kh; ky++) {
    const uint32_t w0 = jb->wp[ky * ROW_WORDS], w1 = jb->wp[ky * ROW_WORDS + 1];
    const uint32_t w2 = jb->wp[ky * ROW_WORDS + 2], w3 = jb->wp[ky * ROW_WORDS + 3];
    uint32_t *acc = jb->acc;
    for (r = 0; r < rows; r++) {
      const int8_t *row = jb->rowp[ky] + r * step;
      uint32_t *const end = acc + n;
      int32_t i = 0;
      if (kw <= 4) {
        while (acc != end) {
          const uint32_t v = dwi_ld(row, i), a = dwi_ld_acc(acc);
          dwi_st_next(&acc, dwi_word4(v, w0, w1, a));
          i += stride;
        }
      } else if (kw == 5) {
        while (acc != end) {
          const uint32_t v = dwi_ld(row, i), x4 = (uint32_t)mcusim_dw_ldrsb(row + 4, i), a = dwi_ld_acc(acc);
          dwi_st_next(&acc, mcusim_smlad(x4, w2, dwi_word4(v, w0, w1, a)));
          i += stride;
        }
      } else {
        while (acc != end) {
          const uint32_t v = dwi_ld(row, i), u = dwi_ld(row + 4, i), a = dwi_ld_acc(acc);
          const uint32_t s = dwi_word4(v, w0, w1, a);
          dwi_st_next(&acc, dwi_word4(u, w2, w3, s));
          i += stride;
        }
      }
    }
  }
}
#else
/** Any kernel up to RING_K x RING_K: jb->acc = the window sums sum w * x (kernel row ky of the batch's first output
 * row at jb->rowp[ky], the next output row jb->step on). */
static DWI_NOINLINE void dwi_mac_rows(dwi_job *jb, int32_t n, int32_t rows) {
  const int32_t kh = jb->kh, kw = jb->kw, step = jb->step, stride = jb->stride;
  int32_t r, j, ky, kx;
  uint32_t *acc = jb->acc;
  for (r = 0; r < rows; r++) {
    for (j = 0; j < n; j++) {
      uint32_t s = jb->k->base;
      for (ky = 0; ky < kh; ky++) {
        const int8_t *x = jb->rowp[ky] + r * step + j * stride;
        for (kx = 0; kx < kw; kx++) s += (uint32_t)((int32_t)jb->wp[ky * kw + kx] * (int32_t)x[kx]);
      }
      *acc++ = s;
    }
  }
}
#endif

/** One batch: `rows` output rows of n outputs, the first window at x (3x3) or at jb->rowp (other kernels), the sums
 * requantised to out[0], out[channels], ... */
static DWI_NOINLINE void dwi_batch(dwi_job *jb, const int8_t *x, int8_t *out, int32_t n, int32_t rows) {
#ifdef MCUSIM_DSP
  if (jb->kh == 3 && jb->kw == 3 && jb->stride == 1) {
    dwi_mac3x3_s1(jb, x, n, rows);
  } else if (jb->kh == 3 && jb->kw == 3) {
    dwi_mac3x3(jb, x, n, rows);
  } else {
    dwi_mac_rows(jb, n, rows);
  }
#else
  (void)x;
  dwi_mac_rows(jb, n, rows);
#endif
  dwi_requant(jb, out, n * rows);
}

/** Copies `rows` rows of n pixels of g channels (src: the input at the first pixel's first channel; the next pixel
 * `step` bytes on, the next row src_row on) into g padded planes or rings dist bytes apart (dst: the first one's
 * first row; the next row dst_row bytes on), each byte also to + copy when copy is not 0. */
static DWI_NOINLINE void dwi_gather_g(int8_t *dst, int32_t dst_row, int32_t dist, int32_t copy, const int8_t *src,
                                      int32_t src_row, int32_t rows, int32_t n, int32_t step, int32_t g) {
  int32_t k;
#ifdef MCUSIM_DSP
  if (g == 4) {
    /* Four pixels' words (one byte per channel) transposed into four channels' words. */
    int32_t r, d = 0, so = 0;
    for (r = 0; r < rows; r++) {
      int8_t *t = dst + d;
      int32_t i = 0, o = so;
      for (; i + 4 <= n; i += 4) {
        const int8_t *p = src + o;
        const uint32_t w0 = dwi_ld0(p), w1 = dwi_ld(p, step), w2 = dwi_ld2(p, step), w3 = dwi_ld(p, 3 * step);
        const uint32_t x0 = mcusim_pkhbt(w0, w2), y0 = mcusim_pkhbt(w1, w3); /* c0p0 c1p0 c0p2 c1p2 and c0p1 c1p1 c0p3 c1p3 (bytes) */
        const uint32_t x1 = mcusim_pkhtb(w2, w0), y1 = mcusim_pkhtb(w3, w1); /* c2p0 c3p0 c2p2 c3p2, c2p1 c3p1 c2p3 c3p3 */
        const uint32_t v0 = mcusim_uxtb16(x0) | mcusim_uxtb16(y0) << 8, v1 = mcusim_uxtb16_ror8(x0) | mcusim_uxtb16_ror8(y0) << 8;
        const uint32_t v2 = mcusim_uxtb16(x1) | mcusim_uxtb16(y1) << 8, v3 = mcusim_uxtb16_ror8(x1) | mcusim_uxtb16_ror8(y1) << 8;
        memcpy(t + i, &v0, 4);
        memcpy(t + i + dist, &v1, 4);
        memcpy(t + i + 2 * dist, &v2, 4);
        memcpy(t + i + 3 * dist, &v3, 4);
        if (copy) {
          memcpy(t + i + copy, &v0, 4);
          memcpy(t + i + dist + copy, &v1, 4);
          memcpy(t + i + 2 * dist + copy, &v2, 4);
          memcpy(t + i + 3 * dist + copy, &v3, 4);
        }
        o += 4 * step;
      }
      for (; i < n; i++) {
        uint32_t v;
        memcpy(&v, src + o, 4);
        t[i] = (int8_t)(mcusim_wrap(v << 24) >> 24);
        t[i + dist] = (int8_t)(mcusim_wrap(v << 16) >> 24);
        t[i + 2 * dist] = (int8_t)(mcusim_wrap(v << 8) >> 24);
        t[i + 3 * dist] = (int8_t)(mcusim_wrap(v) >> 24);
        if (copy) {
          t[i + copy] = t[i];
          t[i + dist + copy] = t[i + dist];
          t[i + 2 * dist + copy] = t[i + 2 * dist];
          t[i + 3 * dist + copy] = t[i + 3 * dist];
        }
        o += step;
      }
      d += dst_row;
      so += src_row;
    }
    return;
  }
  if (g == 2) {
    /* Four pixels' halfwords (channels c, c + 1) into two channels' words. */
    int32_t r, d = 0, so = 0;
    for (r = 0; r < rows; r++) {
      int32_t i = 0, o = so;
      for (; i + 4 <= n; i += 4) {
        uint16_t h0, h1, h2, h3;
        uint32_t x0, y0, v, u;
        memcpy(&h0, src + o, 2);
        memcpy(&h1, src + o + step, 2);
        memcpy(&h2, src + o + 2 * step, 2);
        memcpy(&h3, src + o + 3 * step, 2);
        x0 = (uint32_t)h0 | (uint32_t)h2 << 16; /* c0p0 c1p0 c0p2 c1p2 */
        y0 = (uint32_t)h1 | (uint32_t)h3 << 16; /* c0p1 c1p1 c0p3 c1p3 */
        v = (x0 & 0x00ff00ffu) | (y0 & 0x00ff00ffu) << 8;
        u = (x0 >> 8 & 0x00ff00ffu) | (y0 & 0xff00ff00u);
        memcpy(dst + d + i, &v, 4);
        memcpy(dst + d + i + dist, &u, 4);
        if (copy) {
          memcpy(dst + d + i + copy, &v, 4);
          memcpy(dst + d + i + dist + copy, &u, 4);
        }
        o += 4 * step;
      }
      for (; i < n; i++) {
        dst[d + i] = src[o];
        dst[d + i + dist] = src[o + 1];
        if (copy) {
          dst[d + i + copy] = src[o];
          dst[d + i + dist + copy] = src[o + 1];
        }
        o += step;
      }
      d += dst_row;
      so += src_row;
    }
    return;
  }
#endif
  for (k = 0; k < g; k++) dwi_gather(dst + k * dist, dst_row, copy, src + k, src_row, rows, n, step);
}

/** Loads a channel's weights (f: its first tap of the cropped kernel; the next kernel row f_row bytes on, the next
 * tap `channels` on) into wp and its requantisation constants into k. */
#ifdef MCUSIM_DSP
static DWI_NOINLINE void dwi_load_channel(const dwi_job *jb, uint32_t *wp, dwi_channel *k, const int8_t *f, int32_t f_row,
                                          uint32_t bias, int32_t multiplier, int32_t shift, int32_t input_offset) {
#else
static DWI_NOINLINE void dwi_load_channel(const dwi_job *jb, int8_t *wp, dwi_channel *k, const int8_t *f, int32_t f_row,
                                          uint32_t bias, int32_t multiplier, int32_t shift, int32_t input_offset) {
#endif
  const int32_t kh = jb->kh, kw = jb->kw, channels = jb->channels;
  int32_t ky, kx, wsum = 0; /* at most 64 int8 weights */
#ifdef MCUSIM_DSP
  if (kh == 3 && kw == 3) {
    for (ky = 0; ky < 3; ky++) {
      const int32_t o = ky * f_row, w0 = f[o], w1 = f[o + channels], w2 = f[o + 2 * channels];
      wp[2 * ky] = mcusim_dw_pair(w0, w2);
      wp[2 * ky + 1] = (uint32_t)w1 & 0xffffu;
      wsum += w0 + w1 + w2;
    }
  } else {
    for (ky = 0; ky < kh; ky++) {
      int32_t w[8]; /* taps 0..7: one or two words' worth */
      for (kx = 0; kx < 8; kx++) w[kx] = 0;
      for (kx = 0; kx < kw; kx++) {
        w[kx] = f[ky * f_row + kx * channels];
        wsum += w[kx];
      }
      wp[ky * ROW_WORDS] = mcusim_dw_pair(w[0], w[2]);
      wp[ky * ROW_WORDS + 1] = mcusim_dw_pair(w[1], w[3]);
      wp[ky * ROW_WORDS + 2] = mcusim_dw_pair(w[4], w[6]);
      wp[ky * ROW_WORDS + 3] = mcusim_dw_pair(w[5], w[7]);
    }
  }
#else
  for (ky = 0; ky < kh; ky++) {
    for (kx = 0; kx < kw; kx++) {
      wp[ky * kw + kx] = f[ky * f_row + kx * channels];
      wsum += wp[ky * kw + kx];
    }
  }
#endif
  k->base = bias + (uint32_t)input_offset * (uint32_t)wsum;
  mcusim_dw_requant_init(&k->r, multiplier, shift, jb->output_offset);
}

/** The batches of one channel whose window rows are consecutive from `window` (whole plane, or a doubled ring's
 * batch); out: the output at the batch's first output. */
static inline void dwi_run(dwi_job *jb, const int8_t *window, int8_t *out, int32_t rows) {
  const int32_t out_w = jb->out_w, chunk = jb->chunk;
  int32_t ox0, ky;
  for (ox0 = 0; ox0 < out_w; ox0 += chunk) {
    const int32_t n = out_w - ox0 < chunk ? out_w - ox0 : chunk;
    const int8_t *x = window + ox0 * jb->stride;
#ifdef MCUSIM_DSP
    if (jb->kh != 3 || jb->kw != 3) /* 3x3 kernels take x itself */
#endif
    {
      for (ky = 0; ky < jb->kh; ky++) jb->rowp[ky] = x + ky * jb->width;
    }
    dwi_batch(jb, x, out + ox0 * jb->channels, n, rows);
  }
}

/** Whole planes: channels [c, c + g) from their padded planes (the caller copied them), one after the other. */
static DWI_NOINLINE void dwi_whole(dwi_job *jb, const int8_t *filter, int32_t f_row, const int32_t *bias,
                                   const int32_t *multipliers, const int32_t *shifts, int32_t input_offset, int8_t *output,
                                   int32_t c, int32_t g, int32_t plane) {
  int32_t k, oy;
  jb->wp = jb->wrows;
  jb->k = &jb->k1;
  for (k = 0; k < g; k++) {
    const int8_t *first = (int8_t *)jb->u.plane + k * plane + (jb->top + jb->iy0) * jb->width + jb->col0;
    dwi_load_channel(jb, jb->wrows, &jb->k1, filter + c + k, f_row, (uint32_t)bias[c + k], multipliers[c + k],
                     shifts[c + k], input_offset);
    for (oy = 0; oy < jb->out_h; oy += jb->batch) {
      const int32_t rows = jb->out_h - oy < jb->batch ? jb->out_h - oy : jb->batch;
      dwi_run(jb, first + oy * jb->step, output + oy * jb->out_w * jb->channels + c + k, rows);
    }
  }
}

/** Ring: channels [c, c + g) row batch by row batch; each channel's ring jb->group bytes after the previous one's.
 * Rows are copied in order as the batches need them (padding rows filled with pad), row `next` (an input row index)
 * into slot `slot` (and slot + slots when rows are stored twice). */
static DWI_NOINLINE void dwi_ring(dwi_job *jb, const int8_t *input, int8_t *output, int32_t c, int32_t g) {
  const int32_t width = jb->width, in_w = jb->in_w, in_h = jb->in_h, channels = jb->channels, slots = jb->slots;
  const int32_t kh = jb->kh, group = jb->group, copy = jb->copy;
  int32_t oy, k, iy0 = jb->iy0, next = jb->iy0, slot = 0;
  for (oy = 0; oy < jb->out_h; oy += jb->batch) {
    const int32_t rows = jb->out_h - oy < jb->batch ? jb->out_h - oy : jb->batch;
    const int32_t span = (rows - 1) * jb->stride_h + kh; /* rows the batch's windows read, <= slots */
    int32_t first;
    for (; next < iy0; next++) slot = slot + 1 == slots ? 0 : slot + 1; /* rows no window reads */
    while (next < iy0 + span) {
      /* Consecutive input rows up to the ring's end in one copy. */
      int8_t *d = jb->buf + slot * width + jb->lead;
      int32_t n = iy0 + span - next;
      if (n > slots - slot) n = slots - slot;
      if (next < 0 || next >= in_h) {
        n = 1;
        for (k = 0; k < g; k++) {
          memset(d + k * group, (int)jb->pad, (size_t)in_w);
          if (copy) memset(d + k * group + copy, (int)jb->pad, (size_t)in_w);
        }
      } else {
        if (n > in_h - next) n = in_h - next;
        if (g == 1) {
          dwi_gather(d, width, copy, input + next * in_w * channels + c, in_w * channels, n, in_w, channels);
        } else {
          dwi_gather_g(d, width, group, copy, input + next * in_w * channels + c, in_w * channels, n, in_w, channels, g);
        }
      }
      next += n;
      slot += n;
      if (slot == slots) slot = 0;
    }
    first = slot - span; /* the slot of row iy0 */
    if (first < 0) first += slots;
    for (k = 0; k < g; k++) {
      const int8_t *ring = jb->buf + k * group;
      int8_t *out = output + oy * jb->out_w * channels + c + k;
      if (kh == 3 && jb->kw == 3) {
#ifdef MCUSIM_DSP
        jb->wp = jb->u.p3[k].wp;
        jb->k = &jb->u.p3[k].k;
#endif
      }
      if (copy) {
        dwi_run(jb, ring + first * width + jb->col0, out, rows);
      } else {
        /* Rows stored once (batches of one output row): each kernel row's own slot. */
        const int32_t n0 = jb->out_w < jb->chunk ? jb->out_w : jb->chunk;
        int32_t ox0, ky;
        for (ox0 = 0; ox0 < jb->out_w; ox0 += jb->chunk) {
          const int32_t n = jb->out_w - ox0 < n0 ? jb->out_w - ox0 : n0;
          for (ky = 0; ky < kh; ky++) {
            const int32_t s = first + ky < slots ? first + ky : first + ky - slots;
            jb->rowp[ky] = ring + s * width + jb->col0 + ox0 * jb->stride;
          }
          dwi_batch(jb, jb->rowp[0], out + ox0 * channels, n, 1);
        }
      }
    }
    iy0 += rows * jb->stride_h;
  }
}

/** Padded path; returns 0 (having done nothing) when the geometry is not one it serves. */
static DWI_INLINE int dwi_padded(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t channels, const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output, int32_t out_h, int32_t out_w,
    int32_t stride_h, int32_t stride_w, int32_t pad_top, int32_t pad_left,
    int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max, int8_t *scratch) {
  /* Kernel rows and columns some output reads inside the input: [ky_lo, ky_lo + kh) x [kx_lo, kx_lo + kw). The
   * others only ever read padding (w * (pad + input_offset) = 0) and are left out. */
  const int32_t ky_lo = pad_top - (out_h - 1) * stride_h > 0 ? pad_top - (out_h - 1) * stride_h : 0;
  const int32_t kx_lo = pad_left - (out_w - 1) * stride_w > 0 ? pad_left - (out_w - 1) * stride_w : 0;
  const int32_t kh = (in_h + pad_top < k_h ? in_h + pad_top : k_h) - ky_lo;
  const int32_t kw = (in_w + pad_left < k_w ? in_w + pad_left : k_w) - kx_lo;
  const int32_t pad = -input_offset;
  /* Padded rows: input column ix at left + ix, input row iy at padded row top + iy; output (oy, ox)'s window starts
   * at padded row top + iy0 + oy * stride_h (iy0 <= 0 when there is padding above), column ox * stride_w. */
  const int32_t left = pad_left - kx_lo > 0 ? pad_left - kx_lo : 0;
  const int32_t top = pad_top - ky_lo > 0 ? pad_top - ky_lo : 0;
  const int32_t right = (out_w - 1) * stride_w - pad_left + kx_lo + kw - in_w;
  const int32_t bottom = (out_h - 1) * stride_h - pad_top + ky_lo + kh - in_h;
  const int32_t width = left + in_w + (right > 0 ? right : 0);
  const int32_t plane = (top + in_h + (bottom > 0 ? bottom : 0)) * width;
  const int32_t room = in_h * in_w - SLACK;
  const int is3x3 = kh == 3 && kw == 3;
  int32_t batch = out_w <= ACC_N ? ACC_N / out_w : 1;
  int32_t oy, c, g, groups;
  dwi_job jb;
  if (kh < 1 || kw < 1 || kh > RING_K || kw > RING_K || pad < -128 || pad > 127) return 0;
  jb.width = width;
  jb.step = stride_h * width;
  jb.stride = stride_w;
  jb.kh = kh;
  jb.kw = kw;
  jb.channels = channels;
  jb.in_h = in_h;
  jb.in_w = in_w;
  jb.out_h = out_h;
  jb.out_w = out_w;
  jb.stride_h = stride_h;
  jb.iy0 = ky_lo - pad_top;
  jb.lead = left;
  jb.col0 = left - pad_left + kx_lo;
  jb.top = top;
  jb.pad = pad;
  jb.chunk = out_w < ACC_N ? out_w : ACC_N;
  jb.output_offset = output_offset;
  jb.act_min = act_min;
  jb.act_max = act_max;
  jb.wp = jb.wrows;
  jb.k = &jb.k1;

  if (plane + SLACK <= STACK_PLANE) {
    /* Whole planes on the stack, up to four channels' at a time (copied before any output of theirs is written). */
    groups = (STACK_PLANE - SLACK) / plane;
    if (groups > 4) groups = 4;
    jb.batch = batch;
    jb.buf = (int8_t *)jb.u.plane;
    memset(jb.buf, (int)pad, (size_t)(groups * plane + SLACK));
    for (c = 0; c < channels; c += g) {
      g = channels - c < groups ? channels - c : groups;
      dwi_gather_g(jb.buf + top * width + left, width, plane, 0, input + c, in_w * channels, in_h, in_w, channels, g);
      dwi_whole(&jb, filter + (ky_lo * k_w + kx_lo) * channels, k_w * channels, bias, multipliers, shifts, input_offset,
                output, c, g, plane);
    }
    return 1;
  }

  /* Ring in the scratch: slots = (batch - 1) * stride_h + kh padded rows per channel, stored twice (so that the rows
   * of a batch's windows are consecutive from any slot) for 3x3 kernels and whenever that fits, else once with
   * batches of one output row. 3x3 kernels run up to four channels' rings at a time. */
  groups = 1;
  jb.copy = 1;
  while (batch > 1 && 2 * ((batch - 1) * stride_h + kh) * width > room) batch--;
#ifdef MCUSIM_DSP
  if (is3x3) {
    /* More channels at a time make the copies cheaper, fewer outputs per batch the set-up dearer: the most
     * channels whose batches still hold as many outputs as one channel's would (at stride 1, where a batch copies
     * fewer input rows per output), or min(24, that) (at larger strides). */
    const int32_t want = stride_h == 1 || batch * out_w < 24 ? batch * out_w : 24;
    int32_t gs, b;
    for (gs = 4; gs > 1; gs /= 2) {
      for (b = batch; b > 1 && gs * 2 * ((b - 1) * stride_h + kh) * width > room; b--) {}
      if (gs <= channels && gs * 2 * ((b - 1) * stride_h + kh) * width <= room && b * out_w >= want) break;
    }
    if (gs > 1) {
      groups = gs;
      batch = b;
    }
  }
#endif
  if (groups * 2 * ((batch - 1) * stride_h + kh) * width > room) {
    if (is3x3 || kh * width > room) return 0;
    jb.copy = 0;
    batch = 1;
  }
  {
    /* Every input row must be copied before an output pixel of its channel overwrites it: at a batch's first
     * output row oy the rows first needed are copied, and outputs below oy * out_w have been written. */
    int32_t loaded = -1;
    for (oy = 0; oy < out_h; oy += batch) {
      const int32_t rows = out_h - oy < batch ? out_h - oy : batch;
      const int32_t iy0 = oy * stride_h - pad_top + ky_lo;
      const int32_t end = iy0 + (rows - 1) * stride_h + kh - 1;
      const int32_t last = end < in_h - 1 ? end : in_h - 1;
      const int32_t first = loaded + 1 > iy0 ? loaded + 1 : iy0 > 0 ? iy0 : 0;
      if (first <= last) {
        if (first * in_w < oy * out_w) return 0;
        loaded = last;
      }
    }
  }
  jb.batch = batch;
  jb.slots = (batch - 1) * stride_h + kh;
  jb.copy = jb.copy ? jb.slots * width : 0;
  jb.group = jb.copy ? 2 * jb.copy : jb.slots * width;
  jb.buf = scratch;
  memset(scratch, (int)pad, (size_t)(groups * jb.group + SLACK));
  for (c = 0; c < channels; c += g) {
    int32_t k;
    g = channels - c < groups ? channels - c : groups;
    for (k = 0; k < g; k++) {
#ifdef MCUSIM_DSP
      uint32_t *wp = is3x3 ? jb.u.p3[k].wp : jb.wrows;
      dwi_channel *kc = is3x3 ? &jb.u.p3[k].k : &jb.k1;
#else
      int8_t *wp = jb.wrows;
      dwi_channel *kc = &jb.k1;
#endif
      dwi_load_channel(&jb, wp, kc, filter + (ky_lo * k_w + kx_lo) * channels + c + k, k_w * channels, (uint32_t)bias[c + k],
                       multipliers[c + k], shifts[c + k], input_offset);
    }
    dwi_ring(&jb, input, output, c, g);
  }
  return 1;
}

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

/** Plane path (dilation, kernels larger than RING_K, geometry the padded path cannot serve): each channel gathered
 * whole into the scratch plane, then every output summed over its taps inside the plane. */
static DWI_NOINLINE void dwi_plane(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t channels, const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output, int32_t out_h, int32_t out_w,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max, int8_t *scratch) {
  int32_t c, oy, ox;
  for (c = 0; c < channels; c++) {
    const mcusim_requant_t q = mcusim_requant_init(multipliers[c], shifts[c]);
    dwi_gather(scratch, 0, 0, input + c, 0, 1, in_h * in_w, channels);
    for (oy = 0; oy < out_h; oy++) {
      const int32_t iy0 = oy * stride_h - pad_top;
      for (ox = 0; ox < out_w; ox++) {
        const int32_t ix0 = ox * stride_w - pad_left;
        const uint32_t acc = general_sum(scratch, in_h, in_w, filter, k_h, k_w, channels, c, iy0, ix0, dilation_h, dilation_w,
                                         input_offset, bias[c]);
        output[(oy * out_w + ox) * channels + c] = mcusim_requant_output(acc, &q, output_offset, act_min, act_max);
      }
    }
  }
}

void depthwise_conv2d_inplace(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t depth_multiplier, int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max,
    int8_t *scratch) {
  (void)out_c; (void)depth_multiplier;
  if (!(dilation_h == 1 && dilation_w == 1 &&
        dwi_padded(input, in_h, in_w, in_c, filter, k_h, k_w, bias, multipliers, shifts, output, out_h, out_w, stride_h, stride_w,
                 pad_top, pad_left, input_offset, output_offset, act_min, act_max, scratch))) {
    dwi_plane(input, in_h, in_w, in_c, filter, k_h, k_w, bias, multipliers, shifts, output, out_h, out_w, stride_h, stride_w,
              dilation_h, dilation_w, pad_top, pad_left, input_offset, output_offset, act_min, act_max, scratch);
  }
  /* The scratch is left zeroed, as the WebAssembly twin leaves it (its ring holds other bytes than this plane). */
  memset(scratch, 0, (size_t)(in_h * in_w));
}
