// Validation helpers shared by the op files: each failure names the operator and tensor.
import type { DType, Graph, Op, Tensor } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../errors.ts';

export function fail(where: string, msg: string): never {
  throw new ModelError(`${where}: ${msg}`);
}

export function unsupported(where: string, msg: string): never {
  throw new UnsupportedError(`${where}: ${msg}`);
}

export function describe(g: Graph, index: number): string {
  return `tensor ${index} '${g.tensors[index]?.name ?? '?'}'`;
}

/** The tensor at an operator's input slot, checked for presence, type, rank and (for int8) quantisation. */
export function input(g: Graph, op: Op, slot: number, where: string, want: { dtype?: DType; rank?: number; constant?: boolean } = {}): Tensor {
  const index = op.inputs[slot];
  if (index === undefined || index < 0) fail(where, `input ${slot} is missing`);
  return checkTensor(g, index, `input ${slot}`, where, want);
}

export function output(g: Graph, op: Op, slot: number, where: string, want: { dtype?: DType; rank?: number } = {}): Tensor {
  const index = op.outputs[slot];
  if (index === undefined || index < 0) fail(where, `output ${slot} is missing`);
  return checkTensor(g, index, `output ${slot}`, where, { ...want, constant: false });
}

export function optionalInput(g: Graph, op: Op, slot: number): Tensor | undefined {
  const index = op.inputs[slot];
  return index === undefined || index < 0 ? undefined : g.tensors[index];
}

function checkTensor(g: Graph, index: number, role: string, where: string, want: { dtype?: DType; rank?: number; constant?: boolean }): Tensor {
  const t = g.tensors[index];
  if (!t) fail(where, `${role} refers to tensor ${index}, but the graph has ${g.tensors.length} tensors`);
  const name = `${role} (${describe(g, index)})`;
  if (want.dtype && t.dtype !== want.dtype) unsupported(where, `${name} has type ${t.dtype}; this operator needs ${want.dtype}`);
  if (want.rank !== undefined && t.shape.length !== want.rank) fail(where, `${name} has shape [${t.shape}]; expected rank ${want.rank}`);
  if (want.constant === true && !t.data) fail(where, `${name} must be a constant`);
  if (want.constant === false && t.data) fail(where, `${name} must not be a constant`);
  if (t.dtype === 'int8' && !t.quant) fail(where, `${name} is int8 but carries no quantisation parameters`);
  return t;
}

export function expectShape(where: string, what: string, got: readonly number[], want: readonly number[]): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) fail(where, `${what} has shape [${got}], expected [${want}]`);
}

/** Per-tensor quantisation only (activations). */
export function perTensor(t: Tensor, where: string, role: string): { scale: number; zeroPoint: number } {
  const q = t.quant!;
  if (q.scale.length !== 1) unsupported(where, `${role} '${t.name}' is quantised per channel; only weights may be`);
  if (!(q.scale[0] > 0)) fail(where, `${role} '${t.name}' has scale ${q.scale[0]}; scales must be positive`);
  return { scale: q.scale[0], zeroPoint: q.zeroPoint[0] };
}

/** Output size and leading padding of one spatial dimension (TFLite's ComputePaddingHeightWidth). */
export function spatial(inSize: number, kernel: number, stride: number, dilation: number, padding: 'SAME' | 'VALID'): { out: number; padBefore: number } {
  const effective = (kernel - 1) * dilation + 1;
  const out = padding === 'SAME' ? Math.ceil(inSize / stride) : Math.floor((inSize - effective + stride) / stride);
  const total = Math.max((out - 1) * stride + effective - inSize, 0);
  return { out, padBefore: Math.floor(total / 2) };
}

export function positiveInts(where: string, fields: Record<string, number>): void {
  for (const [k, v] of Object.entries(fields)) if (!Number.isInteger(v) || v < 1) fail(where, `option ${k} must be a positive integer (got ${v})`);
}
