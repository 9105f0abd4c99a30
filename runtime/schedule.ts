// Graph -> Schedule: lower every operator through the op table (folding PAD into convolutions), build a program
// (layer by layer, or patch by patch up to a split tensor and layer by layer after it), plan the arena for the
// whole program, pack the Flash image, and resolve every kernel argument to a number. The executor and the C
// emitter only walk this; the plan checker (plan-check.ts) proves it safe from the spans each step declares.
import { tensorBytes, type Graph, type OpKind } from '../models/ir.ts';
import { FlashImageBuilder } from './flash.ts';
import { UsageError } from './errors.ts';
import { fusableBlocks, fusionHelps, layerProgram, lowerGraph, programItems, withFusedBlocks, type InPlace, type OpStep, type Program, type StepOp } from './program.ts';
import { bestPatchProgram, patchProgram, type PatchPlan } from './patch.ts';
import { checkPlan } from './plan-check.ts';
import { greedyOrder, itemLiveBytes, itemLowerBound, placeItemsInOrder, planItems } from './planner.ts';

export interface Region { offset: number; bytes: number }

export interface ResolvedArg {
  name: string;
  /** arena and flash values are offsets from that region's base; value ones are plain numbers. */
  space: 'arena' | 'flash' | 'value';
  value: number;
  f32?: boolean;
}

/** `rows` runs of `bytes` bytes, `stride` apart, from arena `offset`, inside schedule buffer `buffer`. */
export interface Access { buffer: number; offset: number; bytes: number; rows: number; stride: number }

export interface Step {
  index: number;
  /** The graph operator this step runs (whole or on one tile), or CROP / PASTE for a patch's tile copies. */
  op: OpKind | StepOp;
  name: string;
  kernel: string;
  args: ResolvedArg[];
  /** Graph tensors read and produced whole (empty for tile steps). */
  inputs: number[];
  outputs: number[];
  /** Arena regions this step may write (bounding boxes): its outputs and its scratch buffer. */
  writes: Region[];
  scratch: Region | null;
  macs: number;
  /** Bytes of every buffer live during this step, scratch included. */
  liveBytes: number;
  /** Highest arena byte in use during this step. */
  arenaHighWater: number;
  /** Exactly which bytes of which buffers the step reads and writes (the plan checker's input). */
  access: { reads: Access[]; writes: Access[] };
  /** A declared overlap of a read and a written buffer (in-place depthwise, RESHAPE alias). */
  inPlace?: InPlace;
  /** Patch-based schedules: the patch this step belongs to. */
  patch?: { index: number; row: number; col: number };
}

/** One arena buffer of the schedule: a whole tensor, a patch tile or a step's scratch. */
export interface ScheduleBuffer {
  id: number;
  name: string;
  kind: 'tensor' | 'tile' | 'scratch';
  tensor?: number;
  offset: number;
  bytes: number;
  /** Placed inside buffer `within` (in-place and alias outputs). */
  within?: number;
  /** Graph input (holds data before step 0) / graph output (must hold it after the last step). */
  input?: boolean;
  output?: boolean;
}

export type ScheduleKind = 'layer' | 'patch';

export interface ScheduleSummary {
  kind: ScheduleKind;
  /** Patch-based: the split tensor and its operator, the grid, tile sizes with halo, extra MACs. */
  split: { tensor: number; name: string; op: number; shape: number[] } | null;
  patches: [number, number] | null;
  /** Per patched operator: output tile size with halo (largest tile) and the whole output size. */
  tiles: { op: string; tile: [number, number]; whole: [number, number] }[];
  overheadMacs: number;
  overheadRatio: number;
  /** Inverted-residual blocks after the split that run as one fused kernel (one expanded channel at a time). */
  fused: string[];
  /** Peak of the layer-by-layer schedule of the same graph, and this schedule's. */
  peakBefore: number;
  peakAfter: number;
  /** Why another schedule than the one asked for was chosen (auto, or a fallback). */
  reason?: string;
}

export interface Schedule {
  graph: Graph;
  steps: Step[];
  /** Arena region of every tensor held whole (undefined for constants, fused-away and patched tensors). */
  placements: (Region | undefined)[];
  /** First and last step (inclusive) each whole tensor's buffer is live. */
  lifetimes: ([number, number] | undefined)[];
  arenaBytes: number;
  lowerBound: number;
  /** What TFLite Micro's greedy-by-size planner needs for the plain layer-by-layer buffers (no in-place, no fusion). */
  greedyArenaBytes: number;
  flashImage: Uint8Array;
  macs: number;
  kind: ScheduleKind;
  buffers: ScheduleBuffer[];
  summary: ScheduleSummary;
}

export type ScheduleChoice = 'layer' | 'patch' | 'auto';

