import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { foldedMultiplier, referenceMean, type MeanCase } from '../reference/mean.ts';
import { quantizeMultiplier } from '../reference/tflite-math.ts';

function meanGraph(c: MeanCase, axes: number[] = [1, 2]): Graph {
  const C = c.inShape[3];
  return {
    name: 'mean-case',
    tensors: [
      { name: 'x', shape: c.inShape, dtype: 'int8', quant: { scale: [c.inScale], zeroPoint: [c.inZp], axis: 0 } },
      { name: 'y', shape: c.keepDims ? [1, 1, 1, C] : [1, C], dtype: 'int8', quant: { scale: [c.outScale], zeroPoint: [c.outZp], axis: 0 } },
    ],
    ops: [{ kind: 'MEAN', name: 'mean', inputs: [0], outputs: [1], options: { axes, keepDims: c.keepDims } }],
    inputs: [0],
    outputs: [1],
  };
}

function randomCase(r: Rng): MeanCase {
  const H = r.pick([1, 2, 3, 4, 5, 7, 8, 12, 15]);
  const W = r.next() < 0.6 ? H : r.int(1, 15);
  const C = r.int(1, 40);
  const input = r.int8s(H * W * C);
  const crowd = r.next();
  if (crowd < 0.1) input.forEach((_, i) => (input[i] = r.int(-128, -100)));
  else if (crowd < 0.2) input.forEach((_, i) => (input[i] = r.int(100, 127)));
  const inScale = r.scale(1e-3, 1);
  const inZp = r.int(-128, 127);
  const kind = r.next();
  // Identical quantisation (TFLM's truncating path), equal scales with other zero points, or a rescale over a wide
  // range of input/output ratios, including tiny ones whose shift limits the folded 1/count (min(.., 31 + shift)).
  const outScale = kind < 0.35 ? inScale : kind < 0.45 ? inScale : Math.fround(inScale * 10 ** (r.next() < 0.15 ? 2.5 * r.next() + 7 : 2.5 * r.next() - 1.5));
  const outZp = kind < 0.35 ? inZp : r.int(-128, 127);
  return { input, inShape: [1, H, W, C], inScale, inZp, outScale, outZp, keepDims: r.next() < 0.5 };
}

test('MEAN equals the reference on 1000 random cases', async () => {
  const r = new Rng(31);
  let low = 0;
  let high = 0;
  let same = 0;
  let foldLimited = 0;
  for (let i = 0; i < 1000; i++) {
    const c = randomCase(r);
    const ref = referenceMean(c);
    const [got] = await runGraph(meanGraph(c), [c.input], i % 10 === 0);
    assert.is(firstDifference(got, ref.data), 'equal', `case ${i}: ${JSON.stringify({ ...c, input: Array.from(c.input) })}`);
    if (ref.data.includes(-128)) low++;
    if (ref.data.includes(127)) high++;
    if (c.inScale === c.outScale && c.inZp === c.outZp) same++;
    const shift = quantizeMultiplier(c.inScale / c.outScale)[1];
    if (shift !== 0 && 31 + shift < Math.floor(Math.log2(c.inShape[1] * c.inShape[2]))) foldLimited++;
  }
  assert.ok(low > 50 && high > 50 && same > 200 && foldLimited > 10, `coverage: saturation ${low}/${high}, same quantisation ${same}, fold limited by the shift ${foldLimited}`);
});

test('MEAN hand-computed cases from TFLite Micro arithmetic', async () => {
  const run = async (c: MeanCase) => Array.from((await runGraph(meanGraph(c), [c.input]))[0]);
  const base = { inScale: 0.5, inZp: 0, outScale: 0.5, outZp: 0, keepDims: true };
  // Same quantisation: sum / count with C++ truncation, so -3/2 = -1 (not -2) and 7/2 = 3 (not 4).
  assert.equal(await run({ ...base, input: Int8Array.of(-1, 3, -2, 4), inShape: [1, 1, 2, 2] }), [-1, 3]);
  // Rescale 0.5 -> 1.0, count 2: multiplier (2^30, 0) becomes (2^31 / 2 = 2^30, -1); (3 + 4) -> 7 * 0.25 = 1.75 -> 2.
  assert.equal(await run({ ...base, outScale: 1, input: Int8Array.of(3, 4), inShape: [1, 1, 2, 1] }), [2]);
  // Same scale, other zero point (so the requantising path), count 3: multiplier 1.0 = (2^30, 1) becomes
  // (2^31 / 3 = 715827882, 0); sum 4 -> SRDHM(4, 715827882) = 1, + output zp 1 = 2.
  assert.equal(await run({ ...base, inScale: 1, outScale: 1, outZp: 1, input: Int8Array.of(1, 1, 2), inShape: [1, 3, 1, 1] }), [2]);
  // keepDims false gives a [1, C] output with the same values; input zero point 10 is subtracted before rescaling:
  // (20 + 30 - 2*10) = 30 * 0.5 / 2 / 0.25 = 30 -> + zp -5 = 25.
  assert.equal(await run({ inScale: 0.5, inZp: 10, outScale: 0.25, outZp: -5, keepDims: false, input: Int8Array.of(20, 30), inShape: [1, 2, 1, 1] }), [25]);
});

