// STRIDED_SLICE, int8, up to 5-D (TFLite reference_ops::StridedSlice, which pads every shape to 5-D). The op
// file resolves TFLite's masks and negative indices at import: per dimension a first index `begin`, a
// `stride` (negative walks backwards) and a `count` of elements taken (1 for shrunk axes). Output element
// (i0..i4) is input element (begin_d + i_d * stride_d). Rows with stride 1 on the last axis are copied whole.
export function strided_slice(
  input: i32, in0: i32, in1: i32, in2: i32, in3: i32, in4: i32,
  begin0: i32, begin1: i32, begin2: i32, begin3: i32, begin4: i32,
  stride0: i32, stride1: i32, stride2: i32, stride3: i32, stride4: i32,
  count0: i32, count1: i32, count2: i32, count3: i32, count4: i32,
  output: i32,
): void {
  // Row-major strides of the input, in elements (= bytes).
  const s3: i32 = in4;
  const s2: i32 = in3 * s3;
  const s1: i32 = in2 * s2;
  const s0: i32 = in1 * s1;
  let dst = output;
  for (let a: i32 = 0; a < count0; a++) {
    const pa = input + (begin0 + a * stride0) * s0;
    for (let b: i32 = 0; b < count1; b++) {
      const pb = pa + (begin1 + b * stride1) * s1;
      for (let c: i32 = 0; c < count2; c++) {
        const pc = pb + (begin2 + c * stride2) * s2;
        for (let d: i32 = 0; d < count3; d++) {
          const src = pc + (begin3 + d * stride3) * s3 + begin4;
          if (stride4 == 1) {
            memory.copy(dst, src, count4);
          } else {
            for (let e: i32 = 0; e < count4; e++) store<i8>(dst + e, load<i8>(src + e * stride4));
          }
          dst += count4;
        }
      }
    }
  }
}
