// The program: what a schedule runs before any offset is chosen. Steps are kernel calls whose arena arguments
// name a buffer (and a byte offset inside it); every step also lists the byte spans of each buffer it reads and
// writes. Buffers are whole graph tensors, patch tiles or per-step scratch; one buffer may be declared to live
// inside another at a fixed offset (an in-place depthwise output over its input, a RESHAPE alias).
// From the spans the planner derives lifetimes (row band by row band for tensors that fill or drain gradually);
// the plan checker (plan-check.ts) reads the same spans from the finished schedule to prove the plan safe.
import { DTYPE_BYTES, tensorBytes, type ConstData, type Graph, type OpKind, type Tensor } from '../models/ir.ts';
import { validateGraph } from '../models/validate.ts';
import { opDef } from './ops/index.ts';
import type { KernelArg, LoweredOp } from './ops/types.ts';
import { alignUp, ARENA_ALIGN, type Item, type Rect } from './planner.ts';

/** Step kinds beyond the graph's operators: tile copies of patch-based schedules. */
export type StepOp = OpKind | 'CROP' | 'PASTE' | 'INVERTED_RESIDUAL';

export interface ProgBuffer {
  name: string;
  /** Bytes used (the arena reserves them rounded up to ARENA_ALIGN). */
  bytes: number;
  kind: 'tensor' | 'tile' | 'scratch';
  /** The graph tensor this buffer holds whole. */
  tensor?: number;
  /** Lifetime granularity in bytes (one NHWC row); 0 = the whole buffer lives and dies at once. */
  chunk: number;
  /** Lives inside another buffer at a fixed byte offset. */
  within?: { buffer: number; offset: number };
  /** Live from the start (a graph input) / to the end (a graph output). */
  input?: boolean;
  output?: boolean;
}

/** `rows` runs of `bytes` bytes, `stride` apart, starting `offset` bytes into the buffer. */
export interface Span { buffer: number; offset: number; bytes: number; rows: number; stride: number }

export type ProgArg =
  | { name: string; buffer: number; offset: number }
  | { name: string; constant: ConstData }
  | { name: string; value: number; f32?: boolean };

/** How a step may write over what it reads; the plan checker verifies the contract. */
export type InPlace =
  /** depthwise_conv2d_inplace: output at the input's offset, one channel at a time through the scratch. */
  | { kind: 'depthwise'; input: number; output: number }
  /** copy with source == destination (RESHAPE): the bytes are already there. */
  | { kind: 'alias'; input: number; output: number };

export interface ProgStep {
  op: StepOp;
  name: string;
  kernel: string;
  args: ProgArg[];
  reads: Span[];
  writes: Span[];
  /** This step's scratch buffer. */
  scratch: number | null;
  macs: number;
  /** Graph tensors the step consumes / produces (empty for tile copies). */
  inputs: number[];
  outputs: number[];
  inPlace?: InPlace;
  /** Patch-based schedules: which patch (row-major index, row, column) this step belongs to. */
  patch?: { index: number; row: number; col: number };
  /** The graph operator this step serves (planner bookkeeping; not part of the schedule). */
  origin?: number;
}

export interface Program {
  graph: Graph;
  buffers: ProgBuffer[];
  steps: ProgStep[];
  /** Buffer of every graph tensor held whole, else -1. */
  tensorBuffer: number[];
}

// ---------------------------------------------------------------------------------------------------------------
// Lowering with fusion

/** One graph operator lowered, after fusion; args still name graph tensors. */
export interface OpStep {
  op: number;
  kind: OpKind | 'INVERTED_RESIDUAL';
  name: string;
  low: LoweredOp;
  /** Non-constant tensors read. */
  inputs: number[];
  outputs: number[];
  /** The PAD operator folded into this convolution. */
  fusedPad?: number;
  /** Of low.macs, the part that scales with the input's pixels (a fused block's expand); the rest scales with the output's. */
  macsIn?: number;
  /** Graph operators a fused step runs (default: just `op`). */
  covers?: number[];
}

export interface LowerOptions {
  /** Fold PAD into the following convolution when the pad value is that convolution's input zero point. */
  fusePad?: boolean;
}

/** Kernels known to take any padding; other variants of a folded convolution fall back to the general kernel. */
export const ANY_PADDING = new Set(['conv2d', 'conv2d_simd', 'depthwise_conv2d', 'depthwise_conv2d_3x3']);
const GENERAL_KERNEL: Record<string, string> = { CONV_2D: 'conv2d', DEPTHWISE_CONV_2D: 'depthwise_conv2d' };

