/* AVERAGE_POOL_2D, int8 NHWC (TFLite reference_integer_ops::AveragePool): no rescale, the valid taps' sum divided by
 * their count with rounding half away from zero (asm/average_pool2d.ts).
 *
 * With the DSP extension and 2 to 256 taps in a window, the sums run 8 (then 4) channels at a time: SXTAB16 adds
 * bytes 0 and 2 (or, rotated, 1 and 3) of a word into the two int16 halves of a register, and 256 int8 values fit an
 * int16 (-32768 ... 32512). A window as wide as the input is one run of taps. The division is a multiply: for
 * count >= 2 and n * (count - 1) < 2^32, floor(n / count) = (n * m) >> 32 with m = floor((2^32 - 1) / count) + 1 (the
 * error n * (m * count - 2^32) / 2^32 stays below 1 / count). Rounding half away from zero is done on non-negative
 * values: (sum + half) / count for sum > 0 and -((half - sum) / count) otherwise (C and WebAssembly truncate toward
 * zero) are floor((sum + 128 * count + bias) / count) - 128 with bias = half for sum > 0 and count - 1 - half
 * otherwise; the bias is picked and added for two channels at once in their int16 lanes. */
#include "average_pool2d.h"
#include "requantize.h"

#ifdef MCUSIM_DSP
/** Per int16 lane of v: a where v > 0, else b (SSUB16 sets the GE flags where v - 1 >= 0, SEL picks). */
static inline uint32_t sel_positive(uint32_t v, uint32_t a, uint32_t b) {
  uint32_t r, t;
  __asm__("ssub16 %1, %2, %5\n\tsel %0, %3, %4" : "=&r"(r), "=&r"(t) : "r"(v), "r"(a), "r"(b), "r"(0x00010001u));
  return r;
}

/* Per window: the rounding biases (in both int16 lanes), the reciprocal and the clamp. */
typedef struct {
  uint32_t pos2, neg2, m, lo4, hi4;
  int clamp;
} avg_t;

/** The 4 averaged int8 outputs of the channels whose sums are in the int16 halves of even (channels 0, 2) and odd
 * (1, 3), as one word (channel 0 in byte 0). Per lane n = sum + 128 * count + bias lies in [0, 2^16) (count <= 256), so UADD16
 * adds exactly; floor(n / count) is in [0, 255] and its byte XOR 0x80 is the average. */
static inline uint32_t average4(uint32_t even, uint32_t odd, const avg_t *k) {
  const uint32_t ne = mcusim_uadd16(even, sel_positive(even, k->pos2, k->neg2));
  const uint32_t no = mcusim_uadd16(odd, sel_positive(odd, k->pos2, k->neg2));
  const uint32_t q0 = (uint32_t)(((uint64_t)(ne & 0xffffu) * k->m) >> 32);
  const uint32_t q1 = (uint32_t)(((uint64_t)(no & 0xffffu) * k->m) >> 32);
  const uint32_t q2 = (uint32_t)(((uint64_t)(ne >> 16) * k->m) >> 32);
  const uint32_t q3 = (uint32_t)(((uint64_t)(no >> 16) * k->m) >> 32);
  uint32_t v = (q0 | q1 << 8 | q2 << 16 | q3 << 24) ^ 0x80808080u;
  if (k->clamp) v = mcusim_min8(mcusim_max8(v, k->lo4), k->hi4);
  return v;
}
#endif

