// Reference QUANTIZE (TFLite Micro quantize_common.cc), written plainly for tests.
// float32 -> int8: AffineQuantize, static_cast<int32>(TfLiteRound(val / static_cast<float>(scale))) + zero_point,
//   clamped. The quotient is a float32 (Math.fround of the double quotient of two floats is exactly the float32
//   quotient), rounded half away from zero. Where TFLite's int cast is undefined (NaN, |x| >= 2^31) mcusim defines
//   NaN -> zero point and saturation; the reference states the same rule.
// int8 -> int8: Requantize with QuantizeMultiplier(input_scale / output_scale) and MultiplyByQuantizedMultiplier.
import { clamp, mbqm, quantizeMultiplier, roundAway } from './tflite-math.ts';

export function referenceQuantizeFloat(input: Float32Array, scale: number, zp: number): Int8Array {
  return Int8Array.from(input, (v) => {
    const r = roundAway(Math.fround(v / scale));
    return Number.isNaN(r) ? zp : clamp(r + zp, -128, 127);
  });
}

export function referenceRequantize(input: Int8Array, inScale: number, inZp: number, outScale: number, outZp: number): Int8Array {
  const [m, shift] = quantizeMultiplier(inScale / outScale);
  return Int8Array.from(input, (v) => clamp(mbqm(v - inZp, m, shift) + outZp, -128, 127));
}
