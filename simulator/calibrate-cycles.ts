// Fits the cycle model: counts the calibration set (simulator/cycles/calibration-set.ts) on QEMU for the
// Cortex-M4 (mps2-an386), the Cortex-M7 (mps2-an500) and the Cortex-M0+ (ARMv6-M code built with
// -mcpu=cortex-m0plus, run on mps2-an385), derives cycles from the executed instruction classes and each core's
// timing table, fits the formulas per kernel variant per core and writes them into simulator/costs/<core>.json
// ("kernels"); the measured data go to simulator/costs/calibration-data.json so that tests can check the fit
// without QEMU.
//
// Formulas: for every variant key (kernel/kHxW/sS/pad|nopad, kernel/kHxW/sS, kernel/kHxW, kernel) with enough
// layers, the features are chosen stepwise on leave-one-out error (simulator/cycle-model.ts selectFormula) and the
// coefficients fitted by non-negative least squares on relative error. A variant's formula, and a plane-size split of
// a most specific key, are kept only where they predict the key's layers better (leave-one-out) than what the key
// would use otherwise; the plain kernel formula is always kept (the fallback). The Cortex-M0+ is calibrated on the
// light calibration set (calibration-set.ts) to keep the run within about 5 minutes.
// Run: npx tsx simulator/calibrate-cycles.ts [--kernel-dir DIR] [--targets m4,m7,m0plus] [--fit-only]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildSchedule, type Schedule, type ScheduleOptions } from '../runtime/schedule.ts';
import { calibrationSet, type Alternative, type CalibrationGraph } from './cycles/calibration-set.ts';
import { FEATURES, featuresOf, formulaFor, looErrors, selectFormula, splitKey, stepFeatures, variantKeys, type Feature, type Features, type KernelFormula } from './cycle-model.ts';
import { countInstructions, COUNT_BOARDS, COUNT_OPT, COUNT_TARGETS, type CountTarget } from './qemu-count.ts';
import type { ClassCounts } from './cycles/classify.ts';
import type { Core } from './devices.ts';

export interface CalibrationRow {
  model: string; step: number; kernel: string;
  /** Variant keys, most specific first (cycle-model.ts variantKeys). */
  keys: string[];
  features: Features; instructions: number; cycles: number; classes: ClassCounts;
}
export type CalibrationData = Partial<Record<CountTarget, CalibrationRow[]>>;

const COSTS = (f: string) => fileURLToPath(new URL(`./costs/${f}`, import.meta.url));
export const CALIBRATION_DATA = COSTS('calibration-data.json');
export const CORE_OF: Record<CountTarget, Core> = { m4: 'cortex-m4', m7: 'cortex-m7', m0plus: 'cortex-m0plus' };
/** A variant key gets its own formula only with at least this many calibration layers. */
export const MIN_VARIANT_LAYERS = 6;
/** ... and only where its leave-one-out RMS relative error is at most this fraction of the alternative's on the same layers. */
export const VARIANT_GAIN = 0.9;

/** The schedules counted for one calibration graph: layer by layer, and the alternatives where asked for. */
function schedulesOf(c: CalibrationGraph): { name: string; s: Schedule; extra: boolean }[] {
  const out = [{ name: c.graph.name, s: buildSchedule(c.graph), extra: false }];
  const options: Record<Alternative, ScheduleOptions> = { patch: { schedule: 'patch' }, fused: { fuseBlocks: 'all' }, 'not in place': { inPlace: false } };
  for (const what of c.alternatives) {
    try {
      const s = buildSchedule(c.graph, options[what]);
      if (what !== 'patch' || s.kind === 'patch') out.push({ name: `${c.graph.name} (${what})`, s, extra: true });
    } catch {
      // no such schedule for this chain (e.g. no spatial stage to patch)
    }
  }
  return out;
}

export interface MeasureOptions { targets?: readonly CountTarget[]; kernelDir?: string; graphs?: CalibrationGraph[] }

