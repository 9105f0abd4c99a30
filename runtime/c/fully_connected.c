/* FULLY_CONNECTED: each output is a dot product of one input row with one weight row, both offset, plus bias,
 * requantised per output channel. Sums wrap in int32 like the SIMD WebAssembly twin's (asm/fully_connected.ts).
 *
 * With the DSP extension (MCUSIM_DSP), for input offsets within +-32000 (always the case for int8 zero points):
 * sum_c (w[c] + filter_offset) (x[c] + input_offset) = sum_c w[c] (x[c] + input_offset) + filter_offset * X with
 * X = sum_c (x[c] + input_offset), exactly in the int32 arithmetic modulo 2^32 both twins compute in; so the filter
 * offset costs one multiply per row (bias + filter_offset * X is each unit's starting value). The dot products take
 * 4 bytes per step: SXTAB16 sign-extends the input bytes and adds the input offset pair (x + input_offset fits
 * int16), SXTB16 the weights, SMLAD multiplies and adds the pairs (the same even / odd permutation on both sides, so
 * the pairs match; SMLAD wraps modulo 2^32 like i32.add). Runs of units whose requantisation is requant_fast (below)
 * go three units per input word through triples_asm, one inline-assembly loop over the groups (13 registers, so it
 * also builds with a frame pointer; 16 bytes per inner iteration entered part-way; requant_fast and the stores with
 * no C in between), built when optimising with GCC (not clang, not big-endian, not for PIC, not with
 * MCUSIM_NO_ASM); other units go two at a time through C with the same helpers. Without DSP: the plain loop. */
#include "fully_connected.h"
#include "requantize.h"

#ifdef MCUSIM_DSP

/* requant_fast: mcusim_requant_qfast (requantize.h: QADD, SMMULR, SSAT) for a unit with mcusim_qfast_ok, when the
 * call allows it (|output_offset| <= 256, act_min / act_max inside int8); triples_asm runs the same steps. */

#if defined(__OPTIMIZE__) && defined(__GNUC__) && !defined(__clang__) && !defined(__ARM_BIG_ENDIAN) && \
    !defined(__PIC__) && !defined(MCUSIM_NO_ASM)
#define FC_ASM 1
/* One step of triples_asm: an input word (x advances by 4) against the words of three weight rows w, w + s, w + 2 s (w
 * advances by 4). xe / xo: the input's even / odd bytes plus the offset pair p; t0..t3: the loaded words, then the
 * weights' even pairs in t0 and their odd pairs in place: 4 loads (pipelined), 2 SXTAB16, 6 SXTB16, 6 SMLAD. */
#define FC_LOADS \
  "ldr.w %[t0], [%[x]], #4\n\t" \
  "ldr.w %[t1], [%[w], %[s]]\n\t" \
  "ldr.w %[t2], [%[w], %[s], lsl #1]\n\t" \
  "ldr.w %[t3], [%[w]], #4\n\t"
#define FC_MACS \
  "sxtab16 %[xe], %[p], %[t0]\n\t" \
  "sxtab16 %[xo], %[p], %[t0], ror #8\n\t" \
  "sxtb16 %[t0], %[t3]\n\t" \
  "smlad %[a0], %[xe], %[t0], %[a0]\n\t" \
  "sxtb16 %[t3], %[t3], ror #8\n\t" \
  "smlad %[a0], %[xo], %[t3], %[a0]\n\t" \
  "sxtb16 %[t0], %[t1]\n\t" \
  "smlad %[a1], %[xe], %[t0], %[a1]\n\t" \
  "sxtb16 %[t1], %[t1], ror #8\n\t" \
  "smlad %[a1], %[xo], %[t1], %[a1]\n\t" \
  "sxtb16 %[t0], %[t2]\n\t" \
  "smlad %[a2], %[xe], %[t0], %[a2]\n\t" \
  "sxtb16 %[t2], %[t2], ror #8\n\t" \
  "smlad %[a2], %[xo], %[t2], %[a2]\n\t"

/* triples_asm's parameter block: word indices (the assembly addresses word i at byte offset 4 i). */
#define F_X 0
#define F_W 1
#define F_S 2
#define F_ENTRY 3
#define F_P 4
#define F_START 5
#define F_BIAS 6
#define F_MULT 7
#define F_SHIFT 8
#define F_K 9
#define F_OUT 10
#define F_OUT_END 11
#define F_CLAMP 12
#define F_LO 13
#define F_HI 14
#define F_WORDS 15
#define FC_STR2(x) #x
#define FC_STR(x) FC_STR2(x)
#define FC_OFF(i) "#4*" FC_STR(i)

