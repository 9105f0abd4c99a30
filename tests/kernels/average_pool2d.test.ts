import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { poolGraph, randomPoolCase } from '../helpers/pool-cases.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { referenceAveragePool2d, type PoolCase } from '../reference/average_pool2d.ts';
import { outSizeAndPad } from '../reference/tflite-math.ts';

test('AVERAGE_POOL_2D equals the reference on 1000 random cases', async () => {
  const r = new Rng(21);
  let low = 0;
  let high = 0;
  let padded = 0;
  let run = 0;
  while (run < 1000) {
    const c = randomPoolCase(r);
    const [OH, padT] = outSizeAndPad(c.inShape[1], c.filterH, c.strideH, 1, c.padding);
    const [OW, padL] = outSizeAndPad(c.inShape[2], c.filterW, c.strideW, 1, c.padding);
    if (OH < 1 || OW < 1) continue;
    const ref = referenceAveragePool2d(c);
    const [got] = await runGraph(poolGraph('AVERAGE_POOL_2D', c, ref.shape), [c.input], run % 10 === 0);
    assert.is(firstDifference(got, ref.data), 'equal', `case ${run}: ${JSON.stringify({ ...c, input: undefined })}`);
    if (ref.data.includes(-128)) low++;
    if (ref.data.includes(127)) high++;
    if (padT > 0 || padL > 0) padded++;
    run++;
  }
  assert.ok(low > 50 && high > 50 && padded > 100, `coverage: saturation ${low}/${high}, padded ${padded}`);
});

const hand = (input: number[], shape: [number, number, number, number], f: [number, number], s: number, padding: 'SAME' | 'VALID', activation = 'NONE', zp = 0): PoolCase =>
  ({ input: Int8Array.from(input), inShape: shape, scale: 0.5, zp, filterH: f[0], filterW: f[1], strideH: s, strideW: s, padding, activation });

test('AVERAGE_POOL_2D hand-computed cases from TFLite arithmetic', async () => {
  const run = async (c: PoolCase, outShape: number[]) => Array.from((await runGraph(poolGraph('AVERAGE_POOL_2D', c, outShape), [c.input]))[0]);
  // 2x2 window, two channels: (1+2+3+5)/4 = 2.75 -> (11+2)/4 = 3; (-1-2-3-5)/4 = -2.75 -> (-11-2)/4 = -3.
  assert.equal(await run(hand([1, -1, 2, -2, 3, -3, 5, -5], [1, 2, 2, 2], [2, 2], 1, 'VALID'), [1, 1, 1, 2]), [3, -3]);
  // Halves round away from zero: (1+2)/2 = 1.5 -> 2, (-1-2)/2 = -1.5 -> -2; and (2+2+3)/3... via 1x3 below.
  assert.equal(await run(hand([1, -1, 2, -2], [1, 1, 2, 2], [1, 2], 1, 'VALID'), [1, 1, 1, 2]), [2, -2]);
  // SAME 3x3 over 2x2 (pad 1 before, 0 after): every window holds the 4 valid taps only, 10/4 = 2.5 -> 3, never 10/9.
  assert.equal(await run(hand([1, 2, 3, 4], [1, 2, 2, 1], [3, 3], 1, 'SAME'), [1, 2, 2, 1]), [3, 3, 3, 3]);
  // RELU with zero point -3: the average -6 is clamped to -3.
  assert.equal(await run(hand([-6, -6], [1, 1, 2, 1], [1, 2], 1, 'VALID', 'RELU', -3), [1, 1, 1, 1]), [-3]);
});

function graphWith(over: (g: Graph) => void): Graph {
  const g = poolGraph('AVERAGE_POOL_2D', hand(new Array(16).fill(0), [1, 4, 4, 1], [2, 2], 2, 'VALID'), [1, 2, 2, 1]);
  over(g);
  return g;
}

test('AVERAGE_POOL_2D rejects bad operators with typed errors', () => {
  const modelError = (g: Graph, msg: RegExp) => assert.is(throwsError(() => buildSchedule(g), ModelError, msg).constructor, ModelError);
  buildSchedule(graphWith(() => {}));
  // Quantisation must match (TFLM tolerates a scale difference up to 1e-6, nothing more, and no zp difference).
  modelError(graphWith((g) => { g.tensors[1].quant!.scale = [Math.fround(0.25)]; }), /must share their quantisation/);
  modelError(graphWith((g) => { g.tensors[1].quant!.zeroPoint = [1]; }), /must share their quantisation/);
  buildSchedule(graphWith((g) => { g.tensors[1].quant!.scale = [Math.fround(0.5 + 5e-7)]; }));
  modelError(graphWith((g) => { delete g.tensors[0].quant; }), /no quantisation/);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[0].dtype = 'int32'; delete g.tensors[0].quant; })), UnsupportedError, /int32/);
  modelError(graphWith((g) => { g.tensors[0].shape = [1, 4, 16]; }), /expected rank 4/);
  modelError(graphWith((g) => { g.tensors[0].shape = [2, 4, 4, 1]; }), /batch 2/);
  modelError(graphWith((g) => { g.tensors[1].shape = [1, 3, 3, 1]; }), /output 'y' has shape \[1,3,3,1\], expected \[1,2,2,1\]/);
  modelError(graphWith((g) => { (g.ops[0].options as { filterH: number }).filterH = 5; }), /does not fit/);
  modelError(graphWith((g) => { (g.ops[0].options as { strideW: number }).strideW = 0; }), /strideW must be a positive integer/);
});

test.run();
