import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph, OpOptions } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { resolveStridedSlice, tfliteStridedSlice, type TfliteStridedSlice } from '../../runtime/ops/strided_slice.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { referenceStridedSlice, type StridedSliceSpec } from '../reference/strided_slice.ts';

const q = (scale: number, zp: number) => ({ scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 });

function sliceGraph(inShape: number[], options: OpOptions['STRIDED_SLICE'], outShape: number[]): Graph {
  return {
    name: 'strided-slice-case',
    tensors: [
      { name: 'x', shape: inShape, dtype: 'int8', quant: q(0.05, 3) },
      { name: 'y', shape: outShape, dtype: 'int8', quant: q(0.05, 3) },
    ],
    ops: [{ kind: 'STRIDED_SLICE', name: 'slice', inputs: [0], outputs: [1], options }],
    inputs: [0],
    outputs: [1],
  };
}

const tfl = (spec: Partial<TfliteStridedSlice> & Pick<TfliteStridedSlice, 'begin' | 'end' | 'strides'>): TfliteStridedSlice =>
  ({ beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0, offset: false, ...spec });

/** A TFLite slice specification as converters write them, with every mask in play and indices in and out of range. */
function randomSpec(r: Rng, rank: number, shape: number[]): StridedSliceSpec {
  const specs: { b: number; e: number; s: number; bm: boolean; em: boolean; ell: boolean; nw: boolean; sh: boolean }[] = [];
  const ellipsisAt = r.next() < 0.15 ? r.int(0, rank) : -1;
  let d = 0;
  while (d < rank || (specs.length < 5 && r.next() < 0.1)) {
    if (specs.length === ellipsisAt) {
      specs.push({ b: 0, e: 0, s: 1, bm: false, em: false, ell: true, nw: false, sh: false });
      d += r.int(0, rank - d); // the ellipsis stands for some dimensions
      continue;
    }
    if (r.next() < 0.08 && rank + specs.filter((x) => x.nw).length < 5) {
      specs.push({ b: 0, e: 0, s: 1, bm: false, em: false, ell: false, nw: true, sh: false });
      continue;
    }
    if (d >= rank) break;
    const n = shape[d++];
    const s = r.pick([1, 1, 1, 2, 3, -1, -1, -2, -3, r.int(-6, 6)]);
    const idx = () => r.pick([r.int(0, n), r.int(-n, -1), r.int(-n - 3, n + 3)]);
    let [b, e] = [idx(), idx()];
    // Mostly slices that run in the stride's direction (written with positive or negative indices), some wild ones.
    if (r.next() < 0.75) {
      const [lo, hi] = [r.int(0, n - 1), r.int(0, n - 1)].sort((x, y) => x - y);
      [b, e] = s > 0 ? [lo, hi + 1] : [hi, lo - 1];
      if (r.next() < 0.3) b -= n;
      if (r.next() < 0.3 && e >= 0) e -= n;
      if (e === -1) e = -n - 1; // -1 would mean the last element; before the first is -n - 1
    }
    specs.push({ b, e, s, bm: r.next() < 0.25, em: r.next() < 0.25, ell: false, nw: false, sh: r.next() < 0.15 });
  }
  if (r.next() < 0.15 && specs.length > 1) specs.pop(); // fewer specifications than dimensions
  const mask = (f: (x: (typeof specs)[0]) => boolean) => specs.reduce((m, x, i) => (f(x) ? m | (1 << i) : m), 0);
  return {
    begin: specs.map((x) => x.b), end: specs.map((x) => x.e), strides: specs.map((x) => x.s),
    beginMask: mask((x) => x.bm), endMask: mask((x) => x.em), ellipsisMask: mask((x) => x.ell), newAxisMask: mask((x) => x.nw), shrinkAxisMask: mask((x) => x.sh),
  };
}

