/* TensorFlow Lite's fixed-point requantisation, shared by the C kernels (the twin of asm/requantize.ts).
 * Double rounding: SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT (TFLite's default
 * MultiplyByQuantizedMultiplier, not the single-rounding variant).
 *
 * The WebAssembly kernels compute in wrapping int32 arithmetic and take shift counts modulo 32. These helpers
 * give the same bits without undefined behaviour: sums and products that could overflow go through uint32_t
 * (mcusim_add, mcusim_mul, mcusim_shl) and come back with mcusim_wrap, which is a no-op on two's complement
 * targets. Right shifts of negative values are arithmetic, as TFLite (gemmlowp) assumes; C99 leaves that to the
 * implementation, and gcc and arm-none-eabi-gcc both shift arithmetically. */
#ifndef MCUSIM_REQUANTIZE_H
#define MCUSIM_REQUANTIZE_H

#include <stdint.h>
#include "dsp.h"

/** The int32 whose bits are x (what a cast does on gcc, written so that no compiler may do otherwise). */
static inline int32_t mcusim_wrap(uint32_t x) {
  return x <= 0x7fffffffu ? (int32_t)x : -(int32_t)(0xffffffffu - x) - 1;
}

/** a + b, wrapping like WebAssembly's i32.add. */
static inline int32_t mcusim_add(int32_t a, int32_t b) {
  return mcusim_wrap((uint32_t)a + (uint32_t)b);
}

/** a - b, wrapping like WebAssembly's i32.sub. */
static inline int32_t mcusim_sub(int32_t a, int32_t b) {
  return mcusim_wrap((uint32_t)a - (uint32_t)b);
}

/** a * b, wrapping like WebAssembly's i32.mul. */
static inline int32_t mcusim_mul(int32_t a, int32_t b) {
  return mcusim_wrap((uint32_t)a * (uint32_t)b);
}

/** x << (n mod 32), wrapping like WebAssembly's i32.shl (defined for negative x). */
static inline int32_t mcusim_shl(int32_t x, int32_t n) {
  return mcusim_wrap((uint32_t)x << ((uint32_t)n & 31u));
}

static inline int32_t mcusim_clamp(int32_t x, int32_t lo, int32_t hi) {
  return x < lo ? lo : x > hi ? hi : x;
}

/** gemmlowp SaturatingRoundingDoublingHighMul: (a * b * 2 + 2^31 rounding) >> 32, saturating INT32_MIN^2. */
static inline int32_t mcusim_srdhm(int32_t a, int32_t b) {
  int64_t ab;
  if (a == b && a == INT32_MIN) return INT32_MAX;
  ab = (int64_t)a * (int64_t)b;
  /* TFLite: (ab + nudge) / 2^31 truncated toward zero, nudge = 2^30 for ab >= 0 and 1 - 2^30 below. Both cases are
   * floor((ab + 2^30) / 2^31): for ab < 0, truncating the negative (ab + 1 - 2^30) / 2^31 is the floor of
   * (ab + 1 - 2^30 + 2^31 - 1) / 2^31. So one add and an arithmetic shift (|ab| < 2^62: no overflow). */
  return (int32_t)((ab + ((int64_t)1 << 30)) >> 31);
}

/** gemmlowp RoundingDivideByPOT: x / 2^exponent rounded half away from zero (exponent taken modulo 32). */
static inline int32_t mcusim_rdbpot(int32_t x, int32_t exponent) {
  const uint32_t e = (uint32_t)exponent & 31u;
  const int32_t mask = mcusim_wrap((1u << e) - 1u);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (remainder > threshold ? 1 : 0);
}

/** TFLite MultiplyByQuantizedMultiplier: x * multiplier * 2^shift with TFLite's double rounding. */
static inline int32_t mcusim_mbqm(int32_t x, int32_t multiplier, int32_t shift) {
  const int32_t left_shift = shift > 0 ? shift : 0;
  const int32_t right_shift = shift > 0 ? 0 : mcusim_wrap(0u - (uint32_t)shift); /* -INT32_MIN wraps, as in WebAssembly */
  return mcusim_rdbpot(mcusim_srdhm(mcusim_shl(x, left_shift), multiplier), right_shift);
}

/* The per-output form of mcusim_mbqm for the convolution kernels: everything that depends only on the channel's
 * multiplier and shift is computed once per channel (mcusim_requant_init), so each output pays for one 32x32->64
 * multiply, a rounding add, a shift and a compare. Same bits as mcusim_mbqm for every input. */
