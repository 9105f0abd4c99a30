/* CONV_2D, 1x1 kernel, stride 1 (pointwise): every output pixel reads the same input pixel, so the convolution
 * is a GEMM over pixels x output channels x input channels. Its bytes equal conv2d's and the SIMD WebAssembly
 * twin's (asm/conv2d_1x1.ts).
 *
 * sum_c w[o][c] * (x[p][c] + input_offset) = sum_c w[o][c] * x[p][c] + input_offset * sum_c w[o][c], exactly, in
 * the int32 arithmetic modulo 2^32 both twins compute in; so the offset term (with the bias) is computed once per
 * output channel and per call, and the inner loop is a plain int8 dot product. Output blocking: 2 output channels
 * x 2 pixels share their loads (4 accumulators); an odd last pixel or channel goes 1 x 2 / 2 x 1.
 *
 * With the DSP extension (MCUSIM_DSP) the dot product takes 4 channels per step: SXTB16 splits a word of each
 * operand into its even and odd bytes as int16 pairs (the same permutation for both, so the pairs match) and SMLAD
 * multiplies and adds a pair. Where requant_fast (below) applies to both channels of a pair and in_c is a multiple
 * of 4, pairs_asm runs every pixel pair of the channel pair as one inline-assembly loop: 13 registers (so it also
 * builds with a frame pointer), 16 channels per inner iteration entered part-way, then requant_fast and the stores
 * of the 4 bytes, with no C in between; an odd last pixel is paired with the one before it (its bytes are written
 * twice, the same). The assembly is built when optimising with GCC (not clang, not big-endian, not for PIC, not
 * with MCUSIM_NO_ASM); other DSP builds and the other cases take the C loops below, which use the same SXTB16 /
 * SMLAD helpers and requant_fast or mcusim_requant (both give mcusim_mbqm's bits). */
#include "conv2d_1x1.h"
#include "requantize.h"
#include "dot.h"

#ifdef MCUSIM_DSP

/* requant_fast: mcusim_requant_qfast (requantize.h: QADD, SMMULR, SSAT) for a channel with mcusim_qfast_ok, when the
 * call allows it (|output_offset| <= 256, act_min / act_max inside int8). */
typedef struct {
  mcusim_requant_t q;
  int32_t multiplier;
  int32_t e1;   /* right shift - 1 */
  int32_t fast; /* requant_fast applies */
} chan_t;

static chan_t chan_init(int32_t multiplier, int32_t shift, int32_t fast_call) {
  chan_t c;
  c.q = mcusim_requant_init(multiplier, shift);
  c.multiplier = multiplier;
  c.fast = fast_call && mcusim_qfast_ok(multiplier, shift);
  c.e1 = c.fast ? -shift - 1 : 0;
  return c;
}

/** One output byte of a wrapped sum: requant_fast or mcusim_requant, then offset and clamped. */
static inline int8_t finish(uint32_t acc, const chan_t *c, int32_t k, int32_t output_offset, int32_t act_min, int32_t act_max) {
  if (c->fast) return (int8_t)mcusim_clamp(mcusim_requant_qfast(acc, c->multiplier, c->e1, k), act_min, act_max);
  return mcusim_requant_output(acc, &c->q, output_offset, act_min, act_max);
}

#else

typedef struct {
  mcusim_requant_t q;
} chan_t;

static chan_t chan_init(int32_t multiplier, int32_t shift, int32_t fast_call) {
  chan_t c;
  (void)fast_call;
  c.q = mcusim_requant_init(multiplier, shift);
  return c;
}

static inline int8_t finish(uint32_t acc, const chan_t *c, int32_t k, int32_t output_offset, int32_t act_min, int32_t act_max) {
  (void)k;
  return mcusim_requant_output(acc, &c->q, output_offset, act_min, act_max);
}

#endif

