// Reference STRIDED_SLICE, written plainly for tests from TFLite's published code path:
//   1. kernels/strided_slice.cc BuildStridedSliceParams: expand the ellipsis and new axes into effective
//      per-dimension parameters and an effective input shape (new axes are size-1 dimensions);
//   2. ResizeOutputTensor: output dimension = ceil((stop - start) / stride) with StartForAxis / StopForAxis;
//   3. reference_ops::StridedSlice: pad everything to 5-D (StridedSlicePadIndices) and loop with
//      StridedSliceStartForAxis / StridedSliceEndForAxis, writing elements in order.
// Returns null where TFLite refuses (zero stride, too many dimensions) or where the kernel writes a different
// number of elements than the output shape holds, or none (empty slices): mcusim must refuse those.
export interface StridedSliceSpec {
  begin: number[]; end: number[]; strides: number[];
  beginMask: number; endMask: number; ellipsisMask: number; newAxisMask: number; shrinkAxisMask: number;
}

interface Params { start: number[]; stop: number[]; strides: number[]; beginMask: number; endMask: number; shrinkMask: number }

const on = (mask: number, i: number) => ((mask >> i) & 1) === 1;
const clampTo = (v: number, lo: number, hi: number) => (v > hi ? hi : v < lo ? lo : v);

function build(spec: StridedSliceSpec, inShape: number[]): { p: Params; shape: number[] } {
  const beginCount = spec.begin.length;
  const dims = inShape.length;
  let numAddAxis = 0;
  for (let i = 0; i < beginCount; i++) if (!on(spec.ellipsisMask, i) && on(spec.newAxisMask, i)) numAddAxis++;
  const eff = dims + numAddAxis;
  let ellMask = 0;
  let newMask = 0;
  let ellStart = eff;
  let expanded = 0;
  for (let i = 0; i < eff;) {
    if (on(spec.ellipsisMask, i)) {
      ellStart = i;
      const ellEnd = Math.max(i + 1, Math.min(i + 1 + numAddAxis + dims - beginCount, eff));
      expanded = ellEnd - ellStart - 1;
      for (; i < ellEnd; ++i) ellMask |= 1 << i;
      continue;
    }
    if (on(spec.newAxisMask, i - expanded)) newMask |= 1 << i;
    ++i;
  }
  const p: Params = { start: [], stop: [], strides: [], beginMask: 0, endMask: 0, shrinkMask: 0 };
  const shape: number[] = [];
  let addedEllipsis = 0;
  let addedAxes = 0;
  for (let i = 0; i < eff; i++) {
    if (on(ellMask, i)) {
      addedEllipsis = Math.max(0, i - ellStart);
      p.beginMask |= 1 << i; p.endMask |= 1 << i;
      p.start[i] = 0; p.stop[i] = 0; p.strides[i] = 1;
      shape[i] = inShape[i - addedAxes];
    } else if (on(newMask, i)) {
      p.start[i] = 0; p.stop[i] = 1; p.strides[i] = 1;
      shape[i] = 1;
      addedAxes++;
    } else if (i >= beginCount + expanded) {
      p.start[i] = 0; p.stop[i] = 0; p.strides[i] = 1;
      p.beginMask |= 1 << i; p.endMask |= 1 << i;
      shape[i] = inShape[i - addedAxes];
    } else {
      const orig = i - addedEllipsis;
      p.start[i] = spec.begin[orig]; p.stop[i] = spec.end[orig]; p.strides[i] = spec.strides[orig];
      if (on(spec.beginMask, orig)) p.beginMask |= 1 << i;
      if (on(spec.endMask, orig)) p.endMask |= 1 << i;
      if (on(spec.shrinkAxisMask, orig)) p.shrinkMask |= 1 << i;
      shape[i] = inShape[i - addedAxes];
    }
  }
  return { p, shape };
}