export function lowerGraph(graph: Graph, options: LowerOptions = {}): OpStep[] {
  validateGraph(graph);
  const where = (i: number) => `operator ${i} (${graph.ops[i].kind} '${graph.ops[i].name}')`;
  const lowered = graph.ops.map((op, i) => opDef(op.kind, where(i)).lower(graph, op, where(i)));
  const consumers = tensorConsumers(graph);
  // PAD operators folded into their convolution (decided first: a PAD comes before its consumer).
  const padOf = new Map<number, number>();
  if (options.fusePad !== false) {
    graph.ops.forEach((_, i) => {
      const p = padToFuse(graph, lowered, consumers, i);
      if (p !== undefined) padOf.set(i, p);
    });
  }
  const fused = new Set(padOf.values());
  const steps: OpStep[] = [];
  graph.ops.forEach((op, i) => {
    if (fused.has(i)) return;
    let low = lowered[i];
    const fusedPad = padOf.get(i);
    if (fusedPad !== undefined) low = foldPad(graph, graph.ops[fusedPad].inputs[0], lowered[fusedPad], low, GENERAL_KERNEL[op.kind]);
    steps.push({
      op: i, kind: op.kind, name: op.name, low,
      inputs: tensorArgs(low).filter((t) => !graph.tensors[t].data && !op.outputs.includes(t)),
      outputs: op.outputs,
      ...(fusedPad !== undefined ? { fusedPad } : {}),
    });
  });
  // A fused PAD appears before its convolution in the graph but is skipped; nothing else may read its output.
  return steps;
}

function tensorArgs(low: LoweredOp): number[] {
  const out: number[] = [];
  for (const a of low.args) if ('tensor' in a && !out.includes(a.tensor)) out.push(a.tensor);
  return out;
}

export function tensorConsumers(graph: Graph): number[][] {
  const c: number[][] = graph.tensors.map(() => []);
  graph.ops.forEach((op, i) => { for (const t of op.inputs) if (t >= 0 && !c[t].includes(i)) c[t].push(i); });
  return c;
}

/** The PAD operator feeding convolution `i`, if folding it is exactly equivalent. */
function padToFuse(graph: Graph, lowered: LoweredOp[], consumers: number[][], i: number): number | undefined {
  const low = lowered[i];
  if (!(graph.ops[i].kind in GENERAL_KERNEL) || !['in_h', 'in_w', 'pad_top', 'pad_left', 'input_offset'].every((n) => low.args.some((a) => a.name === n && 'value' in a))) return undefined;
  const x = graph.ops[i].inputs[0];
  const p = graph.ops.findIndex((op) => op.kind === 'PAD' && op.outputs[0] === x);
  if (p < 0 || p > i) return undefined;
  if (consumers[x].length !== 1 || graph.outputs.includes(x)) return undefined;
  const pad = graph.ops[p] as { options: { paddings: [number, number][] }; inputs: number[] };
  const src = graph.tensors[pad.inputs[0]];
  if (src.data || src.shape.length !== 4 || src.dtype !== 'int8') return undefined;
  const pp = pad.options.paddings;
  if (pp[0][0] || pp[0][1] || pp[3][0] || pp[3][1]) return undefined; // only spatial padding folds
  const padValue = valueArg(lowered[p], 'pad_value');
  const inputOffset = valueArg(low, 'input_offset');
  if (padValue !== -inputOffset) return undefined; // padded taps would not contribute zero
  return p;
}

function valueArg(low: LoweredOp, name: string): number {
  const a = low.args.find((x) => x.name === name);
  if (!a || !('value' in a)) throw new Error(`internal: kernel ${low.kernel} has no value argument '${name}'`);
  return a.value;
}

/** The convolution reading the PAD's input directly, with the padding added to its own. */
function foldPad(graph: Graph, src: number, pad: LoweredOp, conv: LoweredOp, general: string): LoweredOp {
  const s = graph.tensors[src].shape;
  const before = (d: number) => valueArg(pad, `before_${d}`);
  const set: Record<string, number> = {
    in_h: s[1], in_w: s[2],
    pad_top: valueArg(conv, 'pad_top') + before(1),
    pad_left: valueArg(conv, 'pad_left') + before(2),
  };
  const args = conv.args.map((a): KernelArg => {
    if (a.name === 'input' && 'tensor' in a) return { name: 'input', tensor: src };
    if (a.name in set && 'value' in a) return { name: a.name, value: set[a.name] };
    return a;
  });
  // The 1x1 GEMM path ignores padding; the general kernel takes the same arguments.
  return { ...conv, kernel: ANY_PADDING.has(conv.kernel) ? conv.kernel : general, args };
}

