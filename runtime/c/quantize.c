/* QUANTIZE: float32 -> int8 (AffineQuantize) and int8 -> int8 (Requantize), as asm/quantize.ts computes them.
 * No libm: the rounding is written out, and the float is clamped before any conversion so that it stays defined. */
#include "quantize.h"
#include "requantize.h"

/* std::round on a float (halves away from zero), then clamped to [-512, 512]; NaN gives 0. */
static int32_t round_clamped(float q) {
  float t, d, r;
  if (!(q >= 0.0f) && !(q < 0.0f)) return 0; /* NaN */
  /* |q| >= 2^23 is already an integer (or infinite); below that the int32 conversion truncates exactly. */
  t = (q >= 8388608.0f || q <= -8388608.0f) ? q : (float)(int32_t)q;
  d = q - t; /* exact in float32 */
  if (d < 0.0f) d = -d;
  r = d >= 0.5f ? t + (q < 0.0f ? -1.0f : 1.0f) : t;
  if (r < -512.0f) r = -512.0f;
  if (r > 512.0f) r = 512.0f;
  return (int32_t)r;
}

void quantize(const float *input, int8_t *output, int32_t count, float scale, int32_t zero_point) {
  int32_t i;
  for (i = 0; i < count; i++) {
    const float q = input[i] / scale;
    output[i] = (int8_t)mcusim_clamp(round_clamped(q) + zero_point, -128, 127);
  }
}

void quantize_int8(const int8_t *input, int8_t *output, int32_t count, int32_t multiplier, int32_t shift,
                   int32_t input_zero_point, int32_t output_zero_point) {
  int32_t i;
  for (i = 0; i < count; i++) {
    const int32_t v = mcusim_add(mcusim_mbqm((int32_t)input[i] - input_zero_point, multiplier, shift), output_zero_point);
    output[i] = (int8_t)mcusim_clamp(v, -128, 127);
  }
}
