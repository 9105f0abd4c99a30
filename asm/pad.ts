// PAD, int8, 4-D (TFLite reference_ops::Pad): output[n,h,w,c] is the input element shifted by the leading
// paddings, or `padValue` (the output zero point) outside the input. Rows along the last axis are filled
// and copied whole.
export function pad(
  input: i32, in0: i32, in1: i32, in2: i32, in3: i32,
  output: i32, out0: i32, out1: i32, out2: i32, out3: i32,
  before0: i32, before1: i32, before2: i32, before3: i32,
  padValue: i32,
): void {
  const after3 = out3 - before3 - in3;
  let dst = output;
  for (let n: i32 = 0; n < out0; n++) {
    const i0 = n - before0;
    for (let h: i32 = 0; h < out1; h++) {
      const i1 = h - before1;
      for (let w: i32 = 0; w < out2; w++) {
        const i2 = w - before2;
        if (<u32>i0 < <u32>in0 && <u32>i1 < <u32>in1 && <u32>i2 < <u32>in2) {
          memory.fill(dst, <u8>padValue, before3);
          memory.copy(dst + before3, input + ((i0 * in1 + i1) * in2 + i2) * in3, in3);
          memory.fill(dst + before3 + in3, <u8>padValue, after3);
        } else {
          memory.fill(dst, <u8>padValue, out3);
        }
        dst += out3;
      }
    }
  }
}
