// Reference DEQUANTIZE (TFLite reference_ops::Dequantize): static_cast<float>(scale * (q - zero_point)) with a
// float scale. The exact product fits a double, so Math.fround of it is the correctly rounded float32 product.
export function referenceDequantize(input: Int8Array, scale: number, zp: number): Float32Array {
  return Float32Array.from(input, (v) => Math.fround(scale * (v - zp)));
}
