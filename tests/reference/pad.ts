// Reference PAD for int8 (TFLite reference_ops::Pad without constant_values: the pad value is the output
// zero point), written plainly for tests. Any rank up to 4.
export interface PadCase {
  input: Int8Array; inShape: number[]; inScale: number; inZp: number;
  paddings: [number, number][]; outScale: number; outZp: number;
}

export function referencePad(c: PadCase): { data: Int8Array; shape: number[] } {
  const shape = c.inShape.map((d, i) => d + c.paddings[i][0] + c.paddings[i][1]);
  const size = shape.reduce((n, d) => n * d, 1);
  const out = new Int8Array(size).fill(c.outZp);
  const inSize = c.inShape.reduce((n, d) => n * d, 1);
  for (let i = 0; i < inSize; i++) {
    // Unravel the input index, shift by the leading paddings, ravel into the output.
    let rest = i;
    let o = 0;
    let stride = 1;
    for (let d = c.inShape.length - 1; d >= 0; d--) {
      const coord = rest % c.inShape[d];
      rest = Math.floor(rest / c.inShape[d]);
      o += (coord + c.paddings[d][0]) * stride;
      stride *= shape[d];
    }
    out[o] = c.input[i];
  }
  return { data: out, shape };
}
