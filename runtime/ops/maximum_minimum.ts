// MAXIMUM and MINIMUM: int8 elementwise larger / smaller value (TFLite Micro maximum_minimum.cc). TFLite compares the
// raw int8 values and checks no quantisation at all; that is only meaningful when both inputs and the output share
// one scale and zero point (as TFLite's converter guarantees), so anything else is refused here.
import type { Graph, Op, Tensor } from '../../models/ir.ts';
import { binaryOperands, binaryOutput, operandArg } from './broadcast.ts';
import { fail, perTensor } from './check.ts';
import type { LoweredOp, OpDef } from './types.ts';

function lowerMaxMin(kernel: 'maximum' | 'minimum') {
  return (g: Graph, op: Op<'MAXIMUM' | 'MINIMUM'>, where: string): LoweredOp => {
    const s = binaryOperands(g, op, where);
    const y = binaryOutput(g, op, where, s.shape);
    const qy = perTensor(y, where, 'output');
    const same = (t: Tensor, role: string) => {
      const q = perTensor(t, where, role);
      if (q.scale !== qy.scale || q.zeroPoint !== qy.zeroPoint) {
        fail(where, `${role} '${t.name}' has scale ${q.scale} and zero point ${q.zeroPoint}, but the output has ${qy.scale} and ${qy.zeroPoint}; ${op.kind} compares quantised values, so all three must match`);
      }
    };
    same(s.x1, 'input 0');
    same(s.x2, 'input 1');
    return {
      kernel,
      macs: 0,
      scratchBytes: 0,
      args: [
        operandArg('input1', op, 0, s.x1), { name: 'input1_period', value: s.period1 },
        operandArg('input2', op, 1, s.x2), { name: 'input2_period', value: s.period2 },
        { name: 'output', tensor: op.outputs[0] }, { name: 'size', value: s.size },
      ],
    };
  };
}

export const maximum: OpDef<'MAXIMUM'> = {
  kind: 'MAXIMUM',
  outputShapes(g, op, where) {
    return [binaryOperands(g, op, where).shape];
  },
  lower: lowerMaxMin('maximum'),
};

export const minimum: OpDef<'MINIMUM'> = {
  kind: 'MINIMUM',
  outputShapes(g, op, where) {
    return [binaryOperands(g, op, where).shape];
  },
  lower: lowerMaxMin('minimum'),
};
