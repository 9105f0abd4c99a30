// One candidate's cost on a device, from a shapes-only graph (no weights, no calibration) and the real planner:
// the operators are lowered through the op table, the layer-by-layer program and the patch-based program are
// built by runtime/program.ts and runtime/patch.ts, and the arena is placed by runtime/planner.ts. Two things
// differ from `buildSchedule`, both conservative and both for speed and determinism:
//  - placement uses the planner's deterministic orders, and its seeded local search only for a borderline
//    candidate (placed above the budget, lower bound within it), for a fixed number of iterations with no clock
//    (`buildSchedule` searches longer under a wall-clock limit), so our arena is >= what `fit` plans;
//  - Flash counts every constant block padded to 16 bytes, and the code of every kernel the network could use
//    (kernel choices depend on calibrated scales; the search never calibrates), so it is >= what `fit` reports.
// So a candidate accepted here also fits by `fit` on the same device; tests check that independently.
import type { Graph } from '../ir.ts';
import { countMacs } from '../zoo/index.ts';
import { lowerGraph, layerProgram, programItems, type OpStep } from '../../runtime/program.ts';
import { buildPatchProgram, patchOverhead, stageAt } from '../../runtime/patch.ts';
import { itemLiveBytes, planItems, type Item } from '../../runtime/planner.ts';
import { FLASH_ALIGN } from '../../runtime/flash.ts';
import { buildSchedule, DEFAULT_MAX_OVERHEAD, type Schedule } from '../../runtime/schedule.ts';
import { estimateCodeBytes } from '../../simulator/codesize.ts';
import type { Device } from '../../simulator/devices.ts';
import { buildSpecArchitecture, type ArchSpec } from './spec.ts';

/**
 * Kernels beyond those the shapes-only layer program calls: the patch schedule's tile copies, first convolution and
 * in-place depthwise, and the general kernels a convolution falls back to when calibrated scales rule out the
 * vector paths.
 */
const EXTRA_KERNELS = ['copy_2d', 'conv2d', 'depthwise_conv2d', 'depthwise_conv2d_inplace'];

/** Local-search iterations for a borderline plan (buildSchedule allows 200 within its time limit). */
export const REFINE_ITERATIONS = 100;

/**
 * The planner's arena: deterministic orders, then (refine) a clock-free local search when that decides the verdict.
 * Borderline: placed above the budget with the lower bound within it, not refined.
 */
function place(items: Item[], steps: number, bound: number, budget: number, refine: boolean): { arena: number; borderline: boolean } {
  const arena = planItems(items, steps, { iterations: 0 }).arenaBytes;
  if (arena <= budget || bound > budget) return { arena, borderline: false };
  if (!refine) return { arena, borderline: true };
  return { arena: planItems(items, steps, { iterations: REFINE_ITERATIONS, timeLimitMs: Number.MAX_SAFE_INTEGER }).arenaBytes, borderline: false };
}

/** Milliseconds of one inference of a schedule on a device (the cycle model's estimate). */
export type LatencyEstimator = (schedule: Schedule, device: Device) => number;

export interface Budget {
  /** Arena bytes available: device SRAM minus the runtime reserve. */
  arenaBytes: number;
  flashBytes: number;
  maxOverhead: number;
  maxLatencyMs?: number;
}

export function deviceBudget(device: Device, maxOverhead = DEFAULT_MAX_OVERHEAD, maxLatencyMs?: number): Budget {
  return { arenaBytes: device.sramBytes - device.runtimeReserveBytes, flashBytes: device.flashBytes, maxOverhead, ...(maxLatencyMs !== undefined ? { maxLatencyMs } : {}) };
}

export type ScheduleResult =
  | { kind: 'layer' }
  | { kind: 'patch'; split: string; splitBlock: number; grid: number; overheadRatio: number };