typedef struct {
  int32_t multiplier;
  uint32_t left_shift;  /* shift > 0 ? shift : 0, modulo 32 as WebAssembly's i32.shl takes it */
  uint32_t right_shift; /* shift > 0 ? 0 : -shift, modulo 32 */
  int32_t mask;         /* 2^right_shift - 1 */
  int32_t half;         /* mask >> 1: the rounding threshold of a non-negative value */
} mcusim_requant_t;

static inline mcusim_requant_t mcusim_requant_init(int32_t multiplier, int32_t shift) {
  mcusim_requant_t q;
  q.multiplier = multiplier;
  q.left_shift = shift > 0 ? (uint32_t)shift & 31u : 0u;
  q.right_shift = shift > 0 ? 0u : (0u - (uint32_t)shift) & 31u;
  q.mask = mcusim_wrap((1u << q.right_shift) - 1u);
  q.half = q.mask >> 1;
  return q;
}

/** mcusim_srdhm: floor((a * b + 2^30) / 2^31). That is never INT32_MIN except for INT32_MIN * INT32_MIN, whose true
 * value 2^31 wraps to INT32_MIN and saturates to INT32_MAX, so one compare replaces the operand test. */
static inline int32_t mcusim_srdhm_fast(int32_t a, int32_t b) {
  const int64_t ab = (int64_t)a * (int64_t)b;
  const uint32_t r = (uint32_t)((ab + ((int64_t)1 << 30)) >> 31);
  return r == 0x80000000u ? INT32_MAX : mcusim_wrap(r);
}

/** mcusim_mbqm(x, multiplier, shift) with q = mcusim_requant_init(multiplier, shift). */
static inline int32_t mcusim_requant(int32_t x, const mcusim_requant_t *q) {
  const int32_t r = mcusim_srdhm_fast(mcusim_wrap((uint32_t)x << q->left_shift), q->multiplier);
  const int32_t threshold = q->half + (int32_t)((uint32_t)r >> 31);
  return (r >> q->right_shift) + ((r & q->mask) > threshold ? 1 : 0);
}

/** One int8 output of a wrapped int32 sum: requantised, offset and clamped to [act_min, act_max]. */
static inline int8_t mcusim_requant_output(uint32_t acc, const mcusim_requant_t *q, int32_t output_offset, int32_t act_min, int32_t act_max) {
  return (int8_t)mcusim_clamp(mcusim_add(mcusim_requant(mcusim_wrap(acc), q), output_offset), act_min, act_max);
}

/* Fast requantisation, one place for each formulation the kernels use. Both give mcusim_requant's bits (proven by
 * tests/c/requantize.test.ts through test/requant_check.c, plain C on the host; the DSP forms on QEMU by the kernels'
 * tests) where their conditions hold; the kernels check the conditions once per channel or per call. */

/** x saturated to [-128, 127] (SSAT where the core has it). */
static inline int32_t mcusim_sat8(int32_t x) {
#ifdef MCUSIM_DSP
  return mcusim_ssat8(x);
#else
  return mcusim_clamp(x, -128, 127);
#endif
}

/** v clamped to [act_min, act_max] as an int8 (act_max wins should act_min exceed it). */
static inline int8_t mcusim_clamp8(int32_t v, int32_t act_min, int32_t act_max) {
  v = v < act_min ? act_min : v;
  v = v > act_max ? act_max : v;
  return (int8_t)v;
}

/* 1. One SMLAL onto K (mcusim_chan_t; conv2d_simd, conv2d_narrow, inverted_residual, mean). For a channel without
 * left shift (an effective scale below 1, the usual case), with P = a * multiplier for the wrapped sum a and r =
 * floor((P + 2^30) / 2^31) (SaturatingRoundingDoublingHighMul), mcusim_requant is RoundingDivideByPOT(r, e) =
 * floor((r + 2^(e-1) - [r < 0]) / 2^e) for a right shift e >= 1, and nesting the floors gives floor((P + 2^30 +
 * (2^(e-1) - [r < 0]) * 2^31) / 2^(31+e)). For a multiplier >= 0, [r < 0] may be taken as [a < 0] (they differ only
 * when r = 0, where both give 0) and the saturating case (INT32_MIN squared) cannot occur. Adding output_offset *
 * 2^(31+e) adds the output offset. So one SMLAL onto K = 2^30 + 2^(30+e) + output_offset * 2^(31+e) (less 2^31 for
 * a < 0) and an arithmetic shift of the high word by e - 1 give mcusim_add(mcusim_requant(a), output_offset)
 * exactly; |P + K| < 2^63 and the result fits int32 when |output_offset| < 2^(31-e). Other channels (a left shift,
 * e = 0, a negative multiplier) take mcusim_requant (mcusim_chan_slow). */
