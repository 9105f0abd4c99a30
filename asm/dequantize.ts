// DEQUANTIZE int8 -> float32 (TFLite reference_ops::Dequantize): scale * (q - zero_point) as one float32 product.
// (q - zero_point) is at most 255 in size, so it converts to float exactly and the product is correctly rounded,
// whichever precision TFLite's compiler evaluates it in.
export function dequantize(input: i32, output: i32, count: i32, scale: f32, zeroPoint: i32): void {
  for (let i = 0; i < count; i++) {
    store<f32>(output + (i << 2), scale * <f32>(<i32>load<i8>(input + i) - zeroPoint));
  }
}