// strided_slice_logic.h, the functions ResizeOutputTensor uses.
function startForAxis(p: Params, shape: number[], axis: number): number {
  let start = p.start[axis];
  if (on(p.beginMask, axis)) start = p.strides[axis] > 0 ? -2147483648 : 2147483647;
  if (start < 0) start += shape[axis];
  return p.strides[axis] > 0 ? clampTo(start, 0, shape[axis]) : clampTo(start, -1, shape[axis] - 1);
}
function stopForAxis(p: Params, shape: number[], axis: number, start: number): number {
  if (on(p.shrinkMask, axis)) return start + 1;
  let stop = p.stop[axis];
  if (on(p.endMask, axis)) stop = p.strides[axis] > 0 ? 2147483647 : -2147483648;
  if (stop < 0) stop += shape[axis];
  return p.strides[axis] > 0 ? clampTo(stop, 0, shape[axis]) : clampTo(stop, -1, shape[axis] - 1);
}
// The functions the reference kernel uses.
function kernelStart(p: Params, shape: number[], axis: number): number {
  let start = p.start[axis];
  if (start < 0) start += shape[axis];
  start = p.strides[axis] > 0 ? clampTo(start, 0, shape[axis]) : clampTo(start, -1, shape[axis] - 1);
  if (on(p.beginMask, axis)) start = p.strides[axis] > 0 ? 0 : shape[axis] - 1;
  return start;
}
function kernelEnd(p: Params, shape: number[], axis: number, start: number): number {
  if (on(p.shrinkMask, axis)) return start >= shape[axis] ? start : start + 1;
  let end = p.stop[axis];
  if (end < 0) end += shape[axis];
  end = p.strides[axis] > 0 ? clampTo(end, 0, shape[axis]) : clampTo(end, -1, shape[axis] - 1);
  if (on(p.endMask, axis)) end = p.strides[axis] > 0 ? shape[axis] : -1;
  return end;
}

export function referenceStridedSlice(input: Int8Array, inShape: number[], spec: StridedSliceSpec): { data: Int8Array; shape: number[] } | null {
  if (spec.begin.length !== spec.end.length || spec.begin.length !== spec.strides.length) return null;
  const { p, shape: effShape } = build(spec, inShape);
  if (effShape.length > 5 || spec.begin.length > effShape.length) return null;
  if (p.strides.some((s) => s === 0)) return null;
  const outShape: number[] = [];
  for (let i = 0; i < effShape.length; i++) {
    const start = startForAxis(p, effShape, i);
    let stop = stopForAxis(p, effShape, i, start);
    if (on(p.shrinkMask, i)) stop = start + 1;
    const n = Math.max(0, Math.ceil(Math.fround((stop - start) / p.strides[i])));
    if (!on(p.shrinkMask, i)) outShape.push(n);
  }
  if (outShape.some((d) => d === 0)) return null;

  // StridedSlicePadIndices to 5-D, then the kernel's loops.
  const pad = 5 - effShape.length;
  const shape5 = [...Array(pad).fill(1), ...effShape];
  const q: Params = {
    start: [...Array(pad).fill(0), ...p.start], stop: [...Array(pad).fill(1), ...p.stop], strides: [...Array(pad).fill(1), ...p.strides],
    beginMask: (p.beginMask << pad) | ((1 << pad) - 1), endMask: (p.endMask << pad) | ((1 << pad) - 1), shrinkMask: p.shrinkMask << pad,
  };
  const st = [0, 1, 2, 3, 4].map((a) => kernelStart(q, shape5, a));
  const sp = [0, 1, 2, 3, 4].map((a) => kernelEnd(q, shape5, a, st[a]));
  const lc = (end: number, stride: number, index: number) => (stride < 0 ? index > end : index < end);
  const out: number[] = [];
  for (let i0 = st[0]; lc(sp[0], q.strides[0], i0); i0 += q.strides[0])
    for (let i1 = st[1]; lc(sp[1], q.strides[1], i1); i1 += q.strides[1])
      for (let i2 = st[2]; lc(sp[2], q.strides[2], i2); i2 += q.strides[2])
        for (let i3 = st[3]; lc(sp[3], q.strides[3], i3); i3 += q.strides[3])
          for (let i4 = st[4]; lc(sp[4], q.strides[4], i4); i4 += q.strides[4])
            out.push(input[(((i0 * shape5[1] + i1) * shape5[2] + i2) * shape5[3] + i3) * shape5[4] + i4]);
  if (out.length !== outShape.reduce((a, b) => a * b, 1)) return null;
  return { data: Int8Array.from(out), shape: outShape };
}
