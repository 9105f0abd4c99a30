// SOFTMAX int8 -> int8 over the last dimension (TFLite Micro softmax_common.cc + reference_ops::Softmax).
// The host does TFLite's Prepare arithmetic in double precision: PreprocessSoftmaxScaling and CalculateInputRadius.
import { elementCount, type Graph, type Op } from '../../models/ir.ts';
import { frexp, roundHalfAwayFromZero } from '../quant.ts';
import { expectShape, fail, input, output, perTensor } from './check.ts';
import type { OpDef } from './types.ts';

/** kScaledDiffIntegerBits: input differences are Q5.26 fixed point. */
const SCALED_DIFF_INTEGER_BITS = 5;

export interface SoftmaxParams { inputMultiplier: number; inputLeftShift: number; diffMin: number }

/**
 * PreprocessSoftmaxScaling(beta, input_scale, 5) and diff_min = -CalculateInputRadius(5, left_shift, 31), for the
 * default (double rounding) TFLite build. The multiplier is capped at 2^31 - 1, so the left shift can reach 31,
 * which QuantizeMultiplier allows in that build.
 */
export function softmaxParams(beta: number, inputScale: number, where: string): SoftmaxParams {
  const real = Math.min(beta * inputScale * 2 ** (31 - SCALED_DIFF_INTEGER_BITS), 2 ** 31 - 1);
  // QuantizeMultiplierGreaterThanOne: TFLite stops (TFLITE_CHECK) unless the multiplier exceeds 1.
  if (!(real > 1)) fail(where, `beta ${beta} times input scale ${inputScale} is too small: TFLite needs beta * input_scale * 2^26 > 1`);
  let [q, shift] = frexp(real);
  let fixed = roundHalfAwayFromZero(q * 2 ** 31);
  if (fixed === 2 ** 31) {
    fixed /= 2;
    shift += 1;
  }
  const maxInputRescaled = ((2 ** SCALED_DIFF_INTEGER_BITS - 1) * 2 ** (31 - SCALED_DIFF_INTEGER_BITS)) / 2 ** shift;
  return { inputMultiplier: fixed, inputLeftShift: shift, diffMin: -Math.floor(maxInputRescaled) };
}

function check(g: Graph, op: Op<'SOFTMAX'>, where: string) {
  const x = input(g, op, 0, where, { dtype: 'int8' });
  if (x.shape.length < 1) fail(where, `input '${x.name}' must have at least one dimension`);
  return x;
}

export const softmax: OpDef<'SOFTMAX'> = {
  kind: 'SOFTMAX',
  outputShapes(g, op, where) {
    return [[...check(g, op, where).shape]];
  },
  lower(g, op, where) {
    const x = check(g, op, where);
    const y = output(g, op, 0, where, { dtype: 'int8' });
    expectShape(where, `output '${y.name}'`, y.shape, x.shape);
    const xq = perTensor(x, where, 'input');
    const yq = perTensor(y, where, 'output');
    if (yq.zeroPoint !== -128 || yq.scale !== 1 / 256) {
      fail(where, `output '${y.name}' has scale ${yq.scale} and zero point ${yq.zeroPoint}; TFLite requires an int8 SOFTMAX output to have scale 1/256 and zero point -128`);
    }
    // TFLite stores beta as a float32.
    const p = softmaxParams(Math.fround(op.options.beta), xq.scale, where);
    const depth = x.shape[x.shape.length - 1];
    return {
      kernel: 'softmax',
      macs: 0,
      scratchBytes: 0,
      args: [
        (x.data ? { name: 'input', constant: x.data } : { name: 'input', tensor: op.inputs[0] }), { name: 'output', tensor: op.outputs[0] },
        { name: 'outer', value: elementCount(x.shape) / depth }, { name: 'depth', value: depth },
        { name: 'input_multiplier', value: p.inputMultiplier }, { name: 'input_left_shift', value: p.inputLeftShift },
        { name: 'diff_min', value: p.diffMin },
      ],
    };
  },
};
