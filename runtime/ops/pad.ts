// PAD: int8, up to 4-D (shorter shapes gain leading 1s), constant padding with the output zero point, as TFLite
// and TFLM pad an int8 tensor without a constant_values input. The input bytes are copied unchanged; neither
// TFLite nor TFLM requires input and output quantisation to match, so neither do we.
import type { Graph, Op } from '../../models/ir.ts';
import { expectShape, fail, input, output, perTensor } from './check.ts';
import type { OpDef } from './types.ts';

function geometry(g: Graph, op: Op<'PAD'>, where: string) {
  const x = input(g, op, 0, where, { dtype: 'int8' });
  const rank = x.shape.length;
  if (rank < 1 || rank > 4) fail(where, `input '${x.name}' has rank ${rank}; PAD supports ranks 1 to 4`);
  const p = op.options.paddings;
  if (!Array.isArray(p) || p.length !== rank) fail(where, `option paddings needs ${rank} [before, after] pairs for input shape [${x.shape}], got ${JSON.stringify(p)}`);
  p.forEach((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2 || pair.some((v) => !Number.isInteger(v) || v < 0)) fail(where, `paddings[${i}] must be two non-negative integers (got ${JSON.stringify(pair)})`);
  });
  const outShape = x.shape.map((d, i) => d + p[i][0] + p[i][1]);
  const lead = 4 - rank;
  const in4 = [...Array(lead).fill(1), ...x.shape];
  const out4 = [...Array(lead).fill(1), ...outShape];
  const before4 = [...Array(lead).fill(0), ...p.map((pair) => pair[0])];
  return { x, outShape, in4, out4, before4 };
}

/** TFLite-inputs form: an optional constant int32 paddings tensor; if present it must agree with the options. */
function checkPaddingsTensor(g: Graph, op: Op<'PAD'>, where: string): void {
  if (op.inputs.length > 2) fail(where, `takes 1 or 2 inputs (a constant_values input is not supported), got ${op.inputs.length}`);
  if (op.inputs.length < 2 || op.inputs[1] < 0) return;
  const t = input(g, op, 1, where, { dtype: 'int32', constant: true });
  const want = op.options.paddings.flat();
  const given = Array.from(t.data!);
  if (given.length !== want.length || given.some((v, i) => v !== want[i])) fail(where, `paddings tensor '${t.name}' holds [${given}] but the options say [${want}]`);
}

export const pad: OpDef<'PAD'> = {
  kind: 'PAD',
  outputShapes(g, op, where) {
    return [geometry(g, op, where).outShape];
  },
  lower(g, op, where) {
    const s = geometry(g, op, where);
    checkPaddingsTensor(g, op, where);
    if (op.outputs.length !== 1) fail(where, `has ${op.outputs.length} outputs; expected 1`);
    const y = output(g, op, 0, where, { dtype: 'int8' });
    expectShape(where, `output '${y.name}'`, y.shape, s.outShape);
    perTensor(s.x, where, 'input');
    const yq = perTensor(y, where, 'output');
    return {
      kernel: 'pad',
      macs: 0,
      scratchBytes: 0,
      args: [
        { name: 'input', tensor: op.inputs[0] },
        ...s.in4.map((d, i) => ({ name: `in_${i}`, value: d })),
        { name: 'output', tensor: op.outputs[0] },
        ...s.out4.map((d, i) => ({ name: `out_${i}`, value: d })),
        ...s.before4.map((d, i) => ({ name: `before_${i}`, value: d })),
        { name: 'pad_value', value: yq.zeroPoint },
      ],
    };
  },
};
