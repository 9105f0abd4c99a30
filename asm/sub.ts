// SUB, int8 (TFLite Micro reference_ops::SubElementwise / BroadcastQuantSubSlow): ADD's arithmetic with the second
// rescaled term subtracted. Both inputs are shifted left by `leftShift` bits, rescaled to a common scale (twice the
// larger input scale), subtracted, and rescaled to the output, each rescale being
// MultiplyByQuantizedMultiplierSmallerThanOneExp (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT by
// -shift; every shift is <= 0). Broadcasting as in add.ts: input k is read at index (i mod periodK).
import { clampI32, roundingDivideByPOT, saturatingRoundingDoublingHighMul } from './requantize';

@inline
function rescaleSmallerThanOne(x: i32, multiplier: i32, shift: i32): i32 {
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, multiplier), -shift);
}

export function sub(
  input1: i32, input1Period: i32, input2: i32, input2Period: i32, output: i32, size: i32,
  leftShift: i32,
  input1Offset: i32, input1Multiplier: i32, input1Shift: i32,
  input2Offset: i32, input2Multiplier: i32, input2Shift: i32,
  outputOffset: i32, outputMultiplier: i32, outputShift: i32,
  actMin: i32, actMax: i32,
): void {
  let j1: i32 = 0;
  let j2: i32 = 0;
  for (let i: i32 = 0; i < size; i++) {
    const x1 = (<i32>load<i8>(input1 + j1) + input1Offset) << leftShift;
    const x2 = (<i32>load<i8>(input2 + j2) + input2Offset) << leftShift;
    const difference = rescaleSmallerThanOne(x1, input1Multiplier, input1Shift) - rescaleSmallerThanOne(x2, input2Multiplier, input2Shift);
    const raw = rescaleSmallerThanOne(difference, outputMultiplier, outputShift) + outputOffset;
    store<i8>(output + i, <i8>clampI32(raw, actMin, actMax));
    if (++j1 == input1Period) j1 = 0;
    if (++j2 == input2Period) j2 = 0;
  }
}
