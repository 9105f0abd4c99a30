// The cycle model: an ESTIMATE of Cortex-M cycles per step, a linear formula per kernel VARIANT per core,
//   cycles = sum over features f of coefficient[f] * feature[f],
// with coefficients in the core's cost table (simulator/costs/<core>.json, "kernels"), fitted by
// simulator/calibrate-cycles.ts against QEMU-derived cycles (simulator/qemu-count.ts) of a calibration set of layer
// shapes. A step's variant keys run from the most specific to the plain kernel name
// (`depthwise_conv2d_inplace/k3x3/s2`, `depthwise_conv2d_inplace/k3x3`, `depthwise_conv2d_inplace`); the first key
// the table has a formula for is used (where the table splits a key by plane size, the formula of the step's side
// first). `fit` evaluates it without running; `run` sums it while running. Missing data is a typed error, never 0.
import { McusimError } from '../runtime/errors.ts';
import type { Schedule, Step } from '../runtime/schedule.ts';
import type { Device } from './devices.ts';
import m0plus from './costs/cortex-m0plus.json' with { type: 'json' };
import m4 from './costs/cortex-m4.json' with { type: 'json' };
import m7 from './costs/cortex-m7.json' with { type: 'json' };

/** Bad input for the cycle model: unknown core, no cost table, a kernel variant without a formula. */
export class CycleModelError extends McusimError {
  override readonly exitCode = 2;
}

/**
 * What a formula can read from a step (each 0 where it does not apply):
 * - macs: multiply-accumulates (every tap, padding included); outputs / inputs: bytes written / read in the arena;
 *   const: 1;
 * - pixels: output pixels (out_h * out_w; rows for FULLY_CONNECTED and copies, outer for SOFTMAX, pixels for MEAN);
 * - channels: output channels (units for FULLY_CONNECTED, depth for SOFTMAX): per-channel set-up;
 * - rows: output rows (out_h); planeRows: output rows times channels (kernels that sweep one channel plane at a time);
 * - weights: filter elements (per-channel weight sums and the like, paid once per layer);
 * windowed kernels (conv, depthwise, fused inverted residual), per output element (pixel x channel):
 * - insideMacs: MACs of the taps that fall inside the input (what a kernel that skips padding computes);
 * - borderOutputs / borderMacs: output elements whose window reaches into the padding, and their inside MACs (the
 *   bounds-checked border path);
 * - kernelRows: kernel rows inside the input, summed over the outputs (one dot-product run per row);
 * - windowBytes: input bytes under the windows, summed over the output pixels (im2col-style gathering);
 * - inputRows: input rows times channels (kernels that copy or gather a channel's rows, e.g. into a padded buffer);
 * - paddedInputs: the padded input plane the windows cover ((out_h - 1) * stride_h + k_h rows by the same across),
 *   times channels: kernels that copy the input into a padded buffer and compute every window whole;
 *   planePixels: the same for one channel (also what plane-size splits compare, see CostTable.splits);
 * - tailMacs: MACs in the remainders of 4-byte SIMD steps: per kernel row the inside run of k_w * in_c bytes mod 4
 *   (conv; in_c for 1x1, depth for FULLY_CONNECTED), channels mod 4 per tap (depthwise);
 * - tailOutputs: output elements outside 2x2 output blocks (2 pixels along a row x 2 channels; 2 units for
 *   FULLY_CONNECTED), times the MACs of one output: the remainder loops of blocked kernels.
 */
export const FEATURES = ['macs', 'outputs', 'pixels', 'inputs', 'const', 'channels', 'rows', 'planeRows', 'weights', 'insideMacs', 'borderOutputs', 'borderMacs', 'kernelRows', 'windowBytes', 'inputRows', 'paddedInputs', 'planePixels', 'tailMacs', 'tailOutputs'] as const;
export type Feature = (typeof FEATURES)[number];
export type Features = Record<Feature, number>;

export interface KernelFormula {
  /** Cycles per unit of each feature (features left out count 0). */
  coefficients: Partial<Features>;
  /** Calibration: layers fitted, and the largest / median relative error on them. */
  fittedOn: number;
  maxError: number;
  medianError: number;
  /** Leave-one-out median relative error on the calibration layers (how well the formula predicts a new shape). */
  looMedianError?: number;
}

