/* CONV_2D with narrow kernel rows (k_w * in_c <= 4) and dilation_w 1: per output pixel, the kernel rows inside the
 * input are [ky_lo, ky_hi) and the used taps of each row one contiguous run of (kx_hi - kx_lo) * in_c <= 4 bytes,
 * matched by a contiguous run of weights. Its bytes equal conv2d's and the SIMD WebAssembly twin's
 * (asm/conv2d_narrow.ts): int32 sums wrap, so their order cannot change a bit.
 *
 * Blocking: 2 output channels x 2 output pixels, the pixels one above the other (rows oy, oy + 1, same column, so
 * the same kernel columns). Their kernel rows inside may differ at the top and bottom: the rows both use go through
 * the pair loop, each pixel's extra rows alone. Channel pairs are the outer loop, so each channel's constants are set
 * up once per call. The input-offset term is hoisted: sum w * (x + input_offset) = sum w * x + input_offset * sum w,
 * exactly modulo 2^32, with sum w over each pixel's used taps (computed once per window shape and channel pair).
 * With the DSP extension and whole 4-byte kernel rows (k_w * in_c == 4, e.g. kws_ref_model's 10x4 kernel on one
 * channel), each kernel row is one word per pixel and channel: SXTB16 splits it into two int16 pairs, SMLAD
 * multiplies and adds a pair (an assembly loop, dot22_rows4). A column whose kernel row is cut by the padding reads
 * the 4 bytes of its input row that hold the run and shifts the weight word so that the run's weights line up and
 * the other lanes are zero. Other shapes take plain loops. Requantisation: mcusim_chan_requant (requantize.h), the one-multiply form
 * of mcusim_requant, and on the DSP path a byte-lane clamp of the 4 outputs. */
#include "conv2d_narrow.h"
#include "requantize.h"
#include "conv2d_rows.h"

#if defined(MCUSIM_DSP) && defined(__OPTIMIZE__)
/* A block's rows for dot22_rows4: rows kernel rows from x (pixel a; pixel b dx bytes on) and w (channel 0; channel 1
 * dw4 + 4 bytes on); the next row x_step input bytes and 4 weight bytes on. left is the loop's scratch. */
typedef struct {
  int32_t rows, x_step, dw4, left;
} rows4_t;

/* One row: words q (pixel b, [x + dx]), p (pixel a, [x]), u (channel 0, [w], w += 4), then DOT22_MACS
 * (conv2d_rows.h) with channel 1's word v. */
#define ROW4                                                                                                           \
  "ldr %[t0], [%[x], %[dx]]\n\t"                                                                                       \
  "ldr %[t1], [%[x]]\n\t"                                                                                              \
  "ldr %[t3], [%[w]], #4\n\t"                                                                                          \
  "ldr %[t4], %[x_step]\n\t"                                                                                           \
  "add %[x], %[x], %[t4]\n\t"                                                                                          \
  DOT22_MACS("%[dw4]", "")

/* Two rows per loop turn, an odd count entering the first turn half way; 13 registers (4 sums, 2 pointers, the pixel
 * distance, 6 temporaries), the rest read from r, a local of the caller (addressed from the stack pointer). */
#define ROWS4_ASM                                                                                                      \
  __asm__("ldr %[t0], %[rows]\n\t"                                                                                     \
          "add %[t1], %[t0], #1\n\t"                                                                                   \
          "lsr %[t1], %[t1], #1\n\t"                                                                                   \
          "str %[t1], %[left]\n\t"                                                                                     \
          "tst %[t0], #1\n\t"                                                                                          \
          "bne 3f\n"                                                                                                   \
          "1:\n\t" ROW4 "3:\n\t" ROW4                                                                    \
          "ldr %[t4], %[left]\n\t"                                                                                     \
          "subs %[t4], %[t4], #1\n\t"                                                                                  \
          "str %[t4], %[left]\n\t"                                                                                     \
          "bne 1b"                                                                                                     \
          : DOT22_OPERANDS, [left] "=m"(r->left)                                                                         \
          : [dx] "r"(dx), [rows] "m"(r->rows), [x_step] "m"(r->x_step), [dw4] "m"(r->dw4)                            \
          : "cc")