export async function measure(log: (s: string) => void = console.log, o: MeasureOptions = {}): Promise<CalibrationData> {
  const data: CalibrationData = {};
  for (const target of o.targets ?? COUNT_TARGETS) {
    const graphs = o.graphs ?? calibrationSet({ light: target === 'm0plus' });
    const rows: CalibrationRow[] = [];
    const extraRows: CalibrationRow[] = [];
    for (const g of graphs) {
      // Alternative schedules (patch-based, fused, not in place) only calibrate the kernels that layer-by-layer runs
      // never call (copy_2d crops, inverted_residual, depthwise_conv2d_3x3 ...): tile-sized calls of the other
      // kernels would pull their formulas away from whole layers.
      for (const { name, s, extra } of schedulesOf(g)) {
        const t0 = performance.now();
        const r = await countInstructions(s, { target, classes: true, kernelDir: o.kernelDir });
        for (const st of r.steps) {
          const step = s.steps[st.index];
          (extra ? extraRows : rows).push({ model: name, step: st.index, kernel: st.kernel, keys: variantKeys(step), features: stepFeatures(step), instructions: st.instructions, cycles: st.cycles!, classes: st.classes! });
        }
        log(`${target} ${name}: ${r.steps.length} steps, ${r.total} instructions (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      }
    }
    const layerKernels = new Set(rows.map((r) => r.kernel));
    rows.push(...extraRows.filter((r) => !layerKernels.has(r.kernel)));
    data[target] = rows;
  }
  return data;
}

/** Recomputes every row's variant keys and features from the calibration set's schedules (same names, same steps). */
export function refeature(data: CalibrationData): CalibrationData {
  const out: CalibrationData = {};
  for (const [target, rows] of Object.entries(data) as [CountTarget, CalibrationRow[]][]) {
    const schedules = new Map(calibrationSet({ light: target === 'm0plus' }).flatMap((g) => schedulesOf(g)).map((x) => [x.name, x.s]));
    out[target] = rows.map((r) => {
      const step = schedules.get(r.model)?.steps[r.step];
      if (!step || step.kernel !== r.kernel) throw new Error(`calibration data: ${r.model} step ${r.step} (${r.kernel}) is not in the calibration set any more; measure again`);
      return { ...r, keys: variantKeys(step), features: stepFeatures(step) };
    });
  }
  return out;
}

const rms = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + b * b, 0) / Math.max(1, xs.length));

export interface FittedTable { kernels: Record<string, KernelFormula>; splits: Record<string, { at: number }> }

/**
 * Formulas by variant key from calibration rows; `value` picks cycles or instructions. Every kernel gets its plain
 * formula; from the kernel down to the most specific key, a key with MIN_VARIANT_LAYERS layers gets its own formula,
 * and a most specific key with twice as many may be split by plane size (two formulas, `K/plane<=N` and
 * `K/plane>N`), each only where it predicts the key's layers (leave-one-out RMS relative error) at least
 * 1 / VARIANT_GAIN times better than what they would use otherwise.
 */
export function fitAll(rows: CalibrationRow[], value: (r: CalibrationRow) => number = (r) => r.cycles, candidates: readonly Feature[] = FEATURES): FittedTable {
  const kernels: Record<string, KernelFormula> = {};
  const splits: Record<string, { at: number }> = {};
  // The layers each stored formula was fitted on, and its leave-one-out error on each of them.
  const trained = new Map<string, Map<CalibrationRow, number>>();
  const fit = (key: string, rs: CalibrationRow[]) => {
    const f = selectFormula(rs.map((r) => r.features), rs.map(value), candidates);
    const loo = looErrors(rs.map((r) => r.features), rs.map(value), featuresOf(f));
    return { f, loo: new Map(rs.map((r, i) => [r, loo[i]])), key };
  };
  const store = (x: { f: KernelFormula; loo: Map<CalibrationRow, number>; key: string }) => { kernels[x.key] = x.f; trained.set(x.key, x.loo); };
  /** Leave-one-out errors on `rs` of what the table gives them at `key` now (its split sides, else its formula). */
  const current = (key: string, rs: CalibrationRow[]) => rs.map((r) => {
    const hit = formulaFor({ core: '', source: '', kernels, splits }, [key], r.features);
    return hit ? trained.get(hit.key)?.get(r) ?? Infinity : Infinity;
  });
  /** The best plane-size split of `rs` at `key` (thresholds at a few quantiles), if any. */
  const bestSplit = (key: string, rs: CalibrationRow[]) => {
    const sizes = [...new Set(rs.map((r) => r.features.planePixels))].sort((a, b) => a - b);
    const valid = sizes.filter((t) => rs.filter((r) => r.features.planePixels <= t).length >= MIN_VARIANT_LAYERS && rs.filter((r) => r.features.planePixels > t).length >= MIN_VARIANT_LAYERS);
    const tries = [...new Set([0.2, 0.4, 0.6, 0.8].map((q) => valid[Math.floor(q * valid.length)]).filter((t) => t !== undefined))];
    let best: { at: number; e: number; sides: ReturnType<typeof fit>[] } | null = null;
    for (const at of tries) {
      const sides = [fit(splitKey(key, at, at), rs.filter((r) => r.features.planePixels <= at)), fit(splitKey(key, at, at + 1), rs.filter((r) => r.features.planePixels > at))];
      const e = rms(sides.flatMap((x) => [...x.loo.values()]));
      if (!best || e < best.e) best = { at, e, sides };
    }
    return best;
  };
  for (const kernel of [...new Set(rows.map((r) => r.kernel))].sort()) {
    const mine = rows.filter((r) => r.kernel === kernel);
    const depth = mine[0].keys.length;
    if (mine.some((r) => r.keys.length !== depth || r.keys[depth - 1] !== kernel)) throw new Error(`calibration data: the layers of ${kernel} have variant keys of different forms`);
    // levels: the kernel (depth - 1) down to the most specific key (0)
    for (let level = depth - 1; level >= 0; level--) {
      const groups = new Map<string, CalibrationRow[]>();
      for (const r of mine) groups.set(r.keys[level], [...(groups.get(r.keys[level]) ?? []), r]);
      for (const [key, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const plain = key === kernel;
        if (!plain && group.length < MIN_VARIANT_LAYERS) continue;
        const parentKey = plain ? undefined : group[0].keys.slice(group[0].keys.indexOf(key) + 1).find((k) => kernels[k] || splits[k]);
        let baseline = parentKey ? rms(current(parentKey, group)) : Infinity;
        const own = fit(key, group);
        const ownE = rms([...own.loo.values()]);
        if (plain || ownE <= VARIANT_GAIN * baseline) { store(own); baseline = Math.min(baseline, ownE); }
        // Splits only at the most specific key: one kernel path's switch by plane size, never a mix of variants.
        if (level === 0 && group.length >= 2 * MIN_VARIANT_LAYERS && group.some((r) => r.features.planePixels > 0)) {
          const split = bestSplit(key, group);
          if (split && split.e <= VARIANT_GAIN * baseline) {
            splits[key] = { at: split.at };
            split.sides.forEach(store);
          }
        }
      }
    }
  }
  return { kernels, splits };
}

function round(f: Record<string, KernelFormula>): Record<string, KernelFormula> {
  const r = (v: number, d = 6) => Number(v.toPrecision(d));
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, {
    coefficients: Object.fromEntries(Object.entries(v.coefficients).map(([n, c]) => [n, r(c as number)])) as Partial<Features>,
    fittedOn: v.fittedOn, maxError: r(v.maxError, 3), medianError: r(v.medianError, 3),
    ...(v.looMedianError !== undefined ? { looMedianError: r(v.looMedianError, 3) } : {}),
  }]));
}

export function writeTables(data: CalibrationData): void {
  for (const target of COUNT_TARGETS) {
    const rows = data[target];
    if (!rows) continue;
    const core = CORE_OF[target];
    const path = COSTS(`${core}.json`);
    const t = JSON.parse(readFileSync(path, 'utf8'));
    const build = `arm-none-eabi-gcc -mcpu=${core} ${COUNT_OPT.join(' ')}`;
    t.source = target === 'm0plus'
      ? `calibrated: cycles derived from executed instruction classes (timing below) of the emitted C built for ARMv6-M (${build}, plain C: no DSP path) and run on ${COUNT_BOARDS[target].description}, QEMU 7.2 (no Cortex-M0+ board exists in QEMU; ARMv6-M code runs unchanged on an ARMv7-M core); ${rows.length} calibration layers`
      : `calibrated: cycles derived from executed instruction classes (timing below) of the emitted C (${build}) on ${COUNT_BOARDS[target].description}, QEMU 7.2; ${rows.length} calibration layers`;
    const fitted = fitAll(rows);
    t.kernels = round(fitted.kernels);
    if (Object.keys(fitted.splits).length) t.splits = fitted.splits;
    else delete t.splits;
    writeFileSync(path, JSON.stringify(t, null, 2) + '\n');
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { 'kernel-dir': { type: 'string' }, targets: { type: 'string' }, 'fit-only': { type: 'boolean' } } });
  const targets = values.targets ? values.targets.split(',') as CountTarget[] : COUNT_TARGETS;
  const bad = targets.filter((t) => !COUNT_TARGETS.includes(t));
  if (bad.length) throw new Error(`--targets: unknown ${bad.join(', ')} (known: ${COUNT_TARGETS.join(', ')})`);
  const t0 = performance.now();
  let data: CalibrationData;
  if (values['fit-only']) {
    // Refit the stored measurements after a change to the features, keys or fitting (not to the kernels or the
    // calibration set): keys and features are recomputed from the rebuilt schedules.
    data = refeature(JSON.parse(readFileSync(CALIBRATION_DATA, 'utf8')) as CalibrationData);
    writeFileSync(CALIBRATION_DATA, JSON.stringify(data) + '\n');
  } else {
    const fresh = await measure(console.log, { targets, kernelDir: values['kernel-dir'] });
    let old: CalibrationData = {};
    try { old = JSON.parse(readFileSync(CALIBRATION_DATA, 'utf8')); } catch { /* first run */ }
    data = { ...old, ...fresh };
    writeFileSync(CALIBRATION_DATA, JSON.stringify(data) + '\n');
  }
  writeTables(Object.fromEntries(targets.map((t) => [t, data[t]])));
  for (const target of targets) {
    const t = JSON.parse(readFileSync(COSTS(`${CORE_OF[target]}.json`), 'utf8'));
    for (const [k, f] of Object.entries(t.kernels as Record<string, KernelFormula>)) {
      console.log(CORE_OF[target], k.padEnd(40), `n=${f.fittedOn}`, `median ${(100 * f.medianError).toFixed(1)}%`, `max ${(100 * f.maxError).toFixed(1)}%`,
        f.looMedianError !== undefined ? `LOO median ${(100 * f.looMedianError).toFixed(1)}%` : '', JSON.stringify(f.coefficients));
    }
  }
  console.log(`calibration took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
