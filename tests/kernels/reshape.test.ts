import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DType, Graph, Tensor } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { runSchedule } from '../../runtime/executor.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph, testMachine } from '../helpers/single-op.ts';
import { referenceReshape, referenceReshapeShape } from '../reference/reshape.ts';

type Data = Int8Array | Int32Array | Float32Array;
const q = (scale: number, zp: number) => ({ scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 });

/** x -> RESHAPE -> y, with the new shape given by a constant int32 shape input (spec) or only by y's shape. */
function reshapeGraph(dtype: DType, inShape: number[], outShape: number[], spec: number[] | null): Graph {
  const quant = dtype === 'int8' ? { quant: q(0.05, -3) } : {};
  const tensors: Tensor[] = [
    { name: 'x', shape: inShape, dtype, ...quant },
    { name: 'y', shape: outShape, dtype, ...quant },
  ];
  if (spec) tensors.push({ name: 'shape', shape: [spec.length], dtype: 'int32', data: Int32Array.from(spec) });
  return {
    name: 'reshape-case',
    tensors,
    ops: [{ kind: 'RESHAPE', name: 'reshape', inputs: spec ? [0, 2] : [0], outputs: [1], options: {} }],
    inputs: [0],
    outputs: [1],
  };
}

function factorise(r: Rng, n: number): number[] {
  const dims: number[] = [];
  let rest = n;
  while (rest > 1 && dims.length < 4) {
    const divisors = Array.from({ length: rest }, (_, i) => i + 1).filter((d) => rest % d === 0 && d > 1);
    const d = r.pick(divisors);
    dims.push(d);
    rest /= d;
  }
  if (rest > 1) dims.push(rest);
  while (dims.length < 1 || r.next() < 0.2) dims.splice(r.int(0, dims.length), 0, 1);
  return dims;
}

function randomData(r: Rng, dtype: DType, n: number): Data {
  if (dtype === 'int8') return r.int8s(n);
  if (dtype === 'int32') return Int32Array.from({ length: n }, () => r.int(-2147483648, 2147483647));
  return Float32Array.from({ length: n }, () => Math.fround((r.next() - 0.5) * 1000));
}

const bits = (d: Data) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

test('RESHAPE equals the reference on 1000 random cases, and the output shares the input buffer', async () => {
  const r = new Rng(51);
  let withMinusOne = 0;
  for (let i = 0; i < 1000; i++) {
    const dtype: DType = r.next() < 0.8 ? 'int8' : r.pick(['int32', 'float32']);
    const n = r.pick([1, 2, 6, 12, 24, 30, 64, 96, 120, 360, 1000]);
    const inShape = factorise(r, n);
    const outShape = factorise(r, n);
    const how = r.int(0, 2); // 0: shape from the output tensor, 1: explicit shape input, 2: shape input with -1
    const unknown = r.int(0, outShape.length - 1);
    const spec = how === 0 ? null : how === 1 ? outShape : outShape.map((d, k) => (k === unknown ? -1 : d));
    if (spec?.includes(-1)) withMinusOne++;
    assert.equal(referenceReshapeShape(n, spec ?? outShape), outShape);
    const g = reshapeGraph(dtype, inShape, outShape, spec);
    const input = randomData(r, dtype, n);
    const s = buildSchedule(g);
    const [got] = runSchedule(s, await testMachine(), [input], { checked: i % 10 === 0 });
    assert.is(firstDifference(bits(got), bits(referenceReshape(input))), 'equal', `case ${i}: ${dtype} [${inShape}] -> [${outShape}] spec ${spec}`);
    assert.is(s.placements[1]!.offset, s.placements[0]!.offset, `case ${i}: output not aliased onto the input`);
  }
  assert.ok(withMinusOne > 200, `-1 cases: ${withMinusOne}`);
});

test('RESHAPE hand-computed case: a 2x3 matrix read as 3x2 keeps row-major order', async () => {
  const [got] = await runGraph(reshapeGraph('int8', [2, 3], [3, 2], [3, -1]), [Int8Array.of(1, 2, 3, 4, 5, 6)]);
  assert.equal(Array.from(got), [1, 2, 3, 4, 5, 6]);
});

test('RESHAPE between two ops: the output takes the input arena offset and no bytes move', async () => {
  // x -> QUANTIZE (int8 -> int8) -> a -> RESHAPE -> b -> QUANTIZE -> y: a and b share one buffer.
  const g: Graph = {
    name: 'reshape-chain',
    tensors: [
      { name: 'x', shape: [1, 2, 2, 3], dtype: 'int8', quant: q(0.1, 0) },
      { name: 'a', shape: [1, 2, 2, 3], dtype: 'int8', quant: q(0.1, 0) },
      { name: 'b', shape: [1, 12], dtype: 'int8', quant: q(0.1, 0) },
      { name: 'y', shape: [1, 12], dtype: 'int8', quant: q(0.1, 0) },
    ],
    ops: [
      { kind: 'QUANTIZE', name: 'q1', inputs: [0], outputs: [1], options: {} },
      { kind: 'RESHAPE', name: 'reshape', inputs: [1], outputs: [2], options: {} },
      { kind: 'QUANTIZE', name: 'q2', inputs: [2], outputs: [3], options: {} },
    ],
    inputs: [0],
    outputs: [3],
  };
  const s = buildSchedule(g);
  assert.is(s.placements[2]!.offset, s.placements[1]!.offset);
  assert.is(s.steps[1].kernel, 'copy');
  const copyArgs = Object.fromEntries(s.steps[1].args.map((a) => [a.name, a.value]));
  assert.is(copyArgs.input, copyArgs.output);
  assert.is(copyArgs.bytes, 12);
  const x = Int8Array.from({ length: 12 }, (_, i) => i * 10 - 60);
  const [got] = await runGraph(g, [x]);
  assert.equal(Array.from(got), Array.from(x));
});

test('RESHAPE refuses bad operators with typed errors', () => {
  const build = (g: Graph) => () => buildSchedule(g);
  throwsError(build(reshapeGraph('int8', [2, 3], [4, 2], null)), ModelError, /output shape \[4,2\] has 8 elements but input 'x' \[2,3\] has 6/);
  throwsError(build(reshapeGraph('int8', [2, 3], [3, 2], [2, 2])), ModelError, /has 4 elements but input 'x'/);
  throwsError(build(reshapeGraph('int8', [2, 3], [3, 2], [-1, -1])), ModelError, /at most one -1/);
  throwsError(build(reshapeGraph('int8', [2, 3], [3, 2], [4, -1])), ModelError, /cannot hold the input's 6 elements/);
  throwsError(build(reshapeGraph('int8', [2, 3], [6], [3, 2])), ModelError, /output 'y' has shape \[6\], expected \[3,2\]/);
  const wrongType = reshapeGraph('int8', [2, 3], [3, 2], null);
  wrongType.tensors[1] = { name: 'y', shape: [3, 2], dtype: 'float32' };
  throwsError(build(wrongType), UnsupportedError, /output 0 .*'y'.* float32; this operator needs int8/);
  const floatSpec = reshapeGraph('int8', [2, 3], [3, 2], [3, 2]);
  floatSpec.tensors[2] = { name: 'shape', shape: [2], dtype: 'float32', data: Float32Array.of(3, 2) };
  throwsError(build(floatSpec), ModelError, /shape input .*must be a constant int32 tensor/);
});

test.run();
