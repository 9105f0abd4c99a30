// SUB: int8 elementwise difference with fused activation (TFLite Micro sub_common.cc + reference_ops::SubElementwise /
// BroadcastQuantSubSlow). ADD's arithmetic with the second rescaled term subtracted, with one difference in the
// multipliers: TFLite Micro's CalculateOpDataSub computes them in float32 (twice_max_input_scale is a float and the
// divisions are float divisions, widened to double only afterwards), where CalculateOpDataAdd works in double.
import { binaryOperands } from './broadcast.ts';
import { lowerAddOrSub } from './add.ts';
import type { OpDef } from './types.ts';

export const sub: OpDef<'SUB'> = {
  kind: 'SUB',
  outputShapes(g, op, where) {
    return [binaryOperands(g, op, where).shape];
  },
  lower: (g, op, where) => lowerAddOrSub(g, op, where, 'sub', Math.fround),
};
