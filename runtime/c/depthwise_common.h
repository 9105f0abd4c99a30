/* What the DEPTHWISE_CONV_2D kernels share (depthwise_conv2d.c, depthwise_conv2d_3x3.c, depthwise_conv2d_inplace.c):
 * the per-channel requantisation with the output offset folded into one 64-bit multiply-add, and the volatile byte
 * loads of their hot loops. */
#ifndef MCUSIM_DEPTHWISE_COMMON_H
#define MCUSIM_DEPTHWISE_COMMON_H

#include "requantize.h"

/** One output channel's requantisation constants (mcusim_dw_requant_init). */
typedef struct {
  int fast;    /* multiplier >= 0, shift in [-23, -2] (effective scales below 1/4), output_offset in [-128, 127] */
  int32_t m;   /* fast: the multiplier */
  int32_t chp; /* fast: 2^(e - 2) + output_offset * 2^(e - 1), e = -shift */
  int32_t sh;  /* fast: e - 1 */
  mcusim_requant_t q; /* otherwise: mcusim_requant_output's constants */
} mcusim_dw_requant_t;

static inline void mcusim_dw_requant_init(mcusim_dw_requant_t *r, int32_t multiplier, int32_t shift, int32_t output_offset) {
  r->fast = multiplier >= 0 && shift <= -2 && shift >= -23 && output_offset >= -128 && output_offset <= 127;
  r->m = multiplier;
  r->sh = r->fast ? -shift - 1 : 0;
  r->chp = r->fast ? ((int32_t)1 << (r->sh - 1)) + output_offset * ((int32_t)1 << r->sh) : 0;
  r->q = mcusim_requant_init(multiplier, shift);
}

/** The int16 pair (lo, hi) of two weights, for SMLAD. */
static inline uint32_t mcusim_dw_pair(int32_t lo, int32_t hi) {
  return ((uint32_t)lo & 0xffffu) | ((uint32_t)hi & 0xffffu) << 16;
}

/* mcusim_mbqm(x, m, shift) + output_offset for m >= 0, e = -shift in [2, 23], |output_offset| <= 128, from one
 * 32x32 + 64 multiply-accumulate. mbqm is r = floor((x m + 2^30) / 2^31) (no saturation: m != INT32_MIN), then
 * r / 2^e rounded half away from zero, floor((r + 2^(e-1) - [r < 0]) / 2^e). The floors nest into one, and the
 * offset moves inside as a multiple of the divisor:
 *   floor((x m + 2^30 + 2^(30+e) - [r < 0] 2^31 + output_offset 2^(31+e)) / 2^(31+e)).
 * [r < 0] may be replaced by [x < 0]: they differ only when x m lies in [-2^30, 0], where r = 0 and both choices
 * give 0. So u = x m + (chp - [x < 0]) 2^32 + 2^30 + [x < 0] 2^31 (an SMLAL onto a 64-bit start value; the high
 * word stays below 2^31 in magnitude: 2^30 + 2^21 + 2^29 at most) and the result is u's high word >> (e - 1), with
 * |result| <= 2^30 + 129 (no wrap). tests/c compare every byte with the WebAssembly kernels. */
static inline int32_t mcusim_dw_scale(uint32_t acc, int32_t m, int32_t chp, int32_t sh) {
  const int32_t x = mcusim_wrap(acc);
  const uint32_t lo = 0x40000000u | ((uint32_t)x & 0x80000000u);
  const int32_t hi = chp + (x >> 31);
  const int64_t u = (int64_t)hi * 4294967296LL + (int64_t)lo + (int64_t)x * m;
  return (int32_t)(u >> 32) >> sh;
}

/** The int8 output of the wrapped sum acc (bias included): requantised, offset and clamped to [act_min, act_max]. */
static inline int8_t mcusim_dw_output(uint32_t acc, const mcusim_dw_requant_t *r, int32_t output_offset, int32_t act_min,
                                      int32_t act_max) {
  if (r->fast) {
    return (int8_t)mcusim_clamp(mcusim_dw_scale(acc, r->m, r->chp, r->sh), act_min, act_max);
  }
  return mcusim_requant_output(acc, &r->q, output_offset, act_min, act_max);
}

/** out[0], out[step], ... = the n sums acc[0..n) as mcusim_dw_output (the fast test once, not per output). */
static inline void mcusim_dw_outputs(const uint32_t *acc, int32_t n, const mcusim_dw_requant_t *r, int8_t *out, int32_t step,
                                     int32_t output_offset, int32_t act_min, int32_t act_max) {
  int32_t j, o = 0;
  if (r->fast) {
    const int32_t m = r->m, chp = r->chp, sh = r->sh;
    for (j = 0; j < n; j++) {
      out[o] = (int8_t)mcusim_clamp(mcusim_dw_scale(acc[j], m, chp, sh), act_min, act_max);
      o += step;
    }
  } else {
    for (j = 0; j < n; j++) {
      out[o] = mcusim_requant_output(acc[j], &r->q, output_offset, act_min, act_max);
      o += step;
    }
  }
}

#ifdef MCUSIM_DSP
/* Byte loads of the hot loops, volatile asm with a memory clobber: the compiler keeps them in program order instead of
 * hoisting every load of a loop body to its top, which needs more registers than the core has (plain C loads in
 * depthwise_conv2d_3x3's dw3_sums: four spill loads per window). */

/** The sign-extended byte at p + o (LDRSB, register offset). */
static inline int32_t mcusim_dw_ldrsb(const int8_t *p, int32_t o) {
  int32_t r;
  __asm__ __volatile__("ldrsb %0, [%1, %2]" : "=r"(r) : "r"(p), "r"(o) : "memory");
  return r;
}

/** The sign-extended byte at p + 2 o. */
static inline int32_t mcusim_dw_ldrsb2(const int8_t *p, int32_t o) {
  int32_t r;
  __asm__ __volatile__("ldrsb %0, [%1, %2, lsl #1]" : "=r"(r) : "r"(p), "r"(o) : "memory");
  return r;
}

/** The byte at p + o, zero-extended (LDRB). */
static inline uint32_t mcusim_dw_ldrb(const int8_t *p, int32_t o) {
  uint32_t r;
  __asm__ __volatile__("ldrb %0, [%1, %2]" : "=r"(r) : "r"(p), "r"(o) : "memory");
  return r;
}

/** The sign-extended byte at p. */
static inline int32_t mcusim_dw_ldrsb0(const int8_t *p) {
  int32_t r;
  __asm__ __volatile__("ldrsb %0, [%1]" : "=r"(r) : "r"(p) : "memory");
  return r;
}

/** The byte at p, zero-extended. */
static inline uint32_t mcusim_dw_ldrb0(const int8_t *p) {
  uint32_t r;
  __asm__ __volatile__("ldrb %0, [%1]" : "=r"(r) : "r"(p) : "memory");
  return r;
}
#endif

#endif /* MCUSIM_DEPTHWISE_COMMON_H */
