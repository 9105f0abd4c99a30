// Reference CONCATENATION (TFLite reference_ops::Concatenation with equal quantisation: values are copied as they
// are). Written element by element over multi-indices, sharing no code with asm/ or runtime/.

export function referenceConcatenation<T extends Int8Array | Int32Array | Float32Array>(inputs: T[], shapes: number[][], axis: number, make: (n: number) => T): { data: T; shape: number[] } {
  const rank = shapes[0].length;
  const ax = axis < 0 ? axis + rank : axis;
  const shape = [...shapes[0]];
  shape[ax] = shapes.reduce((n, s) => n + s[ax], 0);
  const total = shape.reduce((n, d) => n * d, 1);
  const out = make(total);
  const index = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < total; flat++) {
    // Which input holds this output coordinate along the axis, and where in it.
    let along = index[ax];
    let which = 0;
    while (along >= shapes[which][ax]) along -= shapes[which++][ax];
    let src = 0;
    for (let k = 0; k < rank; k++) src = src * shapes[which][k] + (k === ax ? along : index[k]);
    out[flat] = inputs[which][src];
    for (let k = rank - 1; k >= 0; k--) {
      if (++index[k] < shape[k]) break;
      index[k] = 0;
    }
  }
  return { data: out, shape };
}
