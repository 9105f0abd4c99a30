// RESHAPE: same bytes, another shape. The new shape comes from the optional constant int32 shape input (one -1
// allowed, as in TFLite) or else from the output tensor. Lowered to `copy` with aliasInput set, so the planner
// gives the output the input's buffer and no bytes move.
import { elementCount, tensorBytes, type Graph, type Op } from '../../models/ir.ts';
import { describe, expectShape, fail, input, optionalInput, output } from './check.ts';
import type { OpDef } from './types.ts';

function newShape(g: Graph, op: Op<'RESHAPE'>, where: string): number[] {
  const x = input(g, op, 0, where);
  const count = elementCount(x.shape);
  const spec = optionalInput(g, op, 1);
  let shape: number[];
  if (spec) {
    if (spec.dtype !== 'int32' || !(spec.data instanceof Int32Array)) fail(where, `shape input (${describe(g, op.inputs[1])}) must be a constant int32 tensor`);
    shape = Array.from(spec.data);
    const unknown = shape.filter((d) => d === -1).length;
    if (unknown > 1 || shape.some((d) => d === 0 || d < -1)) fail(where, `shape [${shape}] is invalid: dimensions must be positive, with at most one -1`);
    if (unknown === 1) {
      const known = elementCount(shape.filter((d) => d !== -1));
      if (count % known !== 0) fail(where, `shape [${shape}] cannot hold the input's ${count} elements`);
      shape = shape.map((d) => (d === -1 ? count / known : d));
    }
  } else {
    const index = op.outputs[0];
    const y = index === undefined || index < 0 ? undefined : g.tensors[index];
    if (!y) fail(where, 'output 0 is missing');
    shape = [...y.shape];
  }
  if (elementCount(shape) !== count) fail(where, `output shape [${shape}] has ${elementCount(shape)} elements but input '${x.name}' [${x.shape}] has ${count}; RESHAPE cannot change the element count`);
  return shape;
}

export const reshape: OpDef<'RESHAPE'> = {
  kind: 'RESHAPE',
  outputShapes(g, op, where) {
    return [newShape(g, op, where)];
  },
  lower(g, op, where) {
    const shape = newShape(g, op, where);
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
