import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { randomInput, unaryGraph, type UnaryCase } from '../helpers/unary-cases.ts';
import { referenceLeakyRelu } from '../reference/leaky_relu.ts';

const describeCase = (c: UnaryCase, alpha: number) => JSON.stringify({ ...c, input: `[${c.input.length} values]`, alpha });

test('LEAKY_RELU equals the reference on 1000 random cases', async () => {
  const r = new Rng(53);
  let low = 0;
  let high = 0;
  const alphaSigns = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const { input, shape } = randomInput(r);
    const inScale = r.scale(1e-3, 1);
    // Output scales from 1/100 of the input scale (saturates; left shifts) to 100x (right shifts).
    const outScale = Math.fround(inScale * 10 ** (4 * r.next() - 2));
    const alpha = Math.fround(r.pick([0.2, 0.1, 0.3, 0.01, 0, 1, -0.5, 2 * r.next() - 1, 4 * r.next()]));
    const c: UnaryCase = { input, shape, inScale, inZp: r.int(-128, 127), outScale, outZp: r.int(-128, 127) };
    const ref = referenceLeakyRelu(c.input, c.inScale, c.inZp, c.outScale, c.outZp, alpha);
    const [got] = await runGraph(unaryGraph('LEAKY_RELU', c, { alpha }), [c.input], i % 10 === 0);
    assert.is(firstDifference(got, ref), 'equal', `case ${i}: ${describeCase(c, alpha)}`);
    if (ref.includes(-128)) low++;
    if (ref.includes(127)) high++;
    alphaSigns.add(Math.sign(alpha));
  }
  assert.ok(low > 100 && high > 100, `saturation coverage ${low}/${high}`);
  assert.equal([...alphaSigns].sort(), [-1, 0, 1]);
});

function run(values: number[], alpha: number, inScale: number, outScale: number, inZp = 0, outZp = 0): Promise<number[]> {
  const c: UnaryCase = { input: Int8Array.from(values), shape: [values.length], inScale, inZp, outScale, outZp };
  return runGraph(unaryGraph('LEAKY_RELU', c, { alpha: Math.fround(alpha) }), [c.input]).then(([y]) => Array.from(y));
}

test('LEAKY_RELU hand-computed cases from TFLite arithmetic', async () => {
  // Scales 0.5 -> 0.25: identity multiplier 2 (Q31 2^30, shift 2); alpha 0.2: f32(f32(0.5 * 0.2) / 0.25) = 0.4.
  // 10 * 0.5 = 5.0 -> 20 steps; -10 * 0.5 * 0.2 = -1.0 -> -4 steps; 100 -> 200 clamps to 127.
  assert.equal(await run([10, -10, 0, 100], 0.2, 0.5, 0.25), [20, -4, 0, 127]);
  // Zero points: input 5 with zero point 15 is -10 -> -4, then + output zero point -3.
  assert.equal(await run([5, 25], 0.2, 0.5, 0.25, 15, -3), [-7, 17]);
  // Negative alpha -0.5, scales 0.5 -> 0.5: alpha multiplier -0.5 (Q31 -2^30, shift 0). TFLite Micro applies the
  // magnitude and negates: MBQM(-3, 2^30, 0) = SRDHM(-3, 2^30) = trunc((-3 * 2^30 + 1 - 2^30) / 2^31) = -1 -> +1,
  // where the signed multiplier would give SRDHM(-3, -2^30) = 2 (a tie rounded up). -4 -> 2 either way.
  assert.equal(await run([-3, -4, 6], -0.5, 0.5, 0.5), [1, 2, 6]);
  // alpha 0: every negative input maps to the output zero point.
  assert.equal(await run([-100, -1, 1], 0, 0.5, 0.5, 0, 9), [9, 9, 10]);
});

function graphWith(over: (g: Graph) => void): Graph {
  const g = unaryGraph('LEAKY_RELU', { input: new Int8Array(6), shape: [1, 2, 3], inScale: Math.fround(0.1), inZp: 0, outScale: Math.fround(0.05), outZp: 0 }, { alpha: Math.fround(0.2) });
  over(g);
  return g;
}

test('LEAKY_RELU rejects bad operators with typed errors', () => {
  const modelError = (g: Graph, msg: RegExp) => assert.is(throwsError(() => buildSchedule(g), ModelError, msg).constructor, ModelError);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[1] = { name: 'y', shape: [1, 2, 3], dtype: 'int32' }; })), UnsupportedError, /LEAKY_RELU.*output 0.*int32/);
  modelError(graphWith((g) => { delete g.tensors[1].quant; }), /output 0.*no quantisation/);
  modelError(graphWith((g) => { g.tensors[1].shape = [1, 2]; }), /expected \[1,2,3\]/);
  modelError(graphWith((g) => { (g.ops[0].options as { alpha: number }).alpha = Number.NaN; }), /option alpha is NaN/);
  // input_scale / output_scale of 2^40 cannot be a Q31 multiplier with a shift of at most 30.
  modelError(graphWith((g) => { g.tensors[1].quant!.scale = [Math.fround(0.1 / 2 ** 40)]; }), /identity multiplier/);
});

test.run();
