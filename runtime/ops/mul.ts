// MUL: int8 elementwise product with fused activation (TFLite reference_integer_ops::Mul, TFLM mul_common.cc):
// (in1 - zp1) * (in2 - zp2) rescaled by in1_scale * in2_scale / out_scale.
import { ModelError } from '../errors.ts';
import { activationRange, quantizeMultiplier } from '../quant.ts';
import { binaryOperands, binaryOutput, operandArg } from './broadcast.ts';
import { fail, perTensor } from './check.ts';
import type { OpDef } from './types.ts';

export const mul: OpDef<'MUL'> = {
  kind: 'MUL',
  outputShapes(g, op, where) {
    return [binaryOperands(g, op, where).shape];
  },
  lower(g, op, where) {
    const s = binaryOperands(g, op, where);
    const y = binaryOutput(g, op, where, s.shape);
    const q1 = perTensor(s.x1, where, 'input 0');
    const q2 = perTensor(s.x2, where, 'input 1');
    const qy = perTensor(y, where, 'output');
    const real = (q1.scale * q2.scale) / qy.scale; // double, from float32 scales, as TFLM computes it
    let m: { multiplier: number; shift: number };
    try {
      m = quantizeMultiplier(real);
    } catch (e) {
      if (e instanceof ModelError) fail(where, `scales ${q1.scale} * ${q2.scale} / ${qy.scale}: ${e.message}`);
      throw e;
    }
    const [actMin, actMax] = activationRange(op.options.activation, y);
    return {
      kernel: 'mul',
      macs: 0, // no weight MACs (MAC totals count conv and fully-connected work only)
      scratchBytes: 0,
      args: [
        operandArg('input1', op, 0, s.x1), { name: 'input1_period', value: s.period1 },
        operandArg('input2', op, 1, s.x2), { name: 'input2_period', value: s.period2 },
        { name: 'output', tensor: op.outputs[0] }, { name: 'size', value: s.size },
        { name: 'input1_offset', value: -q1.zeroPoint }, { name: 'input2_offset', value: -q2.zeroPoint },
        { name: 'output_offset', value: qy.zeroPoint }, { name: 'output_multiplier', value: m.multiplier }, { name: 'output_shift', value: m.shift },
        { name: 'act_min', value: actMin }, { name: 'act_max', value: actMax },
      ],
    };
  },
};
