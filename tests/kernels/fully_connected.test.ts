import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Activation, Graph } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { referenceFullyConnected, type FcCase } from '../reference/fully_connected.ts';

function fcGraph(c: FcCase, outShape: number[]): Graph {
  return {
    name: 'fc-case',
    tensors: [
      { name: 'x', shape: c.inShape, dtype: 'int8', quant: { scale: [c.inScale], zeroPoint: [c.inZp], axis: 0 } },
      {
        name: 'w', shape: [c.units, c.depth], dtype: 'int8', data: c.filter,
        quant: { scale: c.filterScales, zeroPoint: c.filterScales.length > 1 ? c.filterScales.map(() => 0) : [c.filterZp], axis: 0 },
      },
      ...(c.bias ? [{ name: 'b', shape: [c.units], dtype: 'int32' as const, data: c.bias }] : []),
      { name: 'y', shape: outShape, dtype: 'int8', quant: { scale: [c.outScale], zeroPoint: [c.outZp], axis: 0 } },
    ],
    ops: [{
      kind: 'FULLY_CONNECTED', name: 'fc', inputs: c.bias ? [0, 1, 2] : [0, 1, -1], outputs: [c.bias ? 3 : 2],
      options: { activation: c.activation as Activation, ...(c.keepNumDims ? { keepNumDims: true } : {}) },
    }],
    inputs: [0],
    outputs: [c.bias ? 3 : 2],
  };
}

function randomCase(r: Rng): FcCase {
  const depth = r.pick([1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 64, 100, 257]);
  const units = r.pick([1, 2, 3, 4, 5, 7, 8, 10, 13, 16, 33]);
  const rows = r.pick([1, 1, 1, 2, 3, 5]);
  // Input shapes: [rows, depth], [1, rows * depth] split oddly, or rank 3/4 ending in depth.
  const keepNumDims = r.next() < 0.2;
  const layout = keepNumDims ? 2 : r.int(0, 2);
  const inShape = layout === 0 ? [rows, depth] : layout === 1 ? [1, rows * depth] : r.next() < 0.5 ? [rows, 1, depth] : [1, 1, rows, depth];
  const perChannel = r.next() < 0.5;
  const inScale = r.scale(1e-3, 0.5);
  const filterScales = Array.from({ length: perChannel ? units : 1 }, () => r.scale(1e-4, 0.05));
  const maxAcc = 255 * 255 * depth;
  const outScale = Math.fround(inScale * filterScales[0] * maxAcc ** r.next() * r.pick([0.01, 0.1, 1, 4]));
  return {
    input: r.int8s(rows * depth), inShape, inScale, inZp: r.int(-128, 127),
    filter: r.int8s(units * depth), units, depth, filterScales, filterZp: perChannel || r.next() < 0.3 ? 0 : r.int(-128, 127),
    bias: r.next() < 0.85 ? Int32Array.from({ length: units }, () => r.int(-50000, 50000)) : null,
    outScale: Math.fround(Math.max(outScale, 1e-6)), outZp: r.int(-128, 127),
    activation: r.pick(['NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1']), keepNumDims,
  };
}

test('FULLY_CONNECTED equals the reference on 1200 random cases (per-tensor with weight zero points, per-channel)', async () => {
  const r = new Rng(41);
  let low = 0;
  let high = 0;
  let filterOffsets = 0;
  let perChannel = 0;
  let multiRow = 0;
  for (let i = 0; i < 1200; i++) {
    const c = randomCase(r);
    const ref = referenceFullyConnected(c);
    const [got] = await runGraph(fcGraph(c, ref.shape), [c.input], i % 10 === 0);
    assert.is(firstDifference(got, ref.data), 'equal', `case ${i}: ${JSON.stringify({ ...c, input: undefined, filter: undefined, bias: undefined })}`);
    if (ref.data.includes(-128)) low++;
    if (ref.data.includes(127)) high++;
    if (c.filterZp !== 0) filterOffsets++;
    if (c.filterScales.length > 1) perChannel++;
    if (c.input.length > c.depth) multiRow++;
  }
  assert.ok(low > 50 && high > 50, `saturation coverage ${low}/${high}`);
  assert.ok(filterOffsets > 200 && perChannel > 400 && multiRow > 300, `coverage: ${filterOffsets} weight zero points, ${perChannel} per-channel, ${multiRow} multi-row`);
});

test('FULLY_CONNECTED with a right shift of 31 stays exact', async () => {
  // Real multiplier 0.01 * 1e-4 / 2400 = 0.895 * 2^-31 takes the scalar requantisation inside the kernel.
  const r = new Rng(42);
  const c: FcCase = {
    input: r.int8s(2 * 16), inShape: [2, 16], inScale: Math.fround(0.01), inZp: 0,
    filter: r.int8s(8 * 16), units: 8, depth: 16, filterScales: [Math.fround(1e-4)], filterZp: 0,
    bias: Int32Array.of(-(2 ** 31) + 2 ** 26, -1.5e9, -1e9, -6e8, 6e8, 1e9, 1.5e9, 2 ** 31 - 2 ** 26),
    outScale: Math.fround(2400), outZp: 0, activation: 'NONE', keepNumDims: false,
  };
  const ref = referenceFullyConnected(c);
  assert.ok(ref.data.some((v) => v !== 0), 'the case must produce non-zero outputs');
  assert.is(firstDifference((await runGraph(fcGraph(c, ref.shape), [c.input]))[0], ref.data), 'equal');
});