export interface CostTable {
  core: string;
  /** How the formulas were obtained (calibrated on QEMU, and under which assumptions). */
  source: string;
  /** Formulas by variant key (a kernel name, or a kernel name followed by /-separated variant parts). */
  kernels: Record<string, KernelFormula>;
  /**
   * Plane-size splits (kernels that switch paths by plane size, e.g. a stack buffer for small planes): a step whose
   * variant key K has a split here uses the formula `K/plane<=N` when its planePixels <= N, else `K/plane>N`, before
   * K's own formula.
   */
  splits?: Record<string, { at: number }>;
}

export const KNOWN_CORES = ['cortex-m0plus', 'cortex-m3', 'cortex-m4', 'cortex-m7', 'cortex-m33'];
const TABLES: Record<string, unknown> = { 'cortex-m0plus': m0plus, 'cortex-m4': m4, 'cortex-m7': m7 };

/** The cost table of a core; typed errors for an unknown core and for a core without a table. */
export function costTable(core: string, tables: Record<string, unknown> = TABLES): CostTable {
  if (!KNOWN_CORES.includes(core)) throw new CycleModelError(`unknown core '${core}': the cycle model knows ${KNOWN_CORES.join(', ')}`);
  const t = tables[core] as Partial<CostTable> | undefined;
  if (!t || !t.kernels || typeof t.kernels !== 'object') {
    throw new CycleModelError(`no cycle cost table for core ${core}: cost tables exist for ${Object.entries(tables).filter(([, v]) => (v as Partial<CostTable>)?.kernels).map(([k]) => k).join(', ')} (calibrate one with simulator/calibrate-cycles.ts)`);
  }
  return t as CostTable;
}

type StepLike = Pick<Step, 'kernel' | 'args' | 'macs' | 'access' | 'scratch'>;

function argOf(st: Pick<Step, 'args'>): (n: string) => number | undefined {
  return (n) => {
    const a = st.args.find((x) => x.name === n);
    return a && 'value' in a ? (a as { value: number }).value : undefined;
  };
}

/**
 * The variant keys of a step, most specific first, the plain kernel name last. Windowed kernels (those with k_h
 * and k_w arguments) are keyed by kernel size, stride and whether the window starts in padding (top or left; kernels
 * often take another path then): `<kernel>/k<h>x<w>/s<stride>/pad` or `.../nopad`, then `<kernel>/k<h>x<w>/s<stride>`,
 * then `<kernel>/k<h>x<w>`.
 */
export function variantKeys(st: Pick<Step, 'kernel' | 'args'>): string[] {
  const arg = argOf(st);
  const kH = arg('k_h');
  const kW = arg('k_w');
  if (kH === undefined || kW === undefined) return [st.kernel];
  const sH = arg('stride_h') ?? 1;
  const sW = arg('stride_w') ?? 1;
  const size = `${st.kernel}/k${kH}x${kW}`;
  const stride = `${size}/s${sH === sW ? sH : `${sH}x${sW}`}`;
  const padded = (arg('pad_top') ?? 0) > 0 || (arg('pad_left') ?? 0) > 0;
  return [`${stride}/${padded ? 'pad' : 'nopad'}`, stride, size, st.kernel];
}

/** The key of the plane-size side a step falls on, for a key with a split at `at`. */
export const splitKey = (key: string, at: number, planePixels: number) => `${key}/plane${planePixels <= at ? '<=' : '>'}${at}`;

/**
 * The formula a step uses: for each of its variant keys in order, the formula of the key's plane-size side (where
 * the table splits the key), then the key's own; undefined when the table has none of them.
 */
export function formulaFor(table: CostTable, keys: readonly string[], x?: Pick<Features, 'planePixels'>): { key: string; formula: KernelFormula } | undefined {
  for (const key of keys) {
    const split = table.splits?.[key];
    if (split && x) {
      const side = splitKey(key, split.at, x.planePixels);
      if (table.kernels[side]) return { key: side, formula: table.kernels[side] };
    }
    const formula = table.kernels[key];
    if (formula) return { key, formula };
  }
  return undefined;
}