// ---------------------------------------------------------------------------------------------------------------
// Inverted-residual fusion: expand 1x1 -> depthwise -> project 1x1 as one kernel, one expanded channel at a time

function isPointwise(o: OpStep): boolean {
  return o.kind === 'CONV_2D' && o.fusedPad === undefined
    && ['k_h', 'k_w', 'stride_h', 'stride_w', 'dilation_h', 'dilation_w'].every((n) => valueArg(o.low, n) === 1)
    && valueArg(o.low, 'pad_top') === 0 && valueArg(o.low, 'pad_left') === 0;
}

/** Index (in `ops`) of every expand op that starts a fusable expand -> depthwise -> project chain. */
export function fusableBlocks(graph: Graph, ops: readonly OpStep[]): number[] {
  const consumers = tensorConsumers(graph);
  const single = (t: number, op: OpStep) => consumers[t].length === 1 && consumers[t][0] === op.op && !graph.outputs.includes(t);
  const out: number[] = [];
  for (let i = 0; i + 2 < ops.length; i++) {
    const [e, d, p] = [ops[i], ops[i + 1], ops[i + 2]];
    if (!isPointwise(e) || !isPointwise(p) || d.kind !== 'DEPTHWISE_CONV_2D' || !isInPlaceCandidate(d.low)) continue;
    if (d.inputs.length !== 1 || d.inputs[0] !== e.outputs[0] || p.inputs.length !== 1 || p.inputs[0] !== d.outputs[0]) continue;
    if (!single(e.outputs[0], d) || !single(d.outputs[0], p)) continue;
    if (e.inputs.length !== 1) continue;
    out.push(i);
  }
  return out;
}

/** The three ops at ops[i..i+2] as one inverted_residual step. */
export function fuseBlock(graph: Graph, ops: readonly OpStep[], i: number): OpStep {
  const [e, d, p] = [ops[i], ops[i + 1], ops[i + 2]];
  const arg = (o: OpStep, name: string): KernelArg => {
    const a = o.low.args.find((x) => x.name === name);
    if (!a) throw new Error(`internal: ${o.low.kernel} has no argument ${name}`);
    return a;
  };
  const as = (o: OpStep, from: string, to: string): KernelArg => ({ ...arg(o, from), name: to });
  const v = (o: OpStep, n: string) => valueArg(o.low, n);
  const outH = v(d, 'out_h');
  const outW = v(d, 'out_w');
  const outC = v(p, 'out_c');
  const scratchBytes = 4 * outH * outW * outC + v(e, 'in_h') * v(e, 'in_w') + outH * outW;
  const args: KernelArg[] = [
    arg(e, 'input'), arg(e, 'in_h'), arg(e, 'in_w'), arg(e, 'in_c'),
    as(e, 'filter', 'expand_filter'), as(e, 'bias', 'expand_bias'), as(e, 'multipliers', 'expand_multipliers'), as(e, 'shifts', 'expand_shifts'),
    as(e, 'out_c', 'expand_c'), as(e, 'input_offset', 'expand_input_offset'), as(e, 'output_offset', 'expand_output_offset'),
    as(e, 'act_min', 'expand_act_min'), as(e, 'act_max', 'expand_act_max'),
    as(d, 'filter', 'dw_filter'), as(d, 'bias', 'dw_bias'), as(d, 'multipliers', 'dw_multipliers'), as(d, 'shifts', 'dw_shifts'),
    arg(d, 'k_h'), arg(d, 'k_w'), arg(d, 'stride_h'), arg(d, 'stride_w'), arg(d, 'dilation_h'), arg(d, 'dilation_w'),
    arg(d, 'pad_top'), arg(d, 'pad_left'), arg(d, 'out_h'), arg(d, 'out_w'),
    as(d, 'input_offset', 'dw_input_offset'), as(d, 'output_offset', 'dw_output_offset'), as(d, 'act_min', 'dw_act_min'), as(d, 'act_max', 'dw_act_max'),
    as(p, 'filter', 'project_filter'), as(p, 'bias', 'project_bias'), as(p, 'multipliers', 'project_multipliers'), as(p, 'shifts', 'project_shifts'),
    arg(p, 'out_c'), as(p, 'input_offset', 'project_input_offset'), as(p, 'output_offset', 'project_output_offset'),
    as(p, 'act_min', 'project_act_min'), as(p, 'act_max', 'project_act_max'),
    arg(p, 'output'), { name: 'scratch', scratch: true },
  ];
  const prefix = commonPrefix([e.name, d.name, p.name]);
  return {
    op: p.op, kind: 'INVERTED_RESIDUAL', name: prefix ? `${prefix}(expand+depthwise+project)` : `${e.name}+${d.name}+${p.name}`,
    low: { kernel: 'inverted_residual', args, scratchBytes, macs: e.low.macs + d.low.macs + p.low.macs },
    inputs: e.inputs, outputs: p.outputs, macsIn: e.low.macs, covers: [e.op, d.op, p.op],
  };
}

