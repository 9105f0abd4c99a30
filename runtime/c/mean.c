/* MEAN over height and width: per-channel sums in the int32 scratch buffer, then division or requantisation
 * (asm/mean.ts).
 *
 * With the DSP extension the sums run 8 channels at a time over up to 256 pixels per pass: SXTAB16 adds bytes 0 and
 * 2 (or, rotated, 1 and 3) of a word into the two int16 halves of a register, and 256 int8 values fit an int16. Each
 * pass's sums go into int32 sums kept in registers. The outputs take per-call constants: the requantisation is
 * mcusim_chan_requant (requantize.h has the proof) when the multiplier and shift allow it, the truncating division a
 * multiply by a reciprocal when it is exact. */
#include "mean.h"
#include "requantize.h"

/* Per call: what every output needs. */
typedef struct {
  int32_t requantize, pixels, zero_point_sum, multiplier, shift, output_zero_point;
  mcusim_chan_t rq;
  uint32_t m; /* pixels >= 2 and sum * (pixels - 1) < 2^32 for every sum: floor(|sum| / pixels) = (|sum| * m) >> 32 */
} mean_t;

/** One output from its channel's int32 sum. */
static inline int8_t finish(int32_t sum, const mean_t *k) {
  if (k->requantize == 0) {
    if (k->m != 0u) {
      const uint32_t n = sum < 0 ? 0u - (uint32_t)sum : (uint32_t)sum;
      const int32_t q = mcusim_wrap((uint32_t)(((uint64_t)n * k->m) >> 32));
      return (int8_t)(sum < 0 ? -q : q);
    }
    return (int8_t)(sum / k->pixels);
  }
  {
    const int32_t a = mcusim_wrap((uint32_t)sum - (uint32_t)k->zero_point_sum);
    if (k->rq.fast) return (int8_t)mcusim_sat8(mcusim_chan_requant((uint32_t)a, &k->rq));
    return (int8_t)mcusim_clamp(mcusim_add(mcusim_mbqm(a, k->multiplier, k->shift), k->output_zero_point), -128, 127);
  }
}

#ifdef MCUSIM_DSP
/** The int16 halves of a pair: bottom, top. */
static inline int32_t lo16(uint32_t v) { return mcusim_wrap(v << 16) >> 16; }
static inline int32_t hi16(uint32_t v) { return mcusim_wrap(v) >> 16; }

/** One pass over n pixels (n <= 256, a row every channels bytes) of the 8 channels from q: h = the int16 sums of
 * channels (0, 2), (1, 3), (4, 6), (5, 7). */
MCUSIM_HOT void pass8(const int8_t *q, int32_t n, int32_t channels, uint32_t h[4]) {
  uint32_t e0 = 0, o0 = 0, e1 = 0, o1 = 0;
  int32_t off = 0, i;
  for (i = n; i > 0; i--) {
    const uint32_t u = mcusim_load4(q + off), v = mcusim_load4(q + off + 4);
    e0 = mcusim_sxtab16(e0, u);
    o0 = mcusim_sxtab16_ror8(o0, u);
    e1 = mcusim_sxtab16(e1, v);
    o1 = mcusim_sxtab16_ror8(o1, v);
    off += channels;
  }
  h[0] = e0; h[1] = o0; h[2] = e1; h[3] = o1;
}

/** 8 channels' sums from the int16 halves of e0 (channels 0, 2), o0 (1, 3), e1 (4, 6), o1 (5, 7), into scratch. */
static inline void sums8(int32_t *scratch, uint32_t e0, uint32_t o0, uint32_t e1, uint32_t o1) {
  scratch[0] = lo16(e0); scratch[1] = lo16(o0); scratch[2] = hi16(e0); scratch[3] = hi16(o0);
  scratch[4] = lo16(e1); scratch[5] = lo16(o1); scratch[6] = hi16(e1); scratch[7] = hi16(o1);
}
#endif

