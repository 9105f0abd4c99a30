// STRIDED_SLICE: int8, rank 1 to 5 (TFLite reference_ops::StridedSlice pads to 5-D; TFLite Micro itself stops at
// 4). The IR holds the slice after TFLite's masks and negative indices are resolved (resolveStridedSlice below,
// which the reader calls; tfliteStridedSlice is the writer's way back), per input dimension d:
//   0 <= begin[d] < size[d];  strides[d] != 0;
//   strides[d] > 0: begin[d] < end[d] <= size[d];   strides[d] < 0: -1 <= end[d] < begin[d]   (end exclusive);
//   shrink (bit d of shrinkAxisMask): strides[d] > 0 and end[d] = begin[d] + 1; the dimension leaves the output.
// Dimension d takes ceil((end - begin) / stride) elements, the count TFLite's StridedSlice loop produces. Empty
// slices are refused (mcusim has no zero-size tensors). The output tensor may carry extra size-1 dimensions
// (TFLite's new_axis_mask): they do not change the bytes. Bytes are copied unchanged, without requantisation.
import type { Graph, Op, OpOptions } from '../../models/ir.ts';
import { fail, input, output, perTensor, unsupported } from './check.ts';
import type { OpDef } from './types.ts';

export const STRIDED_SLICE_MAX_RANK = 5;

function geometry(g: Graph, op: Op<'STRIDED_SLICE'>, where: string) {
  if (op.inputs.length !== 1) fail(where, `takes 1 input (begin, end and strides are options), got ${op.inputs.length}`);
  const x = input(g, op, 0, where, { dtype: 'int8' });
  const rank = x.shape.length;
  if (rank < 1 || rank > STRIDED_SLICE_MAX_RANK) unsupported(where, `input '${x.name}' has rank ${rank}; STRIDED_SLICE supports ranks 1 to ${STRIDED_SLICE_MAX_RANK}`);
  const { begin, end, strides, shrinkAxisMask: shrink } = op.options;
  for (const [name, v] of Object.entries({ begin, end, strides })) {
    if (!Array.isArray(v) || v.length !== rank || v.some((e) => !Number.isInteger(e))) fail(where, `option ${name} must hold ${rank} integers for input shape [${x.shape}] (got ${JSON.stringify(v)})`);
  }
  if (!Number.isInteger(shrink) || shrink < 0 || shrink >= 2 ** rank) fail(where, `option shrinkAxisMask must be an integer in [0, ${2 ** rank}) (got ${shrink})`);
  const counts = x.shape.map((size, d) => {
    const [b, e, s] = [begin[d], end[d], strides[d]];
    const dim = `dimension ${d} (size ${size}): begin ${b}, end ${e}, stride ${s}`;
    if (s === 0) fail(where, `${dim}: the stride must not be 0`);
    if (b < 0 || b >= size) fail(where, `${dim}: begin must be in [0, ${size}) once masks and negative indices are resolved`);
    if (shrink & (1 << d)) {
      if (s < 0 || e !== b + 1) fail(where, `${dim}: a shrunk axis needs a positive stride and end = begin + 1`);
      return 1;
    }
    if (s > 0 ? !(e > b && e <= size) : !(e < b && e >= -1)) fail(where, `${dim}: the slice is empty or ends outside [-1, ${size}]`);
    return Math.ceil((e - b) / s);
  });
  const kept = counts.filter((_, d) => !(shrink & (1 << d)));
  return { x, rank, begin, strides, counts, kept };
}

/**
 * Positions in `out` of size-1 dimensions that are not dimensions of `kept` (TFLite's new axes), matching
 * `kept` as a subsequence of `out` from the left; null when `out` is not `kept` with size-1 dimensions added.
 */
export function newAxisPositions(kept: readonly number[], out: readonly number[]): number[] | null {
  const added: number[] = [];
  let k = 0;
  for (let j = 0; j < out.length; j++) {
    if (k < kept.length && out[j] === kept[k]) k++;
    else if (out[j] === 1) added.push(j);
    else return null;
  }
  return k === kept.length ? added : null;
}

