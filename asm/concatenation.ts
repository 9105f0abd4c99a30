// CONCATENATION (TFLite reference_ops::Concatenation). With equal quantisation on every input and the output,
// which the op file requires, it is a pure byte copy, so one kernel serves int8, int32 and float32.
//
// Every tensor is viewed as [outer, rowBytes]: outer = product of the dimensions before the axis, rowBytes =
// (axis dimension x product of the dimensions after it x element bytes). Output row o is input 0's row o,
// then input 1's row o, and so on. Kernels take only numbers, so the inputs arrive as explicit
// (address, row bytes) pairs: ten of them, TFLite Micro's own limit (kMaxInputNum = 10). Unused pairs carry
// row bytes 0 and cost nothing. One call per operator, no table in Flash (arena addresses are only known
// after planning, when Flash constants are already fixed).

@inline
function copyRows(src: i32, rowBytes: i32, dst: i32, outRowBytes: i32, outer: i32): void {
  if (rowBytes == 0) return;
  for (let o = 0; o < outer; o++) memory.copy(dst + o * outRowBytes, src + o * rowBytes, rowBytes);
}

export function concatenation(
  output: i32, outer: i32, outRowBytes: i32,
  in0: i32, bytes0: i32, in1: i32, bytes1: i32, in2: i32, bytes2: i32, in3: i32, bytes3: i32, in4: i32, bytes4: i32,
  in5: i32, bytes5: i32, in6: i32, bytes6: i32, in7: i32, bytes7: i32, in8: i32, bytes8: i32, in9: i32, bytes9: i32,
): void {
  let dst = output;
  copyRows(in0, bytes0, dst, outRowBytes, outer); dst += bytes0;
  copyRows(in1, bytes1, dst, outRowBytes, outer); dst += bytes1;
  copyRows(in2, bytes2, dst, outRowBytes, outer); dst += bytes2;
  copyRows(in3, bytes3, dst, outRowBytes, outer); dst += bytes3;
  copyRows(in4, bytes4, dst, outRowBytes, outer); dst += bytes4;
  copyRows(in5, bytes5, dst, outRowBytes, outer); dst += bytes5;
  copyRows(in6, bytes6, dst, outRowBytes, outer); dst += bytes6;
  copyRows(in7, bytes7, dst, outRowBytes, outer); dst += bytes7;
  copyRows(in8, bytes8, dst, outRowBytes, outer); dst += bytes8;
  copyRows(in9, bytes9, dst, outRowBytes, outer);
}