export interface Evaluation {
  macs: number;
  /** Weight, bias and requantisation constants (bytes), and the total Flash bound (constants + code). */
  constants: number;
  flash: number;
  /** Planned arena of the chosen schedule (or of the smallest plan tried); when nothing was placed, a lower bound. */
  arena: number;
  /** True when `arena` is a placed plan, false when it is only a lower bound (no schedule got that far). */
  planned: boolean;
  layerArena: number | null;
  schedule: ScheduleResult | null;
  /** null: not checked, because the Flash already does not fit. */
  fitsSram: boolean | null;
  fitsFlash: boolean;
  /** Does not fit as placed, but the planner's local search (not run: refine false) might place it within budget. */
  borderline: boolean;
  latencyMs?: number;
  fits: boolean;
}

/** Flash bound: constants padded to the image's alignment, plus code of every kernel the space may use. */
function flashOf(ops: readonly OpStep[]): { constants: number; flash: number } {
  // Every block counted (the image stores a block used twice once, so this is an upper bound).
  let constants = 0;
  for (const o of ops) {
    for (const a of o.low.args) if ('constant' in a) constants += Math.ceil(a.constant.byteLength / FLASH_ALIGN) * FLASH_ALIGN;
  }
  return { constants, flash: constants + estimateCodeBytes([...EXTRA_KERNELS, ...ops.map((o) => o.low.kernel)]) };
}

/**
 * A lower bound of the Flash any subnet of a space needs, from its smallest subnet: constants grow with every
 * gene (depth, kernel, expansion), and code is at least the runtime's.
 */
export function flashLowerBound(smallest: ArchSpec): number {
  const { constants } = flashOf(lowerGraph(buildSpecArchitecture(smallest)));
  return constants + estimateCodeBytes([]);
}

/** The block-output tensors of a spec network, in order: the stem, then block 1..n (the ADD when residual). */
function boundaries(g: Graph, spec: ArchSpec): { tensor: number; block: number }[] {
  const byName = new Map<string, number>();
  g.tensors.forEach((t, i) => { if (!t.data) byName.set(t.name, i); });
  const out = [{ tensor: byName.get('stem')!, block: 0 }];
  spec.blocks.forEach((_, i) => {
    const t = byName.get(`block${i + 1}/add`) ?? byName.get(`block${i + 1}/project`);
    if (t !== undefined) out.push({ tensor: t, block: i + 1 });
  });
  return out;
}

export interface EvaluateOptions {
  latency?: LatencyEstimator;
  device?: Device;
  /** Patch gene: grid, and how many block boundaries past the earliest feasible split to cut. */
  patch?: { grid: number; splitOffset: number };
  /** Run the planner's local search on borderline plans (default true); false leaves them marked borderline. */
  refine?: boolean;
  /** Build the candidate's Schedule (needed for latency); called only for candidates that fit memory. */
  buildSchedule?: (g: Graph, s: ScheduleResult, splitTensor: number | null) => Schedule;
}