/** Along one axis: the taps of each output's window that fall inside the input (k for an interior output). */
function tapsInside(outN: number, inN: number, k: number, stride: number, dilation: number, pad: number): number[] {
  const taps: number[] = [];
  for (let o = 0; o < outN; o++) {
    let n = 0;
    for (let t = 0; t < k; t++) {
      const i = o * stride - pad + t * dilation;
      if (i >= 0 && i < inN) n++;
    }
    taps.push(n);
  }
  return taps;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The numbers a formula reads from a step (see FEATURES). */
export function stepFeatures(st: StepLike): Features {
  const arg = argOf(st);
  const outputs = st.access.writes.filter((w) => !(st.scratch && w.offset === st.scratch.offset)).reduce((n, w) => n + w.bytes * w.rows, 0);
  const inputs = st.access.reads.reduce((n, r) => n + r.bytes * r.rows, 0);
  const f: Features = Object.fromEntries(FEATURES.map((k) => [k, 0])) as Features;
  Object.assign(f, { macs: st.macs, outputs, inputs, const: 1 });
  const oh = arg('out_h');
  const ow = arg('out_w');
  f.pixels = oh !== undefined && ow !== undefined ? oh * ow : arg('rows') ?? arg('outer') ?? arg('pixels') ?? 1;
  const kH = arg('k_h');
  const kW = arg('k_w');
  if (oh !== undefined && ow !== undefined && kH !== undefined && kW !== undefined) {
    // Windowed kernels (conv, depthwise, fused inverted residual).
    // The fused inverted residual's window runs over its expanded channels (depthwise).
    const expandC = arg('expand_c');
    const inC = expandC ?? arg('in_c') ?? 1;
    const outC = expandC ?? arg('out_c') ?? inC;
    const depthwise = expandC !== undefined || st.kernel.startsWith('depthwise');
    const perTap = depthwise ? 1 : inC;
    const rowsIn = tapsInside(oh, arg('in_h')!, kH, arg('stride_h') ?? 1, arg('dilation_h') ?? 1, arg('pad_top') ?? 0);
    const colsIn = tapsInside(ow, arg('in_w')!, kW, arg('stride_w') ?? 1, arg('dilation_w') ?? 1, arg('pad_left') ?? 0);
    const interiorRows = rowsIn.filter((n) => n === kH).length;
    const interiorCols = colsIn.filter((n) => n === kW).length;
    const insideTaps = sum(rowsIn) * sum(colsIn);
    const interiorTaps = interiorRows * kH * interiorCols * kW;
    f.channels = outC;
    f.rows = oh;
    f.planeRows = oh * outC;
    f.weights = kH * kW * perTap * outC;
    f.insideMacs = insideTaps * perTap * outC;
    f.borderOutputs = (oh * ow - interiorRows * interiorCols) * outC;
    f.borderMacs = (insideTaps - interiorTaps) * perTap * outC;
    f.kernelRows = sum(rowsIn) * ow * outC;
    f.windowBytes = insideTaps * (depthwise ? outC : inC);
    const extent = (n: number, k: number, stride: number, dilation: number) => (n - 1) * stride + (k - 1) * dilation + 1;
    f.inputRows = arg('in_h')! * inC;
    f.planePixels = extent(oh, kH, arg('stride_h') ?? 1, arg('dilation_h') ?? 1) * extent(ow, kW, arg('stride_w') ?? 1, arg('dilation_w') ?? 1);
    f.paddedInputs = f.planePixels * inC;
    f.tailMacs = depthwise ? insideTaps * (outC % 4) : sum(rowsIn) * sum(colsIn.map((n) => (n * inC) % 4)) * outC;
    f.tailOutputs = (oh * ow * outC - oh * 2 * Math.floor(ow / 2) * 2 * Math.floor(outC / 2)) * kH * kW * perTap;
  } else if (arg('units') !== undefined && arg('depth') !== undefined) {
    // FULLY_CONNECTED: rows x units outputs, each a dot product of depth bytes.
    const rows = arg('rows') ?? 1;
    const units = arg('units')!;
    const depth = arg('depth')!;
    f.channels = units;
    f.weights = units * depth;
    f.tailMacs = rows * units * (depth % 4);
    f.tailOutputs = rows * (units % 2) * depth;
  } else {
    f.channels = arg('channels') ?? arg('depth') ?? 0;
    if (oh !== undefined) f.rows = oh;
  }
  return f;
}

export function formulaCycles(f: KernelFormula, x: Features): number {
  let c = 0;
  for (const k of FEATURES) c += (f.coefficients[k] ?? 0) * x[k];
  return c;
}

export interface CycleEstimate {
  /** ESTIMATED cycles (cycle model), per step and in total, and milliseconds at the device clock. */
  total: number;
  perStep: number[];
  /** The variant key whose formula each step used. */
  formulas: string[];
  latencyMs: number;
  core: string;
  clockHz: number;
}

/** The cycle model's estimate for a schedule on a device. */
export function estimateCycles(s: Schedule, device: Pick<Device, 'name' | 'core' | 'clockHz'>, tables?: Record<string, unknown>): CycleEstimate {
  let table: CostTable;
  try {
    table = costTable(device.core, tables);
  } catch (e) {
    if (e instanceof CycleModelError) throw new CycleModelError(`device ${device.name}: ${e.message}`);
    throw e;
  }
  const formulas: string[] = [];
  const perStep = s.steps.map((st) => {
    const keys = variantKeys(st);
    const x = stepFeatures(st);
    const hit = formulaFor(table, keys, x);
    if (!hit) {
      throw new CycleModelError(`device ${device.name} (${device.core}): the cost table has no formula for kernel '${st.kernel}' (step ${st.index}, ${st.op} '${st.name}'; variant keys tried: ${keys.join(', ')}); add it by calibrating with simulator/calibrate-cycles.ts`);
    }
    formulas.push(hit.key);
    return Math.max(0, Math.round(formulaCycles(hit.formula, x)));
  });
  const total = perStep.reduce((a, b) => a + b, 0);
  return { total, perStep, formulas, latencyMs: (total / device.clockHz) * 1000, core: device.core, clockHz: device.clockHz };
}

// ---------------------------------------------------------------------------------------------------------------
// Fitting

const relErrors = (coefficients: Partial<Features>, rows: Features[], ys: number[]) =>
  rows.map((r, i) => Math.abs(formulaCycles({ coefficients } as KernelFormula, r) - ys[i]) / ys[i]);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : 0; };
