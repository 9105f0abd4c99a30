/* Checks that mcusim_requant (per-channel constants, fast path) gives mcusim_mbqm's bits: on the edges of every
 * argument and on random values. Prints "<cases> <mismatches>" and the first mismatches; built and run by
 * tests/c/requantize.test.ts. */
#include <stdio.h>
#include "../requantize.h"

static uint32_t state = 12345u;
static uint32_t next(void) { state ^= state << 13; state ^= state >> 17; state ^= state << 5; return state; }

static long cases = 0, mismatches = 0;
static void check(int32_t x, int32_t m, int32_t shift) {
  const mcusim_requant_t q = mcusim_requant_init(m, shift);
  const int32_t want = mcusim_mbqm(x, m, shift), got = mcusim_requant(x, &q);
  cases++;
  if (want != got && mismatches++ < 5) printf("x=%ld m=%ld shift=%ld: mbqm %ld, requant %ld\n", (long)x, (long)m, (long)shift, (long)want, (long)got);
}

int main(void) {
  static const int32_t xs[] = { 0, 1, -1, 2, -2, 127, -128, 0x3fffffff, -0x40000000, INT32_MAX, INT32_MIN, INT32_MIN + 1, 0x40000000, 0x7ffffffe };
  static const int32_t ms[] = { 0, 1, -1, 0x40000000, INT32_MAX, INT32_MIN, INT32_MIN + 1, 1518500250, -1518500250 };
  const int nx = (int)(sizeof xs / sizeof xs[0]), nm = (int)(sizeof ms / sizeof ms[0]);
  int i, j;
  int32_t shift;
  long k;
  for (i = 0; i < nx; i++)
    for (j = 0; j < nm; j++)
      for (shift = -40; shift <= 40; shift++) check(xs[i], ms[j], shift);
  check(0, 0, INT32_MIN); check(-5, 0x40000000, INT32_MIN); check(-5, 0x40000000, INT32_MAX);
  for (k = 0; k < 2000000; k++) {
    const uint32_t r = next();
    /* Sums of every magnitude, multipliers mostly TFLite's [2^30, 2^31), shifts mostly in [-31, 31]. */
    const int32_t x = mcusim_wrap(next()) >> (r & 31u);
    const int32_t m = (r >> 5) % 8u == 0u ? mcusim_wrap(next()) : (int32_t)(0x40000000u | (next() >> 2));
    const int32_t shift = (r >> 8) % 16u == 0u ? mcusim_wrap(next()) : (int32_t)((r >> 12) % 63u) - 31;
    check(x, m, shift);
  }
  printf("%ld %ld\n", cases, mismatches);
  return 0;
}
