// FULLY_CONNECTED: int8 input of any shape read as rows of `depth` values, int8 weights [units, depth]
// (per-tensor with any zero point, or per-channel along axis 0 and symmetric), optional int32 bias.
// Output [rows, units], or the input's shape with its last dimension replaced when keepNumDims is set.
import { elementCount, type Graph, type Op } from '../../models/ir.ts';
import { activationRange } from '../quant.ts';
import { expectShape, fail, input, optionalInput, output, perTensor } from './check.ts';
import { biasOrZeros, channelRequant } from './requant.ts';
import type { OpDef } from './types.ts';

function geometry(g: Graph, op: Op<'FULLY_CONNECTED'>, where: string) {
  const x = input(g, op, 0, where, { dtype: 'int8' });
  const w = input(g, op, 1, where, { dtype: 'int8', rank: 2, constant: true });
  const [units, depth] = w.shape;
  const size = elementCount(x.shape);
  if (size % depth !== 0) fail(where, `input '${x.name}' has ${size} values, not a whole number of rows of ${depth} (the weights' depth)`);
  const keep = op.options.keepNumDims === true;
  if (keep && x.shape[x.shape.length - 1] !== depth) fail(where, `keepNumDims needs the input's last dimension (${x.shape[x.shape.length - 1]}) to equal the weights' depth ${depth}`);
  const outShape = keep ? [...x.shape.slice(0, -1), units] : [size / depth, units];
  return { x, w, units, depth, rows: size / depth, outShape };
}

export const fullyConnected: OpDef<'FULLY_CONNECTED'> = {
  kind: 'FULLY_CONNECTED',
  outputShapes(g, op, where) {
    return [geometry(g, op, where).outShape];
  },
  lower(g, op, where) {
    const s = geometry(g, op, where);
    const y = output(g, op, 0, where, { dtype: 'int8' });
    expectShape(where, `output '${y.name}'`, y.shape, s.outShape);
    const xq = perTensor(s.x, where, 'input');
    const yq = perTensor(y, where, 'output');
    const wq = s.w.quant!;
    const perChannel = wq.scale.length > 1;
    if (perChannel && wq.axis !== 0) fail(where, `weights '${s.w.name}' are quantised per channel along axis ${wq.axis}; fully-connected weights use axis 0`);
    // TFLite applies a weight zero point only on the per-tensor path (FullyConnected's filter_offset);
    // FullyConnectedPerChannel assumes symmetric weights, which channelRequant checks.
    const filterZeroPoint = perChannel ? 0 : wq.zeroPoint[0];
    const symmetric = perChannel ? s.w : { ...s.w, quant: { ...wq, zeroPoint: [0] } };
    const { multipliers, shifts } = channelRequant(xq.scale, symmetric, yq.scale, s.units, where);
    const [actMin, actMax] = activationRange(op.options.activation, y);
    return {
      kernel: 'fully_connected',
      macs: s.rows * s.units * s.depth,
      scratchBytes: 0,
      args: [
        { name: 'input', tensor: op.inputs[0] }, { name: 'rows', value: s.rows }, { name: 'depth', value: s.depth },
        { name: 'filter', constant: s.w.data! }, { name: 'units', value: s.units },
        { name: 'bias', constant: biasOrZeros(optionalInput(g, op, 2), s.units, where) },
        { name: 'multipliers', constant: multipliers }, { name: 'shifts', constant: shifts },
        { name: 'output', tensor: op.outputs[0] },
        { name: 'input_offset', value: -xq.zeroPoint }, { name: 'filter_offset', value: -filterZeroPoint },
        { name: 'output_offset', value: yq.zeroPoint }, { name: 'act_min', value: actMin }, { name: 'act_max', value: actMax },
      ],
    };
  },
};
