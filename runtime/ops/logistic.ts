// LOGISTIC: int8 sigmoid (TFLite Micro logistic_common.cc CalculateArithmeticOpDataLogistic +
// reference_integer_ops::Logistic, gemmlowp fixed point). The host turns input_scale * 2^27 (the input in Q4) into a
// Q31 multiplier and left shift with frexp and std::round, as TFLite does (no QuantizeMultiplier), and the radius
// beyond which the output saturates (CalculateInputRadius(4, shift, 31)). TFLite Micro requires output zero point
// -128; the kernel's result is in 1/256 steps, so the output scale must be 1/256 as well (TFLite checks that).
import { fail } from './check.ts';
import { sigmoidInputParams } from './tanh.ts';
import type { OpDef } from './types.ts';
import { unaryOperands, unaryShape } from './unary.ts';

export const logistic: OpDef<'LOGISTIC'> = {
  kind: 'LOGISTIC',
  outputShapes(g, op, where) {
    return [unaryShape(g, op, where)];
  },
  lower(g, op, where) {
    const u = unaryOperands(g, op, where);
    if (u.y.zeroPoint !== -128 || u.y.scale !== 1 / 256) {
      fail(where, `output has scale ${u.y.scale} and zero point ${u.y.zeroPoint}; TFLite's int8 LOGISTIC needs scale 1/256 and zero point -128`);
    }
    const p = sigmoidInputParams(u.x.scale, where);
    return {
      kernel: 'logistic',
      macs: 0,
      scratchBytes: 0,
      args: [
        ...u.io,
        { name: 'input_zero_point', value: u.x.zeroPoint }, { name: 'input_range_radius', value: p.radius },
        { name: 'input_multiplier', value: p.multiplier }, { name: 'input_left_shift', value: p.leftShift },
      ],
    };
  },
};
