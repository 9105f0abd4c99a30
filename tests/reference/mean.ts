// Reference MEAN over axes [1, 2] of an int8 NHWC tensor, as TFLite Micro's reduce_common.cc EvalIntegerMean
// computes it: identical input/output quantisation -> reference_ops::Mean (int32 sum, C++ truncating
// division by the count); otherwise reference_ops::QuantizedMeanOrSum (1/count folded into the multiplier).
import { clamp, mbqm, quantizeMultiplier } from './tflite-math.ts';

export interface MeanCase {
  input: Int8Array; inShape: [number, number, number, number];
  inScale: number; inZp: number; outScale: number; outZp: number; keepDims: boolean;
}

/** QuantizedMeanOrSum's multiplier and shift: QuantizeMultiplier(in/out), then 1/count folded in. */
export function foldedMultiplier(inScale: number, outScale: number, count: number): [number, number] {
  const [multiplier, shift] = quantizeMultiplier(inScale / outScale);
  // 63 - CountLeadingZeros(uint64 count) is floor(log2(count)); then min(.., 32), min(.., 31 + shift).
  let s = 0;
  while (2 ** (s + 1) <= count) s++;
  s = Math.min(s, 32, 31 + shift);
  return [Number((BigInt(multiplier) * 2n ** BigInt(s)) / BigInt(count)), shift - s]; // int64 division truncates
}

export function referenceMean(c: MeanCase): { data: Int8Array; shape: number[] } {
  const [, H, W, C] = c.inShape;
  const n = H * W;
  const out = new Int8Array(C);
  const sameQuant = c.inScale === c.outScale && c.inZp === c.outZp;
  const [multiplier, shift] = foldedMultiplier(c.inScale, c.outScale, n);
  for (let ch = 0; ch < C; ch++) {
    let sum = 0;
    for (let p = 0; p < n; p++) sum += c.input[p * C + ch];
    if (sameQuant) out[ch] = Math.trunc(sum / n);
    else out[ch] = clamp(mbqm(sum - c.inZp * n, multiplier, shift) + c.outZp, -128, 127);
  }
  return { data: out, shape: c.keepDims ? [1, 1, 1, C] : [1, C] };
}
