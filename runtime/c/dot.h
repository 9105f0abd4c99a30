/* The int8 dot product the GEMM-like kernels share (conv2d_1x1.c, inverted_residual.c) for their leftover pixels and
 * channels. No kernel of its own: a header of static functions. */
#ifndef MCUSIM_DOT_H
#define MCUSIM_DOT_H

#include "requantize.h"

/** acc + sum_j x[j] * w[j] over n int8 values, wrapping: with the DSP extension 4 values per step (SXTB16 splits a
 * word into its even and odd bytes as int16 pairs, the same permutation on both sides; SMLAD multiplies and adds). */
static inline uint32_t mcusim_dot(const int8_t *x, const int8_t *w, int32_t n, uint32_t acc) {
  int32_t j = 0;
#ifdef MCUSIM_DSP
  for (; j + 4 <= n; j += 4) {
    const uint32_t xv = mcusim_load4(x + j), wv = mcusim_load4(w + j);
    acc = mcusim_smlad(mcusim_sxtb16(xv), mcusim_sxtb16(wv), acc);
    acc = mcusim_smlad(mcusim_sxtb16_ror8(xv), mcusim_sxtb16_ror8(wv), acc);
  }
#endif
  for (; j < n; j++) acc += (uint32_t)((int32_t)x[j] * (int32_t)w[j]);
  return acc;
}

#endif /* MCUSIM_DOT_H */