test('FULLY_CONNECTED hand-computed cases from TFLite arithmetic', async () => {
  // Per-tensor with a weight zero point: x - x_zp = [2, -2], w - w_zp = [1, 4]: acc = 2 - 8 + bias 10 = 4.
  // Multiplier 0.5 * 0.5 / 0.125 = 2 = 2^30 * 2^-31 * 2^2: 4 << 2 = 16, high mul -> 8; + zp 3 = 11.
  const c: FcCase = {
    input: Int8Array.of(3, -1), inShape: [1, 2], inScale: 0.5, inZp: 1,
    filter: Int8Array.of(2, 5), units: 1, depth: 2, filterScales: [0.5], filterZp: 1, bias: Int32Array.of(10),
    outScale: 0.125, outZp: 3, activation: 'NONE', keepNumDims: false,
  };
  assert.equal(Array.from((await runGraph(fcGraph(c, [1, 1]), [c.input]))[0]), [11]);
  // Per-channel, two rows, keepNumDims: row [1, 2] and row [-1, 0] (zp 0) with w0 = [1, 1] (scale 0.5),
  // w1 = [2, -1] (scale 0.25); input scale 1, output scale 0.5. Row 0: 3 * 1 = 3, 0 * 0.5 = 0; row 1: -1 * 1 = -1,
  // -2 * 0.5 = -1. RELU at zp -2 clamps at -2: [1, -2, -3 -> -2, -3 -> -2].
  const d: FcCase = {
    input: Int8Array.of(1, 2, -1, 0), inShape: [2, 1, 2], inScale: 1, inZp: 0,
    filter: Int8Array.of(1, 1, 2, -1), units: 2, depth: 2, filterScales: [0.5, 0.25], filterZp: 0, bias: null,
    outScale: 0.5, outZp: -2, activation: 'RELU', keepNumDims: true,
  };
  assert.equal(Array.from((await runGraph(fcGraph(d, [2, 1, 2]), [d.input]))[0]), [1, -2, -2, -2]);
});

const q = (scale: number, zp = 0) => ({ scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 });

function graphWith(over: (g: Graph) => void): Graph {
  const g: Graph = {
    name: 'bad-fc',
    tensors: [
      { name: 'x', shape: [1, 8], dtype: 'int8', quant: q(0.1) },
      { name: 'w', shape: [3, 8], dtype: 'int8', data: new Int8Array(24), quant: { scale: [0.1, 0.1, 0.1].map(Math.fround), zeroPoint: [0, 0, 0], axis: 0 } },
      { name: 'b', shape: [3], dtype: 'int32', data: new Int32Array(3) },
      { name: 'y', shape: [1, 3], dtype: 'int8', quant: q(0.2) },
    ],
    ops: [{ kind: 'FULLY_CONNECTED', name: 'fc', inputs: [0, 1, 2], outputs: [3], options: { activation: 'NONE' } }],
    inputs: [0],
    outputs: [3],
  };
  over(g);
  return g;
}

test('FULLY_CONNECTED rejects bad operators with typed errors', () => {
  const modelError = (g: Graph, msg: RegExp) => assert.is(throwsError(() => buildSchedule(g), ModelError, msg).constructor, ModelError);
  buildSchedule(graphWith(() => {})); // the base graph is valid
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[0] = { name: 'x', shape: [1, 8], dtype: 'float32' }; })), UnsupportedError, /input 0.*float32/);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[1] = { name: 'w', shape: [3, 8], dtype: 'float32', data: new Float32Array(24) }; })), UnsupportedError, /input 1.*float32/);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[0].quant = { scale: Array(8).fill(Math.fround(0.1)), zeroPoint: Array(8).fill(0), axis: 1 }; })), UnsupportedError, /per channel/);
  modelError(graphWith((g) => { delete g.tensors[0].quant; }), /input 0.*no quantisation/);
  modelError(graphWith((g) => { delete g.tensors[1].quant; }), /input 1.*no quantisation/);
  modelError(graphWith((g) => { delete g.tensors[1].data; g.inputs = [0, 1]; }), /must be a constant/);
  modelError(graphWith((g) => { g.tensors[1] = { ...g.tensors[1], shape: [3, 2, 4] }; }), /expected rank 2/);
  modelError(graphWith((g) => { g.tensors[0].shape = [1, 9]; }), /9 values, not a whole number of rows of 8/);
  modelError(graphWith((g) => { g.tensors[0].shape = [2, 4]; g.ops[0].options = { activation: 'NONE', keepNumDims: true }; g.tensors[3].shape = [2, 3]; }), /keepNumDims/);
  modelError(graphWith((g) => { g.tensors[1].quant!.zeroPoint = [0, 2, 0]; }), /symmetric/);
  modelError(graphWith((g) => { g.tensors[1].quant = { scale: Array(8).fill(Math.fround(0.1)), zeroPoint: Array(8).fill(0), axis: 1 }; }), /axis 1/);
  modelError(graphWith((g) => { g.tensors[2] = { name: 'b', shape: [4], dtype: 'int32', data: new Int32Array(4) }; }), /bias 'b' has 4 values for 3/);
  modelError(graphWith((g) => { g.tensors[2] = { name: 'b', shape: [3], dtype: 'int8', data: new Int8Array(3), quant: q(0.1) }; }), /bias 'b' must be a constant int32/);
  modelError(graphWith((g) => { g.tensors[3].shape = [3]; }), /output 'y' has shape \[3\], expected \[1,3\]/);
  // A per-tensor weight zero point is allowed (TFLite's filter offset).
  buildSchedule(graphWith((g) => { g.tensors[1].quant = q(0.1, -7); }));
});

test.run();
