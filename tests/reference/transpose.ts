// Reference TRANSPOSE (TFLite reference_ops::Transpose), written plainly for tests: output index (o_0..o_{n-1})
// reads input index i with i[perm[k]] = o_k. Any rank.
export function referenceTranspose(input: Int8Array, shape: number[], perm: number[]): { data: Int8Array; shape: number[] } {
  const outShape = perm.map((p) => shape[p]);
  const rank = shape.length;
  const inStrides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  const out = new Int8Array(input.length);
  const o = new Array(rank).fill(0);
  for (let flat = 0; flat < out.length; flat++) {
    let src = 0;
    for (let k = 0; k < rank; k++) src += o[k] * inStrides[perm[k]];
    out[flat] = input[src];
    for (let k = rank - 1; k >= 0; k--) { // odometer over the output
      if (++o[k] < outShape[k]) break;
      o[k] = 0;
    }
  }
  return { data: out, shape: outShape };
}