export const stridedSlice: OpDef<'STRIDED_SLICE'> = {
  kind: 'STRIDED_SLICE',
  outputShapes(g, op, where) {
    return [geometry(g, op, where).kept];
  },
  lower(g, op, where) {
    const s = geometry(g, op, where);
    if (op.outputs.length !== 1) fail(where, `has ${op.outputs.length} outputs; expected 1`);
    const y = output(g, op, 0, where, { dtype: 'int8' });
    const added = newAxisPositions(s.kept, y.shape);
    if (!added) fail(where, `output '${y.name}' has shape [${y.shape}], expected [${s.kept}] (size-1 dimensions may be added)`);
    if (s.rank + added.length > STRIDED_SLICE_MAX_RANK) unsupported(where, `input rank ${s.rank} plus ${added.length} new axes exceeds ${STRIDED_SLICE_MAX_RANK} dimensions`);
    perTensor(s.x, where, 'input');
    perTensor(y, where, 'output');
    const lead = STRIDED_SLICE_MAX_RANK - s.rank;
    const pad = (v: number[], fill: number) => [...Array(lead).fill(fill), ...v];
    return {
      kernel: 'strided_slice',
      macs: 0,
      scratchBytes: 0,
      args: [
        s.x.data ? { name: 'input', constant: s.x.data } : { name: 'input', tensor: op.inputs[0] },
        ...pad(s.x.shape, 1).map((d, i) => ({ name: `in_${i}`, value: d })),
        ...pad(s.begin, 0).map((b, i) => ({ name: `begin_${i}`, value: b })),
        ...pad(s.strides, 1).map((st, i) => ({ name: `stride_${i}`, value: st })),
        ...pad(s.counts, 1).map((c, i) => ({ name: `count_${i}`, value: c })),
        { name: 'output', tensor: op.outputs[0] },
      ],
    };
  },
};

/** STRIDED_SLICE as a .tflite file states it: begin/end/strides tensors and the StridedSliceOptions masks. */
export interface TfliteStridedSlice {
  begin: number[]; end: number[]; strides: number[];
  beginMask: number; endMask: number; ellipsisMask: number; newAxisMask: number; shrinkAxisMask: number;
  offset: boolean;
}

const bit = (mask: number, i: number) => i >= 0 && i < 32 && ((mask >>> i) & 1) === 1;

/**
 * TFLite's parameters -> IR options and the output shape TFLite gives (new axes included). Ellipsis and new axes
 * are expanded as TFLite's strided_slice.cc BuildStridedSliceParams does (TFLite Micro ignores both masks, so a
 * model using them does not run there at all); then each dimension is resolved with the arithmetic of the kernel
 * TFLite Micro runs (StridedSliceStartForAxis / StridedSliceEndForAxis): negative indices count from the end,
 * indices are clamped to [0, size] (forward) or [-1, size - 1] (backward), begin_mask / end_mask take the whole
 * range in the stride's direction, a shrunk axis takes one element at begin. Slices TFLite Micro would fill with
 * nothing (empty, or shrunk with a negative stride or a begin past the end) are ModelErrors; `offset` (which
 * TFLite Micro ignores) is refused.
 */
