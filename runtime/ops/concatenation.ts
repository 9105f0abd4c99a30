// CONCATENATION along any axis (TFLite Micro concatenation.cc). Inputs and output must share one type and, for
// int8, one quantisation: TFLite Micro then copies bytes without rescaling, and so do we (asm/concatenation.ts).
import { DTYPE_BYTES, elementCount, type Graph, type Op, type Tensor } from '../../models/ir.ts';
import { describe, expectShape, fail, input, output, perTensor, unsupported } from './check.ts';
import type { KernelArg, OpDef } from './types.ts';

/** TFLite Micro's kMaxInputNum; the kernel takes exactly this many (address, row bytes) pairs. */
export const CONCATENATION_MAX_INPUTS = 10;

function geometry(g: Graph, op: Op<'CONCATENATION'>, where: string) {
  const n = op.inputs.length;
  if (n < 1) fail(where, 'has no inputs');
  if (n > CONCATENATION_MAX_INPUTS) unsupported(where, `has ${n} inputs; at most ${CONCATENATION_MAX_INPUTS} are supported (TFLite Micro's limit)`);
  if (op.options.activation !== 'NONE') unsupported(where, `fused activation ${op.options.activation} is not supported; CONCATENATION takes NONE only (as in TFLite Micro)`);
  const xs: Tensor[] = op.inputs.map((_, i) => input(g, op, i, where));
  const first = xs[0];
  const rank = first.shape.length;
  const axis = op.options.axis < 0 ? op.options.axis + rank : op.options.axis;
  if (!Number.isInteger(axis) || axis < 0 || axis >= rank) fail(where, `axis ${op.options.axis} is out of range for rank ${rank}`);
  const shape = [...first.shape];
  xs.forEach((x, i) => {
    if (x.dtype !== first.dtype) unsupported(where, `input ${i} (${describe(g, op.inputs[i])}) has type ${x.dtype} but input 0 has ${first.dtype}`);
    if (x.shape.length !== rank || x.shape.some((d, k) => k !== axis && d !== first.shape[k])) {
      fail(where, `input ${i} (${describe(g, op.inputs[i])}) has shape [${x.shape}], which does not match input 0's [${first.shape}] outside axis ${axis}`);
    }
    if (i > 0) shape[axis] += x.shape[axis];
  });
  return { xs, axis, shape, dtype: first.dtype };
}

export const concatenation: OpDef<'CONCATENATION'> = {
  kind: 'CONCATENATION',
  outputShapes(g, op, where) {
    return [geometry(g, op, where).shape];
  },
  lower(g, op, where) {
    const { xs, axis, shape, dtype } = geometry(g, op, where);
    const y = output(g, op, 0, where, { dtype });
    expectShape(where, `output '${y.name}'`, y.shape, shape);
    if (dtype === 'int8') {
      const yq = perTensor(y, where, 'output');
      xs.forEach((x, i) => {
        const xq = perTensor(x, where, `input ${i}`);
        if (xq.scale !== yq.scale || xq.zeroPoint !== yq.zeroPoint) {
          unsupported(where, `input ${i} '${x.name}' (scale ${xq.scale}, zero point ${xq.zeroPoint}) and output '${y.name}' (scale ${yq.scale}, zero point ${yq.zeroPoint}) are quantised differently; CONCATENATION needs equal quantisation (TFLite Micro copies bytes without rescaling)`);
        }
      });
    }
    const outer = elementCount(shape.slice(0, axis));
    const rowBytes = (t: Tensor) => elementCount(t.shape.slice(axis)) * DTYPE_BYTES[dtype];
    const pairs: KernelArg[] = [];
    for (let i = 0; i < CONCATENATION_MAX_INPUTS; i++) {
      const index = op.inputs[i];
      const x = xs[i];
      if (!x) pairs.push({ name: `input_${i}`, value: 0 }, { name: `row_bytes_${i}`, value: 0 });
      else pairs.push(x.data ? { name: `input_${i}`, constant: x.data } : { name: `input_${i}`, tensor: index }, { name: `row_bytes_${i}`, value: rowBytes(x) });
    }
    return {
      kernel: 'concatenation',
      macs: 0,
      scratchBytes: 0,
      args: [{ name: 'output', tensor: op.outputs[0] }, { name: 'outer', value: outer }, { name: 'out_row_bytes', value: rowBytes(y) }, ...pairs],
    };
  },
};
