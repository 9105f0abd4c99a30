// The contract between the op table and the rest of the runtime. Each operator file exports one OpDef:
// it checks its operator, infers output shapes, and lowers it to one kernel call with symbolic arguments
// that the scheduler later resolves to arena and Flash addresses.
import type { ConstData, Graph, Op, OpKind } from '../../models/ir.ts';

export type KernelArg =
  /** Arena address of a graph tensor. */
  | { name: string; tensor: number }
  /** Flash address of a constant block (weights, biases, multipliers, shifts). */
  | { name: string; constant: ConstData }
  /** Arena address of this step's scratch buffer. */
  | { name: string; scratch: true }
  /** A plain number; `f32` ones are passed as floats (C `float`), all others as int32. */
  | { name: string; value: number; f32?: boolean };

export interface LoweredOp {
  /** Kernel export name (AssemblyScript) and C function name. */
  kernel: string;
  args: KernelArg[];
  /** Temporary arena bytes the kernel needs during this step only. */
  scratchBytes: number;
  macs: number;
  /** Set when the output is the input's bytes reinterpreted (RESHAPE): the planner shares one buffer. */
  aliasInput?: number;
}

export interface OpDef<K extends OpKind = OpKind> {
  kind: K;
  /** Output shapes from input shapes and options; throws ModelError naming the operator on bad input. */
  outputShapes(g: Graph, op: Op<K>, where: string): number[][];
  /** Validates the operator fully (types, quantisation, constants) and produces its kernel call. */
  lower(g: Graph, op: Op<K>, where: string): LoweredOp;
}
