/* FULLY_CONNECTED: each output is a dot product of one input row with one weight row, both offset, plus bias,
 * requantised per output channel. Sums wrap in int32 like the SIMD WebAssembly twin's (asm/fully_connected.ts).
 * With the DSP extension, 4 bytes per step: SXTAB16 sign-extends two bytes and adds the offset to each (x + offset
 * fits in int16 for offsets within +-32000, always the case for int8 zero points), SMLAD multiplies and adds the
 * pairs; SMLAD wraps modulo 2^32, so the bytes equal the plain loop's. */
#include "fully_connected.h"
#include "requantize.h"

void fully_connected(
    const int8_t *input, int32_t rows, int32_t depth,
    const int8_t *filter, int32_t units,
    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
    int8_t *output,
    int32_t input_offset, int32_t filter_offset, int32_t output_offset, int32_t act_min, int32_t act_max) {
  int32_t r, oc, c;
#ifdef MCUSIM_DSP
  const int dsp = input_offset >= -32000 && input_offset <= 32000 && filter_offset >= -32000 && filter_offset <= 32000;
  const uint32_t in_pair = mcusim_pair16(input_offset), w_pair = mcusim_pair16(filter_offset);
#endif
  for (r = 0; r < rows; r++) {
    const int8_t *x = input + r * depth;
    int8_t *out = output + r * units;
    for (oc = 0; oc < units; oc++) {
      const int8_t *w = filter + oc * depth;
      uint32_t acc = (uint32_t)bias[oc];
      int32_t value;
      c = 0;
#ifdef MCUSIM_DSP
      if (dsp) {
        for (; c + 4 <= depth; c += 4) {
          const uint32_t xv = mcusim_load4(x + c), wv = mcusim_load4(w + c);
          acc = mcusim_smlad(mcusim_sxtab16(in_pair, xv), mcusim_sxtab16(w_pair, wv), acc);
          acc = mcusim_smlad(mcusim_sxtab16_ror8(in_pair, xv), mcusim_sxtab16_ror8(w_pair, wv), acc);
        }
      }
#endif
      for (; c < depth; c++) acc += (uint32_t)(((int32_t)w[c] + filter_offset) * ((int32_t)x[c] + input_offset));
      value = mcusim_mbqm(mcusim_wrap(acc), multipliers[oc], shifts[oc]);
      out[oc] = (int8_t)mcusim_clamp(mcusim_add(value, output_offset), act_min, act_max);
    }
  }
}
