// General N-d broadcasting (TFLite's NdArrayDescsForElementwiseBroadcast + BroadcastBinaryFunction6DSlow),
// written plainly for the ADD and MUL references: walk every output index and read each input at the same
// index with its size-1 dimensions pinned to 0.

export function broadcastShape(a: number[], b: number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Row-major strides of `shape` seen from an output of rank `rank`, with 0 stride on broadcast dimensions. */
function strides(shape: number[], out: number[]): number[] {
  const ext = [...Array(out.length - shape.length).fill(1), ...shape];
  const s = new Array(out.length).fill(0);
  let step = 1;
  for (let i = out.length - 1; i >= 0; i--) {
    s[i] = ext[i] === 1 ? 0 : step;
    step *= ext[i];
  }
  return s;
}

export function broadcastBinary(
  a: Int8Array, aShape: number[], b: Int8Array, bShape: number[],
  f: (x: number, y: number) => number,
): { data: Int8Array; shape: number[] } {
  const shape = broadcastShape(aShape, bShape);
  const sa = strides(aShape, shape);
  const sb = strides(bShape, shape);
  const size = shape.reduce((n, d) => n * d, 1);
  const out = new Int8Array(size);
  const index = new Array(shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < shape.length; d++) { ia += index[d] * sa[d]; ib += index[d] * sb[d]; }
    out[i] = f(a[ia], b[ib]);
    for (let d = shape.length - 1; d >= 0; d--) { // odometer
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return { data: out, shape };
}