/** sum_c w0[c] and sum_c w1[c] over n values (two weight rows), modulo 2^32. */
static void weight_sums(const int8_t *w0, const int8_t *w1, int32_t n, uint32_t sum[2]) {
  uint32_t s0 = 0, s1 = 0;
  int32_t c = 0;
#ifdef MCUSIM_DSP
  /* Flipping each byte's top bit gives w + 128 as an unsigned byte; USADA8 adds four of them. */
  for (; c + 8 <= n; c += 8) {
    const uint32_t a = mcusim_load4(w0 + c), b = mcusim_load4(w0 + c + 4);
    const uint32_t d = mcusim_load4(w1 + c), e = mcusim_load4(w1 + c + 4);
    s0 = mcusim_byte_sum(a ^ 0x80808080u, s0);
    s1 = mcusim_byte_sum(d ^ 0x80808080u, s1);
    s0 = mcusim_byte_sum(b ^ 0x80808080u, s0);
    s1 = mcusim_byte_sum(e ^ 0x80808080u, s1);
  }
  for (; c + 4 <= n; c += 4) {
    s0 = mcusim_byte_sum(mcusim_load4(w0 + c) ^ 0x80808080u, s0);
    s1 = mcusim_byte_sum(mcusim_load4(w1 + c) ^ 0x80808080u, s1);
  }
  s0 -= 128u * (uint32_t)c;
  s1 -= 128u * (uint32_t)c;
#endif
  for (; c < n; c++) {
    const int32_t v0 = w0[c], v1 = w1[c];
    s0 += (uint32_t)v0;
    s1 += (uint32_t)v1;
  }
  sum[0] = s0;
  sum[1] = s1;
}

/** acc[i][j] += dot(x_i, w_j) over n int8 values, for pixels x0, x1 = x0 + s and weight rows w0, w1 = w0 + s. */
static void dot_2x2(const int8_t *x0, const int8_t *w0, int32_t s, int32_t n, uint32_t acc[4]) {
  uint32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
  int32_t c = 0;
#ifdef MCUSIM_DSP
  for (; c + 4 <= n; c += 4) {
    const uint32_t xa = mcusim_load4(x0 + c), xb = mcusim_load4(x0 + s + c);
    const uint32_t wa = mcusim_load4(w0 + c), wb = mcusim_load4(w0 + s + c);
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
    const int32_t xa = x0[c], xb = x0[s + c], wa = w0[c], wb = w0[s + c];
    a00 += (uint32_t)(xa * wa); a01 += (uint32_t)(xa * wb);
    a10 += (uint32_t)(xb * wa); a11 += (uint32_t)(xb * wb);
  }
  acc[0] = a00; acc[1] = a01; acc[2] = a10; acc[3] = a11;
}

/** acc[j] += dot(x, w_j) over n int8 values, for one pixel and weight rows w0, w1 = w0 + s. */
static void dot_1x2(const int8_t *x, const int8_t *w0, int32_t s, int32_t n, uint32_t acc[2]) {
  const int8_t *w1 = w0 + s;
  uint32_t a0 = acc[0], a1 = acc[1];
  int32_t c = 0;
#ifdef MCUSIM_DSP
  for (; c + 4 <= n; c += 4) {
    const uint32_t xv = mcusim_load4(x + c), wa = mcusim_load4(w0 + c), wb = mcusim_load4(w1 + c);
    const uint32_t x_even = mcusim_sxtb16(xv), x_odd = mcusim_sxtb16_ror8(xv);
    a0 = mcusim_smlad(x_even, mcusim_sxtb16(wa), a0);
    a1 = mcusim_smlad(x_even, mcusim_sxtb16(wb), a1);
    a0 = mcusim_smlad(x_odd, mcusim_sxtb16_ror8(wa), a0);
    a1 = mcusim_smlad(x_odd, mcusim_sxtb16_ror8(wb), a1);
  }
#endif
  for (; c < n; c++) {
    const int32_t xv = x[c];
    a0 += (uint32_t)(xv * (int32_t)w0[c]);
    a1 += (uint32_t)(xv * (int32_t)w1[c]);
  }
  acc[0] = a0; acc[1] = a1;
}

#if defined(MCUSIM_DSP) && defined(__OPTIMIZE__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__ARM_BIG_ENDIAN) && !defined(__PIC__) && !defined(MCUSIM_NO_ASM)
#define C1_ASM_LOOP 1
/* One 4-channel step of the 2 x 2 block: x / w point at pixel a / channel a, pixel b and channel b are s bytes
 * further; both pointers advance by 4. t0..t3: the four words (loads first, pipelined); t4, t5: even pairs (9
 * SXTB16: with two spare registers one even pair is extended twice); the raw words become the odd pairs in place;
 * 8 SMLAD. */
#define C1_LOADS \
  "ldr.w %[t0], [%[x], %[s]]\n\t" \
  "ldr.w %[t1], [%[x]], #4\n\t" \
  "ldr.w %[t2], [%[w], %[s]]\n\t" \
  "ldr.w %[t3], [%[w]], #4\n\t"
