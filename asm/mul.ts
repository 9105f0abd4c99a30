// MUL, int8 (TFLite reference_integer_ops::MulElementwise): (in1 + offset1) * (in2 + offset2), rescaled by
// MultiplyByQuantizedMultiplier(in1_scale * in2_scale / out_scale), plus the output zero point, clamped.
// Broadcasting as in add.ts: input k is read at index (i mod periodK).
import { clampI32, multiplyByQuantizedMultiplier } from './requantize';

export function mul(
  input1: i32, input1Period: i32, input2: i32, input2Period: i32, output: i32, size: i32,
  input1Offset: i32, input2Offset: i32,
  outputOffset: i32, outputMultiplier: i32, outputShift: i32,
  actMin: i32, actMax: i32,
): void {
  let j1: i32 = 0;
  let j2: i32 = 0;
  for (let i: i32 = 0; i < size; i++) {
    const product = (<i32>load<i8>(input1 + j1) + input1Offset) * (<i32>load<i8>(input2 + j2) + input2Offset);
    const raw = multiplyByQuantizedMultiplier(product, outputMultiplier, outputShift) + outputOffset;
    store<i8>(output + i, <i8>clampI32(raw, actMin, actMax));
    if (++j1 == input1Period) j1 = 0;
    if (++j2 == input2Period) j2 = 0;
  }
}
