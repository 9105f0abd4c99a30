// mcusim fit MODEL: plan without running; report per-step memory, SRAM and Flash against the device, and the verdict.
import { loadModel, DEFAULT_MODEL } from '../models/load.ts';
import { fitReport, type FitReport } from '../runtime/fit.ts';
import type { Graph } from '../models/ir.ts';
import { UsageError } from '../runtime/errors.ts';
import { buildSchedule, type Schedule, type ScheduleSummary } from '../runtime/schedule.ts';
import type { Device } from '../simulator/devices.ts';
import { scheduleFromFlags, SCHEDULE_CLI_OPTIONS } from './emit-c.ts';
import { kib, table } from './format.ts';
import { CYCLE_OPTIONS, cycleSection } from './cycles.ts';
import { DEVICE_OPTIONS, deviceFrom, onePositional, parse } from './options.ts';

/** --schedule and --max-overhead, plus --split TENSOR and --patches N to force a patch schedule. */
export const FIT_SCHEDULE_OPTIONS = {
  ...SCHEDULE_CLI_OPTIONS,
  split: { type: 'string' },
  patches: { type: 'string' },
} as const;

export function scheduleFor(command: string, graph: Graph, v: { schedule?: string; 'max-overhead'?: string; split?: string; patches?: string }): Schedule {
  if (v.split === undefined && v.patches === undefined) return scheduleFromFlags(command, graph, v);
  if (v.split === undefined) throw new UsageError(`mcusim ${command}: --patches needs --split TENSOR (the tensor the patch stage ends at)`);
  if (v.schedule !== undefined && v.schedule !== 'patch' && v.schedule !== 'auto') throw new UsageError(`mcusim ${command}: --split forces a patch schedule; it cannot go with --schedule ${v.schedule}`);
  const split = graph.tensors.findIndex((t) => t.name === v.split);
  if (split < 0) throw new UsageError(`mcusim ${command}: --split: model '${graph.name}' has no tensor named '${v.split}'`);
  const patches = v.patches === undefined ? 2 : Number(v.patches);
  if (!Number.isInteger(patches)) throw new UsageError(`mcusim ${command}: --patches must be an integer (got '${v.patches}')`);
  const maxOverhead = v['max-overhead'] === undefined ? undefined : Number(v['max-overhead']);
  return buildSchedule(graph, { schedule: 'patch', split, patches, ...(maxOverhead !== undefined ? { maxOverhead } : {}) });
}

export function fitCommand(argv: string[]): number {
  const { values, positionals } = parse('fit', argv, { ...DEVICE_OPTIONS, ...FIT_SCHEDULE_OPTIONS, ...CYCLE_OPTIONS });
  const device = deviceFrom(values);
  const graph = loadModel(onePositional('fit', positionals, DEFAULT_MODEL));
  const schedule = scheduleFor('fit', graph, values);
  const report = fitReport(schedule, device);
  const cycles = cycleSection(schedule, device, values);
  console.log(values.json ? JSON.stringify({ ...report, ...cycles.json }, null, 2) : `${formatFit(report, device)}\n\n${cycles.text}`);
  return report.fits ? cycles.exitCode : 1;
}

/** One bar for a step: live bytes as '█', the rest of the arena in use up to the high water as '░', the remainder '·'. */
export function memoryBar(live: number, high: number, max: number, width = 24): string {
  const cells = (v: number) => (max > 0 ? Math.min(width, Math.round((v / max) * width)) : 0);
  const l = cells(live);
  const h = Math.max(l, cells(high));
  return '█'.repeat(l) + '░'.repeat(h - l) + '·'.repeat(width - h);
}

