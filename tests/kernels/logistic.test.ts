import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { randomInput, randomSigmoidScale, unaryGraph, type UnaryCase } from '../helpers/unary-cases.ts';
import { referenceLogistic, sigmoidParams } from '../reference/sigmoid.ts';

const OUT_SCALE = 1 / 256; // exactly a float32
const describeCase = (c: UnaryCase) => JSON.stringify({ ...c, input: `[${c.input.length} values]` });

test('LOGISTIC equals the reference on 1000 random cases', async () => {
  const r = new Rng(41);
  let low = 0;
  let high = 0;
  let interior = 0;
  const shifts = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const { input, shape } = randomInput(r);
    const c: UnaryCase = { input, shape, inScale: randomSigmoidScale(r), inZp: r.int(-128, 127), outScale: OUT_SCALE, outZp: -128 };
    const ref = referenceLogistic(c.input, c.inScale, c.inZp);
    const [got] = await runGraph(unaryGraph('LOGISTIC', c, {}), [c.input], i % 10 === 0);
    assert.is(firstDifference(got, ref), 'equal', `case ${i}: ${describeCase(c)}`);
    if (ref.includes(-128)) low++;
    if (ref.includes(127)) high++;
    interior += ref.filter((v) => v > -128 && v < 127).length;
    shifts.add(sigmoidParams(c.inScale)!.shift);
  }
  assert.ok(low > 100 && high > 100, `saturation coverage ${low}/${high}`);
  assert.ok(interior > 20000, `outputs strictly between the limits: ${interior}`);
  assert.ok(shifts.size > 18 && shifts.has(1) && shifts.has(48), `left shifts covered: ${[...shifts].sort((a, b) => a - b)}`);
});

function run(inScale: number, inZp: number, values: number[]): Promise<number[]> {
  const c: UnaryCase = { input: Int8Array.from(values), shape: [values.length], inScale, inZp, outScale: OUT_SCALE, outZp: -128 };
  return runGraph(unaryGraph('LOGISTIC', c, {}), [c.input]).then(([y]) => Array.from(y));
}

test('LOGISTIC hand-computed cases from TFLite arithmetic', async () => {
  // Scale 1/16: input_scale * 2^27 = 2^23 = 0.5 * 2^24, so multiplier 2^30, left shift 24, radius floor(15 * 2^27 / 2^24) = 120.
  // x = 16 is 1.0 (Q4 raw 2^27): sigmoid(1) * 256 = 187.15 -> 187 - 128 = 59; sigmoid(-1) * 256 = 68.85 -> -59;
  // sigmoid(2) * 256 = 225.48 -> 97; x = 0 gives exactly 0.5 (1 << 30 in Q0) -> 128 - 128 = 0.
  // x = 119 is inside the radius but rounds to 256 - 128 = 128, clamped to 127; x = +-120 saturate by the radius test.
  assert.equal(await run(1 / 16, 0, [16, -16, 32, 0, 119, 120, -120, -128, 127]), [59, -59, 97, 0, 127, 127, -128, -128, 127]);
  // The zero point is subtracted first: with zero point 10, input 26 is 1.0.
  assert.equal(await run(1 / 16, 10, [26, 10, -6]), [59, 0, -59]);
  // Scale 16: shift 32, radius floor(15 * 2^27 / 2^32) = 0, so every input saturates and x = 0 counts as x <= -radius.
  assert.equal(await run(16, 0, [0, 1, -1]), [-128, 127, -128]);
});

function graphWith(over: (g: Graph) => void): Graph {
  const g = unaryGraph('LOGISTIC', { input: new Int8Array(6), shape: [1, 2, 3], inScale: Math.fround(0.1), inZp: 0, outScale: OUT_SCALE, outZp: -128 }, {});
  over(g);
  return g;
}

test('LOGISTIC rejects bad operators with typed errors', () => {
  const modelError = (g: Graph, msg: RegExp) => assert.is(throwsError(() => buildSchedule(g), ModelError, msg).constructor, ModelError);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[0] = { name: 'x', shape: [1, 2, 3], dtype: 'int32' }; })), UnsupportedError, /LOGISTIC.*input 0.*int32/);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[1] = { name: 'y', shape: [1, 2, 3], dtype: 'float32' }; })), UnsupportedError, /output 0.*float32/);
  modelError(graphWith((g) => { delete g.tensors[0].quant; }), /input 0.*no quantisation/);
  modelError(graphWith((g) => { g.tensors[1].quant!.zeroPoint = [0]; }), /TFLite's int8 LOGISTIC needs scale 1\/256 and zero point -128/);
  modelError(graphWith((g) => { g.tensors[1].quant!.scale = [Math.fround(1 / 128)]; }), /needs scale 1\/256/);
  modelError(graphWith((g) => { g.tensors[1].shape = [1, 3, 2]; }), /output 'y' has shape \[1,3,2\], expected \[1,2,3\]/);
  modelError(graphWith((g) => { g.ops[0].inputs = [0, 0]; }), /takes 1 input, got 2/);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[0].quant!.scale = [Math.fround(1e-9)]; })), UnsupportedError, /input scale .* outside the range/);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[0].quant = { scale: [0.1, 0.2, 0.3].map(Math.fround), zeroPoint: [0, 0, 0], axis: 2 }; })), UnsupportedError, /per channel/);
  modelError(graphWith((g) => { g.tensors[0].quant!.scale = [0]; }), /scale/);
});

test.run();
