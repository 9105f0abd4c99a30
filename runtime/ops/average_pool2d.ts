// AVERAGE_POOL_2D (and, through `poolOp`, MAX_POOL_2D): int8 NHWC pooling with TFLite's SAME/VALID padding
// (TFLM pooling_common.cc). Padded taps are never counted. Input and output must share their quantisation:
// the kernels do no rescaling, and TFLM refuses a scale difference above 1e-6 or differing zero points.
import type { Graph, Op } from '../../models/ir.ts';
import { activationRange } from '../quant.ts';
import { expectShape, fail, input, output, perTensor, positiveInts, spatial } from './check.ts';
import type { OpDef } from './types.ts';

type PoolKind = 'AVERAGE_POOL_2D' | 'MAX_POOL_2D';

function geometry(g: Graph, op: Op<PoolKind>, where: string) {
  if (op.inputs.length !== 1) fail(where, `takes 1 input, got ${op.inputs.length}`);
  const x = input(g, op, 0, where, { dtype: 'int8', rank: 4 });
  const o = op.options;
  positiveInts(where, { filterH: o.filterH, filterW: o.filterW, strideH: o.strideH, strideW: o.strideW });
  const [n, inH, inW, channels] = x.shape;
  if (n !== 1) fail(where, `batch ${n} is not supported (batch must be 1)`);
  const h = spatial(inH, o.filterH, o.strideH, 1, o.padding);
  const v = spatial(inW, o.filterW, o.strideW, 1, o.padding);
  if (h.out < 1 || v.out < 1) fail(where, `a ${o.filterH}x${o.filterW} window does not fit a ${inH}x${inW} input with ${o.padding} padding`);
  return { x, inH, inW, channels, outH: h.out, outW: v.out, padTop: h.padBefore, padLeft: v.padBefore };
}

export function poolOp<K extends PoolKind>(kind: K, kernel: string): OpDef<K> {
  return {
    kind,
    outputShapes(g, op, where) {
      const s = geometry(g, op, where);
      return [[1, s.outH, s.outW, s.channels]];
    },
    lower(g, op, where) {
      const s = geometry(g, op, where);
      if (op.outputs.length !== 1) fail(where, `has ${op.outputs.length} outputs; expected 1`);
      const y = output(g, op, 0, where, { dtype: 'int8' });
      expectShape(where, `output '${y.name}'`, y.shape, [1, s.outH, s.outW, s.channels]);
      const xq = perTensor(s.x, where, 'input');
      const yq = perTensor(y, where, 'output');
      if (Math.abs(xq.scale - yq.scale) > 1e-6 || xq.zeroPoint !== yq.zeroPoint) {
        fail(where, `input '${s.x.name}' (scale ${xq.scale}, zero point ${xq.zeroPoint}) and output '${y.name}' (scale ${yq.scale}, zero point ${yq.zeroPoint}) must share their quantisation`);
      }
      const [actMin, actMax] = activationRange(op.options.activation, y);
      const o = op.options;
      return {
        kernel,
        macs: 0, // additions and comparisons, not weight MACs
        scratchBytes: 0,
        args: [
          { name: 'input', tensor: op.inputs[0] }, { name: 'in_h', value: s.inH }, { name: 'in_w', value: s.inW }, { name: 'channels', value: s.channels },
          { name: 'output', tensor: op.outputs[0] }, { name: 'out_h', value: s.outH }, { name: 'out_w', value: s.outW },
          { name: 'filter_h', value: o.filterH }, { name: 'filter_w', value: o.filterW },
          { name: 'stride_h', value: o.strideH }, { name: 'stride_w', value: o.strideW },
          { name: 'pad_top', value: s.padTop }, { name: 'pad_left', value: s.padLeft },
          { name: 'act_min', value: actMin }, { name: 'act_max', value: actMax },
        ],
      };
    },
  };
}

export const averagePool2d = poolOp('AVERAGE_POOL_2D', 'average_pool2d');
