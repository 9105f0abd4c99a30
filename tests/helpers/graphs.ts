// Small hand-built graphs for tests of the planner, executor and fit checks (CONV_2D only).
import type { Graph, Tensor } from '../../models/ir.ts';
import { Rng } from './rng.ts';

const act = (name: string, shape: number[], scale = 0.05, zp = 0): Tensor => ({ name, shape, dtype: 'int8', quant: { scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 } });

/** A chain of 3x3 SAME convolutions, all spatial size `hw`, channel counts `channels[0] -> ... -> channels[n]`. */
export function convChain(hw: number, channels: number[], seed = 1): Graph {
  const r = new Rng(seed);
  const tensors: Tensor[] = [act('input', [1, hw, hw, channels[0]])];
  const ops: Graph['ops'] = [];
  for (let i = 1; i < channels.length; i++) {
    const [cin, cout] = [channels[i - 1], channels[i]];
    const x = tensors.length - 1;
    tensors.push({ name: `w${i}`, shape: [cout, 3, 3, cin], dtype: 'int8', data: r.int8s(cout * 9 * cin), quant: { scale: Array(cout).fill(Math.fround(0.002)), zeroPoint: Array(cout).fill(0), axis: 0 } });
    tensors.push({ name: `b${i}`, shape: [cout], dtype: 'int32', data: new Int32Array(cout) });
    tensors.push(act(`act${i}`, [1, hw, hw, cout], 0.05 * Math.sqrt(cin), -10));
    ops.push({ kind: 'CONV_2D', name: `conv${i}`, inputs: [x, x + 1, x + 2], outputs: [x + 3], options: { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'SAME', activation: 'RELU' } });
  }
  return { name: 'conv-chain', tensors, ops, inputs: [0], outputs: [tensors.length - 1] };
}