/** s += the raw dot products of pixels a (x), b (x + dx) with channels 0 (w), 1 over the rows r (r->rows > 0). */
MCUSIM_HOT void dot22_rows4(const int8_t *x, int32_t dx, const int8_t *w, rows4_t *r, acc22_t *s) {
  uint32_t a0 = s->a0, a1 = s->a1, b0 = s->b0, b1 = s->b1;
  uint32_t t0, t1, t2, t3, t4, t5;
  ROWS4_ASM;
  s->a0 = a0; s->a1 = a1; s->b0 = b0; s->b1 = b1;
}

/** *s0, *s1 += one pixel's raw dot products (x) with channels 0 (w), 1 (w + dw4 + 4) over rows rows (> 0), unshifted
 * weight words; 11 registers. */
MCUSIM_HOT void dot12_rows4(const int8_t *x, const int8_t *w, int32_t rows, int32_t x_step, int32_t dw4, uint32_t *s0, uint32_t *s1) {
  uint32_t a0 = *s0, a1 = *s1;
  uint32_t t1, t2, t3, t4;
  __asm__("1:\n\t"
          "ldr %[t1], [%[x]]\n\t"
          "ldr %[t3], [%[w]], #4\n\t"
          "add %[x], %[x], %[x_step]\n\t"
          "sxtb16 %[t4], %[t3]\n\t"
          "sxtb16 %[t3], %[t3], ror #8\n\t"
          "sxtb16 %[t2], %[t1]\n\t"
          "sxtb16 %[t1], %[t1], ror #8\n\t"
          "smlad %[a0], %[t2], %[t4], %[a0]\n\t"
          "smlad %[a0], %[t1], %[t3], %[a0]\n\t"
          "ldr %[t3], [%[w], %[dw4]]\n\t"
          "sxtb16 %[t4], %[t3]\n\t"
          "sxtb16 %[t3], %[t3], ror #8\n\t"
          "smlad %[a1], %[t2], %[t4], %[a1]\n\t"
          "smlad %[a1], %[t1], %[t3], %[a1]\n\t"
          "subs %[rows], %[rows], #1\n\t"
          "bne 1b"
          : [a0] "+r"(a0), [a1] "+r"(a1), [x] "+r"(x), [w] "+r"(w), [rows] "+r"(rows),
            [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4)
          : [x_step] "r"(x_step), [dw4] "r"(dw4)
          : "cc");
  *s0 = a0;
  *s1 = a1;
}
#endif

/* Per channel pair and output column: the column's run and the weight sums over it. */
#define PREFIX_ROWS 16 /* kernels up to this many rows keep per-row weight sums and line-up words per column */

typedef struct {
  int32_t kx_lo, n;        /* kernel columns [kx_lo, kx_lo + n / in_c) are inside the input; n > 0 */
  int32_t run;             /* the run's first byte within its input row */
  uint32_t sum0, sum1;     /* the sums of the run's weights over all kernel rows, per channel */
  int prefix;              /* k_h <= PREFIX_ROWS: pre0/1[ky] = the sums over kernel rows [0, ky) (|sum| < 2^15) */
  int16_t pre0[PREFIX_ROWS + 1], pre1[PREFIX_ROWS + 1];
#if defined(MCUSIM_DSP) && defined(__OPTIMIZE__)
  int words;               /* dot22_rows4 applies (whole 4-byte kernel rows, input rows of 4 bytes or more) */
  int32_t start;           /* first input byte (within the row) of the word holding the run */
  const int8_t *w;         /* the weight words the loops read: the filter's, or wbuf's */
  int32_t dw;              /* from channel 0's words to channel 1's */
  rows4_t r;               /* dot22_rows4's bookkeeping (rows set per block) */
  uint32_t wbuf[2 * PREFIX_ROWS]; /* a cut column's weight words, lined up (channel 0's rows, then channel 1's) */
#endif
} column_t;

