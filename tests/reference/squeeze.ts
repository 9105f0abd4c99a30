// Reference SQUEEZE (TFLite squeeze.cc): the listed dimensions (negative ones count from the end), or every
// size-1 dimension when none are listed, leave the shape; the bytes stay as they are.
export function referenceSqueezeShape(shape: number[], squeezeDims: number[]): number[] {
  const drop = new Array(shape.length).fill(false);
  if (squeezeDims.length === 0) shape.forEach((d, i) => { drop[i] = d === 1; });
  for (const d of squeezeDims) drop[d < 0 ? d + shape.length : d] = true;
  return shape.filter((_, i) => !drop[i]);
}
