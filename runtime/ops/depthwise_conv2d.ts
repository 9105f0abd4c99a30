// DEPTHWISE_CONV_2D: int8 input, per-channel int8 1HWC weights (quantised along axis 3), optional int32 bias.
import type { Graph, Op } from '../../models/ir.ts';
import { activationRange } from '../quant.ts';
import { expectShape, fail, input, optionalInput, output, perTensor, positiveInts, spatial } from './check.ts';
import { biasOrZeros, channelRequant } from './requant.ts';
import type { OpDef } from './types.ts';

function geometry(g: Graph, op: Op<'DEPTHWISE_CONV_2D'>, where: string) {
  const x = input(g, op, 0, where, { dtype: 'int8', rank: 4 });
  const w = input(g, op, 1, where, { dtype: 'int8', rank: 4, constant: true });
  const o = op.options;
  positiveInts(where, { strideH: o.strideH, strideW: o.strideW, dilationH: o.dilationH, dilationW: o.dilationW });
  const [n, inH, inW, inC] = x.shape;
  const [one, kH, kW, outC] = w.shape;
  if (n !== 1) fail(where, `batch ${n} is not supported (batch must be 1)`);
  if (one !== 1) fail(where, `weights '${w.name}' have shape [${w.shape}]; depthwise weights are [1, kH, kW, channels]`);
  // Like TFLite, the multiplier comes from the shapes (older converters wrote inconsistent depth_multiplier options).
  if (outC % inC !== 0) fail(where, `weights '${w.name}' have ${outC} channels, not a multiple of the input's ${inC}`);
  const q = w.quant!;
  if (q.scale.length > 1 && q.axis !== 3) fail(where, `weights '${w.name}' are quantised per channel along axis ${q.axis}; depthwise weights use axis 3`);
  const h = spatial(inH, kH, o.strideH, o.dilationH, o.padding);
  const v = spatial(inW, kW, o.strideW, o.dilationW, o.padding);
  if (h.out < 1 || v.out < 1) fail(where, `a ${kH}x${kW} kernel does not fit a ${inH}x${inW} input with ${o.padding} padding`);
  return { x, w, inH, inW, inC, outC, multiplier: outC / inC, kH, kW, outH: h.out, outW: v.out, padTop: h.padBefore, padLeft: v.padBefore };
}

export const depthwiseConv2d: OpDef<'DEPTHWISE_CONV_2D'> = {
  kind: 'DEPTHWISE_CONV_2D',
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
    // The SIMD path: 3x3, one output per input channel, no dilation, stride 1 or 2, at least one 8-lane group,
    // and right shifts <= 30 for its vector requantisation (effective multipliers above about 2^-31).
    // Depth multipliers of 8 or more (any kernel): the 8 lanes are one input channel's consecutive outputs.
    const vectorRequant = shifts.every((sh) => sh >= -30);
    const fast = s.kH === 3 && s.kW === 3 && s.multiplier === 1 && o.dilationH === 1 && o.dilationW === 1
      && o.strideH <= 2 && o.strideW <= 2 && s.outC >= 8 && vectorRequant;
    const mult = s.multiplier >= 8 && vectorRequant;
    return {
      kernel: fast ? 'depthwise_conv2d_3x3' : mult ? 'depthwise_conv2d_mult' : 'depthwise_conv2d',
      macs: s.outH * s.outW * s.outC * s.kH * s.kW,
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
        { name: 'depth_multiplier', value: s.multiplier },
        { name: 'input_offset', value: -xq.zeroPoint }, { name: 'output_offset', value: yq.zeroPoint },
        { name: 'act_min', value: actMin }, { name: 'act_max', value: actMax },
      ],
    };
  },
};