void mean(
    const int8_t *input, int32_t pixels, int32_t channels, int32_t *scratch, int8_t *output,
    int32_t requantize, int32_t input_zero_point, int32_t multiplier, int32_t shift, int32_t output_zero_point) {
  mean_t k;
  int32_t p, c = 0;
  k.requantize = requantize;
  k.pixels = pixels;
  k.zero_point_sum = mcusim_mul(input_zero_point, pixels);
  k.multiplier = multiplier;
  k.shift = shift;
  k.output_zero_point = output_zero_point;
  k.rq = mcusim_chan_init(multiplier, shift, output_zero_point);
  /* |sum| <= 128 * pixels, so 128 * pixels^2 < 2^32 makes the reciprocal exact. */
  k.m = pixels >= 2 && pixels < 5792 ? 0xffffffffu / (uint32_t)pixels + 1u : 0u;
  if (pixels == 1) k.m = 0u;
#ifdef MCUSIM_DSP
  if (pixels <= 256) {
    /* One pass: the int16 halves hold the whole sums. */
    for (; c + 8 <= channels; c += 8) {
      uint32_t h[4];
      pass8(input + c, pixels, channels, h);
      sums8(scratch + c, h[0], h[1], h[2], h[3]);
    }
  } else {
    for (; c + 8 <= channels; c += 8) {
      uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0; /* wrapping int32 sums */
      p = 0;
      while (p < pixels) {
        /* One pass over at most 256 pixels (their int16 sums cannot overflow). */
        const int32_t n = pixels - p < 256 ? pixels - p : 256;
        uint32_t h[4];
        pass8(input + p * channels + c, n, channels, h);
        s0 += (uint32_t)lo16(h[0]); s1 += (uint32_t)lo16(h[1]); s2 += (uint32_t)hi16(h[0]); s3 += (uint32_t)hi16(h[1]);
        s4 += (uint32_t)lo16(h[2]); s5 += (uint32_t)lo16(h[3]); s6 += (uint32_t)hi16(h[2]); s7 += (uint32_t)hi16(h[3]);
        p += n;
      }
      scratch[c] = mcusim_wrap(s0); scratch[c + 1] = mcusim_wrap(s1); scratch[c + 2] = mcusim_wrap(s2);
      scratch[c + 3] = mcusim_wrap(s3); scratch[c + 4] = mcusim_wrap(s4); scratch[c + 5] = mcusim_wrap(s5);
      scratch[c + 6] = mcusim_wrap(s6); scratch[c + 7] = mcusim_wrap(s7);
    }
  }
#endif
  if (c < channels) {
    const int32_t c0 = c;
    for (; c < channels; c++) scratch[c] = 0;
    for (p = 0; p < pixels; p++) {
      const int8_t *pixel = input + p * channels;
      for (c = c0; c < channels; c++) scratch[c] = mcusim_add(scratch[c], pixel[c]);
    }
  }
  /* The outputs, from the sums (the common case in a loop of its own, its constants in registers). */
  if (requantize != 0 && k.rq.fast) {
    const mcusim_chan_t rq = k.rq;
    const int32_t zps = k.zero_point_sum;
    for (c = 0; c + 4 <= channels; c += 4) {
      const uint32_t a0 = (uint32_t)scratch[c] - (uint32_t)zps, a1 = (uint32_t)scratch[c + 1] - (uint32_t)zps;
      const uint32_t a2 = (uint32_t)scratch[c + 2] - (uint32_t)zps, a3 = (uint32_t)scratch[c + 3] - (uint32_t)zps;
      output[c] = (int8_t)mcusim_sat8(mcusim_chan_requant(a0, &rq));
      output[c + 1] = (int8_t)mcusim_sat8(mcusim_chan_requant(a1, &rq));
      output[c + 2] = (int8_t)mcusim_sat8(mcusim_chan_requant(a2, &rq));
      output[c + 3] = (int8_t)mcusim_sat8(mcusim_chan_requant(a3, &rq));
    }
    for (; c < channels; c++) output[c] = (int8_t)mcusim_sat8(mcusim_chan_requant((uint32_t)scratch[c] - (uint32_t)zps, &rq));
  } else {
    for (c = 0; c < channels; c++) output[c] = finish(scratch[c], &k);
  }
}