typedef struct {
  int32_t multiplier, shift; /* the channel's, for mcusim_requant_init when not fast */
  uint32_t k_lo, k_hi;       /* K, as two words */
  uint32_t e1;               /* right shift - 1 */
  int32_t fast;              /* mcusim_chan_requant applies */
} mcusim_chan_t;

static inline mcusim_chan_t mcusim_chan_init(int32_t multiplier, int32_t shift, int32_t output_offset) {
  const mcusim_requant_t q = mcusim_requant_init(multiplier, shift);
  mcusim_chan_t c;
  c.multiplier = multiplier;
  c.shift = shift;
  c.k_lo = 0u;
  c.k_hi = 0u;
  c.e1 = 0u;
  c.fast = 0;
  if (q.left_shift == 0u && q.right_shift >= 1u && multiplier >= 0) {
    const uint32_t e = q.right_shift;
    const int32_t bound = (int32_t)(1u << (31u - e));
    if (output_offset > -bound && output_offset < bound) {
      /* K's words: 2^30 (+ 2^31 for e = 1) low; 2^(e-2) (for e >= 2) + output_offset * 2^(e-1) high. */
      c.k_lo = e == 1u ? 0xc0000000u : 0x40000000u;
      c.k_hi = (e >= 2u ? 1u << (e - 2u) : 0u) + ((uint32_t)output_offset << (e - 1u));
      c.e1 = e - 1u;
      c.fast = 1;
    }
  }
  return c;
}

/** mcusim_add(mcusim_requant(acc), output_offset) for a channel with c->fast (the plain C form, on every target). */
static inline int32_t mcusim_chan_requant_c(uint32_t acc, const mcusim_chan_t *c) {
  const int32_t a = mcusim_wrap(acc);
  const uint32_t lo = c->k_lo + ((uint32_t)a & 0x80000000u); /* K - 2^31 for a < 0: add 0xffffffff80000000 */
  const uint32_t hi = c->k_hi + (uint32_t)(a >> 31) + (lo < c->k_lo ? 1u : 0u);
  const uint64_t t = (((uint64_t)hi << 32) | lo) + (uint64_t)((int64_t)a * (int64_t)c->multiplier);
  return mcusim_wrap((uint32_t)(t >> 32)) >> c->e1;
}

/** mcusim_add(mcusim_requant(acc), output_offset) for a channel with c->fast. */
static inline int32_t mcusim_chan_requant(uint32_t acc, const mcusim_chan_t *c) {
#ifdef MCUSIM_DSP
  /* The same four steps in one statement: compilers tend to turn the carry into conditional moves. */
  const int32_t a = mcusim_wrap(acc);
  uint32_t lo, hi;
  __asm__("and %[lo], %[a], #0x80000000\n\t"
          "adds %[lo], %[lo], %[k_lo]\n\t"
          "adc %[hi], %[k_hi], %[a], asr #31\n\t"
          "smlal %[lo], %[hi], %[a], %[m]"
          : [lo] "=&r"(lo), [hi] "=&r"(hi)
          : [a] "r"(a), [k_lo] "r"(c->k_lo), [k_hi] "r"(c->k_hi), [m] "r"(c->multiplier)
          : "cc");
  return mcusim_wrap(hi) >> c->e1;
#else
  return mcusim_chan_requant_c(acc, c);
#endif
}

/** The general form for a channel that is not fast: mcusim_requant_output (kept out of the kernels' loops). */
#if defined(__GNUC__)
__attribute__((noinline, unused)) static
#else
static inline
#endif
int8_t mcusim_chan_slow(uint32_t acc, const mcusim_chan_t *c, int32_t output_offset, int32_t act_min, int32_t act_max) {
  const mcusim_requant_t q = mcusim_requant_init(c->multiplier, c->shift);
  return mcusim_requant_output(acc, &q, output_offset, act_min, act_max);
}

/** The int8 output of a wrapped int32 sum acc for channel c, clamped to [act_min, act_max]. */
static inline int8_t mcusim_chan_output(uint32_t acc, const mcusim_chan_t *c, int32_t output_offset, int32_t act_min, int32_t act_max) {
  if (c->fast) return mcusim_clamp8(mcusim_chan_requant(acc, c), act_min, act_max);
  return mcusim_chan_slow(acc, c, output_offset, act_min, act_max);
}

