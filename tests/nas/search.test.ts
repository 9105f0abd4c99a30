// mcusim nas: results checked independently of the search (fresh, calibrated models through the real schedule
// builder and fit report), determinism, stage 1 following the device, constraints and bad input.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadModel } from '../../models/load.ts';
import { deviceBudget, evaluateSpec, type LatencyEstimator } from '../../models/nas/evaluate.ts';
import { cycleModelLatency } from '../../models/nas/latency.ts';
import { formatSpec } from '../../models/nas/report.ts';
import { runNas, type NasOptions, type NasResult } from '../../models/nas/search.ts';
import { genomeToSpec, MCUNET_SPACE, sampleGenome, SearchRng } from '../../models/nas/space.ts';
import { buildSpecArchitecture } from '../../models/nas/spec.ts';
import { fitReport } from '../../runtime/fit.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { findDevice, type Device } from '../../simulator/devices.ts';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'mcusim-nas-'));
const f412 = findDevice('stm32f412');
const h743 = findDevice('stm32h743');

/** A small search: a 2 x 2 grid of small spaces, a few samples and generations. */
const small = (device: Device, extra: Partial<NasOptions> = {}): NasOptions => ({
  device, seed: 7, samples: 12, population: 8, generations: 3, workers: 1, top: 2,
  space: { ...MCUNET_SPACE, widths: [0.3, 0.4], resolutions: [96, 128] }, ...extra,
});

/** Everything a run decides (timings excluded). */
const decided = (r: NasResult) => JSON.stringify({ grid: r.grid, chosen: r.chosen, evolution: r.evolution, top: r.top, evaluated: r.evaluated });

let first: NasResult;

test('every returned architecture fits by fit on the same device: fresh calibrated model, auto and recorded schedule', async () => {
  first = await runNas(small(f412));
  assert.ok(first.top.length >= 1);
  for (const c of first.top) {
    const path = join(dir, `${c.spec.name}.json`);
    // Through the spec file, as a user would: written by the CLI's writer, read by loadModel, calibrated.
    writeFileSync(path, formatSpec(c.spec));
    const g = loadModel(path);
    const auto = fitReport(buildSchedule(g, { schedule: 'auto' }), f412);
    assert.ok(auto.fits, `${c.spec.name}: auto schedule needs ${auto.sram.peak} B arena, ${auto.flash.total} B Flash`);
    const s = c.evaluation.schedule!;
    const recorded = s.kind === 'layer'
      ? buildSchedule(g, { schedule: 'layer' })
      : buildSchedule(g, { schedule: 'patch', split: g.tensors.findIndex((t) => t.name === s.split && !t.data), patches: s.grid });
    const r = fitReport(recorded, f412);
    assert.ok(r.fits, `${c.spec.name}: recorded ${s.kind} schedule needs ${r.sram.peak} B`);
    // The search's figures are conservative bounds of fit's.
    assert.ok(c.evaluation.arena >= r.sram.peak, `arena ${c.evaluation.arena} < fit's ${r.sram.peak}`);
    assert.ok(c.evaluation.flash >= r.flash.total, `Flash ${c.evaluation.flash} < fit's ${r.flash.total}`);
    assert.is(c.evaluation.macs, r.macs - (s.kind === 'patch' ? recorded.summary.overheadMacs : 0));
  }
});

test('the same seed gives the same result, in this thread and with two worker threads', async () => {
  const again = await runNas(small(f412));
  assert.is(decided(again), decided(first));
  const pooled = await runNas(small(f412, { workers: 2 }));
  assert.is(decided(pooled), decided(first));
  const other = await runNas(small(f412, { seed: 8 }));
  assert.is.not(decided(other), decided(first));
});

test('stage 1 picks a larger space for a larger device', async () => {
  const grid = { ...MCUNET_SPACE, widths: [0.3, 0.5, 0.7, 0.9], resolutions: [96, 144, 192] };
  const opts = { samples: 10, generations: 0, population: 4, space: grid };
  const a = await runNas(small(f412, opts));
  const b = await runNas(small(h743, opts));
  const size = (r: NasResult) => r.chosen.width * r.chosen.resolution ** 2;
  const mean = (r: NasResult) => r.grid.find((s) => s.width === r.chosen.width && s.resolution === r.chosen.resolution)!.meanMacs!;
  assert.ok(size(b) > size(a), `h743 chose w${b.chosen.width} r${b.chosen.resolution}, f412 w${a.chosen.width} r${a.chosen.resolution}`);
  assert.ok(mean(b) > mean(a));
  // More SRAM and Flash: at least as many subnets fit in every space.
  a.grid.forEach((s, i) => assert.ok(b.grid[i].satisfying >= s.satisfying, `w${s.width} r${s.resolution}`));
});

test('a latency limit is respected (test estimator: the schedule\'s MACs at 1 MAC per cycle, not a cycle model)', async () => {
  const macsPerMs: LatencyEstimator = (s, d) => (s.macs / d.clockHz) * 1000;
  const free = first.top[0].evaluation.macs;
  const limit = (0.6 * free / f412.clockHz) * 1000;
  const r = await runNas(small(f412, { maxLatencyMs: limit, latency: macsPerMs }));
  for (const c of r.top) {
    assert.ok(c.evaluation.latencyMs !== undefined && c.evaluation.latencyMs <= limit, `${c.evaluation.latencyMs} ms > ${limit} ms`);
  }
  assert.ok(r.top[0].evaluation.macs < free);
});

