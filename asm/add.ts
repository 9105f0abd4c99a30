// ADD, int8 (TFLite reference_integer_ops::Add / AddFunc). Both inputs are shifted left by `leftShift` bits,
// rescaled to a common scale (twice the larger input scale), summed, and rescaled to the output.
// Every rescale is MultiplyByQuantizedMultiplierSmallerThanOneExp: SaturatingRoundingDoublingHighMul, then
// RoundingDivideByPOT by -shift (all shifts are <= 0). SUB (sub.ts) is the same loop with the second term
// subtracted, so both call addOrSubtract.
// Broadcasting: input k is read at index (i mod periodK), so a period equal to `size` is a full operand,
// the channel count is a per-channel vector and 1 is a scalar (the op file picks the periods).
import { clampI32, roundingDivideByPOT, saturatingRoundingDoublingHighMul } from './requantize';

@inline
function rescaleSmallerThanOne(x: i32, multiplier: i32, shift: i32): i32 {
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, multiplier), -shift);
}

/** The ADD / SUB loop: subtract picks input1 - input2 (the wrapping i32.sub) over input1 + input2. */
@inline
export function addOrSubtract(
  input1: i32, input1Period: i32, input2: i32, input2Period: i32, output: i32, size: i32,
  leftShift: i32,
  input1Offset: i32, input1Multiplier: i32, input1Shift: i32,
  input2Offset: i32, input2Multiplier: i32, input2Shift: i32,
  outputOffset: i32, outputMultiplier: i32, outputShift: i32,
  actMin: i32, actMax: i32, subtract: bool,
): void {
  let j1: i32 = 0;
  let j2: i32 = 0;
  for (let i: i32 = 0; i < size; i++) {
    const x1 = (<i32>load<i8>(input1 + j1) + input1Offset) << leftShift;
    const x2 = (<i32>load<i8>(input2 + j2) + input2Offset) << leftShift;
    const t1 = rescaleSmallerThanOne(x1, input1Multiplier, input1Shift);
    const t2 = rescaleSmallerThanOne(x2, input2Multiplier, input2Shift);
    const raw = rescaleSmallerThanOne(subtract ? t1 - t2 : t1 + t2, outputMultiplier, outputShift) + outputOffset;
    store<i8>(output + i, <i8>clampI32(raw, actMin, actMax));
    if (++j1 == input1Period) j1 = 0;
    if (++j2 == input2Period) j2 = 0;
  }
}

export function add(
  input1: i32, input1Period: i32, input2: i32, input2Period: i32, output: i32, size: i32,
  leftShift: i32,
  input1Offset: i32, input1Multiplier: i32, input1Shift: i32,
  input2Offset: i32, input2Multiplier: i32, input2Shift: i32,
  outputOffset: i32, outputMultiplier: i32, outputShift: i32,
  actMin: i32, actMax: i32,
): void {
  addOrSubtract(input1, input1Period, input2, input2Period, output, size, leftShift,
    input1Offset, input1Multiplier, input1Shift, input2Offset, input2Multiplier, input2Shift,
    outputOffset, outputMultiplier, outputShift, actMin, actMax, false);
}
