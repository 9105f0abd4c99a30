// TANH: int8 hyperbolic tangent (TFLite Micro tanh.cc CalculateArithmeticOpData + reference_integer_ops::Tanh,
// gemmlowp fixed point). Input parameters as for LOGISTIC. The kernel's result is in 1/128 steps with no zero point
// added (TFLite Micro ignores the output's quantisation), so the output must be scale 1/128, zero point 0, which is
// what TFLite's converter always produces; anything else is refused rather than mislabelled.
import { frexp, roundHalfAwayFromZero } from '../quant.ts';
import { fail, unsupported } from './check.ts';
import type { OpDef } from './types.ts';
import { unaryOperands, unaryShape } from './unary.ts';

const INPUT_INTEGER_BITS = 4;

/** LOGISTIC's and TANH's input multiplier, left shift and saturation radius for an int8 input of scale `scale`. */
export function sigmoidInputParams(scale: number, where: string): { multiplier: number; leftShift: number; radius: number } {
  const real = scale * 2 ** (31 - INPUT_INTEGER_BITS); // double, from the float32 scale
  const [q, leftShift] = frexp(real);
  // CalculateInputRadius shifts 1LL by the exponent, which C only defines for 0..62.
  if (leftShift < 0 || leftShift > 62) unsupported(where, `input scale ${scale} is outside the range TFLite's fixed-point sigmoid handles (2^-27 .. 2^35)`);
  const multiplier = roundHalfAwayFromZero(q * 2 ** 31); // exact: a float32 scale has 24 significant bits
  if (multiplier >= 2 ** 31) fail(where, `input scale ${scale} rounds to a multiplier of 2^31, which TFLite cannot represent`);
  const radius = Math.floor(((2 ** INPUT_INTEGER_BITS - 1) * 2 ** (31 - INPUT_INTEGER_BITS)) / 2 ** leftShift);
  return { multiplier, leftShift, radius };
}

export const tanh: OpDef<'TANH'> = {
  kind: 'TANH',
  outputShapes(g, op, where) {
    return [unaryShape(g, op, where)];
  },
  lower(g, op, where) {
    const u = unaryOperands(g, op, where);
    if (u.y.zeroPoint !== 0 || u.y.scale !== 1 / 128) {
      fail(where, `output has scale ${u.y.scale} and zero point ${u.y.zeroPoint}; TFLite's int8 TANH needs scale 1/128 and zero point 0`);
    }
    const p = sigmoidInputParams(u.x.scale, where);
    return {
      kernel: 'tanh',
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
