import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph, Tensor } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { randomShapes } from '../helpers/binary-cases.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { referenceMaximum, referenceMinimum } from '../reference/maximum_minimum.ts';

type Kind = 'MAXIMUM' | 'MINIMUM';
interface Case { a: Int8Array; aShape: number[]; b: Int8Array; bShape: number[]; scale: number; zp: number; constA: boolean; constB: boolean }

const count = (shape: number[]) => shape.reduce((n, d) => n * d, 1);
const q = (scale: number, zp: number) => ({ scale: [scale], zeroPoint: [zp], axis: 0 });

function graph(kind: Kind, c: Case, outShape: number[]): Graph {
  const tensors: Tensor[] = [
    { name: 'a', shape: c.aShape, dtype: 'int8', quant: q(c.scale, c.zp), ...(c.constA ? { data: c.a } : {}) },
    { name: 'b', shape: c.bShape, dtype: 'int8', quant: q(c.scale, c.zp), ...(c.constB ? { data: c.b } : {}) },
    { name: 'y', shape: outShape, dtype: 'int8', quant: q(c.scale, c.zp) },
  ];
  return {
    name: `${kind.toLowerCase()}-case`,
    tensors,
    ops: [{ kind, name: kind.toLowerCase(), inputs: [0, 1], outputs: [2], options: {} }],
    inputs: [...(c.constA ? [] : [0]), ...(c.constB ? [] : [1])],
    outputs: [2],
  };
}
const inputs = (c: Case) => [...(c.constA ? [] : [c.a]), ...(c.constB ? [] : [c.b])];

function randomCase(r: Rng): Case {
  const { aShape, bShape, layout, smallIsA } = randomShapes(r);
  const constSmall = layout !== 'same' ? r.next() < 0.6 : r.next() < 0.2;
  return {
    a: r.int8s(count(aShape)), aShape, b: r.int8s(count(bShape)), bShape,
    scale: r.scale(1e-3, 1), zp: r.int(-128, 127), constA: constSmall && smallIsA, constB: constSmall && !smallIsA,
  };
}

for (const kind of ['MAXIMUM', 'MINIMUM'] as Kind[]) {
  const reference = kind === 'MAXIMUM' ? referenceMaximum : referenceMinimum;

  test(`${kind} equals the reference on 1000 random cases (broadcasts, constants)`, async () => {
    const r = new Rng(kind === 'MAXIMUM' ? 67 : 71);
    const layouts = new Set<string>();
    let fromA = 0;
    let fromB = 0;
    for (let i = 0; i < 1000; i++) {
      const c = randomCase(r);
      const ref = reference(c.a, c.aShape, c.b, c.bShape);
      const [got] = await runGraph(graph(kind, c, ref.shape), inputs(c), i % 10 === 0);
      assert.is(firstDifference(got, ref.data), 'equal', `case ${i}: ${JSON.stringify({ ...c, a: undefined, b: undefined })}`);
      // Both operands must win somewhere, or the comparison could be one-sided.
      const same = (x: Int8Array) => firstDifference(ref.data, x) === 'equal';
      if (count(c.aShape) === ref.data.length && same(c.a)) fromA++;
      if (count(c.bShape) === ref.data.length && same(c.b)) fromB++;
      layouts.add(`${c.aShape.length}/${c.bShape.length}/${c.constA}/${c.constB}`);
    }
    assert.ok(layouts.size > 15, `shape/constant combinations covered: ${layouts.size}`);
    assert.ok(fromA < 300 && fromB < 300, `results equal to one whole operand: ${fromA}/${fromB}`);
  });
}

test('MAXIMUM and MINIMUM hand-computed cases', async () => {
  const c: Case = {
    a: Int8Array.of(-128, 127, 0, -5, 3, 3), aShape: [1, 1, 2, 3], b: Int8Array.of(127, -128, 0, 5, 2, 4), bShape: [1, 1, 2, 3],
    scale: Math.fround(0.1), zp: 7, constA: false, constB: false,
  };
  assert.equal(Array.from((await runGraph(graph('MAXIMUM', c, [1, 1, 2, 3]), inputs(c)))[0]), [127, 127, 0, 5, 3, 4]);
  assert.equal(Array.from((await runGraph(graph('MINIMUM', c, [1, 1, 2, 3]), inputs(c)))[0]), [-128, -128, 0, -5, 2, 3]);
  // A constant scalar floor (ReLU-like clamp at the quantised value 0) and a per-channel ceiling.
  const floor: Case = { ...c, b: Int8Array.of(0), bShape: [], constB: true };
  assert.equal(Array.from((await runGraph(graph('MAXIMUM', floor, [1, 1, 2, 3]), inputs(floor)))[0]), [0, 127, 0, 0, 3, 3]);
  const ceiling: Case = { ...c, b: Int8Array.of(-1, 0, 1), bShape: [3], constB: true };
  assert.equal(Array.from((await runGraph(graph('MINIMUM', ceiling, [1, 1, 2, 3]), inputs(ceiling)))[0]), [-128, 0, 0, -5, 0, 1]);
});

function graphWith(kind: Kind, over: (g: Graph) => void): Graph {
  const g = graph(kind, { a: new Int8Array(12), aShape: [1, 2, 2, 3], b: new Int8Array(12), bShape: [1, 2, 2, 3], scale: Math.fround(0.1), zp: 3, constA: false, constB: false }, [1, 2, 2, 3]);
  over(g);
  return g;
}

test('MAXIMUM and MINIMUM reject bad operators with typed errors', () => {
  for (const kind of ['MAXIMUM', 'MINIMUM'] as Kind[]) {
    const modelError = (g: Graph, msg: RegExp) => assert.is(throwsError(() => buildSchedule(g), ModelError, msg).constructor, ModelError);
    modelError(graphWith(kind, (g) => { g.tensors[1].quant = q(Math.fround(0.2), 3); }), new RegExp(`input 1 'b' has scale 0.2.*${kind} compares quantised values`));
    modelError(graphWith(kind, (g) => { g.tensors[0].quant = q(Math.fround(0.1), 4); }), /input 0 'a' has scale .* and zero point 4, but the output has .* and 3/);
    modelError(graphWith(kind, (g) => { g.tensors[2].quant = q(Math.fround(0.1), 0); }), /input 0 'a'.*all three must match/);
    throwsError(() => buildSchedule(graphWith(kind, (g) => { g.tensors[0] = { name: 'a', shape: [1, 2, 2, 3], dtype: 'float32' }; })), UnsupportedError, new RegExp(`${kind}.*input 0.*float32`));
    modelError(graphWith(kind, (g) => { delete g.tensors[2].quant; }), /output 0.*no quantisation/);
    modelError(graphWith(kind, (g) => { g.tensors[1].shape = [1, 2, 2, 2]; }), /cannot be broadcast/);
    throwsError(() => buildSchedule(graphWith(kind, (g) => { g.tensors[1].shape = [1, 1, 2, 3]; })), UnsupportedError, /broadcasting/);
  }
});

test.run();