#define C1_MACS \
  "sxtb16 %[t4], %[t1]\n\t" \
  "sxtb16 %[t5], %[t3]\n\t" \
  "smlad %[a00], %[t4], %[t5], %[a00]\n\t" \
  "sxtb16 %[t5], %[t2]\n\t" \
  "smlad %[a01], %[t4], %[t5], %[a01]\n\t" \
  "sxtb16 %[t4], %[t0]\n\t" \
  "smlad %[a11], %[t4], %[t5], %[a11]\n\t" \
  "sxtb16 %[t5], %[t3]\n\t" \
  "smlad %[a10], %[t4], %[t5], %[a10]\n\t" \
  "sxtb16 %[t1], %[t1], ror #8\n\t" \
  "sxtb16 %[t3], %[t3], ror #8\n\t" \
  "sxtb16 %[t0], %[t0], ror #8\n\t" \
  "sxtb16 %[t2], %[t2], ror #8\n\t" \
  "smlad %[a00], %[t1], %[t3], %[a00]\n\t" \
  "smlad %[a10], %[t0], %[t3], %[a10]\n\t" \
  "smlad %[a01], %[t1], %[t2], %[a01]\n\t" \
  "smlad %[a11], %[t0], %[t2], %[a11]\n\t"

/* pairs_asm's parameter block: word indices (the assembly addresses word i at byte offset 4 i). */
#define Q_W0 0
#define Q_IN_C 1
#define Q_ENTRY 2
#define Q_BASE0 3
#define Q_BASE1 4
#define Q_M0 5
#define Q_E0 6
#define Q_M1 7
#define Q_E1 8
#define Q_K 9
#define Q_OUT 10
#define Q_OUT_C 11
#define Q_CLAMP 12
#define Q_X_END 13
#define Q_LO 14
#define Q_HI 15
#define Q_WORDS 16
#define C1_STR2(x) #x
#define C1_STR(x) C1_STR2(x)
#define C1_OFF(i) "#4*" C1_STR(i)

/**
 * Output channels o, o + 1 (both with requant_fast) for every pixel pair, as one inline-assembly loop: per pair the
 * accumulators start at the offset terms, the dot product runs 16 channels per iteration entered part-way (TBB) when
 * in_c / 4 is not a multiple of 4, then requant_fast, act_min / act_max (when they clamp inside int8) and the stores.
 * Needs in_c >= 4, a multiple of 4. The block q (Q_*) holds every constant; the loop keeps it and w0 + in_c pushed.
 */
