// HARD_SWISH: int8 x * relu6(x + 3) / 6 (TFLite Micro hard_swish_common.cc HardSwishPrepare +
// reference_ops::HardSwish<int8_t>). Prepare works in float32: hires_input_scale = input_scale / 128, and the two
// real multipliers hires / output_scale and hires / (3 / 32768) are float32 divisions, widened to double for
// QuantizeMultiplier and then rounded to int16 (DownScaleInt32ToInt16Multiplier). TFLite requires the output
// multiplier's exponent to be <= 0.
import { ModelError } from '../errors.ts';
import { quantizeMultiplier } from '../quant.ts';
import { fail } from './check.ts';
import type { OpDef } from './types.ts';
import { unaryOperands, unaryShape } from './unary.ts';

const f32 = Math.fround;

/** DownScaleInt32ToInt16Multiplier: round a Q31 multiplier to Q15, saturating at 32767. */
function toInt16Multiplier(m: number): number {
  if (m >= 2147483647 - (1 << 15)) return 32767;
  return (m + (1 << 15)) >> 16;
}

function int16Multiplier(real: number, what: string, where: string): { multiplier: number; exponent: number } {
  let q: { multiplier: number; shift: number };
  try {
    q = quantizeMultiplier(real);
  } catch (e) {
    if (e instanceof ModelError) fail(where, `${what} multiplier: ${e.message}`);
    throw e;
  }
  return { multiplier: toInt16Multiplier(q.multiplier), exponent: q.shift };
}

export const hardSwish: OpDef<'HARD_SWISH'> = {
  kind: 'HARD_SWISH',
  outputShapes(g, op, where) {
    return [unaryShape(g, op, where)];
  },
  lower(g, op, where) {
    const u = unaryOperands(g, op, where);
    const hiresInputScale = f32(f32(1 / 128) * u.x.scale);
    const reluishScale = f32(3 / 32768);
    const out = int16Multiplier(f32(hiresInputScale / u.y.scale), 'output', where);
    if (out.exponent > 0) fail(where, `input scale ${u.x.scale} is too large for output scale ${u.y.scale}: TFLite needs input_scale / (128 * output_scale) < 1`);
    const reluish = int16Multiplier(f32(hiresInputScale / reluishScale), 'reluish', where);
    return {
      kernel: 'hard_swish',
      macs: 0,
      scratchBytes: 0,
      args: [
        ...u.io,
        { name: 'input_zero_point', value: u.x.zeroPoint }, { name: 'output_zero_point', value: u.y.zeroPoint },
        { name: 'output_multiplier', value: out.multiplier }, { name: 'output_exponent', value: out.exponent },
        { name: 'reluish_multiplier', value: reluish.multiplier }, { name: 'reluish_exponent', value: reluish.exponent },
      ],
    };
  },
};