test('STRIDED_SLICE: TFLite parameters resolved at import, then the kernel, equal the reference on 1000 random valid cases', async () => {
  const r = new Rng(401);
  const seen = { negativeStride: 0, shrink: 0, ellipsis: 0, newAxis: 0, masks: 0, refused: 0, rank5: 0, stride1Rows: 0 };
  let valid = 0;
  let tries = 0;
  while (valid < 1000) {
    tries++;
    const rank = r.int(1, 5);
    const shape = Array.from({ length: rank }, () => r.int(1, 6));
    const spec = randomSpec(r, rank, shape);
    const input = r.int8s(shape.reduce((a, b) => a * b, 1));
    const ref = referenceStridedSlice(input, shape, spec);
    const what = `try ${tries}: shape [${shape}] spec ${JSON.stringify(spec)}`;
    if (!ref) {
      // TFLite refuses it, or TFLite Micro's kernel would write nothing / not what the shape says: mcusim refuses too.
      throwsError(() => resolveStridedSlice(shape, { ...spec, offset: false }, 'slice'), ModelError);
      seen.refused++;
      continue;
    }
    let resolved: ReturnType<typeof resolveStridedSlice>;
    try {
      resolved = resolveStridedSlice(shape, { ...spec, offset: false }, 'slice');
    } catch (e) {
      throw new Error(`${what}: refused a slice TFLite runs: ${(e as Error).message}`);
    }
    assert.equal(resolved.outShape, ref.shape, `${what}: output shape`);
    const [got] = await runGraph(sliceGraph(shape, resolved.options, ref.shape), [input], valid % 10 === 0);
    assert.is(firstDifference(got, ref.data), 'equal', what);
    // The writer's form of the same slice reads back to the same options and output shape.
    const back = resolveStridedSlice(shape, tfliteStridedSlice(resolved.options, shape, ref.shape), 'slice');
    assert.equal(back, resolved, `${what}: writer form`);
    valid++;
    if (spec.strides.some((s) => s < 0)) seen.negativeStride++;
    if (spec.shrinkAxisMask) seen.shrink++;
    if (spec.ellipsisMask) seen.ellipsis++;
    if (spec.newAxisMask) seen.newAxis++;
    if (spec.beginMask || spec.endMask) seen.masks++;
    if (rank === 5) seen.rank5++;
    if (resolved.options.strides[rank - 1] === 1) seen.stride1Rows++;
  }
  assert.ok(seen.negativeStride > 300 && seen.shrink > 100 && seen.ellipsis > 50 && seen.newAxis > 50 && seen.masks > 300 && seen.refused > 100 && seen.rank5 > 100 && seen.stride1Rows > 200,
    `coverage: ${JSON.stringify(seen)}`);
});

test('STRIDED_SLICE hand-computed cases (TFLite strided_slice_test)', async () => {
  const run = async (shape: number[], spec: TfliteStridedSlice, input: number[]) => {
    const { options, outShape } = resolveStridedSlice(shape, spec, 'slice');
    const [got] = await runGraph(sliceGraph(shape, options, outShape), [Int8Array.from(input)]);
    return { shape: outShape, data: Array.from(got) };
  };
  // In1D: [1,2,3,4][1:3] = [2,3]; negative begin and end: [-3:3] = [2,3]; reversed [::-1] via masks.
  assert.equal(await run([4], tfl({ begin: [1], end: [3], strides: [1] }), [1, 2, 3, 4]), { shape: [2], data: [2, 3] });
  assert.equal(await run([4], tfl({ begin: [-3], end: [3], strides: [1] }), [1, 2, 3, 4]), { shape: [2], data: [2, 3] });
  assert.equal(await run([4], tfl({ begin: [0], end: [0], strides: [-1], beginMask: 1, endMask: 1 }), [1, 2, 3, 4]), { shape: [4], data: [4, 3, 2, 1] });
  // In1D_NegativeBeginNegativeStride: [1,2,3,4][-2:-3:-1] = [3].
  assert.equal(await run([4], tfl({ begin: [-2], end: [-3], strides: [-1] }), [1, 2, 3, 4]), { shape: [1], data: [3] });
  // Out-of-range indices clamp: [1,2,3,4][-10:10:2] = [1,3].
  assert.equal(await run([4], tfl({ begin: [-10], end: [10], strides: [2] }), [1, 2, 3, 4]), { shape: [2], data: [1, 3] });
  // In2D_ShrinkAxisMask1: [[1,2,3],[4,5,6]][0, :] -> shape [3]; shrink both -> scalar-like [] of 1 element.
  assert.equal(await run([2, 3], tfl({ begin: [0, 0], end: [1, 3], strides: [1, 1], shrinkAxisMask: 1 }), [1, 2, 3, 4, 5, 6]), { shape: [3], data: [1, 2, 3] });
  assert.equal(await run([2, 3], tfl({ begin: [-1, -1], end: [0, 0], strides: [1, 1], shrinkAxisMask: 3 }), [1, 2, 3, 4, 5, 6]), { shape: [], data: [6] });
  // Ellipsis: x[..., 1:2] on [2, 2, 3] takes the middle of the last axis; a new axis in front adds a size-1 dimension.
  const cube = Array.from({ length: 12 }, (_, i) => i);
  assert.equal(await run([2, 2, 3], tfl({ begin: [0, 1], end: [0, 2], strides: [1, 1], ellipsisMask: 1 }), cube), { shape: [2, 2, 1], data: [1, 4, 7, 10] });
  assert.equal(await run([2, 2, 3], tfl({ begin: [0, 0, 0, 2], end: [0, 1, 0, 3], strides: [1, 1, 1, 1], newAxisMask: 1, beginMask: 4, endMask: 4 }), cube), { shape: [1, 1, 2, 1], data: [2, 5] });
});