__attribute__((noinline)) static void pairs_asm(const int8_t *x, uint32_t *q) {
  const void *w = q;
  uint32_t s = q[Q_W0] + q[Q_IN_C]; /* pushed: the inner loop's end */
  uint32_t a00, a01, a10, a11, t0, t1, t2, t3, t4, t5;
  __asm__ volatile(
      "str %[s], [sp, #-4]!\n\t"
      "str %[w], [sp, #-4]!\n\t"
      "2:\n\t"
      "ldr %[t5], [sp]\n\t"
      "ldr %[w], [%[t5], " C1_OFF(Q_W0) "]\n\t"
      "ldr %[s], [%[t5], " C1_OFF(Q_IN_C) "]\n\t"
      "ldr %[a00], [%[t5], " C1_OFF(Q_BASE0) "]\n\t"
      "ldr %[a01], [%[t5], " C1_OFF(Q_BASE1) "]\n\t"
      "ldr %[t4], [%[t5], " C1_OFF(Q_ENTRY) "]\n\t"
      "mov %[a10], %[a00]\n\t"
      "mov %[a11], %[a01]\n\t"
      "tbb [pc, %[t4]]\n\t"
      "1:\n\t"
      ".byte (10f-1b)/2, (11f-1b)/2, (12f-1b)/2, (13f-1b)/2\n\t"
      "10:\n\t" C1_LOADS C1_MACS
      "11:\n\t" C1_LOADS C1_MACS
      "12:\n\t" C1_LOADS C1_MACS
      "13:\n\t" C1_LOADS
      "ldr %[t4], [sp, #4]\n\t"
      "cmp %[w], %[t4]\n\t"
      C1_MACS
      "bne 10b\n\t"
      /* requant_fast of the four sums */
      "ldr %[w], [sp]\n\t"
      "ldr %[t0], [%[w], " C1_OFF(Q_M0) "]\n\t"
      "ldr %[t1], [%[w], " C1_OFF(Q_E0) "]\n\t"
      "ldr %[t2], [%[w], " C1_OFF(Q_M1) "]\n\t"
      "ldr %[t3], [%[w], " C1_OFF(Q_E1) "]\n\t"
      "ldr %[t4], [%[w], " C1_OFF(Q_K) "]\n\t"
      "qadd %[a00], %[a00], %[a00]\n\t"
      "qadd %[a10], %[a10], %[a10]\n\t"
      "qadd %[a01], %[a01], %[a01]\n\t"
      "qadd %[a11], %[a11], %[a11]\n\t"
      "smmulr %[a00], %[a00], %[t0]\n\t"
      "smmulr %[a10], %[a10], %[t0]\n\t"
      "smmulr %[a01], %[a01], %[t2]\n\t"
      "smmulr %[a11], %[a11], %[t2]\n\t"
      "add %[a00], %[a00], %[a00], asr #31\n\t"
      "add %[a10], %[a10], %[a10], asr #31\n\t"
      "add %[a01], %[a01], %[a01], asr #31\n\t"
      "add %[a11], %[a11], %[a11], asr #31\n\t"
      "asr %[a00], %[a00], %[t1]\n\t"
      "asr %[a10], %[a10], %[t1]\n\t"
      "asr %[a01], %[a01], %[t3]\n\t"
      "asr %[a11], %[a11], %[t3]\n\t"
      "add %[a00], %[a00], %[t4]\n\t"
      "add %[a10], %[a10], %[t4]\n\t"
      "add %[a01], %[a01], %[t4]\n\t"
      "add %[a11], %[a11], %[t4]\n\t"
      "ssat %[a00], #8, %[a00], asr #1\n\t"
      "ssat %[a10], #8, %[a10], asr #1\n\t"
      "ssat %[a01], #8, %[a01], asr #1\n\t"
      "ssat %[a11], #8, %[a11], asr #1\n\t"
      /* stores: pixel a at out, pixel b at out + out_c */
      "ldr %[t0], [%[w], " C1_OFF(Q_OUT) "]\n\t"
      "ldr %[t1], [%[w], " C1_OFF(Q_OUT_C) "]\n\t"
      "ldr %[t2], [%[w], " C1_OFF(Q_CLAMP) "]\n\t"
      "add %[t3], %[t0], %[t1]\n\t"
      "cmp %[t2], #0\n\t"
      "bne 3f\n\t"
      "strb %[a00], [%[t0]]\n\t"
      "strb %[a01], [%[t0], #1]\n\t"
      "strb %[a10], [%[t3]]\n\t"
      "strb %[a11], [%[t3], #1]\n\t"
      "4:\n\t"
      "add %[t0], %[t3], %[t1]\n\t"
      "str %[t0], [%[w], " C1_OFF(Q_OUT) "]\n\t"
      "ldr %[t0], [%[w], " C1_OFF(Q_X_END) "]\n\t"
      "add %[x], %[x], %[s]\n\t"
      "cmp %[x], %[t0]\n\t"
      "bne 2b\n\t"
      "b 5f\n\t"
      /* act_min / act_max inside int8: pack each pixel's two bytes, clamp the four lanes (SSUB8 + SEL) */
      "3:\n\t"
      "bfi %[a00], %[a01], #8, #8\n\t"
      "bfi %[a00], %[a10], #16, #8\n\t"
      "bfi %[a00], %[a11], #24, #8\n\t"
      "ldr %[t4], [%[w], " C1_OFF(Q_LO) "]\n\t"
      "ldr %[t5], [%[w], " C1_OFF(Q_HI) "]\n\t"
      "ssub8 %[t2], %[a00], %[t4]\n\t"
      "sel %[a00], %[a00], %[t4]\n\t"
      "ssub8 %[t2], %[a00], %[t5]\n\t"
      "sel %[a00], %[t5], %[a00]\n\t"
      "strh %[a00], [%[t0]]\n\t"
      "lsr %[a00], %[a00], #16\n\t"
      "strh %[a00], [%[t3]]\n\t"
      "b 4b\n\t"
      "5:\n\t"
      "add sp, sp, #8\n\t"
      : [x] "+r"(x), [w] "+r"(w), [s] "+r"(s),
        [a00] "=&r"(a00), [a01] "=&r"(a01), [a10] "=&r"(a10), [a11] "=&r"(a11),
        [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5)
      :
      : "cc", "memory");
}
#endif

