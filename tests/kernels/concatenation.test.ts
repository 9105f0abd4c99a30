import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Activation, DType, Graph, Tensor } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { referenceConcatenation } from '../reference/concatenation.ts';

type Data = Int8Array | Int32Array | Float32Array;
const q = (scale: number, zp: number) => ({ scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 });

interface Case { dtype: DType; shapes: number[][]; axis: number; data: Data[]; constant: boolean[]; scale: number; zp: number; outShape: number[] }

function concatGraph(c: Case, activation: Activation = 'NONE'): Graph {
  const quant = c.dtype === 'int8' ? { quant: q(c.scale, c.zp) } : {};
  const tensors: Tensor[] = c.shapes.map((shape, i) => ({ name: `x${i}`, shape, dtype: c.dtype, ...quant, ...(c.constant[i] ? { data: c.data[i] } : {}) }));
  tensors.push({ name: 'y', shape: c.outShape, dtype: c.dtype, ...quant });
  return {
    name: 'concat-case',
    tensors,
    ops: [{ kind: 'CONCATENATION', name: 'concat', inputs: c.shapes.map((_, i) => i), outputs: [c.shapes.length], options: { axis: c.axis, activation } }],
    inputs: c.shapes.map((_, i) => i).filter((i) => !c.constant[i]),
    outputs: [c.shapes.length],
  };
}

function randomData(r: Rng, dtype: DType, n: number): Data {
  if (dtype === 'int8') return r.int8s(n);
  if (dtype === 'int32') return Int32Array.from({ length: n }, () => r.int(-2147483648, 2147483647));
  return Float32Array.from({ length: n }, () => Math.fround((r.next() - 0.5) * 10 ** r.int(-3, 6)));
}

function randomCase(r: Rng): Case {
  const dtype: DType = r.next() < 0.8 ? 'int8' : r.pick(['int32', 'float32']);
  const rank = r.int(1, 5);
  const base = Array.from({ length: rank }, () => r.int(1, 5));
  const positive = rank === 4 && r.next() < 0.5 ? 3 : r.int(0, rank - 1); // channels are the common case
  const axis = r.next() < 0.25 ? positive - rank : positive;
  const n = r.next() < 0.15 ? 10 : r.int(1, 6);
  const shapes = Array.from({ length: n }, () => base.map((d, k) => (k === positive ? r.int(1, 9) : d)));
  const data = shapes.map((s) => randomData(r, dtype, s.reduce((a, b) => a * b, 1)));
  let constant = shapes.map(() => r.next() < 0.15);
  if (constant.every(Boolean)) constant = constant.map((v, i) => i !== 0 && v);
  const outShape = [...base];
  outShape[positive] = shapes.reduce((a, s) => a + s[positive], 0);
  return { dtype, shapes, axis, data, constant, scale: r.scale(1e-3, 1), zp: r.int(-128, 127), outShape };
}

const bits = (d: Data) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
const make = (dtype: DType) => (n: number): Data => (dtype === 'int8' ? new Int8Array(n) : dtype === 'int32' ? new Int32Array(n) : new Float32Array(n));

test('CONCATENATION equals the reference on 1000 random cases (any axis, 1-10 inputs, constants, int8/int32/float32)', async () => {
  const r = new Rng(41);
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const c = randomCase(r);
    const ref = referenceConcatenation(c.data, c.shapes, c.axis, make(c.dtype));
    assert.equal(ref.shape, c.outShape);
    const [got] = await runGraph(concatGraph(c), c.data.filter((_, k) => !c.constant[k]), i % 10 === 0);
    assert.is(firstDifference(bits(got), bits(ref.data)), 'equal', `case ${i}: ${JSON.stringify({ ...c, data: undefined })}`);
    seen.add(`rank${c.shapes[0].length}/axis${c.axis}`);
    seen.add(`inputs${c.shapes.length}`);
    seen.add(c.dtype);
    if (c.constant.some(Boolean)) seen.add('constant');
  }
  for (const want of ['rank4/axis3', 'rank4/axis-1', 'rank1/axis0', 'rank5/axis0', 'inputs1', 'inputs10', 'int32', 'float32', 'constant']) assert.ok(seen.has(want), `not covered: ${want}`);
});