const rms = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + b * b, 0) / Math.max(1, xs.length));

function solve(rows: Features[], ys: number[], use: readonly Feature[]): Partial<Features> {
  const A = rows.map((r, i) => use.map((f) => r[f] / ys[i]));
  const x = nnls(A, ys.map(() => 1));
  const coefficients: Partial<Features> = {};
  use.forEach((f, j) => { if (x[j] > 0) coefficients[f] = x[j]; });
  return coefficients;
}

/**
 * Relative errors of leave-one-out fits, each layer predicted by the formula fitted on the others: the closed form
 * of least squares (residual / (1 - leverage)) on the features NNLS keeps on all layers. Exact for those features
 * (an unconstrained refit), and fast enough to score thousands of feature sets.
 */
export function looErrors(rows: Features[], ys: number[], use: readonly Feature[]): number[] {
  if (rows.length < 2) return rows.map(() => Infinity);
  const A = rows.map((r, i) => use.map((f) => r[f] / ys[i]));
  const x = nnls(A, ys.map(() => 1));
  const P = use.map((_, j) => j).filter((j) => x[j] > 0);
  if (!P.length) return rows.map(() => 1);
  const k = P.length;
  const M = Array.from({ length: k }, (_, p) => Array.from({ length: k }, (_, q) => A.reduce((s, a) => s + a[P[p]] * a[P[q]], 0)));
  const G = invert(M);
  return A.map((a) => {
    const v = P.map((j) => a[j]);
    let h = 0;
    for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) h += v[p] * G[p][q] * v[q];
    const r = 1 - P.reduce((s, j) => s + a[j] * x[j], 0);
    return h >= 1 - 1e-9 ? Infinity : Math.abs(r / (1 - h));
  });
}

