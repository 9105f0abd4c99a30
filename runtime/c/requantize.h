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

/* Cortex-M DSP extension (M4, M7, M33): SMLAD on pairs of int8 values sign-extended to int16 by SXTB16. Only the
 * dot-product kernels use it, and only where __ARM_FEATURE_DSP is defined (define MCUSIM_NO_DSP to build the plain
 * C instead); host and M0+ builds take the plain C loops. SMLAD's sums wrap modulo 2^32 like WebAssembly's i32.add
 * (it only sets the Q flag), and integer sums do not depend on their order, so both paths give the same bits.
 * The instructions are written as one-line inline assembly rather than through <arm_acle.h>: the kernels include only
 * <stdint.h> and <string.h> (tests/c/build.test.ts), and gcc's -pedantic accepts __asm__. */
#if defined(__ARM_FEATURE_DSP) && !defined(MCUSIM_NO_DSP)
#define MCUSIM_DSP 1
#include <string.h>

/** Four int8 values as one little-endian word (any alignment: Cortex-M3 and up load unaligned words). */
static inline uint32_t mcusim_load4(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

/** Bytes 0 and 2 of x, each sign-extended to 16 bits (SXTB16). */
static inline uint32_t mcusim_sxtb16(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1" : "=r"(r) : "r"(x));
  return r;
}

/** Bytes 1 and 3 of x, each sign-extended to 16 bits (SXTB16 with ROR #8). */
static inline uint32_t mcusim_sxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}

/** offset_pair + bytes 0 and 2 of x sign-extended, per 16-bit half (SXTAB16). */
static inline uint32_t mcusim_sxtab16(uint32_t offset_pair, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2" : "=r"(r) : "r"(offset_pair), "r"(x));
  return r;
}

/** offset_pair + bytes 1 and 3 of x sign-extended, per 16-bit half (SXTAB16 with ROR #8). */
static inline uint32_t mcusim_sxtab16_ror8(uint32_t offset_pair, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(offset_pair), "r"(x));
  return r;
}

/** The pair (v, v) of 16-bit halves, for |v| < 2^15. */
static inline uint32_t mcusim_pair16(int32_t v) {
  return ((uint32_t)v & 0xffffu) * 0x10001u;
}

/** acc + a.lo * b.lo on int16 halves, modulo 2^32 (SMLABB). */
static inline uint32_t mcusim_smlabb(uint32_t a, uint32_t b, uint32_t acc) {
  uint32_t r;
  __asm__("smlabb %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
  return r;
}

/** acc + a.hi * b.lo on int16 halves, modulo 2^32 (SMLATB). */
static inline uint32_t mcusim_smlatb(uint32_t a, uint32_t b, uint32_t acc) {
  uint32_t r;
  __asm__("smlatb %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
  return r;
}

/** acc + a.lo * b.lo + a.hi * b.hi on int16 halves, modulo 2^32 (SMLAD). */
static inline uint32_t mcusim_smlad(uint32_t a, uint32_t b, uint32_t acc) {
  uint32_t r;
  __asm__("smlad %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
  return r;
}
#endif

#endif /* MCUSIM_REQUANTIZE_H */
