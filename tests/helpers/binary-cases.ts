// Random and hand-built cases for the elementwise binary operators (ADD, MUL) and their one-op graphs.
import type { Activation, Graph, Tensor } from '../../models/ir.ts';
import type { BinaryCase } from '../reference/add.ts';
import { Rng } from './rng.ts';

export type Layout = 'same' | 'channel' | 'scalar';

/** Random operand shapes: same shape, a per-channel vector ([C] or [1,1,1,C]) or a scalar on either side. */
export function randomShapes(r: Rng): { aShape: number[]; bShape: number[]; layout: Layout; smallIsA: boolean } {
  const C = r.pick([1, 2, 3, 4, 7, 8, 16, 17, 32]);
  const full = r.next() < 0.85 ? [1, r.int(1, 6), r.int(1, 6), C] : r.pick([[1, C], [C]]);
  const layout: Layout = r.pick(['same', 'same', 'channel', 'scalar']);
  const small = layout === 'same' ? full : layout === 'channel' ? r.pick([[C], [1, 1, 1, C]]) : r.pick([[], [1], [1, 1, 1, 1]]);
  const smallIsA = r.next() < 0.5;
  return { aShape: smallIsA ? small : full, bShape: smallIsA ? full : small, layout, smallIsA };
}

const count = (shape: number[]) => shape.reduce((n, d) => n * d, 1);

export function randomBinaryCase(r: Rng, outScaleFor: (aScale: number, bScale: number) => number): BinaryCase & { constA: boolean; constB: boolean } {
  const { aShape, bShape, layout, smallIsA } = randomShapes(r);
  const aScale = r.scale(1e-3, 1);
  // Input scales from equal to 4 orders of magnitude apart, so the input rescales cover many shifts.
  const bScale = r.next() < 0.2 ? aScale : Math.fround(aScale * 10 ** (8 * r.next() - 4));
  // A constant operand (read from Flash): usually the broadcast one, sometimes either in a same-shape add.
  const constSmall = layout !== 'same' ? r.next() < 0.6 : r.next() < 0.2;
  return {
    a: r.int8s(count(aShape)), aShape, aScale, aZp: r.int(-128, 127),
    b: r.int8s(count(bShape)), bShape, bScale, bZp: r.int(-128, 127),
    outScale: outScaleFor(aScale, bScale), outZp: r.int(-128, 127),
    activation: r.pick(['NONE', 'NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1']),
    constA: constSmall && smallIsA, constB: constSmall && !smallIsA,
  };
}

export function binaryGraph(kind: 'ADD' | 'MUL', c: BinaryCase & { constA?: boolean; constB?: boolean }, outShape: number[]): Graph {
  const q = (scale: number, zp: number) => ({ scale: [scale], zeroPoint: [zp], axis: 0 });
  const tensors: Tensor[] = [
    { name: 'a', shape: c.aShape, dtype: 'int8', quant: q(c.aScale, c.aZp), ...(c.constA ? { data: c.a } : {}) },
    { name: 'b', shape: c.bShape, dtype: 'int8', quant: q(c.bScale, c.bZp), ...(c.constB ? { data: c.b } : {}) },
    { name: 'y', shape: outShape, dtype: 'int8', quant: q(c.outScale, c.outZp) },
  ];
  return {
    name: `${kind.toLowerCase()}-case`,
    tensors,
    ops: [{ kind, name: kind.toLowerCase(), inputs: [0, 1], outputs: [2], options: { activation: c.activation as Activation } }],
    inputs: [...(c.constA ? [] : [0]), ...(c.constB ? [] : [1])],
    outputs: [2],
  };
}

/** The graph inputs' data, in graph-input order. */
export function binaryInputs(c: BinaryCase & { constA?: boolean; constB?: boolean }): Int8Array[] {
  return [...(c.constA ? [] : [c.a]), ...(c.constB ? [] : [c.b])];
}
