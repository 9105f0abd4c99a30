// The cycle model: an ESTIMATE of Cortex-M cycles per step, a formula per kernel variant per core,
//   cycles = macs·a + outputs·b + pixels·c + inputs·d + e,
// with coefficients in the core's cost table (simulator/costs/<core>.json, "kernels"), fitted by
// simulator/calibrate-cycles.ts against QEMU-derived cycles (simulator/qemu-count.ts) of a calibration set of layer
// shapes. `fit` evaluates it without running; `run` sums it while running. Missing data is a typed error, never 0.
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

export const FEATURES = ['macs', 'outputs', 'pixels', 'inputs', 'const'] as const;
export type Feature = (typeof FEATURES)[number];
export type Features = Record<Feature, number>;

export interface KernelFormula {
  /** Cycles per unit of each feature. */
  coefficients: Features;
  /** Calibration: layers fitted, and the largest / median relative error on them. */
  fittedOn: number;
  maxError: number;
  medianError: number;
}

export interface CostTable {
  core: string;
  /** How the formulas were obtained (calibrated on QEMU, or derived from another core's). */
  source: string;
  kernels: Record<string, KernelFormula>;
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

/** The numbers a formula reads from a step: MACs, output bytes, output pixels (rows for FC), input bytes, 1. */
export function stepFeatures(st: Step): Features {
  const arg = (n: string) => st.args.find((a) => a.name === n)?.value;
  const outputs = st.access.writes.filter((w) => !(st.scratch && w.offset === st.scratch.offset)).reduce((n, w) => n + w.bytes * w.rows, 0);
  const inputs = st.access.reads.reduce((n, r) => n + r.bytes * r.rows, 0);
  const oh = arg('out_h');
  const ow = arg('out_w');
  const pixels = oh !== undefined && ow !== undefined ? oh * ow : arg('rows') ?? arg('outer') ?? 1;
  return { macs: st.macs, outputs, pixels, inputs, const: 1 };
}

export function formulaCycles(f: KernelFormula, x: Features): number {
  let c = 0;
  for (const k of FEATURES) c += f.coefficients[k] * x[k];
  return c;
}

export interface CycleEstimate {
  /** ESTIMATED cycles (cycle model), per step and in total, and milliseconds at the device clock. */
  total: number;
  perStep: number[];
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
  const perStep = s.steps.map((st) => {
    const f = table.kernels[st.kernel];
    if (!f) throw new CycleModelError(`device ${device.name} (${device.core}): the cost table has no formula for kernel '${st.kernel}' (step ${st.index}, ${st.op} '${st.name}'); add it by calibrating with simulator/calibrate-cycles.ts`);
    return Math.round(formulaCycles(f, stepFeatures(st)));
  });
  const total = perStep.reduce((a, b) => a + b, 0);
  return { total, perStep, latencyMs: (total / device.clockHz) * 1000, core: device.core, clockHz: device.clockHz };
}

/**
 * Non-negative least squares on relative error (rows scaled by 1/y), over the features that vary in the data.
 * Lawson–Hanson active set, small and dense.
 */
export function fitFormula(rows: Features[], ys: number[], use: readonly Feature[] = FEATURES): KernelFormula {
  const A = rows.map((r, i) => use.map((f) => r[f] / ys[i]));
  const b = ys.map(() => 1);
  const x = nnls(A, b);
  const coefficients = Object.fromEntries(FEATURES.map((f) => [f, 0])) as Features;
  use.forEach((f, j) => { coefficients[f] = x[j]; });
  const errs = rows.map((r, i) => Math.abs(formulaCycles({ coefficients } as KernelFormula, r) - ys[i]) / ys[i]).sort((p, q) => p - q);
  return { coefficients, fittedOn: rows.length, maxError: errs[errs.length - 1] ?? 0, medianError: errs[Math.floor(errs.length / 2)] ?? 0 };
}

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
