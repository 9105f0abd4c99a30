// Reference RESIZE_NEAREST_NEIGHBOR (TFLite reference_ops::ResizeNearestNeighbor / GetNearestNeighbor), written
// plainly for tests. TFLite computes the source index in float32: every float operation below is rounded to
// float32 with Math.fround (one double operation on float32 operands, then one rounding, is exactly the float32
// operation for + - * /). std::round on a float rounds halves away from zero.
const f = Math.fround;

export function nearestIndex(i: number, inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): number {
  const scale = alignCorners && outSize > 1 ? f(f(inSize - 1) / f(outSize - 1)) : f(f(inSize) / f(outSize));
  const offset = halfPixelCenters ? 0.5 : 0;
  const v = f(f(f(i) + offset) * scale);
  // v >= 0, and v + 0.5 is exact in double precision, so floor(v + 0.5) is std::round(v).
  const r = alignCorners ? Math.floor(v + 0.5) : Math.floor(v);
  let src = Math.min(r, inSize - 1);
  if (halfPixelCenters) src = Math.max(0, src);
  return src;
}

export function referenceResizeNearest(input: Int8Array, shape: number[], outH: number, outW: number, alignCorners: boolean, halfPixelCenters: boolean): { data: Int8Array; shape: number[] } {
  const [n, h, w, c] = shape;
  const out = new Int8Array(n * outH * outW * c);
  let k = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < outH; y++) {
      const iy = nearestIndex(y, h, outH, alignCorners, halfPixelCenters);
      for (let x = 0; x < outW; x++) {
        const ix = nearestIndex(x, w, outW, alignCorners, halfPixelCenters);
        for (let ch = 0; ch < c; ch++) out[k++] = input[((b * h + iy) * w + ix) * c + ch];
      }
    }
  }
  return { data: out, shape: [n, outH, outW, c] };
}
