// QUANTIZE (TFLite Micro quantize_common.cc): float32 -> int8 (AffineQuantize) or int8 -> int8 (Requantize).
import { elementCount, type Graph, type Op } from '../../models/ir.ts';
import { quantizeMultiplier } from '../quant.ts';
import { expectShape, fail, input, output, perTensor, unsupported } from './check.ts';
import type { KernelArg, OpDef } from './types.ts';

function check(g: Graph, op: Op<'QUANTIZE'>, where: string) {
  const x = input(g, op, 0, where);
  if (x.dtype !== 'float32' && x.dtype !== 'int8') unsupported(where, `input '${x.name}' has type ${x.dtype}; QUANTIZE takes float32 or int8`);
  return x;
}

export const quantize: OpDef<'QUANTIZE'> = {
  kind: 'QUANTIZE',
  outputShapes(g, op, where) {
    return [[...check(g, op, where).shape]];
  },
  lower(g, op, where) {
    const x = check(g, op, where);
    const y = output(g, op, 0, where, { dtype: 'int8' });
    expectShape(where, `output '${y.name}'`, y.shape, x.shape);
    const yq = perTensor(y, where, 'output');
    const io: KernelArg[] = [(x.data ? { name: 'input', constant: x.data } : { name: 'input', tensor: op.inputs[0] }), { name: 'output', tensor: op.outputs[0] }, { name: 'count', value: elementCount(x.shape) }];
    if (x.dtype === 'float32') {
      return {
        kernel: 'quantize',
        macs: 0,
        scratchBytes: 0,
        args: [...io, { name: 'scale', value: yq.scale, f32: true }, { name: 'zero_point', value: yq.zeroPoint }],
      };
    }
    const xq = perTensor(x, where, 'input');
    // TFLite: effective_scale = input_scale / output_scale in double, then QuantizeMultiplier.
    const effective = xq.scale / yq.scale;
    if (effective >= 2 ** 30) fail(where, `input scale ${xq.scale} over output scale ${yq.scale} is too large to requantise in int32 fixed point`);
    const { multiplier, shift } = quantizeMultiplier(effective);
    return {
      kernel: 'quantize_int8',
      macs: 0,
      scratchBytes: 0,
      args: [...io, { name: 'multiplier', value: multiplier }, { name: 'shift', value: shift }, { name: 'input_zero_point', value: xq.zeroPoint }, { name: 'output_zero_point', value: yq.zeroPoint }],
    };
  },
};
