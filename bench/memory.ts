// Memory-scheduling figures: our planned peak SRAM against published figures for the same architectures, plus the
// TFLite Micro greedy-by-size baseline and the lower bound for every zoo model. Every planned schedule goes
// through the independent plan checker. Run directly: npx tsx bench/memory.ts [--all]
// Units: KiB = 1024 B; the papers' "KB"/"kB" are read as 1000 B (the stricter reading of every target).
import { pathToFileURL } from 'node:url';
import { table } from '../cli/format.ts';
import type { Graph } from '../models/ir.ts';
import { buildZooArchitecture, zooNames } from '../models/zoo/index.ts';
import { bestPatchProgram } from '../runtime/patch.ts';
import { checkPlan } from '../runtime/plan-check.ts';
import { lowerGraph } from '../runtime/program.ts';
import { buildSchedule, type Schedule, type ScheduleChoice } from '../runtime/schedule.ts';

export interface MemoryRow {
  model: string;
  schedule: string;
  /** Planned arena (bytes); for the MCUNetV2-convention row, the arena without the input image. */
  peak: number;
  lowerBound: number;
  /** TFLite Micro's greedy-by-size planner on the plain layer-by-layer buffers. */
  greedy: number;
  overhead: number;
  detail: string;
  published: string;
  target: string;
  /** Target met (null: no target for this row). */
  met: boolean | null;
}

interface Target {
  model: string;
  schedule: ScheduleChoice;
  published: string;
  target: string;
  ok: (peak: number, overhead: number) => boolean;
  /** Plan the patch stage as MCUNetV2 counts it: input image outside SRAM (decoded patch by patch). */
  withoutInput?: boolean;
}

const KiB = 1024;
const kB = 1000;

export const TARGETS: Target[] = [
  { model: 'mbv2-w1.0-r224', schedule: 'layer', published: '1372 KiB (MCUNetV2 Tab. 1)', target: '= 1372 KiB', ok: (p) => p === 1372 * KiB },
  { model: 'mbv2-w1.0-r224', schedule: 'patch', published: '172 KiB (MCUNetV2, 4x4, no input image)', target: '<= 160 KiB, <= 20% MACs', ok: (p, o) => p <= 160 * KiB && o <= 0.2, withoutInput: true },
  { model: 'mbv2-w1.0-r224', schedule: 'patch', published: '172 KiB (MCUNetV2, 4x4, no input image)', target: '<= 160 KiB, <= 20% MACs', ok: (p, o) => p <= 160 * KiB && o <= 0.2 },
  { model: 'mbv2-w0.35-r64', schedule: 'auto', published: '65 KB TinyEngine, 211 KB TFLM (MCUNet Fig. 4)', target: '<= 60 KB', ok: (p) => p <= 60 * kB },
  { model: 'mbv2-w0.3-r64', schedule: 'auto', published: '61 kB TinyEngine, 173 kB TFLM (TinyEngine README)', target: '<= 56 kB', ok: (p) => p <= 56 * kB },
  { model: 'proxyless-w0.3-r64', schedule: 'auto', published: '35 kB TinyEngine, 128 kB TFLM; 41 KB (MCUNet)', target: '<= 33 kB', ok: (p) => p <= 33 * kB },
  { model: 'mlperf-vww', schedule: 'auto', published: '200 KB arena (TFLM reference firmware)', target: '<= 40 KB', ok: (p) => p <= 40 * kB },
];

const graphs = new Map<string, Graph>();
/** Shapes and operators only: planning needs no calibrated weights (the arena does not depend on them). */
function graph(name: string): Graph {
  if (!graphs.has(name)) graphs.set(name, buildZooArchitecture(name));
  return graphs.get(name)!;
}

function describe(s: Schedule): string {
  const m = s.summary;
  if (m.kind !== 'patch' || !m.split || !m.patches) return 'layer by layer, in-place depthwise';
  const tiles = m.tiles.length ? `, tiles ${m.tiles[0].tile.join('x')}..${m.tiles[m.tiles.length - 1].tile.join('x')}` : '';
  return `split '${m.split.name}' ${m.split.shape.slice(1, 3).join('x')}, ${m.patches.join('x')} patches${tiles}` + (m.fused.length ? `, ${m.fused.length} fused blocks` : '');
}

