// SUB, int8 (TFLite Micro reference_ops::SubElementwise / BroadcastQuantSubSlow): ADD's arithmetic (add.ts) with the
// second rescaled term subtracted. Broadcasting as in add.ts: input k is read at index (i mod periodK).
import { addOrSubtract } from './add';

export function sub(
  input1: i32, input1Period: i32, input2: i32, input2Period: i32, output: i32, size: i32,
  leftShift: i32,
  input1Offset: i32, input1Multiplier: i32, input1Shift: i32,
  input2Offset: i32, input2Multiplier: i32, input2Shift: i32,
  outputOffset: i32, outputMultiplier: i32, outputShift: i32,
  actMin: i32, actMax: i32,
): void {
  addOrSubtract(input1, input1Period, input2, input2Period, output, size, leftShift,
    input1Offset, input1Multiplier, input1Shift, input2Offset, input2Multiplier, input2Shift,
    outputOffset, outputMultiplier, outputShift, actMin, actMax, true);
}
