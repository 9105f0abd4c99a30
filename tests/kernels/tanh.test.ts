import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { randomInput, randomSigmoidScale, unaryGraph, type UnaryCase } from '../helpers/unary-cases.ts';
import { referenceTanh, sigmoidParams } from '../reference/sigmoid.ts';

const OUT_SCALE = 1 / 128; // exactly a float32
const describeCase = (c: UnaryCase) => JSON.stringify({ ...c, input: `[${c.input.length} values]` });

test('TANH equals the reference on 1000 random cases', async () => {
  const r = new Rng(43);
  let low = 0;
  let high = 0;
  let interior = 0;
  const shifts = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const { input, shape } = randomInput(r);
    const c: UnaryCase = { input, shape, inScale: randomSigmoidScale(r), inZp: r.int(-128, 127), outScale: OUT_SCALE, outZp: 0 };
    const ref = referenceTanh(c.input, c.inScale, c.inZp);
    const [got] = await runGraph(unaryGraph('TANH', c, {}), [c.input], i % 10 === 0);
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
  const c: UnaryCase = { input: Int8Array.from(values), shape: [values.length], inScale, inZp, outScale: OUT_SCALE, outZp: 0 };
  return runGraph(unaryGraph('TANH', c, {}), [c.input]).then(([y]) => Array.from(y));
}

test('TANH hand-computed cases from TFLite arithmetic', async () => {
  // Scale 1/16: multiplier 2^30, left shift 24, radius 120 (as for LOGISTIC); x = 16 is 1.0 in Q4.
  // tanh(1) * 128 = 97.48 -> 97; tanh(0.5) * 128 = 59.15 -> 59; tanh(2) * 128 = 123.41 -> 123; tanh(0) = 0 exactly.
  // Near the radius tanh rounds to 128, clamped to 127, and -128 is reached as -1.0 exactly; +-120 saturate by the radius test.
  assert.equal(await run(1 / 16, 0, [16, -16, 8, -8, 32, 0, 100, -100, 120, -120]), [97, -97, 59, -59, 123, 0, 127, -128, 127, -128]);
  // The zero point is subtracted first; no output zero point is added (TFLite Micro ignores it).
  assert.equal(await run(1 / 16, -20, [-4, -20, -36]), [97, 0, -97]);
  // Scale 16: radius 0, so every input saturates and x = 0 counts as x <= -radius (TFLite Micro gives -128 for tanh(0)).
  assert.equal(await run(16, 0, [0, 1, -1]), [-128, 127, -128]);
});

function graphWith(over: (g: Graph) => void): Graph {
  const g = unaryGraph('TANH', { input: new Int8Array(6), shape: [1, 2, 3], inScale: Math.fround(0.1), inZp: 0, outScale: OUT_SCALE, outZp: 0 }, {});
  over(g);
  return g;
}

test('TANH rejects bad operators with typed errors', () => {
  const modelError = (g: Graph, msg: RegExp) => assert.is(throwsError(() => buildSchedule(g), ModelError, msg).constructor, ModelError);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[0] = { name: 'x', shape: [1, 2, 3], dtype: 'int32' }; })), UnsupportedError, /TANH.*input 0.*int32/);
  modelError(graphWith((g) => { delete g.tensors[1].quant; }), /output 0.*no quantisation/);
  modelError(graphWith((g) => { g.tensors[1].quant!.zeroPoint = [-128]; }), /TFLite's int8 TANH needs scale 1\/128 and zero point 0/);
  modelError(graphWith((g) => { g.tensors[1].quant!.scale = [Math.fround(1 / 256)]; }), /needs scale 1\/128/);
  modelError(graphWith((g) => { g.tensors[1].shape = [6]; }), /output 'y' has shape \[6\], expected \[1,2,3\]/);
  modelError(graphWith((g) => {
    g.tensors.push({ ...g.tensors[1], name: 'z' });
    g.ops[0].outputs = [1, 2];
    g.outputs = [1, 2];
  }), /has 2 outputs; expected 1/);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[0].quant!.scale = [Math.fround(2 ** 40)]; })), UnsupportedError, /input scale .* outside the range/);
});

test.run();