export function evaluateSpec(spec: ArchSpec, budget: Budget, options: EvaluateOptions = {}): Evaluation {
  const g = buildSpecArchitecture(spec);
  const ops = lowerGraph(g);
  const macs = countMacs(g);
  const { constants, flash } = flashOf(ops);
  const fitsFlash = flash <= budget.flashBytes;

  const layer = layerProgram(g, ops, { inPlace: true });
  const items = programItems(layer);
  const steps = Math.max(1, layer.steps.length);
  const live = itemLiveBytes(items.items, steps);
  const layerBound = Math.max(0, ...live);
  let best = { arena: layerBound, planned: false };
  let layerArena: number | null = null;
  let schedule: ScheduleResult | null = null;
  let splitTensor: number | null = null;
  let borderline = false;
  const refine = options.refine !== false;
  if (!fitsFlash) {
    // Nothing fits anyway: skip planning (the lower bound still serves the "smallest footprint" message).
    return { macs, constants, flash, arena: layerBound, planned: false, layerArena: null, schedule: null, fitsSram: null, fitsFlash, borderline, fits: false };
  }
  if (layerBound <= budget.arenaBytes) {
    const p = place(items.items, steps, layerBound, budget.arenaBytes, refine);
    layerArena = p.arena;
    borderline ||= p.borderline;
    best = { arena: layerArena, planned: true };
    if (layerArena <= budget.arenaBytes) schedule = { kind: 'layer' };
  }

  if (!schedule) {
    // Steps after a split run layer by layer exactly as in the layer program, so the layer program's live bytes
    // after the split are a lower bound of any patch schedule cut there: the earliest split meeting it is where
    // patching can start to help. The gene moves the split later and picks the grid.
    const bounds = boundaries(g, spec);
    const stepOf = new Map<number, number>();
    layer.steps.forEach((st, k) => { for (const t of st.outputs) stepOf.set(t, k); });
    const opOf = new Map<number, number>();
    ops.forEach((o, k) => opOf.set(o.outputs[0], k));
    const suffixMax = new Array<number>(live.length + 1).fill(0);
    for (let s = live.length - 1; s >= 0; s--) suffixMax[s] = Math.max(suffixMax[s + 1], live[s]);
    const usable = bounds.filter((b) => {
      const [, h, w] = g.tensors[b.tensor].shape;
      return h >= 2 && w >= 2;
    });
    const first = usable.findIndex((b) => suffixMax[stepOf.get(b.tensor)! + 1] <= budget.arenaBytes);
    if (first >= 0) {
      const gene = options.patch ?? { grid: 2, splitOffset: 0 };
      const b = usable[Math.min(usable.length - 1, first + gene.splitOffset)];
      const st = stageAt(g, ops, opOf.get(b.tensor)!);
      if (typeof st !== 'string') {
        const [, h, w] = g.tensors[b.tensor].shape;
        const totalMacs = ops.reduce((n, o) => n + o.low.macs, 0);
        let grid = Math.min(gene.grid, h, w);
        while (grid >= 2 && patchOverhead(g, st, grid) > budget.maxOverhead * totalMacs + 1e-9) grid--;
        if (grid >= 2) {
          const built = buildPatchProgram(g, ops, st, grid, { inPlace: true });
          const pItems = programItems(built.program);
          const pSteps = Math.max(1, built.program.steps.length);
          const bound = Math.max(0, ...itemLiveBytes(pItems.items, pSteps));
          let arena = bound;
          let planned = false;
          if (bound <= budget.arenaBytes) {
            const p = place(pItems.items, pSteps, bound, budget.arenaBytes, refine);
            arena = p.arena;
            borderline ||= p.borderline;
            planned = true;
          }
          // A placed plan beats a bound; between two of a kind the smaller wins.
          if (planned !== best.planned ? planned : arena < best.arena) best = { arena, planned };
          if (planned && arena <= budget.arenaBytes) {
            schedule = { kind: 'patch', split: g.tensors[b.tensor].name, splitBlock: b.block, grid, overheadRatio: built.plan.overheadRatio };
            splitTensor = b.tensor;
          }
        }
      }
    }
  }
  const fitsSram = schedule !== null;
  if (schedule) borderline = false;
  const result: Evaluation = { macs, constants, flash, arena: best.arena, planned: best.planned, layerArena, schedule, fitsSram, fitsFlash, borderline, fits: fitsSram && fitsFlash };
  if (result.fits && budget.maxLatencyMs !== undefined) {
    if (!options.latency || !options.device || !options.buildSchedule) throw new Error('internal: a latency limit needs an estimator, a device and a schedule builder');
    result.latencyMs = options.latency(options.buildSchedule(g, schedule!, splitTensor), options.device);
    result.fits = result.latencyMs <= budget.maxLatencyMs;
  }
  return result;
}

/** One unit of work for an evaluator: a spec and its patch gene. */
export interface Task { spec: ArchSpec; patch: { grid: number; splitOffset: number }; refine: boolean }

/** Evaluates a task; a latency limit builds the candidate's real schedule and asks the estimator. */
export function evaluateTask(t: Task, budget: Budget, device: Device, latency?: LatencyEstimator): Evaluation {
  return evaluateSpec(t.spec, budget, {
    patch: t.patch, refine: t.refine, latency, device,
    buildSchedule: (g, s, split) => buildSchedule(g, s.kind === 'layer' ? { schedule: 'layer' } : { schedule: 'patch', split: split!, patches: s.grid, maxOverhead: budget.maxOverhead }),
  });
}