test('MEAN folds 1/count into the multiplier as QuantizedMeanOrSum does, shift limit included', () => {
  const arg = (g: Graph, name: string) => buildSchedule(g).steps[0].args.find((a) => a.name === name)!.value;
  // count 16 -> fold by 4 bits, unless 31 + shift is smaller: in/out = 2^-29.5 gives shift -29, so only 2 bits fold.
  for (const [inScale, outScale, H] of [[0.5, 0.3, 4], [0.01, Math.fround(0.01 * 2 ** 29.5), 4], [0.02, 0.7, 15], [0.9, 0.01, 1]]) {
    const c: MeanCase = { input: new Int8Array(H * H), inShape: [1, H, H, 1], inScale: Math.fround(inScale), inZp: 3, outScale: Math.fround(outScale), outZp: 0, keepDims: true };
    const [m, s] = foldedMultiplier(c.inScale, c.outScale, H * H);
    assert.equal([arg(meanGraph(c), 'multiplier'), arg(meanGraph(c), 'shift')], [m, s], `scales ${inScale} -> ${outScale}, count ${H * H}`);
  }
});

test('MEAN uses an int32 scratch buffer of one entry per channel, counted in the schedule', async () => {
  const c: MeanCase = { input: new Int8Array(4 * 4 * 24).fill(-128), inShape: [1, 4, 4, 24], inScale: 0.5, inZp: 0, outScale: 0.5, outZp: 0, keepDims: true };
  const s = buildSchedule(meanGraph(c));
  assert.ok(s.steps[0].scratch !== null && s.steps[0].scratch.bytes >= 24 * 4, `scratch ${JSON.stringify(s.steps[0].scratch)}`);
  assert.ok(s.steps[0].liveBytes >= 4 * 4 * 24 + 24 + 24 * 4);
  // 16 * -128 in every channel: the int32 sums must not be truncated to 8 or 16 bits.
  assert.equal(Array.from((await runGraph(meanGraph(c), [c.input]))[0]), new Array(24).fill(-128));
});

test('MEAN rejects bad operators with typed errors', () => {
  const c: MeanCase = { input: new Int8Array(18), inShape: [1, 3, 3, 2], inScale: 0.5, inZp: 0, outScale: 0.5, outZp: 0, keepDims: true };
  const modelError = (g: Graph, msg: RegExp) => assert.is(throwsError(() => buildSchedule(g), ModelError, msg).constructor, ModelError);
  const withGraph = (over: (g: Graph) => void, axes?: number[]) => { const g = meanGraph(c, axes); over(g); return g; };
  buildSchedule(withGraph(() => {}, [2, 1]));
  buildSchedule(withGraph(() => {}, [-3, -2])); // negative axes resolve to [1, 2]
  throwsError(() => buildSchedule(withGraph(() => {}, [3])), UnsupportedError, /axes \[3\]/);
  throwsError(() => buildSchedule(withGraph(() => {}, [1])), UnsupportedError, /axes \[1\]/);
  throwsError(() => buildSchedule(withGraph(() => {}, [0, 1, 2])), UnsupportedError, /axes \[0,1,2\]/);
  modelError(withGraph((g) => { g.tensors[1].shape = [1, 2]; }), /output 'y' has shape \[1,2\], expected \[1,1,1,2\]/);
  modelError(withGraph((g) => { (g.ops[0].options as { keepDims: boolean }).keepDims = false; }), /expected \[1,2\]/);
  modelError(withGraph((g) => { g.tensors[0].shape = [1, 9, 2]; }), /expected rank 4/);
  modelError(withGraph((g) => { g.tensors[0].shape = [2, 3, 3, 1]; }), /batch 2/);
  modelError(withGraph((g) => { delete g.tensors[1].quant; }), /no quantisation/);
  throwsError(() => buildSchedule(withGraph((g) => { g.tensors[0].dtype = 'float32'; delete g.tensors[0].quant; })), UnsupportedError, /float32/);
  // TFLite's axis tensor, if the importer keeps it, must agree with the options.
  modelError(withGraph((g) => { g.tensors.push({ name: 'axis', shape: [2], dtype: 'int32', data: Int32Array.of(1, 3) }); g.ops[0].inputs = [0, 2]; }), /axis tensor 'axis' holds \[1,3\]/);
  buildSchedule(withGraph((g) => { g.tensors.push({ name: 'axis', shape: [2], dtype: 'int32', data: Int32Array.of(1, 2) }); g.ops[0].inputs = [0, 2]; }));
});

test.run();
