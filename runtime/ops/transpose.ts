// TRANSPOSE: int8, rank 1 to 5 (TFLite Micro's limit), output dimension i = input dimension perm[i]
// (TFLite reference_ops::Transpose). The permutation is an option; TFLite's constant perm input is dropped at
// import and written back by the writer. Bytes move unchanged: like TFLite and TFLM, no requantisation, and
// input and output quantisation need not match.
import type { Graph, Op } from '../../models/ir.ts';
import { expectShape, fail, input, output, perTensor, unsupported } from './check.ts';
import type { OpDef } from './types.ts';

export const TRANSPOSE_MAX_RANK = 5;

function geometry(g: Graph, op: Op<'TRANSPOSE'>, where: string) {
  if (op.inputs.length !== 1) fail(where, `takes 1 input (the permutation is an option), got ${op.inputs.length}`);
  const x = input(g, op, 0, where, { dtype: 'int8' });
  const rank = x.shape.length;
  if (rank < 1 || rank > TRANSPOSE_MAX_RANK) unsupported(where, `input '${x.name}' has rank ${rank}; TRANSPOSE supports ranks 1 to ${TRANSPOSE_MAX_RANK}`);
  const perm = op.options.perm;
  const isPermutation = Array.isArray(perm) && perm.length === rank && perm.every((p) => Number.isInteger(p) && p >= 0 && p < rank) && new Set(perm).size === rank;
  if (!isPermutation) fail(where, `option perm must be a permutation of 0..${rank - 1} for input shape [${x.shape}] (got ${JSON.stringify(perm)})`);
  return { x, rank, perm, outShape: perm.map((p) => x.shape[p]) };
}

export const transpose: OpDef<'TRANSPOSE'> = {
  kind: 'TRANSPOSE',
  outputShapes(g, op, where) {
    return [geometry(g, op, where).outShape];
  },
  lower(g, op, where) {
    const s = geometry(g, op, where);
    if (op.outputs.length !== 1) fail(where, `has ${op.outputs.length} outputs; expected 1`);
    const y = output(g, op, 0, where, { dtype: 'int8' });
    expectShape(where, `output '${y.name}'`, y.shape, s.outShape);
    perTensor(s.x, where, 'input');
    perTensor(y, where, 'output');
    // Leading 1s make every shape 5-D; the permutation keeps them in front.
    const lead = TRANSPOSE_MAX_RANK - s.rank;
    const in5 = [...Array(lead).fill(1), ...s.x.shape];
    const perm5 = [...Array.from({ length: lead }, (_, i) => i), ...s.perm.map((p) => p + lead)];
    return {
      kernel: 'transpose',
      macs: 0,
      scratchBytes: 0,
      args: [
        s.x.data ? { name: 'input', constant: s.x.data } : { name: 'input', tensor: op.inputs[0] },
        ...in5.map((d, i) => ({ name: `in_${i}`, value: d })),
        ...perm5.map((p, i) => ({ name: `perm_${i}`, value: p })),
        { name: 'output', tensor: op.outputs[0] },
      ],
    };
  },
};