export interface ScheduleOptions {
  /** layer (default), patch, or auto (the smallest arena whose extra MACs stay within maxOverhead). */
  schedule?: ScheduleChoice;
  /** Extra MACs allowed for patch-based inference, as a fraction of the model's MACs (default 0.2). */
  maxOverhead?: number;
  /** Force a split tensor and grid (patch only); otherwise searched. */
  split?: number;
  patches?: number;
  /** In-place depthwise (default true) and PAD folding (default true). */
  inPlace?: boolean;
  fusePad?: boolean;
  /**
   * Layer schedules: run expand -> depthwise -> project chains as one fused kernel: true where that lowers the chain's
   * own peak, 'all' for every chain (default false).
   */
  fuseBlocks?: boolean | 'all';
  /** Called with a one-line reason when a patch request falls back to layer by layer. */
  onFallback?: (reason: string) => void;
}

export const DEFAULT_MAX_OVERHEAD = 0.2;
export const MAX_OVERHEAD_LIMIT = 10;

export function checkMaxOverhead(x: number): number {
  if (!Number.isFinite(x) || x < 0 || x > MAX_OVERHEAD_LIMIT) throw new UsageError(`--max-overhead must be a number from 0 to ${MAX_OVERHEAD_LIMIT} (a fraction of the model's MACs, e.g. 0.2 for 20%), got ${x}`);
  return x;
}