test('--max-latency-ms uses the cycle model: every returned architecture is estimated within the limit', async () => {
  const latency = cycleModelLatency();
  const free = await runNas(small(f412, { latency, maxLatencyMs: 1e9 }));
  const limit = 0.7 * free.top[0].evaluation.latencyMs!;
  const bound = await runNas(small(f412, { latency, maxLatencyMs: limit }));
  assert.ok(bound.top.length >= 1);
  for (const c of bound.top) assert.ok(c.evaluation.latencyMs! <= limit, `${c.evaluation.latencyMs} ms > ${limit} ms`);
  assert.ok(bound.top[0].evaluation.latencyMs! < free.top[0].evaluation.latencyMs!);
});

test('impossible constraints: a clear message with the smallest footprint found (exit 1)', async () => {
  const r = await runCli('nas', '--sram', '8K', '--workers', '1', '--samples', '4', '--widths', '0.2,0.3', '--resolutions', '48,64', '--out', join(dir, 'none'));
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /FitError: no sampled subnet fits custom\(stm32f412\)/);
  assert.match(r.stderr, /the smallest SRAM need found was \d+\.\d KiB arena \+ 4\.0 KiB reserve \(w0\.2 r48, /);
  assert.match(r.stderr, /smallest Flash \d+\.\d KiB/);
});

test('the CLI writes the grid, CDFs, plot, evolution and top specs, and never prints an accuracy', async () => {
  const out = join(dir, 'cli');
  const r = await runCli('nas', '--workers', '1', '--samples', '8', '--generations', '2', '--population', '6', '--top', '2',
    '--widths', '0.3,0.4', '--resolutions', '96,128', '--seed', '3', '--out', out);
  assert.is(r.code, 0, r.stderr);
  for (const f of ['grid.csv', 'cdf.csv', 'cdf.svg', 'evolution.csv', 'top-1.json', 'summary.json']) assert.ok(existsSync(join(out, f)), f);
  const grid = readFileSync(join(out, 'grid.csv'), 'utf8').trim().split('\n');
  assert.is(grid.length, 1 + 4);
  assert.is(grid.filter((l) => l.split(',')[11] === '1').length, 1);
  assert.match(readFileSync(join(out, 'cdf.svg'), 'utf8'), /^<svg [^]*<polyline [^]*<\/svg>\n$/);
  assert.match(r.stdout, /accuracy not measured/);
  assert.not.match(r.stdout + r.stderr, /accuracy[^\n]*\d+(\.\d+)?\s*%/i);
  const spec = JSON.parse(readFileSync(join(out, 'top-1.json'), 'utf8'));
  assert.match(spec.search.accuracy, /not measured/);
  const fit = await runCli('fit', join(out, 'top-1.json'), '--json');
  assert.is(JSON.parse(fit.stdout).model, spec.name);
  const bad = await runCli('nas', '--samples', '0');
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--samples must be an integer from 1/);
});

test('the installed binary runs the search on worker threads from any directory', () => {
  const bin = fileURLToPath(new URL('../../bin/mcusim.js', import.meta.url));
  const out = join(dir, 'bin');
  const stdout = execFileSync(process.execPath, [bin, 'nas', '--workers', '2', '--samples', '6', '--generations', '1', '--population', '4',
    '--widths', '0.3', '--resolutions', '96,128', '--out', out], { cwd: tmpdir(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.match(stdout, /best architectures for stm32f412/);
  assert.ok(existsSync(join(out, 'top-1.json')));
});

test('evaluation: conservative against buildSchedule on random subnets, and borderline refinement only lowers arenas', () => {
  const rng = new SearchRng(11);
  const budget = deviceBudget(f412);
  for (let i = 0; i < 6; i++) {
    const g = sampleGenome(MCUNET_SPACE, 0.5, 144, rng);
    const spec = genomeToSpec(MCUNET_SPACE, g, `rand${i}`);
    const fast = evaluateSpec(spec, budget, { patch: g.patch, refine: false });
    const e = evaluateSpec(spec, budget, { patch: g.patch });
    assert.ok(e.arena <= fast.arena || !e.planned);
    if (fast.fits) assert.equal(e, fast);
    if (!e.schedule) continue;
    const graph = buildSpecArchitecture(spec);
    const s = e.schedule;
    const sched = s.kind === 'layer' ? buildSchedule(graph, { schedule: 'layer' })
      : buildSchedule(graph, { schedule: 'patch', split: graph.tensors.findIndex((t) => t.name === s.split && !t.data), patches: s.grid });
    assert.ok(e.arena >= sched.arenaBytes, `${spec.name}: ${e.arena} < ${sched.arenaBytes}`);
    assert.ok(e.flash >= fitReport(sched, f412).flash.total);
  }
});

test.run();
