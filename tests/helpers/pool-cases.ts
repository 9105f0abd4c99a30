// Random cases and one-op graphs for the pooling operators (AVERAGE_POOL_2D, MAX_POOL_2D).
import type { Activation, Graph } from '../../models/ir.ts';
import type { PoolCase } from '../reference/average_pool2d.ts';
import { Rng } from './rng.ts';

export function randomPoolCase(r: Rng): PoolCase {
  const H = r.int(1, 9);
  const W = r.int(1, 9);
  const C = r.pick([1, 2, 3, 4, 5, 8, 13, 16]);
  const global = r.next() < 0.1; // a whole-input window, as in global average pooling
  const filterH = global ? H : r.int(1, 4);
  const filterW = global ? W : r.int(1, 4);
  const strideH = r.int(1, 3);
  const input = r.int8s(H * W * C);
  // Some inputs crowd one end of the range so averages and maxima reach -128 and 127.
  const crowd = r.next();
  if (crowd < 0.25) input.forEach((_, i) => (input[i] = r.pick([-128, -128, -128, -127])));
  else if (crowd < 0.35) input.forEach((_, i) => (input[i] = r.int(124, 127)));
  // The activation clamps hide the low end, so crowded-low cases mostly run without one.
  const activation = crowd < 0.25 && r.next() < 0.7 ? 'NONE' : r.pick(['NONE', 'NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1']);
  return {
    input, inShape: [1, H, W, C], scale: r.scale(1e-3, 1), zp: r.int(-128, 127),
    filterH, filterW, strideH, strideW: r.next() < 0.7 ? strideH : r.int(1, 3),
    padding: r.pick(['SAME', 'VALID']), activation,
  };
}

export function poolGraph(kind: 'AVERAGE_POOL_2D' | 'MAX_POOL_2D', c: PoolCase, outShape: number[], outQuant = { scale: c.scale, zp: c.zp }): Graph {
  return {
    name: 'pool-case',
    tensors: [
      { name: 'x', shape: c.inShape, dtype: 'int8', quant: { scale: [c.scale], zeroPoint: [c.zp], axis: 0 } },
      { name: 'y', shape: outShape, dtype: 'int8', quant: { scale: [outQuant.scale], zeroPoint: [outQuant.zp], axis: 0 } },
    ],
    ops: [{
      kind, name: 'pool', inputs: [0], outputs: [1],
      options: { filterH: c.filterH, filterW: c.filterW, strideH: c.strideH, strideW: c.strideW, padding: c.padding, activation: c.activation as Activation },
    }],
    inputs: [0],
    outputs: [1],
  };
}
