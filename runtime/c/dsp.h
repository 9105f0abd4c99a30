/* Cortex-M DSP extension (M4, M7, M33): one place for the instructions the kernels use, each as a one-line inline
 * assembly wrapper. Only where __ARM_FEATURE_DSP is defined (define MCUSIM_NO_DSP to build the plain C instead);
 * host and M0+ builds take the kernels' plain C loops and see none of this. SMLAD's sums wrap modulo 2^32 like
 * WebAssembly's i32.add (it only sets the Q flag), and integer sums do not depend on their order, so both paths give
 * the same bits. Inline assembly rather than <arm_acle.h>: the kernels include only <stdint.h> and <string.h>
 * (tests/c/build.test.ts), and gcc's -pedantic accepts __asm__. The wrappers are pure (no volatile): the compiler may
 * schedule and merge them like any arithmetic. Kernels that need a fixed instruction order write their loop as one
 * asm statement instead. */
#ifndef MCUSIM_DSP_H
#define MCUSIM_DSP_H

#include <stdint.h>

/* Hot helpers must be inlined into their loops (a call costs more than they do); on every target. */
#if defined(__GNUC__)
#define MCUSIM_HOT static inline __attribute__((always_inline))
#else
#define MCUSIM_HOT static inline
#endif

#if defined(__ARM_FEATURE_DSP) && !defined(MCUSIM_NO_DSP)
#define MCUSIM_DSP 1
#include <string.h>

/** Four int8 values as one little-endian word (any alignment: Cortex-M3 and up load unaligned words). */
static inline uint32_t mcusim_load4(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

/** Byte 0 of v, stored at p. */
static inline void mcusim_put8(int8_t *p, uint32_t v) {
  const uint8_t b = (uint8_t)v;
  memcpy(p, &b, 1);
}

/** The pair (v, v) of 16-bit halves, for |v| < 2^15. */
static inline uint32_t mcusim_pair16(int32_t v) {
  return ((uint32_t)v & 0xffffu) * 0x10001u;
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

/** Bytes 0 and 2 of x, zero-extended to 16 bits (UXTB16). */
static inline uint32_t mcusim_uxtb16(uint32_t x) {
  uint32_t r;
  __asm__("uxtb16 %0, %1" : "=r"(r) : "r"(x));
  return r;
}

/** Bytes 1 and 3 of x, zero-extended to 16 bits (UXTB16 with ROR #8). */
static inline uint32_t mcusim_uxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm__("uxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
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

/** acc + a.lo * b.hi + a.hi * b.lo on int16 halves, modulo 2^32 (SMLADX). */
static inline uint32_t mcusim_smladx(uint32_t a, uint32_t b, uint32_t acc) {
  uint32_t r;
  __asm__("smladx %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
  return r;
}

/** acc + the sum of the four unsigned bytes of x (USADA8 against zero). */
static inline uint32_t mcusim_byte_sum(uint32_t x, uint32_t acc) {
  uint32_t r;
  __asm__("usada8 %0, %1, %2, %3" : "=r"(r) : "r"(x), "r"(0u), "r"(acc));
  return r;
}

/** a + b per 16-bit half, modulo 2^16 (UADD16). */
static inline uint32_t mcusim_uadd16(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("uadd16 %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}

/** a + b saturated to int32 (QADD). */
static inline int32_t mcusim_qadd(int32_t a, int32_t b) {
  int32_t r;
  __asm__("qadd %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}

/** floor((a * b + 2^31) / 2^32): the rounded high word of the 64-bit product (SMMULR). */
static inline int32_t mcusim_smmulr(int32_t a, int32_t b) {
  int32_t r;
  __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}

/** x saturated to [-128, 127] (SSAT #8). */
static inline int32_t mcusim_ssat8(int32_t x) {
  int32_t r;
  __asm__("ssat %0, #8, %1" : "=r"(r) : "r"(x));
  return r;
}

/** x >> 1 (arithmetic) saturated to [-128, 127] (SSAT #8 with ASR #1). */
static inline int32_t mcusim_ssat8_half(int32_t x) {
  int32_t r;
  __asm__("ssat %0, #8, %1, asr #1" : "=r"(r) : "r"(x));
  return r;
}

/** The halfwords (a.lo, b.lo) (PKHBT with LSL #16); with int16-range a and b, the pair (a, b). */
static inline uint32_t mcusim_pkhbt(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}

/** The halfwords (b.hi, a.hi) (PKHTB with ASR #16). */
static inline uint32_t mcusim_pkhtb(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}

/* Lane-wise max and min: SSUB8 / SSUB16 set the GE flags where a >= b and SEL picks by them; one asm statement, so
 * nothing can come between the two. */

/** Per signed byte lane: the larger of a and b. */
static inline uint32_t mcusim_max8(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub8 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b));
  return r;
}

/** Per signed byte lane: the smaller of a and b. */
static inline uint32_t mcusim_min8(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub8 %0, %1, %2\n\tsel %0, %2, %1" : "=&r"(r) : "r"(a), "r"(b));
  return r;
}

/** Per int16 half: the larger of a and b. */
static inline uint32_t mcusim_max16(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub16 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b));
  return r;
}

/** Per int16 half: the smaller of a and b. */
static inline uint32_t mcusim_min16(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub16 %0, %1, %2\n\tsel %0, %2, %1" : "=&r"(r) : "r"(a), "r"(b));
  return r;
}
#endif

#endif /* MCUSIM_DSP_H */