/* 2. QADD, SMMULR, SSAT (conv2d_1x1, fully_connected; the same steps in their assembly loops):
 * mcusim_add(mcusim_requant(acc), output_offset) saturated to int8, for a channel with right shift e in [1, 20]
 * (shift in [-20, -1], so no left shift) and multiplier m = 0 or m >= 2^30 (every TFLite multiplier is; see
 * mcusim_qfast_ok), and |output_offset| <= 256 (checked per call); k = 2 output_offset + 1.
 *  - a2 = QADD(acc, acc). When |acc| < 2^30, a2 = 2 acc and SMMULR(a2, m) = floor((2 acc m + 2^31) / 2^32)
 *    = floor((acc m + 2^30) / 2^31) = SaturatingRoundingDoublingHighMul(acc, m) (never its saturating case).
 *  - RoundingDivideByPOT(r, e) = floor((r - [r < 0] + 2^(e-1)) / 2^e) = floor((t + 1) / 2) with
 *    t = (r - [r < 0]) >> (e - 1) (nested floors), so value + output_offset = (t + 2 output_offset + 1) >> 1, and
 *    SSAT #8 with ASR #1 gives it saturated to int8 (no overflow: |t| <= 2^30 + 1).
 *  - When |acc| >= 2^30 the true value has |acc m| >= 2^60, |r| >= 2^29 and |value| >= 2^(29-e) >= 512, so the
 *    output saturates; the saturated a2 gives |r| >= 2^29 - 1 with the same sign, and the same saturated byte. */

/** The channel conditions of mcusim_requant_qfast. */
static inline int32_t mcusim_qfast_ok(int32_t multiplier, int32_t shift) {
  return shift >= -20 && shift <= -1 && (multiplier == 0 || multiplier >= 0x40000000);
}

/** The int8 value (before act_min / act_max) of a wrapped sum; e1 = -shift - 1, k = 2 output_offset + 1. Plain C. */
static inline int32_t mcusim_requant_qfast_c(uint32_t acc, int32_t multiplier, int32_t e1, int32_t k) {
  const int64_t a2 = 2 * (int64_t)mcusim_wrap(acc);
  const int32_t d = a2 > INT32_MAX ? INT32_MAX : a2 < INT32_MIN ? INT32_MIN : (int32_t)a2;      /* QADD */
  const int32_t r = (int32_t)(((int64_t)d * (int64_t)multiplier + ((int64_t)1 << 31)) >> 32); /* SMMULR */
  const int32_t t = (r + (r >> 31)) >> e1;
  return mcusim_clamp((t + k) >> 1, -128, 127);                                                 /* SSAT #8, ASR #1 */
}

#ifdef MCUSIM_DSP
/** mcusim_requant_qfast_c in three DSP instructions and two ALU ones (DSP builds only: the kernels' plain C paths
 * take mcusim_requant_output). */
static inline int32_t mcusim_requant_qfast(uint32_t acc, int32_t multiplier, int32_t e1, int32_t k) {
  const int32_t a = mcusim_wrap(acc);
  const int32_t r = mcusim_smmulr(mcusim_qadd(a, a), multiplier);
  const int32_t t = (r + (r >> 31)) >> e1;
  return mcusim_ssat8_half(t + k);
}
#endif

/* gemmlowp fixed-point functions (fixedpoint.h) on int32 raw values, shared by LOGISTIC and TANH (the twins of
 * the ones in asm/requantize.ts). A value in format Qm has m integer bits and 31 - m fractional bits. */

/** gemmlowp SaturatingRoundingMultiplyByPOT with a positive exponent: a left shift that saturates. */
static inline int32_t mcusim_saturating_shift_left(int32_t x, int32_t exponent) {
  const int32_t threshold = mcusim_wrap((1u << ((uint32_t)(31 - exponent) & 31u)) - 1u);
  return x > threshold ? INT32_MAX : x < -threshold ? INT32_MIN : mcusim_shl(x, exponent);
}

/** gemmlowp RoundingHalfSum for int32: (a + b) / 2 in 64 bits, halves away from zero. */
static inline int32_t mcusim_rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = (int64_t)a + (int64_t)b;
  return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/** exp(a) for a in [-1/4, 0), Q0 in and out: Taylor expansion around -1/8. */
