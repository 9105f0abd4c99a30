// mcusim nas: TinyNAS for a device. Stage 1 picks the (width, resolution) space whose fitting subnets have the most
// MACs, stage 2 evolves the best subnets of that space; results go to --out DIR (grid, CDFs, top architectures).
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../runtime/errors.ts';
import { fitReport } from '../runtime/fit.ts';
import { buildSchedule, checkMaxOverhead, DEFAULT_MAX_OVERHEAD } from '../runtime/schedule.ts';
import type { Evaluation } from '../models/nas/evaluate.ts';
import { cycleModelLatency } from '../models/nas/latency.ts';
import { writeNasOutputs, summaryJson } from '../models/nas/report.ts';
import { ACCURACY_NOTE, runNas, type Candidate, type NasResult, type Progress } from '../models/nas/search.ts';
import { checkGrid, MCUNET_SPACE } from '../models/nas/space.ts';
import { buildSpecArchitecture } from '../models/nas/spec.ts';
import type { Device } from '../simulator/devices.ts';
import { kib, table } from './format.ts';
import { DEVICE_OPTIONS, deviceFrom, parse } from './options.ts';

function intFlag(name: string, text: string | undefined, fallback: number, lo: number, hi: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new UsageError(`mcusim nas: --${name} must be an integer from ${lo} to ${hi} (got '${text}')`);
  return n;
}

function listFlag(name: string, text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback;
  const xs = text.split(',').map((t) => t.trim()).filter(Boolean).map(Number);
  if (!xs.length || xs.some((x) => !Number.isFinite(x))) throw new UsageError(`mcusim nas: --${name} must be a comma-separated list of numbers (got '${text}')`);
  return [...new Set(xs)];
}

export async function nasCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('nas', argv, {
    ...DEVICE_OPTIONS,
    'max-latency-ms': { type: 'string' },
    'max-overhead': { type: 'string' },
    samples: { type: 'string' },
    generations: { type: 'string' },
    population: { type: 'string' },
    seed: { type: 'string' },
    workers: { type: 'string' },
    top: { type: 'string' },
    widths: { type: 'string' },
    resolutions: { type: 'string' },
    out: { type: 'string' },
  });
  if (positionals.length) throw new UsageError(`mcusim nas: unexpected argument '${positionals[0]}' (nas takes no MODEL; it searches one)`);
  const device = deviceFrom(values);
  let maxLatencyMs: number | undefined;
  if (values['max-latency-ms'] !== undefined) {
    maxLatencyMs = Number(values['max-latency-ms']);
    if (!(maxLatencyMs > 0) || !Number.isFinite(maxLatencyMs)) throw new UsageError(`mcusim nas: --max-latency-ms must be a positive number of milliseconds (got '${values['max-latency-ms']}')`);
  }
  const latency = maxLatencyMs !== undefined ? cycleModelLatency() : undefined;
  const maxOverhead = values['max-overhead'] === undefined ? DEFAULT_MAX_OVERHEAD : checkMaxOverhead(Number(values['max-overhead']));
  const samples = intFlag('samples', values.samples, 100, 1, 100000);
  const generations = intFlag('generations', values.generations, 30, 0, 10000);
  const population = intFlag('population', values.population, 40, 2, 10000);
  const seed = intFlag('seed', values.seed, 1, 0, 2 ** 31 - 1);
  const workers = intFlag('workers', values.workers, availableParallelism(), 1, 256);
  const top = intFlag('top', values.top, 5, 1, 100);
  const widths = listFlag('widths', values.widths, MCUNET_SPACE.widths);
  const resolutions = listFlag('resolutions', values.resolutions, MCUNET_SPACE.resolutions);
  checkGrid(widths, resolutions);
  const out = values.out ?? `nas-${device.name.replace(/[^A-Za-z0-9._-]/g, '_')}`;

  if (!values.json) {
    console.error(`mcusim nas: ${device.name} (${device.core}, ${device.clockHz / 1e6} MHz), SRAM ${kib(device.sramBytes)} (${kib(device.sramBytes - device.runtimeReserveBytes)} arena after the reserve), ` +
      `Flash ${kib(device.flashBytes)}${maxLatencyMs !== undefined ? `, latency <= ${maxLatencyMs} ms` : ''}; seed ${seed}, ${workers} worker${workers > 1 ? 's' : ''}`);
  }
  // With --json, stdout is the result; the bar still shows on an interactive stderr.
  const bar = progressBar(values.json && !process.stderr.isTTY ? null : process.stderr);
  const t0 = performance.now();
  const marks: Record<string, number> = {};
  const result = await runNas({
    device, seed, samples, population, generations, workers, maxOverhead, maxLatencyMs, latency, top,
    space: { ...MCUNET_SPACE, widths, resolutions },
    onProgress: (p) => {
      if (p.stage === 2 && marks.stage1 === undefined) marks.stage1 = (performance.now() - t0) / 1000;
      bar(p);
    },
  }).finally(() => bar(null));
  marks.stage1 ??= (performance.now() - t0) / 1000;
  marks.total = (performance.now() - t0) / 1000;
  verifyTop(result, device);
  const timing = { stage1Seconds: round(marks.stage1), stage2Seconds: round(marks.total - marks.stage1), totalSeconds: round(marks.total), candidatesPerSecond: Math.round(result.evaluated.total / marks.total) };
  const files = writeNasOutputs(out, result, timing);
  if (values.json) console.log(JSON.stringify(summaryJson(result, timing), null, 2));
  else console.log(formatNas(result, timing, out, files));
  return 0;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Independent of the search's own bookkeeping: the real schedule builder and fit report on every result. */
