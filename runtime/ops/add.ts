// ADD: int8 elementwise sum with fused activation (TFLite reference_integer_ops::Add, TFLM add_common.cc).
// Both inputs are shifted left 20 bits and rescaled to twice the larger input scale, summed, then rescaled to
// the output; every multiplier must be below 1 (QuantizeMultiplierSmallerThanOneExp).
import type { Graph, Op } from '../../models/ir.ts';
import { activationRange, quantizeMultiplier } from '../quant.ts';
import { binaryOperands, binaryOutput, operandArg } from './broadcast.ts';
import { fail, perTensor } from './check.ts';
import type { LoweredOp, OpDef } from './types.ts';

const LEFT_SHIFT = 20; // TFLite uses 20 for int8 (15 for int16)

/** QuantizeMultiplierSmallerThanOneExp: TFLite aborts unless 0 < real < 1 and the shift comes out <= 0. */
function smallerThanOne(real: number, what: string, where: string): { multiplier: number; shift: number } {
  if (!(real > 0 && real < 1)) fail(where, `${what} multiplier ${real} must lie in (0, 1)`);
  const q = quantizeMultiplier(real);
  if (q.shift > 0) fail(where, `${what} multiplier ${real} rounds up to 1, which TFLite rejects`);
  return q;
}

/**
 * ADD and SUB share everything but the kernel and the precision of their multipliers: TFLM's CalculateOpDataAdd works
 * in double from the float32 scales, CalculateOpDataSub rounds every intermediate to float32 (`round` = Math.fround).
 */
export function lowerAddOrSub(g: Graph, op: Op<'ADD'> | Op<'SUB'>, where: string, kernel: 'add' | 'sub', round: (x: number) => number): LoweredOp {
  const s = binaryOperands(g, op, where);
  const y = binaryOutput(g, op, where, s.shape);
  const q1 = perTensor(s.x1, where, 'input 0');
  const q2 = perTensor(s.x2, where, 'input 1');
  const qy = perTensor(y, where, 'output');
  const twiceMax = round(2 * Math.max(q1.scale, q2.scale));
  const m1 = smallerThanOne(round(q1.scale / twiceMax), 'input 0', where);
  const m2 = smallerThanOne(round(q2.scale / twiceMax), 'input 1', where);
  const realOut = round(twiceMax / round(2 ** LEFT_SHIFT * qy.scale));
  if (!(realOut < 1)) fail(where, `output scale ${qy.scale} is too small for input scales ${q1.scale} and ${q2.scale} (TFLite needs 2*max(input scales) < 2^20 * output scale)`);
  const mo = smallerThanOne(realOut, 'output', where);
  const [actMin, actMax] = activationRange(op.options.activation, y);
  return {
    kernel,
    macs: 0, // no multiply-accumulates with weights; MAC totals count conv and fully-connected work only
    scratchBytes: 0,
    args: [
      operandArg('input1', op, 0, s.x1), { name: 'input1_period', value: s.period1 },
      operandArg('input2', op, 1, s.x2), { name: 'input2_period', value: s.period2 },
      { name: 'output', tensor: op.outputs[0] }, { name: 'size', value: s.size },
      { name: 'left_shift', value: LEFT_SHIFT },
      { name: 'input1_offset', value: -q1.zeroPoint }, { name: 'input1_multiplier', value: m1.multiplier }, { name: 'input1_shift', value: m1.shift },
      { name: 'input2_offset', value: -q2.zeroPoint }, { name: 'input2_multiplier', value: m2.multiplier }, { name: 'input2_shift', value: m2.shift },
      { name: 'output_offset', value: qy.zeroPoint }, { name: 'output_multiplier', value: mo.multiplier }, { name: 'output_shift', value: mo.shift },
      { name: 'act_min', value: actMin }, { name: 'act_max', value: actMax },
    ],
  };
}

export const add: OpDef<'ADD'> = {
  kind: 'ADD',
  outputShapes(g, op, where) {
    return [binaryOperands(g, op, where).shape];
  },
  lower: (g, op, where) => lowerAddOrSub(g, op, where, 'add', (x) => x),
};