function targetRow(t: Target): MemoryRow {
  const g = graph(t.model);
  if (t.withoutInput) {
    const ops = lowerGraph(g);
    const best = bestPatchProgram(g, ops, { inPlace: true, excludeInputs: true, maxOverhead: 0.2, beat: Infinity, required: true })!;
    const p = best.plan;
    const split = g.tensors[p.split];
    return {
      model: t.model, schedule: 'patch, input image not in SRAM', peak: best.arena, lowerBound: NaN, greedy: NaN, overhead: p.overheadRatio,
      detail: `split '${split.name}' ${split.shape.slice(1, 3).join('x')}, ${p.grid}x${p.grid} patches` + (p.fused.length ? `, ${p.fused.length} fused blocks` : ''),
      published: t.published, target: t.target, met: t.ok(best.arena, p.overheadRatio),
    };
  }
  const s = buildSchedule(g, { schedule: t.schedule });
  checkPlan(s);
  return {
    model: t.model, schedule: s.kind + (t.schedule === 'auto' ? ' (auto)' : ''), peak: s.arenaBytes, lowerBound: s.lowerBound, greedy: s.greedyArenaBytes,
    overhead: s.summary.overheadRatio, detail: describe(s), published: t.published, target: t.target, met: t.ok(s.arenaBytes, s.summary.overheadRatio),
  };
}

/** Layer-by-layer and auto figures for every representative zoo model. */
function zooRows(names: string[]): MemoryRow[] {
  const rows: MemoryRow[] = [];
  for (const name of names) {
    for (const schedule of ['layer', 'auto'] as const) {
      const s = buildSchedule(graph(name), { schedule });
      checkPlan(s);
      rows.push({ model: name, schedule: s.kind + (schedule === 'auto' ? ' (auto)' : ''), peak: s.arenaBytes, lowerBound: s.lowerBound, greedy: s.greedyArenaBytes,
        overhead: s.summary.overheadRatio, detail: describe(s), published: '', target: '', met: null });
    }
  }
  return rows;
}

export function memoryRows(options: { zoo?: string[] } = {}): MemoryRow[] {
  return [...TARGETS.map(targetRow), ...zooRows(options.zoo ?? zooNames())];
}

const size = (b: number) => (Number.isNaN(b) ? '-' : `${b} B = ${(b / KiB).toFixed(1)} KiB = ${(b / kB).toFixed(1)} kB`);

export function formatMemoryRows(rows: MemoryRow[]): string {
  const targets = rows.filter((r) => r.met !== null);
  const zoo = rows.filter((r) => r.met === null);
  return [
    'Targets (KiB = 1024 B; the papers\' KB / kB read as 1000 B)',
    table(['model', 'schedule', 'our peak', 'extra MACs', 'published', 'target', 'met', 'lower bound', 'TFLM greedy', 'plan'],
      targets.map((r) => [r.model, r.schedule, size(r.peak), `${(100 * r.overhead).toFixed(1)}%`, r.published, r.target, r.met ? 'yes' : 'NO',
        Number.isNaN(r.lowerBound) ? '-' : r.lowerBound, Number.isNaN(r.greedy) ? '-' : r.greedy, r.detail])),
    '',
    'Zoo models: planned arena vs lower bound vs TFLite Micro greedy-by-size (bytes)',
    table(['model', 'schedule', 'arena', 'lower bound', 'TFLM greedy', 'arena / greedy', 'extra MACs', 'plan'],
      zoo.map((r) => [r.model, r.schedule, r.peak, r.lowerBound, r.greedy, `${((100 * r.peak) / r.greedy).toFixed(0)}%`, `${(100 * r.overhead).toFixed(1)}%`, r.detail])),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatMemoryRows(memoryRows()));
}
