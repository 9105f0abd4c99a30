// SQUEEZE: the input's bytes with size-1 dimensions removed (TFLite Micro squeeze.cc): the listed ones
// (negative entries count from the end, as in TFLite), or every size-1 dimension when the list is empty.
// Like RESHAPE it is lowered to `copy` with aliasInput set, so the planner gives the output the input's
// buffer and no bytes move. Any tensor type, rank up to 8 (TFLite Micro's limit).
import { tensorBytes, type Graph, type Op } from '../../models/ir.ts';
import { expectShape, fail, input, output } from './check.ts';
import type { OpDef } from './types.ts';

export const SQUEEZE_MAX_RANK = 8;

function newShape(g: Graph, op: Op<'SQUEEZE'>, where: string): number[] {
  if (op.inputs.length !== 1) fail(where, `takes 1 input, got ${op.inputs.length}`);
  const x = input(g, op, 0, where);
  const rank = x.shape.length;
  if (rank > SQUEEZE_MAX_RANK) fail(where, `input '${x.name}' has rank ${rank}; SQUEEZE supports up to ${SQUEEZE_MAX_RANK} dimensions`);
  const dims = op.options.squeezeDims;
  if (!Array.isArray(dims) || dims.some((d) => !Number.isInteger(d))) fail(where, `option squeezeDims must be a list of integers (got ${JSON.stringify(dims)})`);
  const squeeze = new Set<number>();
  if (dims.length === 0) x.shape.forEach((d, i) => { if (d === 1) squeeze.add(i); });
  for (const d of dims) {
    const axis = d < 0 ? d + rank : d;
    if (axis < 0 || axis >= rank) fail(where, `squeeze dimension ${d} is outside [${-rank}, ${rank}) for input '${x.name}' [${x.shape}]`);
    if (x.shape[axis] !== 1) fail(where, `squeeze dimension ${d} of input '${x.name}' [${x.shape}] has size ${x.shape[axis]}, not 1`);
    squeeze.add(axis);
  }
  return x.shape.filter((_, i) => !squeeze.has(i));
}

export const squeeze: OpDef<'SQUEEZE'> = {
  kind: 'SQUEEZE',
  outputShapes(g, op, where) {
    return [newShape(g, op, where)];
  },
  lower(g, op, where) {
    const shape = newShape(g, op, where);
    if (op.outputs.length !== 1) fail(where, `has ${op.outputs.length} outputs; expected 1`);
    const x = g.tensors[op.inputs[0]];
    const y = output(g, op, 0, where, { dtype: x.dtype });
    expectShape(where, `output '${y.name}'`, y.shape, shape);
    return {
      kernel: 'copy',
      macs: 0,
      scratchBytes: 0,
      args: [x.data ? { name: 'input', constant: x.data } : { name: 'input', tensor: op.inputs[0] }, { name: 'output', tensor: op.outputs[0] }, { name: 'bytes', value: tensorBytes(y) }],
      ...(x.data ? {} : { aliasInput: op.inputs[0] }),
    };
  },
};
