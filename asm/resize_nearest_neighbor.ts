// RESIZE_NEAREST_NEIGHBOR, int8 NHWC (TFLite reference_ops::ResizeNearestNeighbor, as TFLM runs it). The
// source index is computed in float32, exactly as TFLite's GetNearestNeighbor does:
//   scale = align_corners && out > 1 ? (in - 1) / (out - 1) : in / out          (float division)
//   v     = (i + (half_pixel_centers ? 0.5 : 0)) * scale                         (float)
//   src   = min(align_corners ? round(v) : floor(v), in - 1), then max(src, 0) with half_pixel_centers
// where round is std::round (halves away from zero). WebAssembly f32 arithmetic is IEEE single precision
// with round-to-nearest, like the Cortex-M FPU. Each output pixel copies all channels of its source pixel.

@inline
function nearest(i: i32, inSize: i32, outSize: i32, alignCorners: i32, halfPixelCenters: i32): i32 {
  const scale: f32 = alignCorners != 0 && outSize > 1 ? <f32>(inSize - 1) / <f32>(outSize - 1) : <f32>inSize / <f32>outSize;
  const offset: f32 = halfPixelCenters != 0 ? 0.5 : 0.0;
  const v: f32 = (<f32>i + offset) * scale; // v >= 0
  let f: f32 = Mathf.floor(v);
  if (alignCorners != 0 && v - f >= 0.5) f += 1; // std::round for v >= 0; v - floor(v) is exact
  let src = min(<i32>f, inSize - 1);
  if (halfPixelCenters != 0) src = max(src, 0);
  return src;
}

export function resize_nearest_neighbor(
  input: i32, batches: i32, inH: i32, inW: i32, channels: i32,
  output: i32, outH: i32, outW: i32,
  alignCorners: i32, halfPixelCenters: i32,
): void {
  const rowBytes = inW * channels;
  let dst = output;
  for (let b: i32 = 0; b < batches; b++) {
    const image = input + b * inH * rowBytes;
    for (let y: i32 = 0; y < outH; y++) {
      const row = image + nearest(y, inH, outH, alignCorners, halfPixelCenters) * rowBytes;
      for (let x: i32 = 0; x < outW; x++) {
        memory.copy(dst, row + nearest(x, inW, outW, alignCorners, halfPixelCenters) * channels, channels);
        dst += channels;
      }
    }
  }
}
