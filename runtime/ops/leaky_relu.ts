// LEAKY_RELU: int8 x >= 0 ? x : alpha * x (TFLite Micro leaky_relu_common.cc CalculateOpDataLeakyRelu +
// reference_ops::QuantizeLeakyRelu). Two multipliers: identity = input_scale / output_scale and
// alpha = input_scale * alpha / output_scale, both computed in float32 (then widened to double for
// QuantizeMultiplier). alpha may be negative or above 1; a negative alpha gives a negative multiplier, which the
// kernel applies by magnitude and negates, as TFLite Micro does.
import { ModelError } from '../errors.ts';
import { quantizeMultiplier } from '../quant.ts';
import { fail } from './check.ts';
import type { OpDef } from './types.ts';
import { unaryOperands, unaryShape } from './unary.ts';

const f32 = Math.fround;

/**
 * TFLite's QuantizeMultiplier for either sign: frexp and std::round are symmetric, so a negative multiplier is the
 * negated positive one (its 2^31 carry case cannot arise from a float32 value, whose mantissa has 24 bits).
 */
function signedMultiplier(real: number, what: string, where: string): { multiplier: number; shift: number } {
  try {
    if (real >= 0) return quantizeMultiplier(real);
    const q = quantizeMultiplier(-real);
    return { multiplier: -q.multiplier, shift: q.shift };
  } catch (e) {
    if (e instanceof ModelError) fail(where, `${what} multiplier: ${e.message}`);
    throw e;
  }
}

export const leakyRelu: OpDef<'LEAKY_RELU'> = {
  kind: 'LEAKY_RELU',
  outputShapes(g, op, where) {
    return [unaryShape(g, op, where)];
  },
  lower(g, op, where) {
    const u = unaryOperands(g, op, where);
    const alpha = op.options.alpha;
    if (!Number.isFinite(alpha)) fail(where, `option alpha is ${alpha}; it must be a finite number`);
    const identity = signedMultiplier(f32(u.x.scale / u.y.scale), 'identity', where);
    const alphaQ = signedMultiplier(f32(f32(u.x.scale * f32(alpha)) / u.y.scale), 'alpha', where);
    return {
      kernel: 'leaky_relu',
      macs: 0,
      scratchBytes: 0,
      args: [
        ...u.io,
        { name: 'input_zero_point', value: u.x.zeroPoint }, { name: 'output_zero_point', value: u.y.zeroPoint },
        { name: 'identity_multiplier', value: identity.multiplier }, { name: 'identity_shift', value: identity.shift },
        { name: 'alpha_multiplier', value: alphaQ.multiplier }, { name: 'alpha_shift', value: alphaQ.shift },
      ],
    };
  },
};