/**
 * Units in groups of three (every one with requant_fast), as one inline-assembly loop over the groups: the sums
 * start at bias + filter_offset * X, the dot product runs 16 bytes per iteration entered part-way (TBB) when
 * depth / 4 is not a multiple of 4, then requant_fast, act_min / act_max (when they clamp inside int8) and the stores
 * (3 bytes). Needs depth >= 4, a multiple of 4. The block f (F_*) holds every constant and the moving pointers (w,
 * bias, multipliers, shifts, out; the loop ends when out reaches F_OUT_END); the loop keeps f and each group's w + depth
 * pushed. 13 registers, so that it builds with a frame pointer too.
 */
__attribute__((noinline)) static void triples_asm(uint32_t *f) {
  const void *t3 = f;
  uint32_t a0, a1, a2, x, w, s, p, xe, xo, t0, t1, t2;
  __asm__ volatile(
      "str %[t3], [sp, #-8]!\n\t"
      "2:\n\t"
      "ldr %[t3], [sp]\n\t"
      "ldr %[x], [%[t3], " FC_OFF(F_X) "]\n\t"
      "ldr %[w], [%[t3], " FC_OFF(F_W) "]\n\t"
      "ldr %[s], [%[t3], " FC_OFF(F_S) "]\n\t"
      "ldr %[p], [%[t3], " FC_OFF(F_P) "]\n\t"
      "ldr %[t0], [%[t3], " FC_OFF(F_BIAS) "]\n\t"
      "ldr %[t1], [%[t3], " FC_OFF(F_START) "]\n\t"
      "ldr %[t2], [%[t3], " FC_OFF(F_ENTRY) "]\n\t"
      "ldr %[a0], [%[t0]]\n\t"
      "ldr %[a1], [%[t0], #4]\n\t"
      "ldr %[a2], [%[t0], #8]\n\t"
      "add %[t0], %[t0], #12\n\t"
      "str %[t0], [%[t3], " FC_OFF(F_BIAS) "]\n\t"
      "add %[a0], %[a0], %[t1]\n\t"
      "add %[a1], %[a1], %[t1]\n\t"
      "add %[a2], %[a2], %[t1]\n\t"
      "add %[t1], %[w], %[s]\n\t"
      "str %[t1], [sp, #4]\n\t"
      "tbb [pc, %[t2]]\n\t"
      "1:\n\t"
      ".byte (10f-1b)/2, (11f-1b)/2, (12f-1b)/2, (13f-1b)/2\n\t"
      "10:\n\t" FC_LOADS FC_MACS
      "11:\n\t" FC_LOADS FC_MACS
      "12:\n\t" FC_LOADS FC_MACS
      "13:\n\t" FC_LOADS
      "ldr.w %[xe], [sp, #4]\n\t"
      "cmp %[w], %[xe]\n\t"
      FC_MACS
      "bne 10b\n\t"
      /* the next group's weights: w is now its first row's end, the group's rows are s bytes each */
      "ldr %[t3], [sp]\n\t"
      "add %[w], %[w], %[s], lsl #1\n\t"
      "str %[w], [%[t3], " FC_OFF(F_W) "]\n\t"
      /* requant_fast of the three sums */
      "ldr %[t0], [%[t3], " FC_OFF(F_MULT) "]\n\t"
      "ldr %[t1], [%[t3], " FC_OFF(F_SHIFT) "]\n\t"
      "ldr %[xe], [%[t3], " FC_OFF(F_K) "]\n\t"
      "ldr %[x], [%[t0]]\n\t"
      "ldr %[w], [%[t0], #4]\n\t"
      "ldr %[s], [%[t0], #8]\n\t"
      "ldr %[p], [%[t1]]\n\t"
      "ldr %[xo], [%[t1], #4]\n\t"
      "ldr %[t2], [%[t1], #8]\n\t"
      "add %[t0], %[t0], #12\n\t"
      "str %[t0], [%[t3], " FC_OFF(F_MULT) "]\n\t"
      "add %[t1], %[t1], #12\n\t"
      "str %[t1], [%[t3], " FC_OFF(F_SHIFT) "]\n\t"
      "mvn %[p], %[p]\n\t"
      "mvn %[xo], %[xo]\n\t"
      "mvn %[t2], %[t2]\n\t"
      "qadd %[a0], %[a0], %[a0]\n\t"
      "qadd %[a1], %[a1], %[a1]\n\t"
      "qadd %[a2], %[a2], %[a2]\n\t"
      "smmulr %[a0], %[a0], %[x]\n\t"
      "smmulr %[a1], %[a1], %[w]\n\t"
      "smmulr %[a2], %[a2], %[s]\n\t"
      "add %[a0], %[a0], %[a0], asr #31\n\t"
      "add %[a1], %[a1], %[a1], asr #31\n\t"
      "add %[a2], %[a2], %[a2], asr #31\n\t"
      "asr %[a0], %[a0], %[p]\n\t"
      "asr %[a1], %[a1], %[xo]\n\t"
      "asr %[a2], %[a2], %[t2]\n\t"
      "add %[a0], %[a0], %[xe]\n\t"
      "add %[a1], %[a1], %[xe]\n\t"
      "add %[a2], %[a2], %[xe]\n\t"
      "ssat %[a0], #8, %[a0], asr #1\n\t"
      "ssat %[a1], #8, %[a1], asr #1\n\t"
      "ssat %[a2], #8, %[a2], asr #1\n\t"
      "bfi %[a0], %[a1], #8, #8\n\t"
      "bfi %[a0], %[a2], #16, #8\n\t"
      "ldr %[t0], [%[t3], " FC_OFF(F_OUT) "]\n\t"
      "ldr %[t1], [%[t3], " FC_OFF(F_CLAMP) "]\n\t"
      "cmp %[t1], #0\n\t"
      "bne 3f\n\t"
      "4:\n\t"
      "strh %[a0], [%[t0]]\n\t"
      "lsr %[a0], %[a0], #16\n\t"
      "strb %[a0], [%[t0], #2]\n\t"
      "add %[t0], %[t0], #3\n\t"
      "str %[t0], [%[t3], " FC_OFF(F_OUT) "]\n\t"
      "ldr %[t1], [%[t3], " FC_OFF(F_OUT_END) "]\n\t"
      "cmp %[t0], %[t1]\n\t"
      "bne 2b\n\t"
      "b 5f\n\t"
      /* act_min / act_max inside int8: clamp the lanes (SSUB8 + SEL) */
      "3:\n\t"
      "ldr %[t1], [%[t3], " FC_OFF(F_LO) "]\n\t"
      "ldr %[t2], [%[t3], " FC_OFF(F_HI) "]\n\t"
      "ssub8 %[x], %[a0], %[t1]\n\t"
      "sel %[a0], %[a0], %[t1]\n\t"
      "ssub8 %[x], %[a0], %[t2]\n\t"
      "sel %[a0], %[t2], %[a0]\n\t"
      "b 4b\n\t"
      "5:\n\t"
      "add sp, sp, #8\n\t"
      : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [x] "=&r"(x), [w] "=&r"(w), [s] "=&r"(s), [p] "=&r"(p),
        [xe] "=&r"(xe), [xo] "=&r"(xo), [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "+&r"(t3)
      :
      : "cc", "memory");
}
#endif
#endif

#ifdef MCUSIM_DSP
/** One output byte of a wrapped sum: requant_fast when the unit and the call (fast_call) allow it, else mcusim_requant. */
static int8_t unit_byte(uint32_t acc, int32_t multiplier, int32_t shift, int32_t fast_call, int32_t output_offset, int32_t act_min, int32_t act_max) {
  mcusim_requant_t q;
  if (fast_call && mcusim_qfast_ok(multiplier, shift)) return (int8_t)mcusim_clamp(mcusim_requant_qfast(acc, multiplier, -shift - 1, 2 * output_offset + 1), act_min, act_max);
  q = mcusim_requant_init(multiplier, shift);
  return mcusim_requant_output(acc, &q, output_offset, act_min, act_max);
}
#endif

void fully_connected(
    const int8_t *input, int32_t rows, int32_t depth,
    const int8_t *filter, int32_t units,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output,
    int32_t input_offset, int32_t filter_offset, int32_t output_offset, int32_t act_min, int32_t act_max) {
  int32_t r, u, c;
#ifdef MCUSIM_DSP
  if (input_offset >= -32000 && input_offset <= 32000) {
    /* requant_fast's conditions on the call (its output is saturated to int8 before act_min / act_max) */
    const int32_t fast_call = act_min >= -128 && act_min <= act_max && act_max <= 127 && output_offset >= -256 && output_offset <= 256;
    const uint32_t in_pair = mcusim_pair16(input_offset);
#ifdef FC_ASM
    const int32_t grouped = fast_call && depth >= 4 && (depth & 3) == 0;
    uint32_t f[F_WORDS];
    f[F_S] = (uint32_t)depth;
    f[F_ENTRY] = (uint32_t)(-(depth >> 2) & 3);
    f[F_P] = in_pair;
    f[F_K] = (uint32_t)(2 * output_offset + 1);
    f[F_CLAMP] = (uint32_t)(act_min > -128 || act_max < 127);
    f[F_LO] = (uint32_t)(uint8_t)act_min * 0x01010101u;
    f[F_HI] = (uint32_t)(uint8_t)act_max * 0x01010101u;
#endif
    for (r = 0; r < rows; r++) {
      const int8_t *x = input + r * depth;
      int8_t *out = output + r * units;
      uint32_t start = 0;
      /* filter_offset * sum_c (x[c] + input_offset), the filter offset's whole share of every unit's sum */
      if (filter_offset != 0) {
        for (c = 0; c < depth; c++) start += (uint32_t)((int32_t)x[c] + input_offset);
        start *= (uint32_t)filter_offset;
      }
      for (u = 0; u < units;) {
#ifdef FC_ASM
        int32_t end = u;
        /* a run of units with requant_fast: triples_asm in groups of 3 (a last group overlapping the one before,
         * its bytes written again) */
        if (grouped) while (end < units && mcusim_qfast_ok(multipliers[end], shifts[end])) end++;
        if (end - u >= 3) {
          const int32_t n = (end - u) / 3 * 3;
          f[F_X] = (uint32_t)(uintptr_t)x;
          f[F_START] = start;
          f[F_W] = (uint32_t)(uintptr_t)(filter + u * depth);
          f[F_BIAS] = (uint32_t)(uintptr_t)(bias + u);
          f[F_MULT] = (uint32_t)(uintptr_t)(multipliers + u);
          f[F_SHIFT] = (uint32_t)(uintptr_t)(shifts + u);
          f[F_OUT] = (uint32_t)(uintptr_t)(out + u);
          f[F_OUT_END] = (uint32_t)(uintptr_t)(out + u + n);
          triples_asm(f);
          if (u + n < end) {
            const int32_t v = end - 3;
            f[F_W] = (uint32_t)(uintptr_t)(filter + v * depth);
            f[F_BIAS] = (uint32_t)(uintptr_t)(bias + v);
            f[F_MULT] = (uint32_t)(uintptr_t)(multipliers + v);
            f[F_SHIFT] = (uint32_t)(uintptr_t)(shifts + v);
            f[F_OUT] = (uint32_t)(uintptr_t)(out + v);
            f[F_OUT_END] = (uint32_t)(uintptr_t)(out + end);
            triples_asm(f);
          }
          u = end;
          continue;
        }
#endif
        /* one or two units: x + input_offset by SXTAB16 (shared), the weights by SXTB16 */
        {
          const int8_t *w0 = filter + u * depth;
          const int8_t *w1 = u + 1 < units ? w0 + depth : w0;
          uint32_t acc0 = (uint32_t)bias[u] + start, acc1 = (uint32_t)bias[u + 1 < units ? u + 1 : u] + start;
          for (c = 0; c + 4 <= depth; c += 4) {
            const uint32_t xv = mcusim_load4(x + c), wa = mcusim_load4(w0 + c), wb = mcusim_load4(w1 + c);
            const uint32_t xe = mcusim_sxtab16(in_pair, xv), xo = mcusim_sxtab16_ror8(in_pair, xv);
            acc0 = mcusim_smlad(xe, mcusim_sxtb16(wa), acc0);
            acc1 = mcusim_smlad(xe, mcusim_sxtb16(wb), acc1);
            acc0 = mcusim_smlad(xo, mcusim_sxtb16_ror8(wa), acc0);
            acc1 = mcusim_smlad(xo, mcusim_sxtb16_ror8(wb), acc1);
          }
          for (; c < depth; c++) {
            const int32_t xv = (int32_t)x[c] + input_offset;
            acc0 += (uint32_t)((int32_t)w0[c] * xv);
            acc1 += (uint32_t)((int32_t)w1[c] * xv);
          }
          out[u] = unit_byte(acc0, multipliers[u], shifts[u], fast_call, output_offset, act_min, act_max);
          if (u + 1 < units) out[u + 1] = unit_byte(acc1, multipliers[u + 1], shifts[u + 1], fast_call, output_offset, act_min, act_max);
          u += 2;
        }
      }
    }
    return;
  }
#endif
  for (r = 0; r < rows; r++) {
    const int8_t *x = input + r * depth;
    int8_t *out = output + r * units;
    for (u = 0; u < units; u++) {
      const int8_t *w = filter + u * depth;
      const mcusim_requant_t q = mcusim_requant_init(multipliers[u], shifts[u]);
      uint32_t acc = (uint32_t)bias[u];
      for (c = 0; c < depth; c++) acc += (uint32_t)(((int32_t)w[c] + filter_offset) * ((int32_t)x[c] + input_offset));
      out[u] = mcusim_requant_output(acc, &q, output_offset, act_min, act_max);
    }
  }
}
