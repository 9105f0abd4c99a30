import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { referenceTranspose } from '../reference/transpose.ts';

const q = (scale: number, zp: number) => ({ scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 });

function transposeGraph(inShape: number[], perm: number[], outShape: number[], zps: [number, number] = [3, -5]): Graph {
  return {
    name: 'transpose-case',
    tensors: [
      { name: 'x', shape: inShape, dtype: 'int8', quant: q(0.05, zps[0]) },
      { name: 'y', shape: outShape, dtype: 'int8', quant: q(0.07, zps[1]) },
    ],
    ops: [{ kind: 'TRANSPOSE', name: 'transpose', inputs: [0], outputs: [1], options: { perm } }],
    inputs: [0],
    outputs: [1],
  };
}

function shuffle(r: Rng, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(0, i);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

test('TRANSPOSE equals the reference on 1000 random cases (ranks 1 to 5, every kind of permutation)', async () => {
  const r = new Rng(301);
  const byRank = [0, 0, 0, 0, 0, 0];
  let lastMoved = 0;
  let lastKept = 0;
  for (let i = 0; i < 1000; i++) {
    const rank = r.int(1, 5);
    const shape = Array.from({ length: rank }, () => r.pick([1, 1, 2, 3, 4, 5, 7, 8]));
    const perm = shuffle(r, rank);
    const input = r.int8s(shape.reduce((a, b) => a * b, 1));
    const ref = referenceTranspose(input, shape, perm);
    const [got] = await runGraph(transposeGraph(shape, perm, ref.shape, [r.int(-128, 127), r.int(-128, 127)]), [input], i % 10 === 0);
    assert.is(firstDifference(got, ref.data), 'equal', `case ${i}: shape [${shape}] perm [${perm}]`);
    byRank[rank]++;
    if (perm[rank - 1] === rank - 1) lastKept++;
    else lastMoved++;
  }
  assert.ok(byRank.slice(1).every((n) => n > 150) && lastKept > 200 && lastMoved > 200, `coverage: ranks ${byRank}, last axis kept ${lastKept} / moved ${lastMoved}`);
});

test('TRANSPOSE hand-computed cases', async () => {
  // [[1, 2, 3], [4, 5, 6]] transposed is [[1, 4], [2, 5], [3, 6]].
  assert.equal(Array.from((await runGraph(transposeGraph([2, 3], [1, 0], [3, 2]), [Int8Array.of(1, 2, 3, 4, 5, 6)]))[0]), [1, 4, 2, 5, 3, 6]);
  // NHWC [1, 2, 2, 2] -> NCHW with perm [0, 3, 1, 2]: channel planes of a 2x2 image.
  const nhwc = Int8Array.of(10, -10, 11, -11, 12, -12, 13, -13);
  assert.equal(Array.from((await runGraph(transposeGraph([1, 2, 2, 2], [0, 3, 1, 2], [1, 2, 2, 2]), [nhwc]))[0]), [10, 11, 12, 13, -10, -11, -12, -13]);
  // Bytes pass through unchanged although input and output zero points differ (TFLite does not requantise).
  assert.equal(Array.from((await runGraph(transposeGraph([1, 2], [1, 0], [2, 1], [100, -100]), [Int8Array.of(-128, 127)]))[0]), [-128, 127]);
});

test('TRANSPOSE of a constant reads it from Flash', async () => {
  const g: Graph = {
    name: 'transpose-const',
    tensors: [
      { name: 'c', shape: [2, 2], dtype: 'int8', quant: q(0.1, 0), data: Int8Array.of(1, 2, 3, 4) },
      { name: 'ct', shape: [2, 2], dtype: 'int8', quant: q(0.1, 0) },
      { name: 'x', shape: [2, 2], dtype: 'int8', quant: q(0.1, 0) },
      { name: 'xt', shape: [2, 2], dtype: 'int8', quant: q(0.1, 0) },
    ],
    ops: [
      { kind: 'TRANSPOSE', name: 't1', inputs: [0], outputs: [1], options: { perm: [1, 0] } },
      { kind: 'TRANSPOSE', name: 't2', inputs: [2], outputs: [3], options: { perm: [1, 0] } },
    ],
    inputs: [2],
    outputs: [1, 3],
  };
  const [ct, xt] = await runGraph(g, [Int8Array.of(5, 6, 7, 8)]);
  assert.equal([Array.from(ct), Array.from(xt)], [[1, 3, 2, 4], [5, 7, 6, 8]]);
});

test('TRANSPOSE rejects bad operators with typed errors', () => {
  const good = () => transposeGraph([1, 2, 3], [2, 0, 1], [3, 1, 2]);
  buildSchedule(good());
  const modelError = (over: (g: Graph) => void, msg: RegExp) => { const g = good(); over(g); throwsError(() => buildSchedule(g), ModelError, msg); };
  const setPerm = (g: Graph, perm: unknown) => { (g.ops[0].options as { perm: unknown }).perm = perm; };
  modelError((g) => setPerm(g, [0, 1]), /option perm must be a permutation of 0..2 for input shape \[1,2,3\] \(got \[0,1\]\)/);
  modelError((g) => setPerm(g, [0, 0, 1]), /permutation/);
  modelError((g) => setPerm(g, [0, 1, 3]), /permutation/);
  modelError((g) => setPerm(g, [0, -1, 1]), /permutation/);
  modelError((g) => { g.tensors[1].shape = [1, 2, 3]; }, /output 'y' has shape \[1,2,3\], expected \[3,1,2\]/);
  modelError((g) => { delete g.tensors[0].quant; }, /no quantisation/);
  modelError((g) => { g.tensors.push({ name: 'perm', shape: [3], dtype: 'int32', data: Int32Array.of(2, 0, 1) }); g.ops[0].inputs.push(2); }, /takes 1 input/);
  const rank6 = transposeGraph([1, 1, 1, 1, 2, 3], [0, 1, 2, 3, 5, 4], [1, 1, 1, 1, 3, 2]);
  throwsError(() => buildSchedule(rank6), UnsupportedError, /rank 6; TRANSPOSE supports ranks 1 to 5/);
  const wrongType = good();
  wrongType.tensors[0] = { name: 'x', shape: [1, 2, 3], dtype: 'float32' };
  throwsError(() => buildSchedule(wrongType), UnsupportedError, /float32; this operator needs int8/);
});

test.run();
