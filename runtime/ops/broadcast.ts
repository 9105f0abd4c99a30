// Operand handling shared by the elementwise binary operators (ADD, MUL): TFLite broadcasting, restricted to
// what the kernels implement, and where each operand lives (arena, or Flash for a constant).
// The kernels read operand k at index (i mod period_k): period = output size for a full operand,
// the channel count for a per-channel vector ([C] or [1,1,1,C]), 1 for a scalar.
import { elementCount, type Graph, type Op, type Tensor } from '../../models/ir.ts';
import { expectShape, fail, input, output, unsupported } from './check.ts';
import type { KernelArg } from './types.ts';

export interface BinaryOperands {
  x1: Tensor; x2: Tensor;
  shape: number[];
  size: number;
  period1: number; period2: number;
}

/** numpy/TFLite broadcast shape of two shapes, or a ModelError naming both. */
function broadcastShape(a: readonly number[], b: readonly number[], where: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) fail(where, `input shapes [${a}] and [${b}] cannot be broadcast together`);
    out.push(Math.max(da, db));
  }
  return out;
}

/** Period of one operand within the output, or undefined when the kernels cannot broadcast it that way. */
function period(t: Tensor, shape: readonly number[]): number | undefined {
  const n = elementCount(t.shape);
  const size = elementCount(shape);
  if (n === size) return size; // same elements, possibly with extra leading 1s
  if (n === 1) return 1; // scalar
  const channels = shape[shape.length - 1];
  if (n === channels && t.shape[t.shape.length - 1] === channels) return channels; // [C], [1,1,1,C]
  return undefined;
}

export function binaryOperands(g: Graph, op: Op, where: string): BinaryOperands {
  if (op.inputs.length !== 2) fail(where, `takes 2 inputs, got ${op.inputs.length}`);
  const x1 = input(g, op, 0, where, { dtype: 'int8' });
  const x2 = input(g, op, 1, where, { dtype: 'int8' });
  const shape = broadcastShape(x1.shape, x2.shape, where);
  const period1 = period(x1, shape);
  const period2 = period(x2, shape);
  if (period1 === undefined || period2 === undefined) {
    unsupported(where, `broadcasting [${x1.shape}] with [${x2.shape}] is not supported; an operand must have the output's shape, be a scalar, or be a per-channel vector [C] / [1,1,1,C]`);
  }
  return { x1, x2, shape, size: elementCount(shape), period1, period2 };
}

/** The checked int8 output of a binary operator, whose shape must be the broadcast shape. */
export function binaryOutput(g: Graph, op: Op, where: string, shape: readonly number[]): Tensor {
  if (op.outputs.length !== 1) fail(where, `has ${op.outputs.length} outputs; expected 1`);
  const y = output(g, op, 0, where, { dtype: 'int8' });
  expectShape(where, `output '${y.name}'`, y.shape, shape);
  return y;
}

/** An operand's address: Flash for a constant, the arena otherwise. */
export function operandArg(name: string, op: Op, slot: number, t: Tensor): KernelArg {
  return t.data ? { name, constant: t.data } : { name, tensor: op.inputs[slot] };
}