void conv2d_1x1(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t in_c,
    const int8_t *filter, int32_t k_h, int32_t k_w,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output, int32_t out_h, int32_t out_w, int32_t out_c,
    int32_t stride_h, int32_t stride_w, int32_t dilation_h, int32_t dilation_w, int32_t pad_top, int32_t pad_left,
    int32_t input_offset, int32_t output_offset, int32_t act_min, int32_t act_max) {
  const int32_t pixels = out_h * out_w;
#ifdef MCUSIM_DSP
  /* requant_fast's conditions on the call (its output is saturated to int8 before act_min / act_max). */
  const int32_t fast_call = act_min >= -128 && act_min <= act_max && act_max <= 127 && output_offset >= -256 && output_offset <= 256;
  const int32_t k = fast_call ? 2 * output_offset + 1 : 0;
#else
  const int32_t fast_call = 0, k = 0;
#endif
  int32_t o, p;
  (void)in_h; (void)in_w; (void)k_h; (void)k_w; (void)stride_h; (void)stride_w;
  (void)dilation_h; (void)dilation_w; (void)pad_top; (void)pad_left;
  for (o = 0; o + 2 <= out_c; o += 2) {
    const int8_t *w0 = filter + o * in_c;
    uint32_t sums[2], base0, base1;
    const chan_t c0 = chan_init(multipliers[o], shifts[o], fast_call);
    const chan_t c1 = chan_init(multipliers[o + 1], shifts[o + 1], fast_call);
    const int8_t *x = input;
    int8_t *out = output + o;
    /* bias + input_offset * sum(w), per channel: the whole offset term of every sum of these two channels. */
    weight_sums(w0, w0 + in_c, in_c, sums);
    base0 = (uint32_t)bias[o] + (uint32_t)input_offset * sums[0];
    base1 = (uint32_t)bias[o + 1] + (uint32_t)input_offset * sums[1];
#ifdef C1_ASM_LOOP
    if (c0.fast && c1.fast && pixels >= 2 && in_c >= 4 && (in_c & 3) == 0) {
      /* Every pixel pair in pairs_asm; an odd last pixel with the one before it (whose bytes it writes again). */
      const int32_t pairs = pixels & ~1;
      uint32_t q[Q_WORDS];
      q[Q_W0] = (uint32_t)(uintptr_t)w0;
      q[Q_IN_C] = (uint32_t)in_c;
      q[Q_ENTRY] = (uint32_t)(-(in_c >> 2) & 3);
      q[Q_BASE0] = base0;
      q[Q_BASE1] = base1;
      q[Q_M0] = (uint32_t)c0.multiplier;
      q[Q_E0] = (uint32_t)c0.e1;
      q[Q_M1] = (uint32_t)c1.multiplier;
      q[Q_E1] = (uint32_t)c1.e1;
      q[Q_K] = (uint32_t)k;
      q[Q_OUT] = (uint32_t)(uintptr_t)out;
      q[Q_OUT_C] = (uint32_t)out_c;
      q[Q_CLAMP] = (uint32_t)(act_min > -128 || act_max < 127);
      q[Q_X_END] = (uint32_t)(uintptr_t)(x + pairs * in_c);
      q[Q_LO] = (uint32_t)(uint8_t)act_min * 0x01010101u;
      q[Q_HI] = (uint32_t)(uint8_t)act_max * 0x01010101u;
      pairs_asm(x, q);
      if (pairs < pixels) {
        x += (pixels - 2) * in_c;
        q[Q_OUT] = (uint32_t)(uintptr_t)(out + (pixels - 2) * out_c);
        q[Q_X_END] = (uint32_t)(uintptr_t)(x + 2 * in_c);
        pairs_asm(x, q);
      }
      continue;
    }
#endif
    for (p = 0; p + 2 <= pixels; p += 2) {
      uint32_t acc[4];
      acc[0] = base0; acc[1] = base1; acc[2] = base0; acc[3] = base1;
      dot_2x2(x, w0, in_c, in_c, acc);
      out[0] = finish(acc[0], &c0, k, output_offset, act_min, act_max);
      out[1] = finish(acc[1], &c1, k, output_offset, act_min, act_max);
      out[out_c] = finish(acc[2], &c0, k, output_offset, act_min, act_max);
      out[out_c + 1] = finish(acc[3], &c1, k, output_offset, act_min, act_max);
      x += 2 * in_c;
      out += 2 * out_c;
    }
    if (p < pixels) {
      uint32_t acc[2];
      acc[0] = base0; acc[1] = base1;
      dot_1x2(x, w0, in_c, in_c, acc);
      out[0] = finish(acc[0], &c0, k, output_offset, act_min, act_max);
      out[1] = finish(acc[1], &c1, k, output_offset, act_min, act_max);
    }
  }
  if (o < out_c) {
    const int8_t *w = filter + o * in_c;
    const chan_t c0 = chan_init(multipliers[o], shifts[o], fast_call);
    uint32_t sums[2], base;
    weight_sums(w, w, in_c, sums);
    base = (uint32_t)bias[o] + (uint32_t)input_offset * sums[0];
    for (p = 0; p < pixels; p++) {
      output[p * out_c + o] = finish(mcusim_dot(input + p * in_c, w, in_c, base), &c0, k, output_offset, act_min, act_max);
    }
  }
}
