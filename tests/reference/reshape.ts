// Reference RESHAPE (TFLite reshape.cc): the output holds the input's values in the same row-major order; only the
// shape changes. The new shape is the shape input with at most one -1 resolved, as TFLite does.

export function referenceReshapeShape(count: number, spec: number[]): number[] {
  const known = spec.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return spec.map((d) => (d === -1 ? count / known : d));
}

export function referenceReshape<T extends Int8Array | Int32Array | Float32Array>(input: T): T {
  return input.slice() as T;
}
