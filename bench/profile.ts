// Per-step profile of one model's schedule in Node: times every step's kernel call over many repetitions (after the
// whole schedule ran once, so every step sees real data) and prints a table sorted by time, with the kernel, the
// output shape, MACs, ms per call and GMAC/s, then the whole inference through runSchedule for comparison.
// Usage: tsx bench/profile.ts MODEL [--device NAME] [--schedule layer|patch|auto] [--reps N] [--batches N] [--no-inplace]
//   MODEL: a .tflite path, a name in ../shared/models (person_detect), or a zoo model name.
// (after npm run build:asm)
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { table } from '../cli/format.ts';
import type { Graph } from '../models/ir.ts';
import { readTflite } from '../models/tflite/reader.ts';
import { buildZooModel } from '../models/zoo/index.ts';
import { runSchedule } from '../runtime/executor.ts';
import { fitReport } from '../runtime/fit.ts';
import { randomInputs } from '../runtime/inputs.ts';
import { kernelsModule } from '../runtime/kernels-node.ts';
import { Machine } from '../runtime/machine.ts';
import { buildSchedule, type ScheduleChoice, type Step } from '../runtime/schedule.ts';
import { findDevice } from '../simulator/devices.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { device: { type: 'string' }, schedule: { type: 'string', default: 'layer' }, reps: { type: 'string', default: '100' }, batches: { type: 'string', default: '15' }, 'no-inplace': { type: 'boolean' } },
});
const model = positionals[0] ?? 'person_detect';
const reps = Number(values.reps);
const batches = Number(values.batches);

function loadGraph(m: string): Graph {
  const shared = resolve(ROOT, '..', 'shared', 'models', `${m}.tflite`);
  const path = existsSync(m) ? m : existsSync(shared) ? shared : null;
  if (path) return readTflite(new Uint8Array(readFileSync(path)), basename(path, '.tflite'));
  return buildZooModel(m);
}

const graph = loadGraph(model);
const schedule = buildSchedule(graph, { schedule: values.schedule as ScheduleChoice, ...(values['no-inplace'] ? { inPlace: false } : {}) });
const big = { ...findDevice('stm32h743'), name: 'custom 16M/16M', sramBytes: 16 << 20, flashBytes: 16 << 20 };
const device = values.device ? findDevice(values.device) : fitReport(schedule, findDevice('stm32f412')).fits ? findDevice('stm32f412') : big;
const machine = await Machine.create(device, kernelsModule());
const inputs = randomInputs(graph, 1);
runSchedule(schedule, machine, inputs); // loads Flash and fills every tensor

const flashBase = machine.flashBase;
const now = () => performance.now();
function timeStep(step: Step): number {
  const fn = machine.kernel(step.kernel);
  const args = step.args.map((a) => (a.space === 'flash' ? flashBase + a.value : a.value));
  for (let i = 0; i < Math.max(3, reps / 10); i++) fn(...args);
  // Best of several batches: the least disturbed estimate of one call.
  let best = Infinity;
  for (let b = 0; b < batches; b++) {
    const t0 = now();
    for (let i = 0; i < reps; i++) fn(...args);
    best = Math.min(best, (now() - t0) / reps);
  }
  return best;
}

function shapeOf(step: Step): string {
  const t = step.outputs[0];
  if (t !== undefined) return graph.tensors[t].shape.join('x');
  const n = (name: string) => step.args.find((a) => a.name === name)?.value;
  const h = n('out_h'), w = n('out_w'), c = n('out_c');
  return h !== undefined && w !== undefined && c !== undefined ? `1x${h}x${w}x${c}` : '';
}

function inShapeOf(step: Step): string {
  const n = (name: string) => step.args.find((a) => a.name === name)?.value;
  const h = n('in_h'), w = n('in_w'), c = n('in_c');
  if (h !== undefined && w !== undefined && c !== undefined) return `${h}x${w}x${c}`;
  const t = step.inputs[0];
  return t !== undefined ? graph.tensors[t].shape.join('x') : '';
}

function kernelSize(step: Step): string {
  const n = (name: string) => step.args.find((a) => a.name === name)?.value;
  const kh = n('k_h'), kw = n('k_w'), sh = n('stride_h');
  return kh !== undefined && kw !== undefined ? `${kh}x${kw}${sh !== undefined ? `/${sh}` : ''}` : '';
}

const rows = schedule.steps.map((s) => ({ s, ms: timeStep(s) }));
const stepsMs = rows.reduce((a, r) => a + r.ms, 0);
rows.sort((a, b) => b.ms - a.ms);

const runReps = Math.max(20, Math.round(reps / 5));
for (let i = 0; i < 10; i++) runSchedule(schedule, machine, inputs);
let runBest = Infinity;
for (let b = 0; b < batches; b++) {
  const t0 = now();
  for (let i = 0; i < runReps; i++) runSchedule(schedule, machine, inputs);
  runBest = Math.min(runBest, (now() - t0) / runReps);
}

console.log(`profile of ${graph.name} (${schedule.kind} schedule, ${schedule.steps.length} steps, ${(schedule.macs / 1e6).toFixed(2)} MMACs) on ${device.name}, Node ${process.version}, best of ${batches} x ${reps} calls per step\n`);
console.log(table(['#', 'op', 'kernel', 'in', 'k/s', 'out', 'MACs', 'ms', '%', 'GMAC/s'], rows.map(({ s, ms }) => [
  s.index, s.op, s.kernel, inShapeOf(s), kernelSize(s), shapeOf(s), s.macs, ms.toFixed(4), (100 * ms / stepsMs).toFixed(1), s.macs ? (s.macs / ms / 1e6).toFixed(2) : '',
])));
console.log(`\nsum of steps ${stepsMs.toFixed(3)} ms; whole runSchedule ${runBest.toFixed(3)} ms (overhead ${(runBest - stepsMs).toFixed(3)} ms); ${(schedule.macs / runBest / 1e6).toFixed(2)} GMAC/s`);