static inline int32_t mcusim_exp_on_quarter_interval(int32_t a) {
  const int32_t constant_term = 1895147668; /* exp(-1/8) */
  const int32_t x = mcusim_add(a, 1 << 28); /* a + 1/8 */
  const int32_t x2 = mcusim_srdhm(x, x);
  const int32_t x3 = mcusim_srdhm(x2, x);
  const int32_t x4 = mcusim_srdhm(x2, x2);
  const int32_t x4_over_4 = mcusim_rdbpot(x4, 2);
  /* x^4/24 + x^3/6 + x^2/2 */
  const int32_t poly = mcusim_rdbpot(mcusim_add(mcusim_srdhm(mcusim_add(x4_over_4, x3), 715827883), x2), 1);
  return mcusim_add(constant_term, mcusim_srdhm(constant_term, mcusim_add(x, poly)));
}

/** gemmlowp exp_on_negative_values: exp(a) for a <= 0 given in Q`integer_bits` (0 to 6); the result is Q0. */
static inline int32_t mcusim_exp_on_negative_values(int32_t a, int32_t integer_bits) {
  const int32_t fractional_bits = 31 - integer_bits;
  const int32_t one_quarter = 1 << (fractional_bits - 2);
  const int32_t a_mod_quarter_minus_one_quarter = (a & (one_quarter - 1)) - one_quarter; /* in [-1/4, 0) */
  int32_t result = mcusim_exp_on_quarter_interval(mcusim_saturating_shift_left(a_mod_quarter_minus_one_quarter, integer_bits));
  /* The whole quarters of -a; bit k of it stands for 2^(k - fractional_bits). */
  const uint32_t remainder = (uint32_t)a_mod_quarter_minus_one_quarter - (uint32_t)a;
  const uint32_t f = (uint32_t)fractional_bits;
  /* Barrel shifter: multiply by exp(-2^k) for each set bit k of the remainder (k = -2 .. 4, below integer_bits). */
  if (remainder & (1u << (f - 2))) result = mcusim_srdhm(result, 1672461947);
  if (remainder & (1u << (f - 1))) result = mcusim_srdhm(result, 1302514674);
  if (integer_bits > 0 && (remainder & (1u << f))) result = mcusim_srdhm(result, 790015084);
  if (integer_bits > 1 && (remainder & (1u << (f + 1)))) result = mcusim_srdhm(result, 290630308);
  if (integer_bits > 2 && (remainder & (1u << (f + 2)))) result = mcusim_srdhm(result, 39332535);
  if (integer_bits > 3 && (remainder & (1u << (f + 3)))) result = mcusim_srdhm(result, 720401);
  if (integer_bits > 4 && (remainder & (1u << (f + 4)))) result = mcusim_srdhm(result, 242);
  if (integer_bits > 5 && a < -(1 << (36 - integer_bits))) result = 0; /* below -32 */
  return a == 0 ? INT32_MAX : result;
}

/** Newton-Raphson for 1 / (2 * half_denominator) with a Q0 input: three steps from 48/17 - 32/17 d; the result is Q2. */
static inline int32_t mcusim_newton_reciprocal_q2(int32_t half_denominator) {
  int32_t x = mcusim_add(1515870810, mcusim_srdhm(half_denominator, -1010580540));
  int i;
  for (i = 0; i < 3; i++) {
    const int32_t one_minus_half_denominator_times_x = mcusim_sub(1 << 29, mcusim_srdhm(half_denominator, x)); /* Q2 */
    x = mcusim_add(x, mcusim_saturating_shift_left(mcusim_srdhm(x, one_minus_half_denominator_times_x), 2)); /* Q4 -> Q2 */
  }
  return x;
}

/** gemmlowp one_over_one_plus_x_for_x_in_0_1: Q0 in and out. */
static inline int32_t mcusim_one_over_one_plus_x(int32_t a) {
  const int32_t x = mcusim_newton_reciprocal_q2(mcusim_rounding_half_sum(a, INT32_MAX));
  return mcusim_saturating_shift_left(x, 1); /* ExactMulByPot<-1> (Q1), then Rescale<0> */
}

/** gemmlowp one_minus_x_over_one_plus_x_for_x_in_0_1: Q0 in and out. */
static inline int32_t mcusim_one_minus_x_over_one_plus_x(int32_t a) {
  const int32_t x = mcusim_newton_reciprocal_q2(mcusim_rounding_half_sum(a, INT32_MAX));
  return mcusim_saturating_shift_left(mcusim_sub(x, 1 << 29), 2); /* x - 1 in Q2, then Rescale<0> */
}

#endif /* MCUSIM_REQUANTIZE_H */
