// What `mcusim nas` writes: the stage-1 grid, the CDFs of satisfying subnets' MACs (CSV and an SVG plot), the
// evolution, and the best architectures as specs every other command accepts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { McusimError } from '../../runtime/errors.ts';
import { ACCURACY_NOTE, type Candidate, type NasResult, type SpaceStats } from './search.ts';
import type { ArchSpec } from './spec.ts';

const mm = (macs: number | null) => (macs === null ? '' : (macs / 1e6).toFixed(3));
const isChosen = (r: NasResult, s: SpaceStats) => s.width === r.chosen.width && s.resolution === r.chosen.resolution;

export function gridCsv(r: NasResult): string {
  const rows = r.grid.map((s) => [s.width, s.resolution, s.samples, s.satisfying, (s.satisfying / s.samples).toFixed(4), s.patched,
    mm(s.meanMacs), mm(s.p50Macs), mm(s.p80Macs), mm(s.maxMacs), s.eligible ? 1 : 0, isChosen(r, s) ? 1 : 0, s.skipped ? `not sampled: ${s.skipped}` : ''].join(','));
  return ['width,resolution,samples,satisfying,fraction,patched,mean_mmacs,p50_mmacs,p80_mmacs,max_mmacs,eligible,chosen,note', ...rows].join('\n') + '\n';
}

export function cdfCsv(r: NasResult): string {
  const rows: string[] = [];
  for (const s of r.grid) s.macs.forEach((m, i) => rows.push(`${s.width},${s.resolution},${mm(m)},${((i + 1) / s.macs.length).toFixed(4)}`));
  return ['width,resolution,mmacs,cdf', ...rows].join('\n') + '\n';
}

export function evolutionCsv(r: NasResult): string {
  return ['generation,evaluated,feasible,best_mmacs,mean_mmacs', ...r.evolution.map((g) => `${g.generation},${g.evaluated},${g.feasible},${mm(g.bestMacs)},${mm(g.meanMacs)}`)].join('\n') + '\n';
}

/** A spec as JSON text, one line per block. */
export function formatSpec(spec: ArchSpec): string {
  return JSON.stringify(spec, null, 2).replace(/\{\n\s+("kernel": [^\n]+),\n\s+("expand": [^\n]+),\n\s+("channels": [^\n]+),\n\s+("stride": [^\n]+)\n\s+\}/g, '{ $1, $2, $3, $4 }') + '\n';
}

/** What a returned architecture's spec records about the search (informative; loading ignores it). */
export function topSpec(r: NasResult, c: Candidate, rank: number): ArchSpec {
  const e = c.evaluation;
  return {
    ...c.spec,
    search: {
      rank,
      device: r.device.name,
      seed: r.options.seed,
      space: { width: c.genome.width, resolution: c.genome.resolution },
      macs: e.macs,
      arenaBytes: e.arena,
      flashBytes: e.flash,
      constantsBytes: e.constants,
      schedule: e.schedule,
      ...(e.latencyMs !== undefined ? { latencyMs: e.latencyMs } : {}),
      accuracy: ACCURACY_NOTE,
    },
  };
}

export function summaryJson(r: NasResult, timing: Record<string, number>): unknown {
  return {
    device: r.device,
    budget: r.budget,
    options: r.options,
    accuracy: ACCURACY_NOTE,
    chosen: r.chosen,
    top: r.top.map((c, i) => ({ file: `top-${i + 1}.json`, name: c.spec.name, macs: c.evaluation.macs, arenaBytes: c.evaluation.arena, flashBytes: c.evaluation.flash, schedule: c.evaluation.schedule, ...(c.evaluation.latencyMs !== undefined ? { latencyMs: c.evaluation.latencyMs } : {}) })),
    grid: r.grid.map(({ macs, ...s }) => s),
    evolution: r.evolution,
    evaluated: r.evaluated,
    timing,
  };
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Step CDFs of the satisfying subnets' MACs for the best spaces (by mean MACs), the chosen one drawn thick. */
export function cdfSvg(r: NasResult, maxCurves = 8): string {
  const spaces = r.grid.filter((s) => s.satisfying > 0)
    .sort((a, b) => Number(isChosen(r, b)) - Number(isChosen(r, a)) || Number(b.eligible) - Number(a.eligible) || b.meanMacs! - a.meanMacs!)
    .slice(0, maxCurves);
  const W = 760, H = 460, L = 64, R = 190, T = 40, B = 56;
  const pw = W - L - R, ph = H - T - B;
  const xmax = niceCeil(Math.max(1, ...spaces.map((s) => s.maxMacs! / 1e6)));
  const x = (m: number) => L + (pw * m) / xmax;
  const y = (f: number) => T + ph * (1 - f);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="22" font-size="14">CDF of MACs of subnets that fit ${esc(r.device.name)} (stage 1, ${r.options.samples} samples per space)</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const xv = (xmax * i) / 5;
    out.push(`<line x1="${x(xv)}" y1="${T}" x2="${x(xv)}" y2="${T + ph}" stroke="#e5e5e5"/>`, `<text x="${x(xv)}" y="${T + ph + 18}" text-anchor="middle">${+xv.toFixed(1)}</text>`);
    const yv = i / 5;
    out.push(`<line x1="${L}" y1="${y(yv)}" x2="${L + pw}" y2="${y(yv)}" stroke="#e5e5e5"/>`, `<text x="${L - 8}" y="${y(yv) + 4}" text-anchor="end">${yv.toFixed(1)}</text>`);
  }
  out.push(`<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    `<text x="${L + pw / 2}" y="${H - 14}" text-anchor="middle">MACs (millions)</text>`,
    `<text transform="translate(18 ${T + ph / 2}) rotate(-90)" text-anchor="middle">cumulative fraction of satisfying subnets</text>`);
  spaces.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const pts: string[] = [`${x(s.macs[0] / 1e6).toFixed(1)},${y(0).toFixed(1)}`];
    s.macs.forEach((m, k) => {
      const px = x(m / 1e6).toFixed(1);
      pts.push(`${px},${y(k / s.macs.length).toFixed(1)}`, `${px},${y((k + 1) / s.macs.length).toFixed(1)}`);
    });
    const chosen = isChosen(r, s);
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="${chosen ? 3 : 1.5}" points="${pts.join(' ')}"/>`);
    const ly = T + 8 + i * 20;
    out.push(`<line x1="${L + pw + 14}" y1="${ly}" x2="${L + pw + 40}" y2="${ly}" stroke="${color}" stroke-width="${chosen ? 3 : 1.5}"/>`,
      `<text x="${L + pw + 46}" y="${ly + 4}">w${s.width} r${s.resolution} (${s.satisfying}/${s.samples})${chosen ? ' chosen' : ''}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** Writes every output file into `dir` (created if needed); returns the file names. */
export function writeNasOutputs(dir: string, r: NasResult, timing: Record<string, number>): string[] {
  const files = new Map<string, string>([
    ['grid.csv', gridCsv(r)],
    ['cdf.csv', cdfCsv(r)],
    ['cdf.svg', cdfSvg(r)],
    ['evolution.csv', evolutionCsv(r)],
    ...r.top.map((c, i): [string, string] => [`top-${i + 1}.json`, formatSpec(topSpec(r, c, i + 1))]),
    ['summary.json', JSON.stringify(summaryJson(r, timing), null, 2) + '\n'],
  ]);
  try {
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of files) writeFileSync(join(dir, name), text);
  } catch (e) {
    throw new McusimError(`cannot write nas results to ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return [...files.keys()];
}
