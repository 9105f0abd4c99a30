import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { poolGraph, randomPoolCase } from '../helpers/pool-cases.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import type { PoolCase } from '../reference/average_pool2d.ts';
import { referenceMaxPool2d } from '../reference/max_pool2d.ts';
import { outSizeAndPad } from '../reference/tflite-math.ts';

test('MAX_POOL_2D equals the reference on 1000 random cases', async () => {
  const r = new Rng(22);
  let low = 0;
  let high = 0;
  let clamped = 0;
  let run = 0;
  while (run < 1000) {
    const c = randomPoolCase(r);
    const [OH] = outSizeAndPad(c.inShape[1], c.filterH, c.strideH, 1, c.padding);
    const [OW] = outSizeAndPad(c.inShape[2], c.filterW, c.strideW, 1, c.padding);
    if (OH < 1 || OW < 1) continue;
    const ref = referenceMaxPool2d(c);
    const [got] = await runGraph(poolGraph('MAX_POOL_2D', c, ref.shape), [c.input], run % 10 === 0);
    assert.is(firstDifference(got, ref.data), 'equal', `case ${run}: ${JSON.stringify({ ...c, input: undefined })}`);
    if (ref.data.includes(-128)) low++;
    if (ref.data.includes(127)) high++;
    if (c.activation !== 'NONE') clamped++;
    run++;
  }
  assert.ok(low > 50 && high > 50 && clamped > 200, `coverage: saturation ${low}/${high}, with activation ${clamped}`);
});

const hand = (input: number[], shape: [number, number, number, number], f: [number, number], s: number, padding: 'SAME' | 'VALID', activation = 'NONE', zp = 0): PoolCase =>
  ({ input: Int8Array.from(input), inShape: shape, scale: 0.5, zp, filterH: f[0], filterW: f[1], strideH: s, strideW: s, padding, activation });

test('MAX_POOL_2D hand-computed cases', async () => {
  const run = async (c: PoolCase, outShape: number[]) => Array.from((await runGraph(poolGraph('MAX_POOL_2D', c, outShape), [c.input]))[0]);
  // 2x2 stride 2 over 4x4 (one channel).
  const x = [1, 2, -5, -6, 3, 4, -7, -8, 9, -1, 0, 0, -2, -3, 0, 127];
  assert.equal(await run(hand(x, [1, 4, 4, 1], [2, 2], 2, 'VALID'), [1, 2, 2, 1]), [4, -5, 9, 127]);
  // SAME padding never offers the padding as a candidate: all-negative input keeps its negative maxima.
  assert.equal(await run(hand([-100, -90, -80, -70], [1, 2, 2, 1], [3, 3], 1, 'SAME'), [1, 2, 2, 1]), [-70, -70, -70, -70]);
  // RELU6 at scale 0.5, zp -3: range [-3, -3 + 12 = 9].
  assert.equal(await run(hand([-50, 100, 4, -4], [1, 1, 4, 1], [1, 1], 1, 'VALID', 'RELU6', -3), [1, 1, 4, 1]), [-3, 9, 4, -3]);
});

function graphWith(over: (g: Graph) => void): Graph {
  const g = poolGraph('MAX_POOL_2D', hand(new Array(16).fill(0), [1, 4, 4, 1], [2, 2], 2, 'SAME'), [1, 2, 2, 1]);
  over(g);
  return g;
}

test('MAX_POOL_2D rejects bad operators with typed errors', () => {
  const modelError = (g: Graph, msg: RegExp) => assert.is(throwsError(() => buildSchedule(g), ModelError, msg).constructor, ModelError);
  buildSchedule(graphWith(() => {}));
  modelError(graphWith((g) => { g.tensors[1].quant!.scale = [Math.fround(0.3)]; }), /must share their quantisation/);
  modelError(graphWith((g) => { g.tensors[1].quant!.zeroPoint = [-1]; }), /must share their quantisation/);
  modelError(graphWith((g) => { delete g.tensors[1].quant; }), /output 0.*no quantisation/);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[1].dtype = 'float32'; delete g.tensors[1].quant; })), UnsupportedError, /float32/);
  modelError(graphWith((g) => { g.tensors[1].shape = [1, 4, 4, 1]; }), /expected \[1,2,2,1\]/);
  modelError(graphWith((g) => { g.ops[0].inputs = [0, 0]; }), /takes 1 input/);
});

test.run();
