// Random inputs and one-op graphs for the int8 elementwise unary operators (LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU).
import type { Graph, OpKind, OpOptions } from '../../models/ir.ts';
import { Rng } from './rng.ts';

export interface UnaryCase {
  input: Int8Array; shape: number[];
  inScale: number; inZp: number; outScale: number; outZp: number;
}

/** Shapes of rank 1 to 4, sometimes holding every int8 value once (so every input byte is exercised). */
export function randomInput(r: Rng): { input: Int8Array; shape: number[] } {
  if (r.next() < 0.25) {
    const values = Int8Array.from({ length: 256 }, (_, i) => i - 128);
    for (let i = 255; i > 0; i--) { const j = r.int(0, i); [values[i], values[j]] = [values[j], values[i]]; }
    return { input: values, shape: r.pick([[256], [1, 256], [1, 4, 4, 16], [1, 16, 16, 1], [2, 128]]) };
  }
  const shape = r.pick([
    () => [r.int(1, 40)],
    () => [1, r.int(1, 40)],
    () => [1, r.int(1, 6), r.int(1, 6), r.int(1, 17)],
    () => [r.int(1, 3), r.int(1, 5), r.int(1, 9)],
  ])();
  return { input: r.int8s(shape.reduce((n, d) => n * d, 1)), shape };
}

export function unaryGraph<K extends 'LOGISTIC' | 'TANH' | 'HARD_SWISH' | 'LEAKY_RELU'>(kind: K, c: UnaryCase, options: OpOptions[K]): Graph {
  const q = (scale: number, zp: number) => ({ scale: [scale], zeroPoint: [zp], axis: 0 });
  return {
    name: `${kind.toLowerCase()}-case`,
    tensors: [
      { name: 'x', shape: c.shape, dtype: 'int8', quant: q(c.inScale, c.inZp) },
      { name: 'y', shape: c.shape, dtype: 'int8', quant: q(c.outScale, c.outZp) },
    ],
    ops: [{ kind: kind as OpKind, name: kind.toLowerCase(), inputs: [0], outputs: [1], options }],
    inputs: [0],
    outputs: [1],
  };
}

/** LOGISTIC / TANH input scales from 2^-14 to 2^6 (log-uniform), plus scales at the edges of the radius arithmetic. */
export function randomSigmoidScale(r: Rng): number {
  if (r.next() < 0.1) return Math.fround(r.pick([2 ** -27, 2 ** -26, 1 / 16, 0.5, 1, 7.9, 8, 16, 100, 2 ** 20]));
  return Math.fround(2 ** (r.next() * 20 - 14));
}
