import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph, OpOptions } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { nearestIndex, referenceResizeNearest } from '../reference/resize_nearest_neighbor.ts';

const q = (scale: number, zp: number) => ({ scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 });

function resizeGraph(inShape: number[], o: OpOptions['RESIZE_NEAREST_NEIGHBOR']): Graph {
  const [n, , , c] = inShape;
  return {
    name: 'resize-case',
    tensors: [
      { name: 'x', shape: inShape, dtype: 'int8', quant: q(0.05, 3) },
      { name: 'y', shape: [n, o.outH, o.outW, c], dtype: 'int8', quant: q(0.05, 3) },
    ],
    ops: [{ kind: 'RESIZE_NEAREST_NEIGHBOR', name: 'resize', inputs: [0], outputs: [1], options: o }],
    inputs: [0],
    outputs: [1],
  };
}

/** The same index computed in double precision: what TFLite does NOT do. */
function doubleIndex(i: number, inSize: number, outSize: number, align: boolean, half: boolean): number {
  const scale = align && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
  const v = (i + (half ? 0.5 : 0)) * scale;
  const r = Math.min(align ? Math.floor(v + 0.5) : Math.floor(v), inSize - 1);
  return half ? Math.max(0, r) : r;
}

test('RESIZE_NEAREST_NEIGHBOR equals the reference on 1000 random cases (both flags, up- and downscaling)', async () => {
  const r = new Rng(601);
  const flags = new Map<string, number>();
  let float32Matters = 0;
  let down = 0;
  let up = 0;
  for (let i = 0; i < 1000; i++) {
    const [H, W] = [r.int(1, 30), r.int(1, 30)];
    const o = { outH: r.int(1, 48), outW: r.int(1, 48), alignCorners: r.next() < 0.5, halfPixelCenters: r.next() < 0.5 };
    const shape = [r.pick([1, 1, 1, 2]), H, W, r.pick([1, 2, 3, 4, 8])];
    const input = r.int8s(shape.reduce((a, b) => a * b, 1));
    const ref = referenceResizeNearest(input, shape, o.outH, o.outW, o.alignCorners, o.halfPixelCenters);
    const [got] = await runGraph(resizeGraph(shape, o), [input], i % 10 === 0);
    assert.is(firstDifference(got, ref.data), 'equal', `case ${i}: [${shape}] -> ${JSON.stringify(o)}`);
    const key = `${o.alignCorners}/${o.halfPixelCenters}`;
    flags.set(key, (flags.get(key) ?? 0) + 1);
    for (let y = 0; y < o.outH; y++) if (nearestIndex(y, H, o.outH, o.alignCorners, o.halfPixelCenters) !== doubleIndex(y, H, o.outH, o.alignCorners, o.halfPixelCenters)) float32Matters++;
    for (let x = 0; x < o.outW; x++) if (nearestIndex(x, W, o.outW, o.alignCorners, o.halfPixelCenters) !== doubleIndex(x, W, o.outW, o.alignCorners, o.halfPixelCenters)) float32Matters++;
    if (o.outH < H) down++;
    if (o.outH > H) up++;
  }
  assert.ok([...flags.values()].every((n) => n > 150) && flags.size === 4 && down > 200 && up > 200, `coverage: ${[...flags]}, down ${down}, up ${up}`);
  assert.ok(float32Matters > 15, `rows and columns where float32 and double disagree: ${float32Matters}`);
});

test('RESIZE_NEAREST_NEIGHBOR hand-computed cases (TFLite resize_nearest_neighbor_test) and float32 rounding', async () => {
  const x = Int8Array.of(3, 6, 9, 12);
  const run = async (o: OpOptions['RESIZE_NEAREST_NEIGHBOR']) => Array.from((await runGraph(resizeGraph([1, 2, 2, 1], o), [x]))[0]);
  assert.equal(await run({ outH: 3, outW: 3, alignCorners: false, halfPixelCenters: false }), [3, 3, 6, 3, 3, 6, 9, 9, 12]);
  assert.equal(await run({ outH: 3, outW: 3, alignCorners: true, halfPixelCenters: false }), [3, 6, 6, 9, 12, 12, 9, 12, 12]);
  assert.equal(await run({ outH: 3, outW: 3, alignCorners: false, halfPixelCenters: true }), [3, 6, 6, 9, 12, 12, 9, 12, 12]);
  assert.equal(await run({ outH: 1, outW: 1, alignCorners: true, halfPixelCenters: false }), [3]); // align_corners with out 1 uses in / out
  // 14 -> 46 columns: exactly, column 23 maps to 23 * 14 / 46 = 7, but TFLite's float32 scale (0.30434784) gives
  // 6.9999995, which floors to 6. A double-precision implementation would read column 7.
  const row = Int8Array.from({ length: 14 }, (_, i) => i * 9 - 60);
  const [wide] = await runGraph(resizeGraph([1, 1, 14, 1], { outH: 1, outW: 46, alignCorners: false, halfPixelCenters: false }), [row]);
  assert.is(doubleIndex(23, 14, 46, false, false), 7);
  assert.is(wide[23], row[6]);
  assert.is(firstDifference(wide, referenceResizeNearest(row, [1, 1, 14, 1], 1, 46, false, false).data), 'equal');
});

test('RESIZE_NEAREST_NEIGHBOR refuses bad operators with typed errors', () => {
  const good = () => resizeGraph([1, 2, 3, 4], { outH: 4, outW: 6, alignCorners: false, halfPixelCenters: true });
  buildSchedule(good());
  const modelError = (over: (g: Graph) => void, msg: RegExp) => { const g = good(); over(g); throwsError(() => buildSchedule(g), ModelError, msg); };
  const opts = (g: Graph) => g.ops[0].options as OpOptions['RESIZE_NEAREST_NEIGHBOR'];
  modelError((g) => { opts(g).outH = 0; }, /option outH must be a positive integer \(got 0\)/);
  modelError((g) => { opts(g).outW = 2.5; }, /option outW must be a positive integer/);
  modelError((g) => { (opts(g) as { alignCorners: unknown }).alignCorners = 1; }, /alignCorners and halfPixelCenters must be true or false/);
  modelError((g) => { g.tensors[1].shape = [1, 4, 6, 3]; }, /output 'y' has shape \[1,4,6,3\], expected \[1,4,6,4\]/);
  modelError((g) => { g.tensors[0].shape = [2, 3, 4]; }, /expected rank 4/);
  modelError((g) => { delete g.tensors[1].quant; }, /no quantisation/);
  modelError((g) => { g.tensors.push({ name: 'size', shape: [2], dtype: 'int32', data: Int32Array.of(4, 6) }); g.ops[0].inputs.push(2); }, /takes 1 input/);
  const wrongType = good();
  wrongType.tensors[0] = { name: 'x', shape: [1, 2, 3, 4], dtype: 'float32' };
  throwsError(() => buildSchedule(wrongType), UnsupportedError, /float32; this operator needs int8/);
});

test.run();
