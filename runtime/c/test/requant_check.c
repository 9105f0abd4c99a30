/* Checks that mcusim_requant (per-channel constants, fast path) gives mcusim_mbqm's bits, and that the fast forms of
 * requantize.h give mcusim_requant's wherever their conditions hold (plain C: mcusim_chan_requant_c, the SMLAL-onto-K
 * form, with mcusim_chan_output; mcusim_requant_qfast_c, the QADD / SMMULR / SSAT form): on the edges of every
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

/* The fast forms for sum x, channel (m, shift) and output offset oo, against mcusim_requant. */
static void check_fast(int32_t x, int32_t m, int32_t shift, int32_t oo) {
  const mcusim_requant_t q = mcusim_requant_init(m, shift);
  const mcusim_chan_t c = mcusim_chan_init(m, shift, oo);
  const int32_t want = mcusim_add(mcusim_requant(x, &q), oo);
  const int32_t want8 = mcusim_clamp(want, -128, 127);
  const int32_t lo = (int32_t)(next() % 256u) - 128, hi = lo + (int32_t)(next() % (uint32_t)(128 - lo));
  cases++;
  if (c.fast) {
    const int32_t got = mcusim_chan_requant_c((uint32_t)x, &c), got2 = mcusim_chan_requant((uint32_t)x, &c);
    if ((got != want || got2 != want) && mismatches++ < 5)
      printf("chan x=%ld m=%ld shift=%ld oo=%ld: requant %ld, chan %ld %ld\n", (long)x, (long)m, (long)shift, (long)oo, (long)want, (long)got, (long)got2);
  } else if (!(m < 0 || shift > 0 || (shift & 31) == 0 || -shift >= 32 || oo <= -(1 << (31 + shift)) || oo >= (1 << (31 + shift)))) {
    /* the conditions say fast: mcusim_chan_init must agree */
    if (mismatches++ < 5) printf("chan x=%ld m=%ld shift=%ld oo=%ld: not fast\n", (long)x, (long)m, (long)shift, (long)oo);
  }
  {
    const int32_t got = mcusim_chan_output((uint32_t)x, &c, oo, lo, hi);
    if (got != mcusim_clamp(want, lo, hi) && mismatches++ < 5)
      printf("output x=%ld m=%ld shift=%ld oo=%ld [%ld, %ld]: %ld\n", (long)x, (long)m, (long)shift, (long)oo, (long)lo, (long)hi, (long)got);
  }
  if (mcusim_qfast_ok(m, shift) && oo >= -256 && oo <= 256) {
    const int32_t got = mcusim_requant_qfast_c((uint32_t)x, m, -shift - 1, 2 * oo + 1);
    if (got != want8 && mismatches++ < 5)
      printf("qfast x=%ld m=%ld shift=%ld oo=%ld: want %ld, got %ld\n", (long)x, (long)m, (long)shift, (long)oo, (long)want8, (long)got);
  }
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
      for (shift = -40; shift <= 40; shift++) {
        static const int32_t oos[] = { 0, 1, -1, 127, -128, 256, -256, 257, 65535, -65536, 0x3fffffff, INT32_MIN };
        int o;
        check(xs[i], ms[j], shift);
        for (o = 0; o < (int)(sizeof oos / sizeof oos[0]); o++) check_fast(xs[i], ms[j], shift, oos[o]);
      }
  check(0, 0, INT32_MIN); check(-5, 0x40000000, INT32_MIN); check(-5, 0x40000000, INT32_MAX);
  for (k = 0; k < 2000000; k++) {
    const uint32_t r = next();
    /* Sums of every magnitude, multipliers mostly TFLite's [2^30, 2^31), shifts mostly in [-31, 31]. */
    const int32_t x = mcusim_wrap(next()) >> (r & 31u);
    const int32_t m = (r >> 5) % 8u == 0u ? mcusim_wrap(next()) : (int32_t)(0x40000000u | (next() >> 2));
    const int32_t shift = (r >> 8) % 16u == 0u ? mcusim_wrap(next()) : (int32_t)((r >> 12) % 63u) - 31;
    check(x, m, shift);
    /* Output offsets mostly int8 zero points, some up to the SMLAL form's bound and beyond. */
    check_fast(x, m, shift, (r >> 18) % 4u == 0u ? mcusim_wrap(next()) >> (next() & 31u) : (int32_t)((r >> 20) % 513u) - 256);
  }
  printf("%ld %ld\n", cases, mismatches);
  return 0;
}