/** Steps of one patch fold into one row (their maxima); every other step is its own row. */
function stepRows(r: FitReport, scale: number, patchOf: (i: number) => number | undefined): (string | number)[][] {
  const rows: (string | number)[][] = [];
  let i = 0;
  while (i < r.steps.length) {
    const p = patchOf(i);
    if (p === undefined) {
      const s = r.steps[i];
      rows.push([s.index, s.op, s.name, s.kernel, s.liveBytes, s.arenaHighWater, s.macs, memoryBar(s.liveBytes, s.arenaHighWater, scale)]);
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < r.steps.length && patchOf(j + 1) === p) j++;
    const group = r.steps.slice(i, j + 1);
    const live = Math.max(...group.map((s) => s.liveBytes));
    const high = Math.max(...group.map((s) => s.arenaHighWater));
    rows.push([`${i}-${j}`, 'patch', `patch ${p} (${group.length} steps)`, [...new Set(group.map((s) => s.kernel))].join(','),
      live, high, group.reduce((n, s) => n + s.macs, 0), memoryBar(live, high, scale)]);
    i = j + 1;
  }
  return rows;
}

export function scheduleLines(s: ScheduleSummary): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [`schedule: ${s.kind}` + (s.reason ? ` (${s.reason})` : '')];
  if (s.kind === 'patch' && s.split && s.patches) {
    lines.push(`  split after operator ${s.split.op} '${s.split.name}' [${s.split.shape}], ${s.patches[0]}x${s.patches[1]} patches, ` +
      `extra MACs ${s.overheadMacs.toLocaleString('en-US')} (${pct(s.overheadRatio)})`);
    lines.push(`  peak ${s.peakBefore} B layer by layer -> ${s.peakAfter} B patch-based`);
    const first = s.tiles[0];
    const last = s.tiles[s.tiles.length - 1];
    if (first && last) lines.push(`  largest tiles with halo: ${first.op} ${first.tile.join('x')} of ${first.whole.join('x')} ... ${last.op} ${last.tile.join('x')} of ${last.whole.join('x')}`);
  }
  if (s.fused.length) lines.push(`  fused inverted-residual blocks (one expanded channel at a time): ${s.fused.join(', ')}`);
  return lines;
}

export function formatFit(r: FitReport, device: Device): string {
  const patches = (i: number) => r.steps[i].patch;
  const steps = table(['step', 'op', 'name', 'kernel', 'live B', 'high water B', 'MACs', `live █, arena in use ░ (of ${kib(r.sram.peak)})`], stepRows(r, r.sram.peak, patches));
  const verdict = (ok: boolean) => (ok ? 'fits' : 'DOES NOT FIT');
  return [
    `model ${r.model} on ${device.name} (${device.core}, ${device.clockHz / 1e6} MHz, SRAM ${kib(device.sramBytes)}, Flash ${kib(device.flashBytes)})`,
    ...scheduleLines(r.schedule),
    '',
    steps,
    '',
    table(['SRAM', 'bytes', ''], [
      ['arena peak (planned)', r.sram.peak, kib(r.sram.peak)],
      ['lower bound (max live)', r.sram.lowerBound, kib(r.sram.lowerBound)],
      ['greedy-by-size baseline', r.sram.greedyBaseline, kib(r.sram.greedyBaseline)],
      ['runtime reserve', r.sram.reserve, kib(r.sram.reserve)],
      ['total needed', r.sram.peak + r.sram.reserve, kib(r.sram.peak + r.sram.reserve)],
      ['device SRAM', r.sram.budget, `${kib(r.sram.budget)}  ${verdict(r.sram.fits)}`],
    ]),
    '',
    table(['Flash', 'bytes', ''], [
      ['constants (weights, biases, requant)', r.flash.weights, kib(r.flash.weights)],
      ['kernel code (estimate)', r.flash.code, kib(r.flash.code)],
      ['total needed', r.flash.total, kib(r.flash.total)],
      ['device Flash', r.flash.budget, `${kib(r.flash.budget)}  ${verdict(r.flash.fits)}`],
    ]),
    '',
    `MACs ${r.macs.toLocaleString('en-US')}`,
    `verdict: ${r.fits ? 'FITS' : 'DOES NOT FIT'} ${device.name}`,
  ].join('\n');
}