/** The sums of both channels' weights in kernel rows [ky0, ky1) of the column's run. */
static void rows_sum(const geo_t *g, const pair_t *cp, const column_t *col, int32_t ky0, int32_t ky1, uint32_t *s0, uint32_t *s1) {
  int32_t ky, j;
  for (ky = ky0; ky < ky1; ky++) {
    const int8_t *w = cp->w + ky * g->w_row + col->kx_lo * g->in_c;
    for (j = 0; j < col->n; j++) { /* n <= 4 */
      const int32_t u = w[j], v = w[j + cp->dw];
      *s0 += (uint32_t)u;
      *s1 += (uint32_t)v;
    }
  }
}

/** The two channels' start for a pixel using kernel rows [ky_lo, ky_hi) (ky_hi > ky_lo) of the column: bias +
 * input_offset * (sum of the weights it uses); the column's sums less the rows outside. */
static inline void window_start(const geo_t *g, const pair_t *cp, const column_t *col, int32_t ky_lo, int32_t ky_hi,
                                uint32_t *start0, uint32_t *start1) {
  uint32_t in0 = 0, in1 = 0;
  if (col->prefix) {
    const int32_t v0 = col->pre0[ky_hi] - col->pre0[ky_lo], v1 = col->pre1[ky_hi] - col->pre1[ky_lo];
    in0 = (uint32_t)v0;
    in1 = (uint32_t)v1;
  } else {
    rows_sum(g, cp, col, ky_lo, ky_hi, &in0, &in1);
  }
  *start0 = (uint32_t)cp->bias0 + (uint32_t)g->input_offset * in0;
  *start1 = (uint32_t)cp->bias1 + (uint32_t)g->input_offset * in1;
}

/** The input row holding kernel row ky0 of a pixel whose kernel rows start at input row iy0. */
MCUSIM_HOT const int8_t *row_x(const geo_t *g, int32_t iy0, int32_t ky0) {
  return g->input + (iy0 + ky0 * g->dilation_h) * g->row_bytes;
}

/** Channel 0's weights of the column's run in kernel row ky0. */
MCUSIM_HOT const int8_t *run_w(const geo_t *g, const pair_t *cp, const column_t *col, int32_t ky0) {
  return cp->w + ky0 * g->w_row + col->kx_lo * g->in_c;
}

/** s += the raw dot products of pixels a (kernel rows from input row iy0), b (dx bytes on) with both channels over
 * kernel rows [ky0, ky1) (ky1 > ky0) of the column's run. */
MCUSIM_HOT void rows_dot(const geo_t *g, const pair_t *cp, column_t *col, int32_t iy0, int32_t ky0, int32_t ky1, int32_t dx,
                  acc22_t *s) {
  const int8_t *x = row_x(g, iy0, ky0), *w;
  int32_t rows = ky1 - ky0, k;
#if defined(MCUSIM_DSP) && defined(__OPTIMIZE__)
  if (col->words) {
    col->r.rows = rows;
    dot22_rows4(x + col->start, dx, col->w + ky0 * 4, &col->r, s);
    return;
  }
#endif
  w = run_w(g, cp, col, ky0);
  x += col->run;
  for (;;) {
    for (k = 0; k < col->n; k++) {
      const int32_t p = x[k], q = x[k + dx], u = w[k], v = w[k + cp->dw];
      s->a0 += (uint32_t)(p * u);
      s->a1 += (uint32_t)(p * v);
      s->b0 += (uint32_t)(q * u);
      s->b1 += (uint32_t)(q * v);
    }
    if (--rows == 0) break;
    x += g->x_step;
    w += g->w_row;
  }
}

/** *s0, *s1 += one pixel's raw dot products (kernel rows from input row iy0) with both channels over kernel rows
 * [ky0, ky1) (none when ky1 <= ky0) of the column's run. */
