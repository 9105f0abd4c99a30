// Operand handling shared by the int8 elementwise unary operators (LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU): one
// int8 input (arena, or Flash for a constant), one int8 output of the same shape, both quantised per tensor.
import { elementCount, type Graph, type Op } from '../../models/ir.ts';
import { expectShape, fail, input, output, perTensor } from './check.ts';
import type { KernelArg } from './types.ts';

export interface UnaryOperands {
  x: { scale: number; zeroPoint: number };
  y: { scale: number; zeroPoint: number };
  /** input, output and element count, the first three kernel arguments. */
  io: KernelArg[];
  shape: number[];
}

export function unaryShape(g: Graph, op: Op, where: string): number[] {
  if (op.inputs.length !== 1) fail(where, `takes 1 input, got ${op.inputs.length}`);
  return [...input(g, op, 0, where, { dtype: 'int8' }).shape];
}

export function unaryOperands(g: Graph, op: Op, where: string): UnaryOperands {
  const shape = unaryShape(g, op, where);
  const x = input(g, op, 0, where, { dtype: 'int8' });
  if (op.outputs.length !== 1) fail(where, `has ${op.outputs.length} outputs; expected 1`);
  const y = output(g, op, 0, where, { dtype: 'int8' });
  expectShape(where, `output '${y.name}'`, y.shape, shape);
  return {
    x: perTensor(x, where, 'input 0'),
    y: perTensor(y, where, 'output'),
    io: [
      x.data ? { name: 'input', constant: x.data } : { name: 'input', tensor: op.inputs[0] },
      { name: 'output', tensor: op.outputs[0] },
      { name: 'size', value: elementCount(shape) },
    ],
    shape,
  };
}