test('STRIDED_SLICE refuses what TFLite or TFLite Micro cannot run, and bad IR operators, with typed errors', () => {
  const refuse = (shape: number[], spec: TfliteStridedSlice, type: typeof ModelError, msg: RegExp) => throwsError(() => resolveStridedSlice(shape, spec, 'op 0'), type, msg);
  refuse([4], tfl({ begin: [1], end: [3], strides: [0] }), ModelError, /stride must not be 0/);
  refuse([4], tfl({ begin: [3], end: [1], strides: [1] }), ModelError, /the slice is empty/);
  refuse([4], tfl({ begin: [2], end: [3], strides: [-1], shrinkAxisMask: 1 }), ModelError, /shrunk axis needs a positive stride/);
  refuse([4], tfl({ begin: [4], end: [5], strides: [1], shrinkAxisMask: 1 }), ModelError, /begin inside the dimension/);
  refuse([4], tfl({ begin: [1, 2], end: [3], strides: [1] }), ModelError, /begin, end and strides have 2, 1 and 1 entries/);
  refuse([4], tfl({ begin: [1, 2], end: [3, 3], strides: [1, 1] }), ModelError, /2 slice specifications for a rank-1 input/);
  refuse([4], tfl({ begin: [0, 0], end: [0, 0], strides: [1, 1], ellipsisMask: 3 }), ModelError, /more than one bit/);
  refuse([4], tfl({ begin: [1], end: [3], strides: [1], offset: true }), UnsupportedError, /offset is not supported/);
  refuse([1, 1, 1, 2, 2], tfl({ begin: [0, 0], end: [0, 0], strides: [1, 1], newAxisMask: 1, ellipsisMask: 2 }), UnsupportedError, /exceeds 5 dimensions/);

  const good = (): Graph => sliceGraph([2, 3], { begin: [1, 2], end: [2, -1], strides: [1, -1], shrinkAxisMask: 1 }, [3]);
  assert.equal(Array.from(referenceStridedSlice(Int8Array.of(1, 2, 3, 4, 5, 6), [2, 3], { begin: [1, 0], end: [2, 0], strides: [1, -1], beginMask: 2, endMask: 2, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 1 })!.data), [6, 5, 4]);
  buildSchedule(good());
  const modelError = (over: (g: Graph) => void, msg: RegExp) => { const g = good(); over(g); throwsError(() => buildSchedule(g), ModelError, msg); };
  const opts = (g: Graph) => g.ops[0].options as OpOptions['STRIDED_SLICE'];
  modelError((g) => { opts(g).begin = [1]; }, /option begin must hold 2 integers/);
  modelError((g) => { opts(g).end = [2, 0.5]; }, /option end must hold 2 integers/);
  modelError((g) => { opts(g).begin = [2, 2]; }, /dimension 0 \(size 2\): begin 2.*begin must be in \[0, 2\)/);
  modelError((g) => { opts(g).begin = [1, -1]; }, /begin must be in \[0, 3\)/);
  modelError((g) => { opts(g).end = [2, 3]; }, /dimension 1 .*the slice is empty or ends outside/);
  modelError((g) => { opts(g).strides = [1, 0]; }, /stride must not be 0/);
  modelError((g) => { opts(g).end = [0, -1]; }, /shrunk axis needs a positive stride and end = begin \+ 1/);
  modelError((g) => { opts(g).shrinkAxisMask = 4; }, /shrinkAxisMask must be an integer in \[0, 4\)/);
  modelError((g) => { g.tensors[1].shape = [1, 3, 2]; }, /output 'y' has shape \[1,3,2\], expected \[3\] \(size-1 dimensions may be added\)/);
  modelError((g) => { g.tensors.push({ name: 'begin', shape: [2], dtype: 'int32', data: Int32Array.of(1, 2) }); g.ops[0].inputs.push(2); }, /takes 1 input/);
  modelError((g) => { delete g.tensors[1].quant; }, /no quantisation/);
  buildSchedule((() => { const g = good(); g.tensors[1].shape = [1, 3, 1]; return g; })()); // new axes are size-1 dimensions
  const wrongType = good();
  wrongType.tensors[0] = { name: 'x', shape: [2, 3], dtype: 'int32' };
  throwsError(() => buildSchedule(wrongType), UnsupportedError, /int32; this operator needs int8/);
  throwsError(() => buildSchedule(sliceGraph([1, 1, 1, 1, 1, 2], { begin: [0, 0, 0, 0, 0, 0], end: [1, 1, 1, 1, 1, 2], strides: [1, 1, 1, 1, 1, 1], shrinkAxisMask: 0 }, [1, 1, 1, 1, 1, 2])), UnsupportedError, /rank 6/);
});

test.run();