function commonPrefix(names: string[]): string {
  let n = 0;
  while (names.every((x) => x[n] !== undefined && x[n] === names[0][n])) n++;
  const cut = names[0].slice(0, n);
  return cut.includes('/') ? cut.slice(0, cut.lastIndexOf('/') + 1) : '';
}

/**
 * Whether the fused kernel needs less memory than the chain run layer by layer: input + scratch + output against
 * the largest of input + expansion, expansion in place (+ one channel), depthwise output + output.
 */
export function fusionHelps(ops: readonly OpStep[], i: number): boolean {
  const [e, d, p] = [ops[i], ops[i + 1], ops[i + 2]];
  const v = (o: OpStep, n: string) => valueArg(o.low, n);
  const x = v(e, 'in_h') * v(e, 'in_w') * v(e, 'in_c');
  const ex = v(e, 'in_h') * v(e, 'in_w') * v(e, 'out_c');
  const dw = v(d, 'out_h') * v(d, 'out_w') * v(d, 'out_c');
  const y = v(p, 'out_h') * v(p, 'out_w') * v(p, 'out_c');
  const layered = Math.max(x + ex, ex + v(e, 'in_h') * v(e, 'in_w'), dw + y);
  const fused = x + 4 * y + v(e, 'in_h') * v(e, 'in_w') + v(d, 'out_h') * v(d, 'out_w') + y;
  return fused < layered;
}

