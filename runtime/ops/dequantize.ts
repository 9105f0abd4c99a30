// DEQUANTIZE int8 -> float32 (TFLite Micro dequantize_common.cc + reference_ops::Dequantize).
import { elementCount, type Graph, type Op } from '../../models/ir.ts';
import { expectShape, input, output, perTensor } from './check.ts';
import type { OpDef } from './types.ts';

const check = (g: Graph, op: Op<'DEQUANTIZE'>, where: string) => input(g, op, 0, where, { dtype: 'int8' });

export const dequantize: OpDef<'DEQUANTIZE'> = {
  kind: 'DEQUANTIZE',
  outputShapes(g, op, where) {
    return [[...check(g, op, where).shape]];
  },
  lower(g, op, where) {
    const x = check(g, op, where);
    const y = output(g, op, 0, where, { dtype: 'float32' });
    expectShape(where, `output '${y.name}'`, y.shape, x.shape);
    const xq = perTensor(x, where, 'input');
    return {
      kernel: 'dequantize',
      macs: 0,
      scratchBytes: 0,
      args: [
        (x.data ? { name: 'input', constant: x.data } : { name: 'input', tensor: op.inputs[0] }), { name: 'output', tensor: op.outputs[0] }, { name: 'count', value: elementCount(x.shape) },
        { name: 'scale', value: xq.scale, f32: true }, { name: 'zero_point', value: xq.zeroPoint },
      ],
    };
  },
};
