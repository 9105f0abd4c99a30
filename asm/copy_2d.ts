// A strided 2-D byte copy: `rows` rows of `row_bytes` bytes, rows `in_stride` apart in the source and
// `out_stride` apart in the destination. Patch-based schedules use it to crop a region of an NHWC tensor into a
// tile buffer and to paste a finished tile into the whole tensor. Source and destination never overlap.
export function copy_2d(input: i32, output: i32, rows: i32, rowBytes: i32, inStride: i32, outStride: i32): void {
  for (let r = 0; r < rows; r++) memory.copy(output + r * outStride, input + r * inStride, rowBytes);
}