export function buildSchedule(graph: Graph, options: ScheduleOptions = {}): Schedule {
  const s = planSchedule(graph, options);
  // The test runner sets MCUSIM_CHECK_PLANS: every schedule any test builds is then proved by the plan checker.
  if ((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.MCUSIM_CHECK_PLANS) checkPlan(s);
  return s;
}

function planSchedule(graph: Graph, options: ScheduleOptions): Schedule {
  const choice = options.schedule ?? 'layer';
  if (!['layer', 'patch', 'auto'].includes(choice)) throw new UsageError(`--schedule must be layer, patch or auto, got '${choice}'`);
  const maxOverhead = checkMaxOverhead(options.maxOverhead ?? DEFAULT_MAX_OVERHEAD);
  const ops = lowerGraph(graph, { fusePad: options.fusePad !== false });
  const layerOps = options.fuseBlocks ? withFusedBlocks(graph, ops, new Set(fusableBlocks(graph, ops).filter((b) => options.fuseBlocks === 'all' || fusionHelps(ops, b)))) : ops;
  const layer = layerProgram(graph, layerOps, { inPlace: options.inPlace !== false });
  const layerPlan = planProgram(layer);
  const baseline = tflmBaseline(graph);
  const layerSummary = (reason?: string): ScheduleSummary => ({
    kind: 'layer', split: null, patches: null, tiles: [], overheadMacs: 0, overheadRatio: 0,
    fused: layerOps.filter((o) => o.kind === 'INVERTED_RESIDUAL').map((o) => o.name),
    peakBefore: layerPlan.arenaBytes, peakAfter: layerPlan.arenaBytes, ...(reason ? { reason } : {}),
  });
  if (choice === 'layer') return resolve(layer, layerPlan, baseline, layerSummary());

  let patch: { program: Program; plan: PatchPlan } | null;
  if (options.split !== undefined) {
    patch = patchProgram(graph, ops, options.split, options.patches ?? 2, { inPlace: options.inPlace !== false, ...(options.maxOverhead !== undefined ? { maxOverhead } : {}) });
  } else {
    patch = bestPatchProgram(graph, ops, { maxOverhead, inPlace: options.inPlace !== false, beat: layerPlan.arenaBytes, required: choice === 'patch' });
  }
  if (!patch) {
    const reason = `no patch-based schedule within ${(100 * maxOverhead).toFixed(0)}% extra MACs needs less than layer by layer (${layerPlan.arenaBytes} B)`;
    if (choice === 'patch') options.onFallback?.(reason);
    return resolve(layer, layerPlan, baseline, layerSummary(choice === 'auto' ? `auto: ${reason}` : reason));
  }
  const plan = planProgram(patch.program);
  if (choice === 'auto' && options.split === undefined && plan.arenaBytes >= layerPlan.arenaBytes) {
    return resolve(layer, layerPlan, baseline, layerSummary('auto: layer by layer needs no more memory than the best patch schedule'));
  }
  const p = patch.plan;
  return resolve(patch.program, plan, baseline, {
    kind: 'patch',
    split: { tensor: p.split, name: graph.tensors[p.split].name, op: p.splitOp, shape: graph.tensors[p.split].shape },
    patches: [p.grid, p.grid],
    tiles: p.tiles,
    overheadMacs: p.overheadMacs,
    overheadRatio: p.overheadRatio,
    fused: p.fused,
    peakBefore: layerPlan.arenaBytes,
    peakAfter: plan.arenaBytes,
    ...(choice === 'auto' ? { reason: `auto: patch-based needs ${plan.arenaBytes} B against ${layerPlan.arenaBytes} B layer by layer, ${(100 * p.overheadRatio).toFixed(1)}% extra MACs` } : {}),
  });
}

export interface ProgramPlan {
  offsets: number[];
  arenaBytes: number;
  lowerBound: number;
  live: number[];
  items: ReturnType<typeof programItems>;
}

/** Arena offsets for every buffer of a program. */
export function planProgram(p: Program): ProgramPlan {
  const items = programItems(p);
  const steps = Math.max(1, p.steps.length);
  const placement = planItems(items.items, steps);
  const offsets = p.buffers.map((_, i) => placement.offsets[items.itemOf[i]] + items.relOf[i]);
  return { offsets, arenaBytes: placement.arenaBytes, lowerBound: itemLowerBound(items.items, steps), live: itemLiveBytes(items.items, steps), items };
}

/** TFLite Micro's greedy-by-size arena for the plain layer-by-layer program: no in-place, no PAD folding. */
function tflmBaseline(graph: Graph): number {
  const plain = layerProgram(graph, lowerGraph(graph, { fusePad: false }), { inPlace: false });
  const { items } = programItems(plain);
  return placeItemsInOrder(items, greedyOrder(items), Math.max(1, plain.steps.length)).arenaBytes;
}

function resolve(p: Program, plan: ProgramPlan, greedyArenaBytes: number, summary: ScheduleSummary): Schedule {
  const { graph } = p;
  const off = plan.offsets;
  const flash = new FlashImageBuilder();
  const nSteps = p.steps.length;
  // High water per step from every rectangle's absolute position.
  const high = new Array<number>(nSteps).fill(0);
  const base = new Array<number>(plan.items.items.length).fill(0);
  p.buffers.forEach((_, b) => { base[plan.items.itemOf[b]] = off[b] - plan.items.relOf[b]; });
  plan.items.items.forEach((it, i) => {
    for (const r of it.rects) for (let s = Math.max(0, r.first); s <= Math.min(nSteps - 1, r.last); s++) high[s] = Math.max(high[s], base[i] + r.rel + r.bytes);
  });
  const region = (buffer: number): Region => ({ offset: off[buffer], bytes: p.buffers[buffer].bytes });
  const access = (sp: { buffer: number; offset: number; bytes: number; rows: number; stride: number }): Access =>
    ({ buffer: sp.buffer, offset: off[sp.buffer] + sp.offset, bytes: sp.bytes, rows: sp.rows, stride: sp.stride });
  const steps: Step[] = p.steps.map((st, s) => {
    const args: ResolvedArg[] = st.args.map((a) => {
      if ('buffer' in a) return { name: a.name, space: 'arena', value: off[a.buffer] + a.offset };
      if ('constant' in a) return { name: a.name, space: 'flash', value: flash.add(a.constant) };
      return { name: a.name, space: 'value', value: a.value, ...(a.f32 ? { f32: true } : {}) };
    });
    const writes: Region[] = st.writes.map((sp) => ({ offset: off[sp.buffer] + sp.offset, bytes: (sp.rows - 1) * sp.stride + sp.bytes }));
    return {
      index: s, op: st.op, name: st.name, kernel: st.kernel, args,
      inputs: st.inputs, outputs: st.outputs,
      writes,
      scratch: st.scratch !== null ? region(st.scratch) : null,
      macs: st.macs,
      liveBytes: plan.live[s] ?? 0,
      arenaHighWater: high[s],
      access: { reads: st.reads.map(access), writes: st.writes.map(access) },
      ...(st.inPlace ? { inPlace: st.inPlace } : {}),
      ...(st.patch ? { patch: st.patch } : {}),
    };
  });
  const buffers: ScheduleBuffer[] = p.buffers.map((b, i) => ({
    id: i, name: b.name, kind: b.kind, offset: off[i], bytes: b.bytes,
    ...(b.tensor !== undefined ? { tensor: b.tensor } : {}),
    ...(b.within ? { within: b.within.buffer } : {}),
    ...(b.input ? { input: true } : {}),
    ...(b.output ? { output: true } : {}),
  }));
  // Whole-tensor lifetimes: the span of steps any of the buffer's rectangles is live.
  const firstUse = p.buffers.map(() => Infinity);
  const lastUse = p.buffers.map(() => -Infinity);
  p.steps.forEach((st, s) => {
    for (const sp of [...st.reads, ...st.writes]) { firstUse[sp.buffer] = Math.min(firstUse[sp.buffer], s); lastUse[sp.buffer] = Math.max(lastUse[sp.buffer], s); }
  });
  const lifeOf = (buffer: number): [number, number] => {
    let f = firstUse[buffer];
    let l = lastUse[buffer];
    if (p.buffers[buffer].input) f = 0;
    if (p.buffers[buffer].output) l = nSteps - 1;
    return f === Infinity ? [0, 0] : [f, l];
  };
  return {
    graph,
    steps,
    placements: graph.tensors.map((t, i) => (p.tensorBuffer[i] >= 0 ? { offset: off[p.tensorBuffer[i]], bytes: tensorBytes(t) } : undefined)),
    lifetimes: graph.tensors.map((_, i) => (p.tensorBuffer[i] >= 0 ? lifeOf(p.tensorBuffer[i]) : undefined)),
    arenaBytes: plan.arenaBytes,
    lowerBound: plan.lowerBound,
    greedyArenaBytes,
    flashImage: flash.build(),
    macs: steps.reduce((n, st) => n + st.macs, 0),
    kind: summary.kind,
    buffers,
    summary,
  };
}

export type { OpStep };