export function resolveStridedSlice(inShape: readonly number[], p: TfliteStridedSlice, where: string): { options: OpOptions['STRIDED_SLICE']; outShape: number[] } {
  const rank = inShape.length;
  const count = p.begin.length;
  if (p.end.length !== count || p.strides.length !== count) fail(where, `begin, end and strides have ${count}, ${p.end.length} and ${p.strides.length} entries; they must match`);
  if (p.offset) unsupported(where, 'StridedSliceOptions.offset is not supported (TFLite Micro ignores it)');
  let ellipses = 0;
  let numAddAxis = 0;
  for (let i = 0; i < 32; i++) if (bit(p.ellipsisMask, i)) ellipses++;
  if (ellipses > 1) fail(where, `ellipsis_mask ${p.ellipsisMask} has more than one bit set; a slice has at most one ellipsis`);
  for (let i = 0; i < count; i++) if (!bit(p.ellipsisMask, i) && bit(p.newAxisMask, i)) numAddAxis++;
  const effDims = rank + numAddAxis;
  if (count > effDims) fail(where, `${count} slice specifications for a rank-${rank} input with ${numAddAxis} new axes`);
  if (effDims > STRIDED_SLICE_MAX_RANK) unsupported(where, `input rank ${rank} plus ${numAddAxis} new axes exceeds ${STRIDED_SLICE_MAX_RANK} dimensions`);

  // Effective ellipsis and new-axis masks over the expanded dimensions (TFLite's first loop).
  let effEllipsis = 0;
  let effNewAxis = 0;
  let ellipsisStart = effDims;
  let expanded = 0;
  for (let i = 0; i < effDims;) {
    if (bit(p.ellipsisMask, i)) {
      ellipsisStart = i;
      const stop = Math.max(i + 1, Math.min(i + 1 + numAddAxis + rank - count, effDims));
      expanded = stop - i - 1;
      for (; i < stop; i++) effEllipsis |= 1 << i;
      continue;
    }
    if (bit(p.newAxisMask, i - expanded)) effNewAxis |= 1 << i;
    i++;
  }

  // Per expanded dimension: its input dimension (or none for a new axis) and the raw slice (TFLite's second loop).
  const options: OpOptions['STRIDED_SLICE'] = { begin: [], end: [], strides: [], shrinkAxisMask: 0 };
  const outShape: number[] = [];
  let addedEllipsis = 0;
  let addedAxes = 0;
  for (let i = 0; i < effDims; i++) {
    let b = 0;
    let e = 0;
    let s = 1;
    let beginMask = false;
    let endMask = false;
    let shrink = false;
    if (bit(effEllipsis, i)) {
      addedEllipsis = Math.max(0, i - ellipsisStart);
      beginMask = endMask = true;
    } else if (bit(effNewAxis, i)) {
      addedAxes++;
      outShape.push(1); // start 0, stop 1, stride 1 on an added size-1 dimension
      continue;
    } else if (i >= count + expanded) {
      beginMask = endMask = true;
    } else {
      const k = i - addedEllipsis;
      [b, e, s] = [p.begin[k], p.end[k], p.strides[k]];
      beginMask = bit(p.beginMask, k);
      endMask = bit(p.endMask, k);
      shrink = bit(p.shrinkAxisMask, k);
    }
    const d = i - addedAxes;
    const size = inShape[d];
    const dim = `dimension ${d} (size ${size}): begin ${b}, end ${e}, stride ${s}`;
    if (s === 0) fail(where, `${dim}: the stride must not be 0`);
    const clampIndex = (v: number) => (s > 0 ? Math.min(Math.max(v, 0), size) : Math.min(Math.max(v, -1), size - 1));
    let start = clampIndex(b < 0 ? b + size : b);
    if (beginMask) start = s > 0 ? 0 : size - 1;
    let stop: number;
    if (shrink) {
      if (s < 0 || start >= size) fail(where, `${dim}: a shrunk axis needs a positive stride and a begin inside the dimension (TFLite Micro would write nothing)`);
      stop = start + 1;
      options.shrinkAxisMask |= 1 << d;
    } else {
      stop = clampIndex(e < 0 ? e + size : e);
      if (endMask) stop = s > 0 ? size : -1;
      const n = Math.ceil((stop - start) / s);
      if (!(n > 0)) fail(where, `${dim}: the slice is empty; mcusim does not support zero-size tensors`);
      outShape.push(n);
    }
    options.begin.push(start);
    options.end.push(stop);
    options.strides.push(s);
  }
  return { options, outShape };
}

/**
 * IR options -> TFLite parameters that resolveStridedSlice maps back to the same options: one specification per
 * input dimension, plus a new axis for every size-1 output dimension the slice does not produce. Indices are
 * already non-negative; the one index TFLite cannot state directly (end -1 of a backward slice, which it would
 * read as "size - 1") becomes an end_mask bit.
 */
export function tfliteStridedSlice(options: OpOptions['STRIDED_SLICE'], inShape: readonly number[], outShape: readonly number[]): TfliteStridedSlice {
  const { begin, end, strides, shrinkAxisMask } = options;
  const kept = inShape.map((_, d) => d).filter((d) => !bit(shrinkAxisMask, d)).map((d) => Math.ceil((end[d] - begin[d]) / strides[d]));
  const added = new Set(newAxisPositions(kept, outShape) ?? []);
  const p: TfliteStridedSlice = { begin: [], end: [], strides: [], beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0, offset: false };
  const newAxis = () => {
    p.newAxisMask |= 1 << p.begin.length;
    p.begin.push(0); p.end.push(0); p.strides.push(1);
  };
  let j = 0; // output position
  inShape.forEach((_, d) => {
    if (bit(shrinkAxisMask, d)) {
      p.shrinkAxisMask |= 1 << p.begin.length;
    } else {
      while (added.has(j)) { newAxis(); j++; }
      j++;
    }
    if (end[d] === -1) p.endMask |= 1 << p.begin.length;
    p.begin.push(begin[d]); p.end.push(end[d] === -1 ? 0 : end[d]); p.strides.push(strides[d]);
  });
  while (j < outShape.length) { newAxis(); j++; }
  return p;
}
