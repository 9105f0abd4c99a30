// TRANSPOSE_CONV: int8 NHWC input, per-channel int8 OHWI weights, optional int32 bias, fused activation
// (TFLite reference_integer_ops::TransposeConv as TFLite Micro runs it). IR inputs are [weights, input, bias?]:
// TFLite's order without its leading output_shape tensor, which becomes the outputShape option (the reader
// drops the tensor, the writer puts it back). As in TFLite Micro:
//   - padding comes from ComputePaddingHeightWidth applied to the OUTPUT size (a forward convolution from the
//     output back to the input): out' = SAME ? ceil(out / s) : trunc((out + s - k) / s),
//     pad = max(0, (out' - 1) * s + k - out) / 2 (floor); dilation is always 1;
//   - multipliers from input_scale * weight_scale[c] / output_scale in double (QuantizeMultiplier);
//   - the int32 accumulators are a scratch buffer of out_h * out_w * out_c int32s (TFLM requests the same).
// The input size is not required to match the output size; out-of-range taps are skipped, as in TFLite.
import type { Graph, Op, Padding } from '../../models/ir.ts';
import { activationRange } from '../quant.ts';
import { expectShape, fail, input, optionalInput, output, perTensor, positiveInts, unsupported } from './check.ts';
import { biasOrZeros, channelRequant } from './requant.ts';
import type { OpDef } from './types.ts';

/** TFLite's ComputePaddingHeightWidth for one dimension of a transposed convolution (in = the output size). */
export function transposeConvPadding(outSize: number, kernel: number, stride: number, padding: Padding): number {
  const convOut = padding === 'SAME' ? Math.trunc((outSize + stride - 1) / stride) : Math.trunc((outSize + stride - kernel) / stride);
  return Math.floor(Math.max(0, (convOut - 1) * stride + kernel - outSize) / 2);
}

function geometry(g: Graph, op: Op<'TRANSPOSE_CONV'>, where: string) {
  if (op.inputs.length < 2 || op.inputs.length > 3) fail(where, `takes 2 or 3 inputs [weights, input, bias?] (the output shape is an option), got ${op.inputs.length}`);
  const w = input(g, op, 0, where, { dtype: 'int8', rank: 4, constant: true });
  const x = input(g, op, 1, where, { dtype: 'int8', rank: 4, constant: false });
  const o = op.options;
  positiveInts(where, { strideH: o.strideH, strideW: o.strideW });
  if (o.padding !== 'SAME' && o.padding !== 'VALID') fail(where, `option padding must be SAME or VALID (got ${JSON.stringify(o.padding)})`);
  if (!['NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1'].includes(o.activation)) fail(where, `option activation must be NONE, RELU, RELU6 or RELU_N1_TO_1 (got ${JSON.stringify(o.activation)})`);
  const shape = o.outputShape;
  if (!Array.isArray(shape) || shape.length !== 4 || shape.some((d) => !Number.isInteger(d) || d < 1)) fail(where, `option outputShape must be 4 positive integers (got ${JSON.stringify(shape)})`);
  const [n, inH, inW, inC] = x.shape;
  const [outC, kH, kW, wC] = w.shape;
  if (n !== 1) unsupported(where, `batch ${n} is not supported (batch must be 1)`);
  if (wC !== inC) fail(where, `weights '${w.name}' have ${wC} input channels but the input has ${inC}`);
  if (shape[0] !== n || shape[3] !== outC) fail(where, `outputShape [${shape}] needs batch ${n} and ${outC} channels (the weights' output channels)`);
  const [, outH, outW] = shape;
  return {
    x, w, inH, inW, inC, outC, kH, kW, outH, outW, outShape: [...shape],
    padTop: transposeConvPadding(outH, kH, o.strideH, o.padding), padLeft: transposeConvPadding(outW, kW, o.strideW, o.padding),
  };
}

export const transposeConv: OpDef<'TRANSPOSE_CONV'> = {
  kind: 'TRANSPOSE_CONV',
  outputShapes(g, op, where) {
    return [geometry(g, op, where).outShape];
  },
  lower(g, op, where) {
    const s = geometry(g, op, where);
    if (op.outputs.length !== 1) fail(where, `has ${op.outputs.length} outputs; expected 1`);
    const y = output(g, op, 0, where, { dtype: 'int8' });
    expectShape(where, `output '${y.name}'`, y.shape, s.outShape);
    const xq = perTensor(s.x, where, 'input');
    const yq = perTensor(y, where, 'output');
    const { multipliers, shifts } = channelRequant(xq.scale, s.w, yq.scale, s.outC, where);
    const [actMin, actMax] = activationRange(op.options.activation, y);
    const o = op.options;
    return {
      kernel: 'transpose_conv',
      macs: s.inH * s.inW * s.inC * s.kH * s.kW * s.outC,
      scratchBytes: s.outH * s.outW * s.outC * 4,
      args: [
        { name: 'input', tensor: op.inputs[1] }, { name: 'in_h', value: s.inH }, { name: 'in_w', value: s.inW }, { name: 'in_c', value: s.inC },
        { name: 'filter', constant: s.w.data! }, { name: 'k_h', value: s.kH }, { name: 'k_w', value: s.kW },
        { name: 'bias', constant: biasOrZeros(optionalInput(g, op, 2), s.outC, where) },
        { name: 'multipliers', constant: multipliers }, { name: 'shifts', constant: shifts },
        { name: 'output', tensor: op.outputs[0] }, { name: 'out_h', value: s.outH }, { name: 'out_w', value: s.outW }, { name: 'out_c', value: s.outC },
        { name: 'stride_h', value: o.strideH }, { name: 'stride_w', value: o.strideW },
        { name: 'pad_top', value: s.padTop }, { name: 'pad_left', value: s.padLeft },
        { name: 'input_offset', value: -xq.zeroPoint }, { name: 'output_offset', value: yq.zeroPoint },
        { name: 'act_min', value: actMin }, { name: 'act_max', value: actMax },
        { name: 'scratch', scratch: true },
      ],
    };
  },
};
