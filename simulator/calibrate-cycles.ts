// Fits the cycle model: counts the calibration set (simulator/cycles/calibration-set.ts) on QEMU Cortex-M4 and M7,
// derives cycles from the executed instruction classes, fits one formula per kernel variant per core and writes
// them into simulator/costs/<core>.json ("kernels"); the measured data go to simulator/costs/calibration-data.json
// so that tests can check the fit without QEMU. The Cortex-M0+ table is DERIVED from the M4 instruction formulas
// (QEMU has no M0+ board): see M0PLUS_FACTOR. Run: npx tsx simulator/calibrate-cycles.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchedule } from '../runtime/schedule.ts';
import { calibrationGraphs } from './cycles/calibration-set.ts';
import { FEATURES, fitFormula, stepFeatures, type Features, type KernelFormula } from './cycle-model.ts';
import { countInstructions, COUNT_OPT, type CountTarget } from './qemu-count.ts';
import type { ClassCounts } from './cycles/classify.ts';

export interface CalibrationRow { model: string; step: number; kernel: string; features: Features; instructions: number; cycles: number; classes: ClassCounts }
export type CalibrationData = Record<CountTarget, CalibrationRow[]>;

const COSTS = (f: string) => fileURLToPath(new URL(`./costs/${f}`, import.meta.url));
export const CALIBRATION_DATA = COSTS('calibration-data.json');
/**
 * Cortex-M0+ cycles per Cortex-M4 instruction of the same C: Thumb-1 needs more instructions (no MLA, no
 * post-increment loads, 8 low registers: about 1.4x), at about 1.25 cycles each (2-cycle loads and taken branches,
 * single-cycle multiplier as on RP2040). An uncalibrated ESTIMATE.
 */
export const M0PLUS_FACTOR = 1.75;

export async function measure(log = console.log): Promise<CalibrationData> {
  const data: CalibrationData = { m4: [], m7: [] };
  const graphs = calibrationGraphs();
  for (const target of ['m4', 'm7'] as const) {
    const patchRows: CalibrationRow[] = [];
    for (const g of graphs) {
      // Layer by layer, and patch-based where the chain has a spatial stage. Patch steps only calibrate the kernels
      // that layer-by-layer runs never call (copy_2d crops and pastes): tile-sized calls of the other kernels would
      // pull their formulas away from whole layers.
      const schedules = [{ name: g.name, s: buildSchedule(g), patch: false }];
      try {
        const p = buildSchedule(g, { schedule: 'patch' });
        if (p.kind === 'patch') schedules.push({ name: `${g.name} (patch)`, s: p, patch: true });
      } catch {
        // no spatial stage to patch in this chain
      }
      for (const { name, s, patch } of schedules) {
        const r = await countInstructions(s, { target, classes: true });
        for (const st of r.steps) {
          const row = { model: name, step: st.index, kernel: st.kernel, features: stepFeatures(s.steps[st.index]), instructions: st.instructions, cycles: st.cycles!, classes: st.classes! };
          (patch ? patchRows : data[target]).push(row);
        }
        log(`${target} ${name}: ${r.steps.length} steps, ${r.total} instructions`);
      }
    }
    const layerKernels = new Set(data[target].map((r) => r.kernel));
    data[target].push(...patchRows.filter((r) => !layerKernels.has(r.kernel)));
  }
  return data;
}

/** One formula per kernel from calibration rows; `value` picks cycles or instructions. */
export function fitAll(rows: CalibrationRow[], value: (r: CalibrationRow) => number = (r) => r.cycles): Record<string, KernelFormula> {
  const kernels = [...new Set(rows.map((r) => r.kernel))].sort();
  return Object.fromEntries(kernels.map((k) => {
    const mine = rows.filter((r) => r.kernel === k);
    const use = FEATURES.filter((f) => f === 'const' || mine.some((r) => r.features[f] > 0));
    return [k, fitFormula(mine.map((r) => r.features), mine.map(value), use)];
  }));
}

function round(f: Record<string, KernelFormula>, scale = 1): Record<string, KernelFormula> {
  const r = (v: number, d = 6) => Number(v.toPrecision(d));
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, {
    coefficients: Object.fromEntries(Object.entries(v.coefficients).map(([n, c]) => [n, r(c * scale)])) as Features,
    fittedOn: v.fittedOn, maxError: r(v.maxError, 3), medianError: r(v.medianError, 3),
  }]));
}

export function writeTables(data: CalibrationData): void {
  const stamp = `QEMU 7.2 mps2-an386/an500, arm-none-eabi-gcc ${COUNT_OPT.join(' ')}, ${data.m4.length} calibration layers`;
  for (const [target, core] of [['m4', 'cortex-m4'], ['m7', 'cortex-m7']] as const) {
    const path = COSTS(`${core}.json`);
    const t = JSON.parse(readFileSync(path, 'utf8'));
    t.source = `calibrated: cycles derived from QEMU instruction classes (timing below), ${stamp}`;
    t.kernels = round(fitAll(data[target]));
    writeFileSync(path, JSON.stringify(t, null, 2) + '\n');
  }
  const m0 = {
    core: 'cortex-m0plus',
    source: `ESTIMATE, not calibrated (QEMU has no Cortex-M0+ board): the Cortex-M4 instruction-count formulas (${stamp}) times ${M0PLUS_FACTOR} cycles per M4 instruction (Thumb-1 expansion ~1.4x at ~1.25 cycles per instruction)`,
    kernels: round(fitAll(data.m4, (r) => r.instructions), M0PLUS_FACTOR),
  };
  writeFileSync(COSTS('cortex-m0plus.json'), JSON.stringify(m0, null, 2) + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const data = await measure();
  writeFileSync(CALIBRATION_DATA, JSON.stringify(data) + '\n');
  writeTables(data);
  for (const core of ['cortex-m4', 'cortex-m7', 'cortex-m0plus']) {
    const t = JSON.parse(readFileSync(COSTS(`${core}.json`), 'utf8'));
    for (const [k, f] of Object.entries(t.kernels as Record<string, KernelFormula>)) console.log(core, k.padEnd(26), `n=${f.fittedOn}`, `median ${(100 * f.medianError).toFixed(1)}%`, `max ${(100 * f.maxError).toFixed(1)}%`, JSON.stringify(f.coefficients));
  }
}