static void rows_single(const geo_t *g, const pair_t *cp, const column_t *col, int32_t iy0, int32_t ky0, int32_t ky1,
                        uint32_t *s0, uint32_t *s1) {
  const int8_t *x = row_x(g, iy0, ky0), *w;
  int32_t rows = ky1 - ky0, k;
  if (rows <= 0) return;
#if defined(MCUSIM_DSP) && defined(__OPTIMIZE__)
  if (col->words) {
    dot12_rows4(x + col->start, col->w + ky0 * 4, rows, g->x_step, col->dw - 4, s0, s1);
    return;
  }
#endif
  for (x += col->run, w = run_w(g, cp, col, ky0); rows > 0; rows--, x += g->x_step, w += g->w_row) {
    for (k = 0; k < col->n; k++) {
      const int32_t p = x[k];
      *s0 += (uint32_t)(p * (int32_t)w[k]);
      *s1 += (uint32_t)(p * (int32_t)w[k + cp->dw]);
    }
  }
}

/** Every output of one column and channel pair: rows in pairs (pixel b below pixel a). */
static void column(const geo_t *g, const pair_t *cp, column_t *col, int8_t *out, int32_t out_h, int32_t out_row) {
  const int32_t dx = g->stride_h * g->row_bytes;
  const int32_t span = g->stride_h + (g->k_h - 1) * g->dilation_h; /* a pair's input rows, less one */
  const uint32_t whole0 = (uint32_t)cp->bias0 + (uint32_t)g->input_offset * col->sum0;
  const uint32_t whole1 = (uint32_t)cp->bias1 + (uint32_t)g->input_offset * col->sum1;
  int32_t oy;
  for (oy = 0; oy < out_h; oy += 2) {
    const int pair = oy + 1 < out_h;
    const int32_t iy0 = oy * g->stride_h - g->pad_top;
    const int32_t iy1 = iy0 + g->stride_h;
    int32_t lo0, hi0, lo1 = 0, hi1 = 0;
    acc22_t s;
    if (pair && iy0 >= 0 && iy0 + span < g->in_h) {
      /* Both pixels use every kernel row. */
      s.a0 = s.b0 = whole0;
      s.a1 = s.b1 = whole1;
      rows_dot(g, cp, col, iy0, 0, g->k_h, dx, &s);
      store22(out + oy * out_row, out_row, &s, cp, g);
      continue;
    }
    rows_inside(g, iy0, &lo0, &hi0);
    if (pair) rows_inside(g, iy1, &lo1, &hi1);
    s.a0 = s.b0 = (uint32_t)cp->bias0;
    s.a1 = s.b1 = (uint32_t)cp->bias1;
    if (hi0 > lo0) window_start(g, cp, col, lo0, hi0, &s.a0, &s.a1);
    if (pair && hi1 > lo1) {
      if (lo1 == lo0 && hi1 == hi0) {
        s.b0 = s.a0;
        s.b1 = s.a1;
      } else {
        window_start(g, cp, col, lo1, hi1, &s.b0, &s.b1);
      }
    }
    if (pair) {
      /* The kernel rows both use, as a pair; then each pixel's other rows alone. */
      const int32_t c_lo = lo1 > lo0 ? lo1 : lo0;
      const int32_t c_hi = hi1 < hi0 ? hi1 : hi0;
      if (c_hi > c_lo) {
        rows_dot(g, cp, col, iy0, c_lo, c_hi, dx, &s);
        rows_single(g, cp, col, iy0, lo0, c_lo, &s.a0, &s.a1);
        rows_single(g, cp, col, iy0, c_hi, hi0, &s.a0, &s.a1);
        rows_single(g, cp, col, iy1, lo1, c_lo, &s.b0, &s.b1);
        rows_single(g, cp, col, iy1, c_hi, hi1, &s.b0, &s.b1);
      } else {
        rows_single(g, cp, col, iy0, lo0, hi0, &s.a0, &s.a1);
        rows_single(g, cp, col, iy1, lo1, hi1, &s.b0, &s.b1);
      }
    } else {
      rows_single(g, cp, col, iy0, lo0, hi0, &s.a0, &s.a1);
    }
    store22(out + oy * out_row, pair ? out_row : 0, &s, cp, g);
  }
}

