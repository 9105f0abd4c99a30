// npm run bench:cycles — the cycle model against QEMU on zoo models held out of its calibration, one table per core
// (Cortex-M4, M7 and M0+; `-- --cores m4,m7` for fewer, model names for fewer models, `--kernel-dir DIR` for C
// kernels other than runtime/c/, e.g. the ones the tables were calibrated on).
// MEASURED: QEMU instructions (exact). DERIVED: QEMU-derived cycles (instruction classes x the core's timing table).
// ESTIMATED: the cycle model (simulator/cycle-model.ts). Published real-board figures of other engines beside them.
import { parseArgs } from 'node:util';
import { buildZooModel } from '../models/zoo/index.ts';
import { buildSchedule } from '../runtime/schedule.ts';
import { estimateCycles } from '../simulator/cycle-model.ts';
import { HELD_OUT_MODELS } from '../simulator/cycles/calibration-set.ts';
import { findDevice } from '../simulator/devices.ts';
import { COUNT_BOARDS, COUNT_TARGETS, countInstructions, type CountTarget } from '../simulator/qemu-count.ts';
import { CORE_OF } from '../simulator/calibrate-cycles.ts';
import { table } from '../cli/format.ts';

const { values, positionals } = parseArgs({ options: { cores: { type: 'string' }, 'kernel-dir': { type: 'string' } }, allowPositionals: true });
const targets = (values.cores ? values.cores.split(',') : COUNT_TARGETS) as CountTarget[];
for (const t of targets) if (!COUNT_TARGETS.includes(t)) throw new Error(`--cores: unknown '${t}' (known: ${COUNT_TARGETS.join(', ')})`);
const models = positionals.length ? positionals : HELD_OUT_MODELS;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : 0; };
const schedules = new Map(models.map((m) => [m, buildSchedule(buildZooModel(m))]));
const summary: Record<string, { modelErr: number[]; layerErr: number[] }> = {};

for (const target of targets) {
  const core = CORE_OF[target];
  const rows: (string | number)[][] = [];
  summary[core] = { modelErr: [], layerErr: [] };
  for (const m of models) {
    const s = schedules.get(m)!;
    const r = await countInstructions(s, { target, classes: true, kernelDir: values['kernel-dir'] });
    const est = estimateCycles(s, { name: core, core, clockHz: 1e8 });
    const derived = r.steps.reduce((n, st) => n + st.cycles!, 0);
    const err = (est.total - derived) / derived;
    const layerErr = r.steps.filter((st) => st.cycles! >= 0.01 * derived).map((st) => Math.abs(est.perStep[st.index] - st.cycles!) / st.cycles!);
    summary[core].modelErr.push(Math.abs(err));
    summary[core].layerErr.push(...layerErr);
    rows.push([m, s.macs.toLocaleString('en-US'), r.total.toLocaleString('en-US'), Math.round(derived).toLocaleString('en-US'), est.total.toLocaleString('en-US'),
      pct(err), pct(median(layerErr)), (r.total / s.macs).toFixed(2), (derived / s.macs).toFixed(2)]);
    process.stderr.write(`${core} ${m} done\n`);
  }
  console.log(`\n${core} (${COUNT_BOARDS[target].description}; emitted C, arm-none-eabi-gcc -mcpu=${core} -O2)`);
  console.log(table(['model', 'MACs', 'QEMU instructions (measured)', 'QEMU-derived cycles', 'model-estimated cycles', 'error', 'median layer |error| (layers >= 1%)', 'instr/MAC', 'derived cycles/MAC'], rows));
  console.log(`median |error| per model ${pct(median(summary[core].modelErr))} (target <= 10%); median |error| per layer ${pct(median(summary[core].layerErr))}, layers within 20%: ${summary[core].layerErr.filter((e) => e <= 0.2).length}/${summary[core].layerErr.length}`);
}

console.log('\nSummary (held-out zoo models; layers >= 1% of their model\'s QEMU-derived cycles):');
console.log(table(['core', 'median |error| per model', 'max |error| per model', 'median |error| per layer', 'layers within 20%'],
  Object.entries(summary).map(([core, x]) => [core, pct(median(x.modelErr)), pct(Math.max(...x.modelErr)), pct(median(x.layerErr)), `${x.layerErr.filter((e) => e <= 0.2).length}/${x.layerErr.length}`])));

console.log('\nOur ESTIMATED latency of the emitted C on stm32l4r5 (Cortex-M4, 120 MHz) beside published REAL-BOARD measurements of other engines (MLPerf Tiny, NUCLEO-L4R5ZI):');
const l4 = findDevice('stm32l4r5');
const anchors: Record<string, [number, number, number]> = { 'mlperf-ic': [704, 166, 168], 'mlperf-vww': [601, 89, 99], 'mlperf-kws': [182, 43, 48], 'mlperf-ad': [10.1, 4.8, 4.05] };
console.log(table(['model', 'mcusim estimate (ms)', 'TFLM reference (ms, board)', 'X-CUBE-AI 10.2 (ms, board)', 'Plumerai (ms, board)'],
  Object.entries(anchors).map(([m, [tflm, xcube, plumerai]]) => [m, estimateCycles(buildSchedule(buildZooModel(m)), l4).latencyMs.toFixed(1), tflm, xcube, plumerai])));
console.log('Published cycles/MAC on STM32F746 (Cortex-M7, real board): TinyEngine ~2.6, CMSIS-NN ~4.2.');