function verifyTop(r: NasResult, device: Device): void {
  for (const c of r.top) {
    const g = buildSpecArchitecture(c.spec);
    const s = c.evaluation.schedule!;
    const split = s.kind === 'patch' ? g.tensors.findIndex((t) => t.name === s.split && !t.data) : -1;
    const schedule = buildSchedule(g, s.kind === 'layer' ? { schedule: 'layer' } : { schedule: 'patch', split, patches: s.grid, maxOverhead: r.options.maxOverhead });
    const report = fitReport(schedule, device);
    if (!report.fits) throw new Error(`internal: nas result ${c.spec.name} does not fit ${device.name} by fit's planner (arena ${report.sram.peak} B, Flash ${report.flash.total} B)`);
  }
}

function scheduleText(e: Evaluation): string {
  const s = e.schedule;
  if (!s) return '-';
  return s.kind === 'layer' ? 'layer by layer' : `patch ${s.grid}x${s.grid} to block ${s.splitBlock} (+${(100 * s.overheadRatio).toFixed(1)}% MACs)`;
}

function blocksText(c: Candidate): string {
  return c.genome.blocks.map((st, i) => st.slice(0, c.genome.depths[i]).map((b) => `k${b.kernel}e${b.expand}`).join(' ')).join(' | ');
}

export function formatNas(r: NasResult, timing: Record<string, number>, out: string, files: string[]): string {
  const m = (x: number | null) => (x === null ? '-' : (x / 1e6).toFixed(1));
  const spaces = r.grid.length;
  const skipped = r.grid.filter((s) => s.skipped).length;
  const best = [...r.grid].filter((s) => s.satisfying > 0).sort((a, b) => Number(b.eligible) - Number(a.eligible) || b.meanMacs! - a.meanMacs!).slice(0, 10);
  const lines = [
    `stage 1: ${spaces} (width, resolution) spaces x ${r.options.samples} subnets: ${r.evaluated.stage1} candidates evaluated in ${timing.stage1Seconds} s` +
      (skipped ? ` (${skipped} spaces not sampled: even their smallest subnet needs more Flash than the device has)` : ''),
    table(['space', 'fit', 'patched', 'mean MMACs', 'p50', 'p80', 'max', ''], best.map((s) => [
      `w${s.width} r${s.resolution}`, `${s.satisfying}/${s.samples}`, s.patched, m(s.meanMacs), m(s.p50Macs), m(s.p80Macs), m(s.maxMacs),
      s.width === r.chosen.width && s.resolution === r.chosen.resolution ? 'chosen' : s.eligible ? '' : `< ${100 * 0.05}% fit`,
    ])),
    `chosen space w${r.chosen.width} r${r.chosen.resolution}: ${r.chosen.reason}`,
    '',
    `stage 2: evolution in w${r.chosen.width} r${r.chosen.resolution}, population ${r.options.population}, ${r.options.generations} generations, ${timing.stage2Seconds} s; ` +
      `best ${m(r.evolution[r.evolution.length - 1].bestMacs)}M MACs (generation 0: ${m(r.evolution[0].bestMacs)}M)`,
    `${r.evaluated.total} candidates evaluated in ${timing.totalSeconds} s (${timing.candidatesPerSecond}/s, stage 2: ${r.evaluated.stage2})`,
    '',
    `best architectures for ${r.device.name} (${ACCURACY_NOTE}):`,
    table(['file', 'MMACs', 'arena', 'Flash', 'schedule', 'blocks (kernel, expansion) per stage'], r.top.map((c, i) => [
      `top-${i + 1}.json`, m(c.evaluation.macs), kib(c.evaluation.arena), kib(c.evaluation.flash), scheduleText(c.evaluation), blocksText(c),
    ])),
    '',
    `wrote ${files.join(', ')} to ${out}`,
    `every command takes these files as MODEL, e.g. mcusim emit-c ${join(out, 'top-1.json')} --out DIR` +
      (r.top.some((c) => c.evaluation.schedule?.kind === 'patch') ? '; patch-based results fit with the patch or auto schedule (--schedule auto), not layer by layer' : ''),
  ];
  return lines.join('\n');
}

/** A one-line progress bar with rate and ETA on a TTY; a line per quarter otherwise. null ends it. */
function progressBar(stream: NodeJS.WriteStream | null): (p: Progress | null) => void {
  if (!stream) return () => {};
  const tty = stream.isTTY;
  let stage = 0;
  let start = 0;
  let lastDraw = 0;
  let lastQuarter = -1;
  return (p) => {
    if (p === null) {
      if (tty && stage) stream.write('\n');
      return;
    }
    const now = performance.now();
    if (p.stage !== stage) {
      if (tty && stage) stream.write('\n');
      stage = p.stage;
      start = now;
      lastQuarter = -1;
    }
    const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
    const secs = (now - start) / 1000;
    const rate = secs > 0.2 ? p.done / secs : 0;
    const eta = rate > 0 ? Math.max(0, (p.total - p.done) / rate) : NaN;
    const label = `stage ${p.stage}/2 ${p.stage === 1 ? 'space search' : 'evolution'}`;
    const text = `${label} ${Math.min(p.done, p.total)}/${p.total} candidates, ${rate > 0 ? `${rate.toFixed(0)}/s` : '?/s'}, ETA ${Number.isNaN(eta) ? '?' : `${eta.toFixed(0)} s`}`;
    if (tty) {
      if (now - lastDraw < 100 && frac < 1) return;
      lastDraw = now;
      const width = 28;
      const n = Math.round(frac * width);
      stream.write(`\r[${'#'.repeat(n)}${'.'.repeat(width - n)}] ${text}\x1b[K`);
    } else {
      const q = Math.floor(frac * 4);
      if (q > lastQuarter) {
        lastQuarter = q;
        console.error(`mcusim nas: ${text}`);
      }
    }
  };
}