/** `ops` with the blocks starting at the given indices fused. */
export function withFusedBlocks(graph: Graph, ops: readonly OpStep[], starts: ReadonlySet<number>): OpStep[] {
  const out: OpStep[] = [];
  for (let i = 0; i < ops.length; i++) {
    if (starts.has(i)) { out.push(fuseBlock(graph, ops, i)); i += 2; } else out.push(ops[i]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Building programs

export class ProgramBuilder {
  readonly buffers: ProgBuffer[] = [];
  readonly steps: ProgStep[] = [];
  readonly tensorBuffer: number[];

  constructor(readonly graph: Graph) {
    this.tensorBuffer = graph.tensors.map(() => -1);
  }

  buffer(b: ProgBuffer): number {
    this.buffers.push(b);
    return this.buffers.length - 1;
  }

  /** A buffer holding graph tensor `t` whole (row-granular lifetime for NHWC tensors). */
  tensorBuffer4(t: number, within?: { buffer: number; offset: number }): number {
    const tensor = this.graph.tensors[t];
    const id = this.buffer({
      name: tensor.name, bytes: tensorBytes(tensor), kind: 'tensor', tensor: t, chunk: rowBytes(tensor),
      ...(within ? { within } : {}),
      ...(this.graph.inputs.includes(t) ? { input: true } : {}),
      ...(this.graph.outputs.includes(t) ? { output: true } : {}),
    });
    this.tensorBuffer[t] = id;
    return id;
  }

  whole(buffer: number): Span {
    return { buffer, offset: 0, bytes: this.buffers[buffer].bytes, rows: 1, stride: 0 };
  }

  step(s: ProgStep): void {
    this.steps.push(s);
  }

  build(): Program {
    return { graph: this.graph, buffers: this.buffers, steps: this.steps, tensorBuffer: this.tensorBuffer };
  }
}

/** Bytes of one row (W x C) of an NHWC tensor; 0 for other ranks. */
export function rowBytes(t: Tensor): number {
  return t.shape.length === 4 ? t.shape[2] * t.shape[3] * DTYPE_BYTES[t.dtype] : 0;
}

export interface LayerOptions {
  /** Run depthwise convolutions in place when their input dies with them (TinyEngine). */
  inPlace?: boolean;
  /** Give every graph input a buffer even if no step reads it (default true). */
  allInputs?: boolean;
}

/**
 * Layer by layer: one step per (fused) operator over whole tensors, scheduled from `first` on; the ops before
 * `first` are assumed done and their outputs present (patch-based schedules use it for the part after the split).
 */
export function appendLayerSteps(b: ProgramBuilder, ops: readonly OpStep[], options: LayerOptions): void {
  const g = b.graph;
  // Last op index (in `ops`) reading each tensor; graph outputs never die.
  const lastUse = new Map<number, number>();
  ops.forEach((o, k) => { for (const t of o.inputs) lastUse.set(t, k); });
  const rootOf = (buf: number): number => { let r = buf; while (b.buffers[r].within) r = b.buffers[r].within!.buffer; return r; };
  const ensure = (t: number) => (b.tensorBuffer[t] >= 0 ? b.tensorBuffer[t] : b.tensorBuffer4(t));
  if (options.allInputs !== false) for (const t of g.inputs) ensure(t);
  ops.forEach((o, k) => {
    const low = o.low;
    for (const t of o.inputs) ensure(t);
    let inPlace: InPlace | undefined;
    let kernel = low.kernel;
    let scratchBytes = low.scratchBytes;
    const out = o.outputs[0];
    if (low.aliasInput !== undefined && b.tensorBuffer[low.aliasInput] >= 0 && tensorBytes(g.tensors[out]) === tensorBytes(g.tensors[low.aliasInput])) {
      b.tensorBuffer4(out, { buffer: b.tensorBuffer[low.aliasInput], offset: 0 });
      inPlace = { kind: 'alias', input: b.tensorBuffer[low.aliasInput], output: b.tensorBuffer[out] };
    } else if (options.inPlace && canRunInPlace(g, low, o, k, ops, lastUse, b, rootOf)) {
      const x = o.inputs[0];
      b.tensorBuffer4(out, { buffer: b.tensorBuffer[x], offset: 0 });
      kernel = 'depthwise_conv2d_inplace';
      scratchBytes = inPlaceScratch(low);
      inPlace = { kind: 'depthwise', input: b.tensorBuffer[x], output: b.tensorBuffer[out] };
    } else {
      for (const t of o.outputs) ensure(t);
    }
    const scratch = scratchBytes > 0 ? b.buffer({ name: `${o.name}/scratch`, bytes: scratchBytes, kind: 'scratch', chunk: 0 }) : null;
    const args: ProgArg[] = low.args.map((a) => {
      if ('tensor' in a) return { name: a.name, buffer: b.tensorBuffer[a.tensor], offset: 0 };
      if ('scratch' in a) return { name: a.name, buffer: scratch!, offset: 0 };
      return a;
    });
    if (inPlace?.kind === 'depthwise') args.push({ name: 'scratch', buffer: scratch!, offset: 0 });
    b.step({
      op: o.kind, name: o.name, kernel, args, origin: o.op,
      reads: o.inputs.map((t) => b.whole(b.tensorBuffer[t])),
      writes: [...o.outputs.map((t) => b.whole(b.tensorBuffer[t])), ...(scratch !== null ? [b.whole(scratch)] : [])],
      scratch, macs: low.macs, inputs: o.inputs, outputs: o.outputs,
      ...(inPlace ? { inPlace } : {}),
    });
  });
}

/** Scratch of the in-place depthwise kernel: one input channel. */
export function inPlaceScratch(low: LoweredOp): number {
  return valueArg(low, 'in_h') * valueArg(low, 'in_w');
}

export function isInPlaceCandidate(low: LoweredOp): boolean {
  return (low.kernel === 'depthwise_conv2d' || low.kernel === 'depthwise_conv2d_3x3') && valueArg(low, 'depth_multiplier') === 1
    && valueArg(low, 'in_c') === valueArg(low, 'out_c') && low.scratchBytes === 0;
}

function canRunInPlace(g: Graph, low: LoweredOp, o: OpStep, k: number, ops: readonly OpStep[], lastUse: Map<number, number>,
  b: ProgramBuilder, rootOf: (buf: number) => number): boolean {
  if (!isInPlaceCandidate(low)) return false;
  const x = o.inputs[0];
  if (o.inputs.length !== 1) return false;
  // Every tensor sharing the input's memory must be dead after this step; the caller's inputs and the model's
  // outputs are never overwritten.
  const root = rootOf(b.tensorBuffer[x]);
  for (let t = 0; t < g.tensors.length; t++) {
    const buf = b.tensorBuffer[t];
    if (buf < 0 || rootOf(buf) !== root) continue;
    if (g.outputs.includes(t) || g.inputs.includes(t)) return false;
    const last = lastUse.get(t);
    if (last !== undefined && last > k) return false;
  }
  return ops.every((p, j) => j <= k || !p.inputs.includes(x));
}

export function layerProgram(graph: Graph, ops: readonly OpStep[], options: LayerOptions): Program {
  const b = new ProgramBuilder(graph);
  appendLayerSteps(b, ops, options);
  return b.build();
}

// ---------------------------------------------------------------------------------------------------------------
// Lifetimes: program -> placement items

export interface ProgramItems {
  items: Item[];
  /** Item of every buffer and the buffer's offset inside it. */
  itemOf: number[];
  relOf: number[];
}

/** Lifetimes from the spans each step touches, per chunk (row band), grouped into items by `within`. */
export function programItems(p: Program): ProgramItems {
  const steps = p.steps.length;
  const first: Int32Array[] = p.buffers.map((b) => new Int32Array(chunks(b)).fill(steps));
  const last: Int32Array[] = p.buffers.map((b) => new Int32Array(chunks(b)).fill(-1));
  p.steps.forEach((st, s) => {
    for (const sp of [...st.reads, ...st.writes]) {
      const b = p.buffers[sp.buffer];
      const size = b.chunk > 0 ? b.chunk : alignUp(Math.max(1, b.bytes), ARENA_ALIGN);
      for (let r = 0; r < sp.rows; r++) {
        const a = sp.offset + r * sp.stride;
        if (sp.bytes <= 0) continue;
        const lo = Math.floor(a / size);
        const hi = Math.min(first[sp.buffer].length - 1, Math.floor((a + sp.bytes - 1) / size));
        for (let c = lo; c <= hi; c++) {
          if (s < first[sp.buffer][c]) first[sp.buffer][c] = s;
          if (s > last[sp.buffer][c]) last[sp.buffer][c] = s;
        }
      }
    }
  });
  // Roots and offsets.
  const relOf = p.buffers.map(() => 0);
  const rootOf = p.buffers.map((_, i) => {
    let r = i;
    let rel = 0;
    while (p.buffers[r].within) { rel += p.buffers[r].within!.offset; r = p.buffers[r].within!.buffer; }
    relOf[i] = rel;
    return r;
  });
  const itemIndex = new Map<number, number>();
  const items: Item[] = [];
  const itemOf = p.buffers.map((_, i) => {
    if (!itemIndex.has(rootOf[i])) { itemIndex.set(rootOf[i], items.length); items.push({ rects: [] }); }
    return itemIndex.get(rootOf[i])!;
  });
  p.buffers.forEach((b, i) => {
    const f = first[i];
    const l = last[i];
    const n = f.length;
    // Untouched chunks take the buffer's overall lifetime.
    let fAll = steps;
    let lAll = -1;
    for (let c = 0; c < n; c++) { if (l[c] >= 0) { fAll = Math.min(fAll, f[c]); lAll = Math.max(lAll, l[c]); } }
    if (lAll < 0) { fAll = 0; lAll = 0; }
    const size = b.chunk > 0 ? b.chunk : alignUp(Math.max(1, b.bytes), ARENA_ALIGN);
    const total = alignUp(Math.max(1, b.bytes), ARENA_ALIGN);
    let c = 0;
    while (c < n) {
      const cf = b.input ? 0 : l[c] >= 0 ? f[c] : fAll;
      const cl = b.output ? steps - 1 : l[c] >= 0 ? l[c] : lAll;
      let e = c + 1;
      while (e < n && (b.input ? 0 : l[e] >= 0 ? f[e] : fAll) === cf && (b.output ? steps - 1 : l[e] >= 0 ? l[e] : lAll) === cl) e++;
      const start = c * size;
      const end = e === n ? total : e * size;
      items[itemOf[i]].rects.push({ rel: relOf[i] + start, bytes: end - start, first: cf, last: Math.max(cf, cl) });
      c = e;
    }
  });
  return { items, itemOf, relOf };
}

function chunks(b: ProgBuffer): number {
  return b.chunk > 0 ? Math.max(1, Math.ceil(b.bytes / b.chunk)) : 1;
}

export type { Rect };