test('CONCATENATION hand-computed cases', async () => {
  const run = async (shapes: number[][], axis: number, data: number[][], out: number[]) =>
    Array.from((await runGraph(concatGraph({ dtype: 'int8', shapes, axis, data: data.map((d) => Int8Array.from(d)), constant: shapes.map(() => false), scale: 0.5, zp: 3, outShape: out }), data.map((d) => Int8Array.from(d))))[0]);
  // [[1,2],[3,4]] and [[5,6],[7,8]]: along axis 1 rows are joined, along axis 0 (and -2) the rows are stacked.
  assert.equal(await run([[2, 2], [2, 2]], 1, [[1, 2, 3, 4], [5, 6, 7, 8]], [2, 4]), [1, 2, 5, 6, 3, 4, 7, 8]);
  assert.equal(await run([[2, 2], [2, 2]], 0, [[1, 2, 3, 4], [5, 6, 7, 8]], [4, 2]), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(await run([[2, 2], [2, 2]], -2, [[1, 2, 3, 4], [5, 6, 7, 8]], [4, 2]), [1, 2, 3, 4, 5, 6, 7, 8]);
  // NHWC channels: a 1x1x2 pixel pair with 1 channel and 2 channels -> 3 channels per pixel.
  assert.equal(await run([[1, 1, 2, 1], [1, 1, 2, 2]], 3, [[-1, -2], [10, 11, 20, 21]], [1, 1, 2, 3]), [-1, 10, 11, -2, 20, 21]);
});

function bad(over: (g: Graph) => void): Graph {
  const c: Case = { dtype: 'int8', shapes: [[1, 2, 2, 3], [1, 2, 2, 5]], axis: 3, data: [new Int8Array(12), new Int8Array(20)], constant: [false, false], scale: 0.1, zp: 0, outShape: [1, 2, 2, 8] };
  const g = concatGraph(c);
  over(g);
  return g;
}

test('CONCATENATION refuses bad operators with typed errors', () => {
  const build = (g: Graph) => () => buildSchedule(g);
  throwsError(build(bad((g) => { g.tensors[1].quant = q(0.2, 0); })), UnsupportedError, /input 1 'x1' \(scale 0\.2.*output 'y'.*quantised differently/);
  throwsError(build(bad((g) => { g.tensors[2].quant = q(0.1, 5); })), UnsupportedError, /input 0 'x0'.*output 'y' \(scale 0\.1.*zero point 5\)/);
  throwsError(build(bad((g) => { (g.ops[0].options as { activation: Activation }).activation = 'RELU'; })), UnsupportedError, /fused activation RELU/);
  throwsError(build(bad((g) => { (g.ops[0].options as { axis: number }).axis = 4; })), ModelError, /axis 4 is out of range/);
  throwsError(build(bad((g) => { g.tensors[1].shape = [1, 2, 3, 5]; g.tensors[2].shape = [1, 2, 3, 8]; })), ModelError, /input 1 .*'x1'.*\[1,2,3,5\]/);
  throwsError(build(bad((g) => { g.tensors[2].shape = [1, 2, 2, 9]; })), ModelError, /output 'y' has shape \[1,2,2,9\], expected \[1,2,2,8\]/);
  throwsError(build(bad((g) => { g.tensors[1] = { name: 'x1', shape: [1, 2, 2, 5], dtype: 'float32' }; })), UnsupportedError, /type float32/);
  throwsError(build(bad((g) => { delete g.tensors[0].quant; })), ModelError, /no quantisation/);
  const eleven = bad((g) => {
    g.ops[0].inputs = new Array(11).fill(0);
    g.tensors[2].shape = [1, 2, 2, 33];
  });
  throwsError(build(eleven), UnsupportedError, /11 inputs; at most 10/);
});

test.run();
