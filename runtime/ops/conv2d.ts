// CONV_2D: int8 input, per-channel int8 OHWI weights, optional int32 bias.
import type { Graph, Op } from '../../models/ir.ts';
import { activationRange } from '../quant.ts';
import { expectShape, fail, input, optionalInput, output, perTensor, positiveInts, spatial } from './check.ts';
import { biasOrZeros, channelRequant } from './requant.ts';
import type { OpDef } from './types.ts';

function geometry(g: Graph, op: Op<'CONV_2D'>, where: string) {
  const x = input(g, op, 0, where, { dtype: 'int8', rank: 4 });
  const w = input(g, op, 1, where, { dtype: 'int8', rank: 4, constant: true });
  const o = op.options;
  positiveInts(where, { strideH: o.strideH, strideW: o.strideW, dilationH: o.dilationH, dilationW: o.dilationW });
  const [n, inH, inW, inC] = x.shape;
  const [outC, kH, kW, wC] = w.shape;
  if (n !== 1) fail(where, `batch ${n} is not supported (batch must be 1)`);
  if (wC !== inC) fail(where, `weights '${w.name}' have ${wC} input channels but the input has ${inC}`);
  const h = spatial(inH, kH, o.strideH, o.dilationH, o.padding);
  const v = spatial(inW, kW, o.strideW, o.dilationW, o.padding);
  if (h.out < 1 || v.out < 1) fail(where, `a ${kH}x${kW} kernel does not fit a ${inH}x${inW} input with ${o.padding} padding`);
  return { x, w, inH, inW, inC, outC, kH, kW, outH: h.out, outW: v.out, padTop: h.padBefore, padLeft: v.padBefore };
}

export const conv2d: OpDef<'CONV_2D'> = {
  kind: 'CONV_2D',
  outputShapes(g, op, where) {
    const s = geometry(g, op, where);
    return [[1, s.outH, s.outW, s.outC]];
  },
  lower(g, op, where) {
    const s = geometry(g, op, where);
    const y = output(g, op, 0, where, { dtype: 'int8' });
    expectShape(where, `output '${y.name}'`, y.shape, [1, s.outH, s.outW, s.outC]);
    const xq = perTensor(s.x, where, 'input');
    const yq = perTensor(y, where, 'output');
    const { multipliers, shifts } = channelRequant(xq.scale, s.w, yq.scale, s.outC, where);
    const [actMin, actMax] = activationRange(op.options.activation, y);
    const o = op.options;
    // The SIMD paths' vector requantisation needs right shifts <= 30 (effective multipliers above about 2^-31).
    // 1x1, stride 1, no dilation: every output pixel reads one input pixel, so padding is irrelevant (GEMM path).
    // Otherwise dilation_w 1 makes each kernel row's taps one contiguous run (row dot-product path, >= 4 channels).
    const vectorRequant = shifts.every((sh) => sh >= -30);
    const pointwise = s.kH === 1 && s.kW === 1 && o.strideH === 1 && o.strideW === 1 && o.dilationH === 1 && o.dilationW === 1;
    // Rows of at most 4 bytes (k_w * in_c <= 4, e.g. one input channel) go two kernel rows per 8-lane step.
    const rows = o.dilationW === 1 && s.outC >= 4;
    const narrow = rows && s.kW * s.inC <= 4;
    return {
      kernel: !vectorRequant ? 'conv2d' : pointwise ? 'conv2d_1x1' : narrow ? 'conv2d_narrow' : rows ? 'conv2d_simd' : 'conv2d',
      macs: s.outH * s.outW * s.outC * s.kH * s.kW * s.inC,
      scratchBytes: 0,
      args: [
        { name: 'input', tensor: op.inputs[0] }, { name: 'in_h', value: s.inH }, { name: 'in_w', value: s.inW }, { name: 'in_c', value: s.inC },
        { name: 'filter', constant: s.w.data! }, { name: 'k_h', value: s.kH }, { name: 'k_w', value: s.kW },
        { name: 'bias', constant: biasOrZeros(optionalInput(g, op, 2), s.outC, where) },
        { name: 'multipliers', constant: multipliers }, { name: 'shifts', constant: shifts },
        { name: 'output', tensor: op.outputs[0] }, { name: 'out_h', value: s.outH }, { name: 'out_w', value: s.outW }, { name: 'out_c', value: s.outC },
        { name: 'stride_h', value: o.strideH }, { name: 'stride_w', value: o.strideW },
        { name: 'dilation_h', value: o.dilationH }, { name: 'dilation_w', value: o.dilationW },
        { name: 'pad_top', value: s.padTop }, { name: 'pad_left', value: s.padLeft },
        { name: 'input_offset', value: -xq.zeroPoint }, { name: 'output_offset', value: yq.zeroPoint },
        { name: 'act_min', value: actMin }, { name: 'act_max', value: actMax },
      ],
    };
  },
};
