// Reference int8 LEAKY_RELU (TFLite Micro leaky_relu_common.cc + reference_ops::QuantizeLeakyRelu), written plainly.
import { clamp, mbqm, quantizeMultiplier } from './tflite-math.ts';

const f32 = Math.fround;

/** QuantizeMultiplier for a multiplier of either sign (std::frexp and std::round are odd functions). */
function signedQuantize(m: number): [number, number] {
  if (m >= 0) return quantizeMultiplier(m);
  const [q, s] = quantizeMultiplier(-m);
  return [-q, s];
}

export function referenceLeakyRelu(input: Int8Array, inScale: number, inZp: number, outScale: number, outZp: number, alpha: number): Int8Array {
  // Both multipliers in float32, as the C++ computes them from float scales and a float alpha.
  const [mi, si] = signedQuantize(f32(inScale / outScale));
  const [ma, sa] = signedQuantize(f32(f32(inScale * f32(alpha)) / outScale));
  return input.map((v) => {
    const x = v - inZp;
    let out: number;
    if (x >= 0) out = outZp + mbqm(x, mi, si);
    else {
      // TFLite Micro applies a negative alpha multiplier by magnitude, then negates.
      const scaled = mbqm(x, Math.abs(ma), sa);
      out = outZp + (ma < 0 ? -scaled : scaled);
    }
    return clamp(out, -128, 127);
  });
}