/** Inverse of a small symmetric positive (semi)definite matrix (Gauss-Jordan, a tiny ridge against singularity). */
function invert(M: number[][]): number[][] {
  const n = M.length;
  const W = M.map((row, i) => [...row.map((v, j) => v + (i === j ? 1e-12 * (M[i][i] || 1) : 0)), ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let p = 0; p < n; p++) {
    let piv = p;
    for (let r = p + 1; r < n; r++) if (Math.abs(W[r][p]) > Math.abs(W[piv][p])) piv = r;
    [W[p], W[piv]] = [W[piv], W[p]];
    const d = W[p][p] || 1e-300;
    for (let c = 0; c < 2 * n; c++) W[p][c] /= d;
    for (let r = 0; r < n; r++) {
      if (r === p) continue;
      const f = W[r][p];
      if (f) for (let c = 0; c < 2 * n; c++) W[r][c] -= f * W[p][c];
    }
  }
  return W.map((row) => row.slice(n));
}

/**
 * Non-negative least squares on relative error (rows scaled by 1/y) over the features `use`.
 * Lawson–Hanson active set, small and dense.
 */
export function fitFormula(rows: Features[], ys: number[], use: readonly Feature[] = ['macs', 'outputs', 'pixels', 'inputs', 'const']): KernelFormula {
  const coefficients = solve(rows, ys, use);
  const errs = relErrors(coefficients, rows, ys).sort((p, q) => p - q);
  return { coefficients, fittedOn: rows.length, maxError: errs[errs.length - 1] ?? 0, medianError: errs[Math.floor(errs.length / 2)] ?? 0 };
}

/**
 * Features that are positive on every step of a kernel that has them at all: a formula always has one of these, so
 * that no step is estimated at 0 because its conditional features (border, remainders) happen to be 0.
 */
const BASE_FEATURES: readonly Feature[] = ['macs', 'outputs', 'pixels', 'inputs', 'const', 'channels', 'rows', 'planeRows', 'weights', 'insideMacs', 'kernelRows', 'windowBytes', 'inputRows', 'paddedInputs'];

/**
 * Stepwise feature selection by leave-one-out error: starting from the best single base feature or, where clearly
 * better, the best pair of features (searched exhaustively), repeatedly take the best move, adding a candidate feature (if it lowers the LOO RMS relative error by at least `minGain`, the layers number at least 3 per
 * feature and the features at most `maxFeatures`) or swapping a chosen feature for another (if that lowers it by at
 * least 1 %: greedy adding alone gets stuck on collinear features). A formula always keeps a base feature positive on
 * every layer. Returns the formula fitted on all layers with the chosen features.
 */
export function selectFormula(rows: Features[], ys: number[], candidates: readonly Feature[], o: { minGain?: number; maxFeatures?: number } = {}): KernelFormula {
  const minGain = o.minGain ?? SELECTION.minGain;
  const maxFeatures = o.maxFeatures ?? SELECTION.maxFeatures;
  const usable = candidates.filter((f) => rows.some((r) => r[f] > 0));
  const base = usable.filter((f) => BASE_FEATURES.includes(f) && rows.every((r) => r[f] > 0));
  const cache = new Map<string, number>();
  const score = (use: Feature[]) => {
    const k = [...use].sort().join('+');
    if (!cache.has(k)) cache.set(k, rms(looErrors(rows, ys, use)));
    return cache.get(k)!;
  };
  const hasBase = (use: Feature[]) => use.some((f) => base.includes(f));
  let chosen: Feature[] = [];
  let best = Infinity;
  // Start from the best single base feature, or the best pair (searched exhaustively) where it is clearly better.
  if (rows.length >= 3 && base.length) {
    for (const f of base) {
      const e = score([f]);
      if (e < best) { chosen = [f]; best = e; }
    }
    if (rows.length >= 6 && maxFeatures >= 2) {
      let pair: { use: Feature[]; e: number } | null = null;
      for (let i = 0; i < usable.length; i++) {
        for (let j = i + 1; j < usable.length; j++) {
          const use = [usable[i], usable[j]];
          if (!hasBase(use)) continue;
          const e = score(use);
          if (!pair || e < pair.e) pair = { use, e };
        }
      }
      if (pair && pair.e < best * (1 - minGain)) { chosen = pair.use; best = pair.e; }
    }
  }
  for (let step = 0; step < 4 * maxFeatures && chosen.length; step++) {
    let add: { use: Feature[]; e: number } | null = null;
    if (chosen.length < Math.min(usable.length, maxFeatures) && rows.length >= 3 * (chosen.length + 1)) {
      for (const f of chosen.length ? usable : base) {
        if (chosen.includes(f)) continue;
        const use = [...chosen, f];
        const e = score(use);
        if (!add || e < add.e) add = { use, e };
      }
    }
    let swap: { use: Feature[]; e: number } | null = null;
    for (let i = 0; i < chosen.length; i++) {
      for (const f of usable) {
        if (chosen.includes(f)) continue;
        const use = chosen.map((c, j) => (j === i ? f : c));
        if (!hasBase(use)) continue;
        const e = score(use);
        if (!swap || e < swap.e) swap = { use, e };
      }
    }
    const addOk = add !== null && add.e < best * (1 - minGain);
    const swapOk = swap !== null && swap.e < best * 0.99;
    if (swapOk && (!addOk || swap!.e <= add!.e)) { chosen = swap!.use; best = swap!.e; }
    else if (addOk) { chosen = add!.use; best = add!.e; }
    else break;
  }
  if (!chosen.length) {
    // Too few layers to cross-validate: the best single base feature in-sample.
    const options = base.length ? base : (['const'] as Feature[]);
    chosen = [options.map((f) => ({ f, e: rms(relErrors(solve(rows, ys, [f]), rows, ys)) })).sort((a, b) => a.e - b.e)[0].f];
  }
  let formula = fitFormula(rows, ys, chosen);
  if (!base.some((f) => (formula.coefficients[f] ?? 0) > 0) && base.length) {
    // NNLS zeroed every base feature: keep the one that fits best alongside the others.
    const fits = base.map((f) => fitFormula(rows, ys, [...chosen, f])).filter((x) => base.some((f) => (x.coefficients[f] ?? 0) > 0));
    if (fits.length) formula = fits.sort((a, b) => a.medianError - b.medianError)[0];
  }
  const loo = rows.length >= 3 ? median(looErrors(rows, ys, featuresOf(formula))) : undefined;
  return loo === undefined ? formula : { ...formula, looMedianError: loo };
}

/** The features a formula uses. */
export function featuresOf(f: KernelFormula): Feature[] {
  const have = FEATURES.filter((k) => f.coefficients[k] !== undefined);
  return have.length ? have : ['const'];
}

/** Feature selection settings of the calibration (simulator/calibrate-cycles.ts). */
export const SELECTION = { minGain: 0.1, maxFeatures: 5 };

function solveLeastSquares(A: number[][], b: number[], cols: number[]): number[] {
  const n = cols.length;
  const M = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (let i = 0; i < A.length; i++) {
    for (let p = 0; p < n; p++) {
      M[p][n] += A[i][cols[p]] * b[i];
      for (let q = 0; q < n; q++) M[p][q] += A[i][cols[p]] * A[i][cols[q]];
    }
  }
  for (let p = 0; p < n; p++) M[p][p] += 1e-12 * (M[p][p] || 1);
  for (let p = 0; p < n; p++) {
    let piv = p;
    for (let r = p + 1; r < n; r++) if (Math.abs(M[r][p]) > Math.abs(M[piv][p])) piv = r;
    [M[p], M[piv]] = [M[piv], M[p]];
    if (Math.abs(M[p][p]) < 1e-300) continue;
    for (let r = 0; r < n; r++) {
      if (r === p) continue;
      const f = M[r][p] / M[p][p];
      for (let c = p; c <= n; c++) M[r][c] -= f * M[p][c];
    }
  }
  return M.map((row, p) => (Math.abs(row[p]) < 1e-300 ? 0 : row[n] / row[p]));
}

function nnls(A: number[][], b: number[]): number[] {
  const m = A[0]?.length ?? 0;
  let passive: number[] = [];
  let x = new Array<number>(m).fill(0);
  for (let iter = 0; iter < 50; iter++) {
    const r = b.map((bi, i) => bi - A[i].reduce((s, a, j) => s + a * x[j], 0));
    const w = Array.from({ length: m }, (_, j) => A.reduce((s, row, i) => s + row[j] * r[i], 0));
    const cand = w.map((v, j) => ({ v, j })).filter(({ v, j }) => v > 1e-10 && !passive.includes(j)).sort((p, q) => q.v - p.v);
    if (!cand.length) break;
    passive.push(cand[0].j);
    for (let inner = 0; inner < 50; inner++) {
      const z = solveLeastSquares(A, b, passive);
      if (z.every((v) => v > 0)) {
        x = new Array<number>(m).fill(0);
        passive.forEach((j, k) => { x[j] = z[k]; });
        break;
      }
      let alpha = Infinity;
      passive.forEach((j, k) => { if (z[k] <= 0) alpha = Math.min(alpha, x[j] / (x[j] - z[k])); });
      if (!Number.isFinite(alpha)) alpha = 0;
      passive.forEach((j, k) => { x[j] += alpha * (z[k] - x[j]); });
      passive = passive.filter((j) => x[j] > 1e-12);
    }
  }
  return x;
}
