import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { binaryGraph, binaryInputs, randomBinaryCase } from '../helpers/binary-cases.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import type { BinaryCase } from '../reference/add.ts';
import { referenceMul } from '../reference/mul.ts';
import { quantizeMultiplier } from '../reference/tflite-math.ts';

const describeCase = (c: object) => JSON.stringify(c, (k, v) => (ArrayBuffer.isView(v) ? `[${(v as Int8Array).length} values]` : v));

test('MUL equals the reference on 1000 random cases (same shape, per-channel and scalar broadcast, constants)', async () => {
  const r = new Rng(12);
  let low = 0;
  let high = 0;
  const shifts = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    // Effective multiplier in1*in2/out from 1e-6 (rounds most products to 0) to ~30 (saturates): shifts of both signs.
    const c = randomBinaryCase(r, (a, b) => Math.fround((a * b) / 10 ** (6.5 * r.next() - 5)));
    const ref = referenceMul(c);
    const [got] = await runGraph(binaryGraph('MUL', c, ref.shape), binaryInputs(c), i % 10 === 0);
    assert.is(firstDifference(got, ref.data), 'equal', `case ${i}: ${describeCase(c)}`);
    if (ref.data.includes(-128)) low++;
    if (ref.data.includes(127)) high++;
    shifts.add(quantizeMultiplier((c.aScale * c.bScale) / c.outScale)[1]);
  }
  assert.ok(low > 50 && high > 50, `saturation coverage ${low}/${high}`);
  assert.ok([...shifts].some((s) => s > 0) && [...shifts].some((s) => s < -10), `shifts covered: ${[...shifts].sort((x, y) => x - y)}`);
});

const q = (scale: number, zp: number) => ({ scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 });

test('MUL hand-computed cases from TFLite arithmetic', async () => {
  // (5-1)*0.5 * (2+2)*0.25 = 2.0 -> 16 steps of 0.125, + zp 3 = 19. Multiplier 1.0 = (2^30, shift 1).
  let c: BinaryCase = { a: Int8Array.of(5), aShape: [1], aScale: 0.5, aZp: 1, b: Int8Array.of(2), bShape: [1], bScale: 0.25, bZp: -2, outScale: 0.125, outZp: 3, activation: 'NONE' };
  assert.equal(Array.from((await runGraph(binaryGraph('MUL', c, [1]), [c.a, c.b]))[0]), [19]);
  // Multiplier 0.5 = (2^30, shift 0): SaturatingRoundingDoublingHighMul rounds halves up, so 3*0.5 = 1.5 -> 2
  // but -3*0.5 = -1.5 -> -1 (its nudge for negatives is 1 - 2^30), and -5*0.5 = -2.5 -> -2.
  c = { a: Int8Array.of(3, -3, -5, 1), aShape: [4], aScale: 0.5, aZp: 0, b: Int8Array.of(1), bShape: [], bScale: 0.5, bZp: 0, outScale: 0.5, outZp: 0, activation: 'NONE' };
  assert.equal(Array.from((await runGraph(binaryGraph('MUL', c, [4]), [c.a, c.b]))[0]), [2, -1, -2, 1]);
  // Per-channel broadcast of a constant [1,1,1,2] with RELU (output zp -10 -> range [-10, 127]):
  // x*[2, -2] at multiplier 1 (scales 1, 1, 1): [4, -8, 6, -12] + zp -10 -> [-6, -18 -> -10, -4, -22 -> -10].
  c = { a: Int8Array.of(2, 4, 3, 6), aShape: [1, 1, 2, 2], aScale: 1, aZp: 0, b: Int8Array.of(2, -2), bShape: [1, 1, 1, 2], bScale: 1, bZp: 0, outScale: 1, outZp: -10, activation: 'RELU' };
  assert.equal(Array.from((await runGraph(binaryGraph('MUL', { ...c, constB: true }, [1, 1, 2, 2]), [c.a]))[0]), [-6, -10, -4, -10]);
});

function graphWith(over: (g: Graph) => void): Graph {
  const g: Graph = {
    name: 'bad-mul',
    tensors: [
      { name: 'a', shape: [1, 2, 2, 3], dtype: 'int8', quant: q(0.1, 0) },
      { name: 'b', shape: [3], dtype: 'int8', quant: q(0.1, 0) },
      { name: 'y', shape: [1, 2, 2, 3], dtype: 'int8', quant: q(0.2, 0) },
    ],
    ops: [{ kind: 'MUL', name: 'mul', inputs: [0, 1], outputs: [2], options: { activation: 'NONE' } }],
    inputs: [0, 1],
    outputs: [2],
  };
  over(g);
  return g;
}

test('MUL rejects bad operators with typed errors', () => {
  const modelError = (g: Graph, msg: RegExp) => assert.is(throwsError(() => buildSchedule(g), ModelError, msg).constructor, ModelError);
  buildSchedule(graphWith(() => {})); // the base graph is fine
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[0] = { name: 'a', shape: [1, 2, 2, 3], dtype: 'float32' }; })), UnsupportedError, /input 0.*float32/);
  modelError(graphWith((g) => { delete g.tensors[2].quant; }), /output 0.*no quantisation/);
  modelError(graphWith((g) => { g.tensors[1].shape = [2]; }), /cannot be broadcast/);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[1].shape = [1, 2, 1, 1]; g.tensors[1].quant = q(0.1, 0); })), UnsupportedError, /broadcasting/);
  modelError(graphWith((g) => { g.tensors[2].shape = [1, 2, 2, 3, 1]; }), /output 'y' has shape/);
  modelError(graphWith((g) => { g.tensors[2].quant = q(1e-12, 0); }), /too large/);
});

test.run();