void conv2d_narrow(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max) {
  const int32_t out_row = out_w * out_c;
  const int32_t w_chan = k_h * k_w * in_c; /* weight bytes per output channel */
  geo_t g;
  int32_t o, ox;
  (void)dilation_w;
  geo_init(&g, input, in_h, in_w, in_c, k_h, k_w, stride_h, stride_w, dilation_h, pad_top, pad_left, input_offset,
           output_offset, act_min, act_max);
  for (o = 0; o < out_c; o += 2) {
    pair_t cp;
    pair_init(&cp, filter, bias, multipliers, shifts, o, out_c, w_chan, output_offset);
    for (ox = 0; ox < out_w; ox++) {
      const int32_t ix0 = ox * stride_w - pad_left;
      const int32_t kx_lo = ix0 < 0 ? -ix0 : 0;
      const int32_t kx_hi = in_w - ix0 < k_w ? in_w - ix0 : k_w;
      int8_t *out = output + ox * out_c + o;
      column_t col;
      if (kx_hi <= kx_lo) {
        /* No tap inside: every output of the column is its bias, requantised. */
        int32_t oy;
        acc22_t s;
        s.a0 = s.b0 = (uint32_t)cp.bias0;
        s.a1 = s.b1 = (uint32_t)cp.bias1;
        for (oy = 0; oy < out_h; oy++) store22(out + oy * out_row, 0, &s, &cp, &g);
        continue;
      }
      col.kx_lo = kx_lo;
      col.n = (kx_hi - kx_lo) * in_c;
      col.run = (ix0 + kx_lo) * in_c;
      col.sum0 = 0;
      col.sum1 = 0;
      col.prefix = k_h <= PREFIX_ROWS;
      if (col.prefix) {
        int32_t ky;
        col.pre0[0] = 0;
        col.pre1[0] = 0;
        for (ky = 0; ky < k_h; ky++) {
          uint32_t r0 = 0, r1 = 0;
          rows_sum(&g, &cp, &col, ky, ky + 1, &r0, &r1);
          col.pre0[ky + 1] = (int16_t)(col.pre0[ky] + mcusim_wrap(r0));
          col.pre1[ky + 1] = (int16_t)(col.pre1[ky] + mcusim_wrap(r1));
        }
        col.sum0 = (uint32_t)(int32_t)col.pre0[k_h];
        col.sum1 = (uint32_t)(int32_t)col.pre1[k_h];
      } else {
        rows_sum(&g, &cp, &col, 0, k_h, &col.sum0, &col.sum1);
      }
#if defined(MCUSIM_DSP) && defined(__OPTIMIZE__)
      /* The 4 input bytes that hold the run: from the run's start, or the row's last 4 for a run cut on the right;
       * the whole weight row shifted so that the run's weights sit in the same lanes and the other lanes are zero
       * (cut on the left: right by the weights skipped; cut on the right: left by the run's lane). */
      col.words = g.w_row == 4 && g.row_bytes >= 4;
      col.start = col.run + 4 <= g.row_bytes ? col.run : g.row_bytes - 4;
      col.w = cp.w;
      col.dw = cp.dw;
      col.r.rows = 0;
      col.r.x_step = g.x_step;
      col.r.left = 0;
      if (col.words && col.n < 4) {
        /* A cut column: its weight words lined up once for the whole column (right by the weights skipped, left by
         * the run's lane), in wbuf; the loops then read plain words. Taller kernels take the plain loops. */
        const uint32_t sr = 8u * (uint32_t)(kx_lo * in_c), sl = 8u * (uint32_t)(col.run - col.start);
        int32_t ky;
        if (col.prefix) {
          for (ky = 0; ky < k_h; ky++) {
            col.wbuf[ky] = (mcusim_load4(cp.w + 4 * ky) >> sr) << sl;
            col.wbuf[k_h + ky] = (mcusim_load4(cp.w + cp.dw + 4 * ky) >> sr) << sl;
          }
          col.w = (const int8_t *)col.wbuf;
          col.dw = 4 * k_h;
        } else {
          col.words = 0;
        }
      }
      col.r.dw4 = col.dw - 4;
#endif
      column(&g, &cp, &col, out, out_h, out_row);
    }
  }
}
