import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DType, Graph, Tensor } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { runSchedule } from '../../runtime/executor.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph, testMachine } from '../helpers/single-op.ts';
import { referenceSqueezeShape } from '../reference/squeeze.ts';

type Data = Int8Array | Int32Array | Float32Array;
const q = (scale: number, zp: number) => ({ scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 });

function squeezeGraph(dtype: DType, inShape: number[], squeezeDims: number[], outShape: number[]): Graph {
  const quant = dtype === 'int8' ? { quant: q(0.05, -3) } : {};
  const tensors: Tensor[] = [
    { name: 'x', shape: inShape, dtype, ...quant },
    { name: 'y', shape: outShape, dtype, ...quant },
  ];
  return { name: 'squeeze-case', tensors, ops: [{ kind: 'SQUEEZE', name: 'squeeze', inputs: [0], outputs: [1], options: { squeezeDims } }], inputs: [0], outputs: [1] };
}

function randomData(r: Rng, dtype: DType, n: number): Data {
  if (dtype === 'int8') return r.int8s(n);
  if (dtype === 'int32') return Int32Array.from({ length: n }, () => r.int(-2147483648, 2147483647));
  return Float32Array.from({ length: n }, () => Math.fround((r.next() - 0.5) * 1000));
}

const bits = (d: Data) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

test('SQUEEZE equals the reference on 1000 random cases, and the output shares the input buffer', async () => {
  const r = new Rng(501);
  let all = 0;
  let negative = 0;
  for (let i = 0; i < 1000; i++) {
    const dtype: DType = r.next() < 0.8 ? 'int8' : r.pick(['int32', 'float32']);
    const rank = r.int(1, 8);
    const shape = Array.from({ length: rank }, () => (r.next() < 0.5 ? 1 : r.int(2, 4)));
    if (shape.reduce((a, b) => a * b, 1) > 4096) shape[0] = 1;
    const ones = shape.map((d, k) => (d === 1 ? k : -1)).filter((k) => k >= 0);
    // No list (every size-1 dimension), or some of the size-1 dimensions, written as positive or negative indices.
    const dims = r.next() < 0.25 ? [] : ones.filter(() => r.next() < 0.6).map((k) => (r.next() < 0.4 ? k - rank : k));
    if (dims.length === 0) all++;
    if (dims.some((d) => d < 0)) negative++;
    const outShape = referenceSqueezeShape(shape, dims);
    const input = randomData(r, dtype, shape.reduce((a, b) => a * b, 1));
    const s = buildSchedule(squeezeGraph(dtype, shape, dims, outShape));
    const [got] = runSchedule(s, await testMachine(), [input], { checked: i % 10 === 0 });
    assert.is(firstDifference(bits(got), bits(input)), 'equal', `case ${i}: ${dtype} [${shape}] dims [${dims}]`);
    assert.is(s.placements[1]!.offset, s.placements[0]!.offset, `case ${i}: output not aliased onto the input`);
    assert.is(s.steps[0].kernel, 'copy');
  }
  assert.ok(all > 200 && negative > 200, `coverage: all ${all}, negative ${negative}`);
});

test('SQUEEZE hand-computed shapes (TFLite squeeze_test)', async () => {
  // [1, 24, 1] with no list -> [24]; with [-1] -> [1, 24]; [0, 2] -> [24].
  assert.equal(referenceSqueezeShape([1, 24, 1], []), [24]);
  const x = Int8Array.from({ length: 24 }, (_, i) => i - 12);
  for (const [dims, out] of [[[], [24]], [[-1], [1, 24]], [[0, 2], [24]], [[2, 0, 2], [24]]] as [number[], number[]][]) {
    const [got] = await runGraph(squeezeGraph('int8', [1, 24, 1], dims, out), [x]);
    assert.equal(Array.from(got), Array.from(x));
  }
});

test('SQUEEZE refuses bad operators with typed errors', () => {
  const build = (g: Graph) => () => buildSchedule(g);
  throwsError(build(squeezeGraph('int8', [1, 3, 1], [1], [1, 1])), ModelError, /squeeze dimension 1 of input 'x' \[1,3,1\] has size 3, not 1/);
  throwsError(build(squeezeGraph('int8', [1, 3, 1], [3], [1, 3])), ModelError, /squeeze dimension 3 is outside \[-3, 3\)/);
  throwsError(build(squeezeGraph('int8', [1, 3, 1], [-4], [1, 3])), ModelError, /outside/);
  throwsError(build(squeezeGraph('int8', [1, 3, 1], [0], [3])), ModelError, /output 'y' has shape \[3\], expected \[3,1\]/);
  throwsError(build(squeezeGraph('int8', [1, 3, 1], [0.5], [3])), ModelError, /squeezeDims must be a list of integers/);
  throwsError(build(squeezeGraph('int8', [1, 1, 1, 1, 1, 1, 1, 1, 3], [], [3])), ModelError, /rank 9; SQUEEZE supports up to 8/);
  const wrongType = squeezeGraph('int8', [1, 3], [0], [3]);
  wrongType.tensors[1] = { name: 'y', shape: [3], dtype: 'int32' };
  throwsError(build(wrongType), UnsupportedError, /output 0 .*'y'.* int32; this operator needs int8/);
  const noQuant = squeezeGraph('int8', [1, 3], [0], [3]);
  delete noQuant.tensors[0].quant;
  throwsError(build(noQuant), ModelError, /no quantisation/);
  const extra = squeezeGraph('int8', [1, 3], [0], [3]);
  extra.tensors.push({ name: 'c', shape: [1], dtype: 'int32', data: Int32Array.of(0) });
  extra.ops[0].inputs.push(2);
  throwsError(build(extra), ModelError, /takes 1 input/);
});

test.run();
