// QUANTIZE (TFLite Micro quantize_common.cc).
// float32 -> int8: reference_ops::AffineQuantize, i.e. round(val / scale) + zero_point, clamped, where the division
//   is float32 (TFLite casts the double scale back to float) and the rounding is std::round on a float (halves away
//   from zero). AssemblyScript's Math.round rounds halves up, so the rounding is written out here.
// int8 -> int8: reference_ops::Requantize, MultiplyByQuantizedMultiplier(q - input_zp) + output_zp, clamped.
import { clampI32, multiplyByQuantizedMultiplier } from './requantize';

export function quantize(input: i32, output: i32, count: i32, scale: f32, zeroPoint: i32): void {
  for (let i = 0; i < count; i++) {
    const q: f32 = load<f32>(input + (i << 2)) / scale;
    const t: f32 = trunc<f32>(q);
    // q - t is exact in float32 (for |q| >= 2^23, q is already an integer and the difference is 0).
    let r: f32 = abs<f32>(q - t) >= 0.5 ? t + copysign<f32>(1, q) : t;
    // TFLite's cast to int32 is undefined for NaN and for |r| >= 2^31; here NaN gives the zero point and large
    // values saturate. Clamping in float first keeps the conversion defined.
    r = r != r ? 0 : min<f32>(max<f32>(r, -512), 512);
    store<i8>(output + i, <i8>clampI32(<i32>r + zeroPoint, -128, 127));
  }
}

export function quantize_int8(input: i32, output: i32, count: i32, multiplier: i32, shift: i32, inputZeroPoint: i32, outputZeroPoint: i32): void {
  for (let i = 0; i < count; i++) {
    const v = multiplyByQuantizedMultiplier(<i32>load<i8>(input + i) - inputZeroPoint, multiplier, shift) + outputZeroPoint;
    store<i8>(output + i, <i8>clampI32(v, -128, 127));
  }
}
