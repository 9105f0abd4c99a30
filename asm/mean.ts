// MEAN over the spatial axes of an int8 NHWC tensor (TFLite Micro reduce: EvalIntegerMean).
// Pass 1 sums every channel over all `pixels` into the int32 scratch buffer (one entry per channel).
// Pass 2, when input and output quantisation are identical (`requantize` = 0): sum / pixels with C's
// truncating division (reference_ops::Mean). Otherwise (reference_ops::QuantizedMeanOrSum):
// MultiplyByQuantizedMultiplier(sum - input_zp * pixels, multiplier, shift) + output_zp, clamped, where the
// host has already folded 1 / pixels into the multiplier and shift.
import { clampI32, multiplyByQuantizedMultiplier } from './requantize';

export function mean(
  input: i32, pixels: i32, channels: i32, scratch: i32, output: i32,
  requantize: i32, inputZeroPoint: i32, multiplier: i32, shift: i32, outputZeroPoint: i32,
): void {
  for (let c: i32 = 0; c < channels; c++) store<i32>(scratch + (c << 2), 0);
  for (let p: i32 = 0; p < pixels; p++) {
    const pixel = input + p * channels;
    for (let c: i32 = 0; c < channels; c++) {
      const slot = scratch + (c << 2);
      store<i32>(slot, load<i32>(slot) + <i32>load<i8>(pixel + c));
    }
  }
  const zeroPointSum = inputZeroPoint * pixels;
  for (let c: i32 = 0; c < channels; c++) {
    const sum = load<i32>(scratch + (c << 2));
    const value = requantize == 0
      ? sum / pixels
      : clampI32(multiplyByQuantizedMultiplier(sum - zeroPointSum, multiplier, shift) + outputZeroPoint, -128, 127);
    store<i8>(output + c, <i8>value);
  }
}
