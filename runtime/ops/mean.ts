// MEAN over the spatial axes [1, 2] of an int8 NHWC tensor, as TFLite Micro computes it (reduce_common.cc
// EvalIntegerMean): with identical input and output quantisation, sum / count with truncating integer
// division (reference_ops::Mean); otherwise reference_ops::QuantizedMeanOrSum, which folds 1/count into the
// input_scale / output_scale multiplier and requantises sum - input_zp * count.
import type { Graph, Op } from '../../models/ir.ts';
import { quantizeMultiplier } from '../quant.ts';
import { ModelError } from '../errors.ts';
import { expectShape, fail, input, output, perTensor, unsupported } from './check.ts';
import type { OpDef } from './types.ts';

function geometry(g: Graph, op: Op<'MEAN'>, where: string) {
  const x = input(g, op, 0, where, { dtype: 'int8', rank: 4 });
  const { axes, keepDims } = op.options;
  if (!Array.isArray(axes) || axes.some((a) => !Number.isInteger(a))) fail(where, `option axes must be a list of integers (got ${JSON.stringify(axes)})`);
  if (typeof keepDims !== 'boolean') fail(where, `option keepDims must be true or false (got ${JSON.stringify(keepDims)})`);
  // Negative axes count from the end and duplicates collapse, as in TFLite's ResolveAxis.
  const resolved = [...new Set(axes.map((a) => (a < 0 ? a + 4 : a)))].sort();
  if (resolved.length !== 2 || resolved[0] !== 1 || resolved[1] !== 2) unsupported(where, `MEAN over axes [${axes}] is not supported; only the spatial axes [1, 2] of an NHWC tensor are`);
  const [n, h, w, channels] = x.shape;
  if (n !== 1) fail(where, `batch ${n} is not supported (batch must be 1)`);
  return { x, pixels: h * w, channels, outShape: keepDims ? [1, 1, 1, channels] : [1, channels] };
}

/** TFLite-inputs form: an optional constant int32 axis tensor; if present it must agree with the options. */
function checkAxisTensor(g: Graph, op: Op<'MEAN'>, where: string): void {
  if (op.inputs.length > 2) fail(where, `takes 1 or 2 inputs, got ${op.inputs.length}`);
  if (op.inputs.length < 2 || op.inputs[1] < 0) return;
  const t = input(g, op, 1, where, { dtype: 'int32', constant: true });
  const given = Array.from(t.data!);
  if (given.length !== op.options.axes.length || given.some((a, i) => a !== op.options.axes[i])) fail(where, `axis tensor '${t.name}' holds [${given}] but the options say [${op.options.axes}]`);
}

export const mean: OpDef<'MEAN'> = {
  kind: 'MEAN',
  outputShapes(g, op, where) {
    return [geometry(g, op, where).outShape];
  },
  lower(g, op, where) {
    const s = geometry(g, op, where);
    checkAxisTensor(g, op, where);
    if (op.outputs.length !== 1) fail(where, `has ${op.outputs.length} outputs; expected 1`);
    const y = output(g, op, 0, where, { dtype: 'int8' });
    expectShape(where, `output '${y.name}'`, y.shape, s.outShape);
    const xq = perTensor(s.x, where, 'input');
    const yq = perTensor(y, where, 'output');
    const requantize = xq.scale !== yq.scale || xq.zeroPoint !== yq.zeroPoint;
    let multiplier = 0;
    let shift = 0;
    if (requantize) {
      let q: { multiplier: number; shift: number };
      try {
        q = quantizeMultiplier(xq.scale / yq.scale);
      } catch (e) {
        if (e instanceof ModelError) fail(where, `input scale ${xq.scale} / output scale ${yq.scale}: ${e.message}`);
        throw e;
      }
      // Fold 1/count in: shift by floor(log2(count)) (at most 32, and never below -31 overall), then divide.
      const fold = Math.min(31 - Math.clz32(s.pixels), 32, 31 + q.shift);
      multiplier = Number((BigInt(q.multiplier) << BigInt(fold)) / BigInt(s.pixels));
      shift = q.shift - fold;
    }
    return {
      kernel: 'mean',
      macs: 0, // additions, not weight MACs
      scratchBytes: 4 * s.channels,
      args: [
        { name: 'input', tensor: op.inputs[0] }, { name: 'pixels', value: s.pixels }, { name: 'channels', value: s.channels },
        { name: 'scratch', scratch: true }, { name: 'output', tensor: op.outputs[0] },
        { name: 'requantize', value: requantize ? 1 : 0 }, { name: 'input_zero_point', value: xq.zeroPoint },
        { name: 'multiplier', value: multiplier }, { name: 'shift', value: shift }, { name: 'output_zero_point', value: yq.zeroPoint },
      ],
    };
  },
};
