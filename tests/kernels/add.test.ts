import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { binaryGraph, binaryInputs, randomBinaryCase } from '../helpers/binary-cases.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { referenceAdd, type BinaryCase } from '../reference/add.ts';

const describeCase = (c: object) => JSON.stringify(c, (k, v) => (ArrayBuffer.isView(v) ? `[${(v as Int8Array).length} values]` : v));

test('ADD equals the reference on 1000 random cases (same shape, per-channel and scalar broadcast, constants)', async () => {
  const r = new Rng(11);
  let low = 0;
  let high = 0;
  const layouts = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    // Output scales from 1/300 of the larger input scale (saturates) to 30x it (rounds to few levels).
    const c = randomBinaryCase(r, (a, b) => Math.fround(Math.max(a, b) * 10 ** (4 * r.next() - 2.5)));
    const ref = referenceAdd(c);
    const [got] = await runGraph(binaryGraph('ADD', c, ref.shape), binaryInputs(c), i % 10 === 0);
    assert.is(firstDifference(got, ref.data), 'equal', `case ${i}: ${describeCase(c)}`);
    if (ref.data.includes(-128)) low++;
    if (ref.data.includes(127)) high++;
    layouts.add(`${c.aShape.length}/${c.bShape.length}/${c.constA}/${c.constB}`);
  }
  assert.ok(low > 50 && high > 50, `saturation coverage ${low}/${high}`);
  assert.ok(layouts.size > 15, `shape/constant combinations covered: ${layouts.size}`);
});

const q = (scale: number, zp: number) => ({ scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 });

function handCase(a: number[], b: number[], aScale: number, bScale: number, outScale: number, act = 'NONE'): BinaryCase {
  return { a: Int8Array.from(a), aShape: [1, 1, 1, a.length], aScale, aZp: 0, b: Int8Array.from(b), bShape: [1, 1, 1, b.length], bScale, bZp: 0, outScale, outZp: 0, activation: act };
}

test('ADD hand-computed cases from TFLite arithmetic', async () => {
  // 3*0.5 + 2*0.25 = 2.0 -> 4 at scale 0.5. Multipliers: 0.5 -> (2^30, 0), 0.25 -> (2^30, -1), 2^-19 -> (2^30, -18):
  // (3<<20)*0.5 + (2<<20)*0.25 = 2097152, then * 2^-19 = 4.
  let c = handCase([3], [2], 0.5, 0.25, 0.5);
  assert.equal(Array.from((await runGraph(binaryGraph('ADD', c, [1, 1, 1, 1]), [c.a, c.b]))[0]), [4]);
  // 1.5 rounds away from zero to 2 and -1.5 to -2 in the final RoundingDivideByPOT (scales 0.5, 0.5 -> 1).
  c = handCase([3, -3, 1], [0, 0, 0], 0.5, 0.5, 1);
  assert.equal(Array.from((await runGraph(binaryGraph('ADD', c, [1, 1, 1, 3]), [c.a, c.b]))[0]), [2, -2, 1]);
  // Zero points and RELU6 (range [-7, -7 + 6/0.5] = [-7, 5]): (10-4)*0.5 + (-3+5)*0.5 = 4.0 -> 8 steps - 7 = 1;
  // (100-4)*0.5 + (100+5)*0.5 = 100.5 -> 201 steps - 7 = 194, clamped to 5.
  c = { ...handCase([10, 100], [-3, 100], 0.5, 0.5, 0.5, 'RELU6'), aZp: 4, bZp: -5, outZp: -7 };
  assert.equal(Array.from((await runGraph(binaryGraph('ADD', c, [1, 1, 1, 2]), [c.a, c.b]))[0]), [1, 5]);
});

function graphWith(over: (g: Graph) => void): Graph {
  const g: Graph = {
    name: 'bad-add',
    tensors: [
      { name: 'a', shape: [1, 2, 2, 3], dtype: 'int8', quant: q(0.1, 0) },
      { name: 'b', shape: [1, 2, 2, 3], dtype: 'int8', quant: q(0.1, 0) },
      { name: 'y', shape: [1, 2, 2, 3], dtype: 'int8', quant: q(0.2, 0) },
    ],
    ops: [{ kind: 'ADD', name: 'add', inputs: [0, 1], outputs: [2], options: { activation: 'NONE' } }],
    inputs: [0, 1],
    outputs: [2],
  };
  over(g);
  return g;
}

test('ADD rejects bad operators with typed errors', () => {
  const modelError = (g: Graph, msg: RegExp) => assert.is(throwsError(() => buildSchedule(g), ModelError, msg).constructor, ModelError);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[1] = { name: 'b', shape: [1, 2, 2, 3], dtype: 'int32' }; })), UnsupportedError, /input 1.*int32/);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[2].dtype = 'float32'; delete g.tensors[2].quant; })), UnsupportedError, /output 0.*float32/);
  modelError(graphWith((g) => { delete g.tensors[0].quant; }), /input 0.*no quantisation/);
  modelError(graphWith((g) => { g.tensors[1].shape = [1, 2, 2, 4]; }), /cannot be broadcast/);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[1].shape = [1, 2, 2, 1]; })), UnsupportedError, /broadcasting \[1,2,2,3\] with \[1,2,2,1\]/);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[0].quant = { scale: [0.1, 0.1, 0.1].map(Math.fround), zeroPoint: [0, 0, 0], axis: 3 }; })), UnsupportedError, /per channel/);
  modelError(graphWith((g) => { g.tensors[2].shape = [1, 2, 2, 4]; }), /output 'y' has shape \[1,2,2,4\], expected \[1,2,2,3\]/);
  modelError(graphWith((g) => { g.tensors[2].quant = q(1e-7, 0); }), /output scale .* too small/);
  modelError(graphWith((g) => { g.ops[0].inputs = [0]; g.inputs = [0]; }), /takes 2 inputs/);
});

test.run();