void average_pool2d(
    const int8_t *input, int32_t in_h, int32_t in_w, int32_t channels,
    int8_t *output, int32_t out_h, int32_t out_w,
    int32_t filter_h, int32_t filter_w, int32_t stride_h, int32_t stride_w, int32_t pad_top, int32_t pad_left,
    int32_t act_min, int32_t act_max) {
  int32_t oy, ox, c, ky, kx;
#ifdef MCUSIM_DSP
  const int32_t row_bytes = in_w * channels;
  /* The average of int8 values is within [-128, 127]: no clamp for that range. */
  const int clamp = act_min > -128 || act_max < 127;
#endif
  for (oy = 0; oy < out_h; oy++) {
    const int32_t y0 = oy * stride_h - pad_top;
    const int32_t y_start = y0 < 0 ? -y0 : 0;
    const int32_t y_end = in_h - y0 < filter_h ? in_h - y0 : filter_h;
    for (ox = 0; ox < out_w; ox++) {
      const int32_t x0 = ox * stride_w - pad_left;
      const int32_t x_start = x0 < 0 ? -x0 : 0;
      const int32_t x_end = in_w - x0 < filter_w ? in_w - x0 : filter_w;
      const int32_t rows = y_end - y_start, cols = x_end - x_start;
      const int32_t count = rows * cols;
      const int32_t half = count / 2;
      int8_t *out_pixel = output + (oy * out_w + ox) * channels;
      c = 0;
#ifdef MCUSIM_DSP
      if (count >= 2 && count <= 256) {
        avg_t k;
        /* The window's first tap; a window as wide as the input is one run of taps (rows follow each other). */
        const int8_t *first = input + ((y0 + y_start) * in_w + x0 + x_start) * channels;
        const int32_t runs = cols == in_w ? 1 : rows, taps = cols == in_w ? count : cols;
        k.pos2 = (uint32_t)(128 * count + half) * 0x00010001u;
        k.neg2 = (uint32_t)(128 * count + count - 1 - half) * 0x00010001u;
        k.m = 0xffffffffu / (uint32_t)count + 1u;
        k.lo4 = ((uint32_t)act_min & 0xffu) * 0x01010101u;
        k.hi4 = ((uint32_t)act_max & 0xffu) * 0x01010101u;
        k.clamp = clamp;
        for (; c + 8 <= channels; c += 8) {
          uint32_t e0 = 0, o0 = 0, e1 = 0, o1 = 0, v;
          const int8_t *row = first + c;
          for (ky = 0;;) {
            int32_t off = 0;
            for (kx = taps; kx >= 2; kx -= 2) { /* two taps per turn, their loads together */
              const uint32_t u = mcusim_load4(row + off), w = mcusim_load4(row + off + 4);
              const uint32_t u2 = mcusim_load4(row + off + channels), w2 = mcusim_load4(row + off + channels + 4);
              e0 = mcusim_sxtab16(e0, u);
              o0 = mcusim_sxtab16_ror8(o0, u);
              e1 = mcusim_sxtab16(e1, w);
              o1 = mcusim_sxtab16_ror8(o1, w);
              e0 = mcusim_sxtab16(e0, u2);
              o0 = mcusim_sxtab16_ror8(o0, u2);
              e1 = mcusim_sxtab16(e1, w2);
              o1 = mcusim_sxtab16_ror8(o1, w2);
              off += 2 * channels;
            }
            if (kx > 0) {
              const uint32_t u = mcusim_load4(row + off), w = mcusim_load4(row + off + 4);
              e0 = mcusim_sxtab16(e0, u);
              o0 = mcusim_sxtab16_ror8(o0, u);
              e1 = mcusim_sxtab16(e1, w);
              o1 = mcusim_sxtab16_ror8(o1, w);
            }
            if (++ky == runs) break;
            row += row_bytes;
          }
          v = average4(e0, o0, &k);
          memcpy(out_pixel + c, &v, 4); /* little-endian: channel c in byte 0 */
          v = average4(e1, o1, &k);
          memcpy(out_pixel + c + 4, &v, 4);
        }
        for (; c + 4 <= channels; c += 4) {
          uint32_t e0 = 0, o0 = 0, v;
          const int8_t *row = first + c;
          for (ky = 0;;) {
            int32_t off = 0;
            for (kx = taps; kx > 0; kx--) {
              const uint32_t u = mcusim_load4(row + off);
              e0 = mcusim_sxtab16(e0, u);
              o0 = mcusim_sxtab16_ror8(o0, u);
              off += channels;
            }
            if (++ky == runs) break;
            row += row_bytes;
          }
          v = average4(e0, o0, &k);
          memcpy(out_pixel + c, &v, 4);
        }
      }
#endif
      for (; c < channels; c++) {
        int32_t acc = 0;
        for (ky = y_start; ky < y_end; ky++) {
          /* An index, not a pointer: the row's start may lie before the input when x0 < 0. */
          const int32_t row = ((y0 + ky) * in_w + x0) * channels + c;
          for (kx = x_start; kx < x_end; kx++) acc += input[row + kx * channels];
        }
        /* Integer division truncates toward zero, so adding/subtracting half the count rounds half away from zero. */
        acc = acc > 0 ? (acc + half) / count : (acc - half) / count;
        out_pixel[c] = (int8_t)mcusim_clamp(acc, act_min, act_max);
      }
    }
  }
}
