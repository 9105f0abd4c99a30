// LEAKY_RELU, int8 (TFLite Micro reference_ops::QuantizeLeakyRelu): input less its zero point, rescaled by the
// identity multiplier (input_scale / output_scale) where it is >= 0 and by the alpha multiplier
// (input_scale * alpha / output_scale) where it is negative, plus the output zero point, clamped to int8.
// A negative alpha multiplier is applied as TFLite Micro does: MultiplyByQuantizedMultiplier with its magnitude,
// then negated (which differs from using the signed multiplier directly on exact ties).
import { clampI32, multiplyByQuantizedMultiplier } from './requantize';

export function leaky_relu(
  input: i32, output: i32, size: i32,
  inputZeroPoint: i32, outputZeroPoint: i32,
  identityMultiplier: i32, identityShift: i32,
  alphaMultiplier: i32, alphaShift: i32,
): void {
  const alphaNegative = alphaMultiplier < 0;
  const alphaMagnitude = alphaNegative ? -alphaMultiplier : alphaMultiplier;
  for (let i: i32 = 0; i < size; i++) {
    const x = <i32>load<i8>(input + i) - inputZeroPoint;
    let raw: i32;
    if (x >= 0) {
      raw = outputZeroPoint + multiplyByQuantizedMultiplier(x, identityMultiplier, identityShift);
    } else {
      const scaled = multiplyByQuantizedMultiplier(x, alphaMagnitude, alphaShift);
      raw = outputZeroPoint + (alphaNegative ? -scaled : scaled);
    }
    store<i8>(output + i, <i8>clampI32(raw, -128, 127));
  }
}
