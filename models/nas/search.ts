// TinyNAS's two stages (MCUNet, Lin et al. 2020) on mcusim's planner.
// Stage 1, search-space optimisation: for every (width, resolution) pair of the grid, sample subnets, keep those
// that fit the device (SRAM by the planner with patch-based inference allowed, Flash with code), and compare the
// distributions of their MACs. The chosen space is the one whose satisfying subnets have the largest mean MACs
// (MCUNet's "higher FLOPs, higher accuracy" heuristic), among spaces where at least MIN_SATISFYING_FRACTION of the
// samples fit (a space where almost nothing fits is a poor place to search, and its mean rests on few samples).
// Stage 2, evolutionary search in that space (as OFA's / MCUNet's evolution finder: population, top parents,
// mutation and crossover), maximising MACs subject to SRAM, Flash and an optional latency limit; the patch
// schedule (split point, grid) is part of each genome. MACs are an accuracy proxy, not an accuracy: nothing here
// is trained, so no accuracy is ever reported.
import { hashString } from '../rng.ts';
import type { Device } from '../../simulator/devices.ts';
import { FitError } from '../../runtime/errors.ts';
import { buildSchedule, DEFAULT_MAX_OVERHEAD } from '../../runtime/schedule.ts';
import { fitReport } from '../../runtime/fit.ts';
import { deviceBudget, flashLowerBound, type Budget, type Evaluation, type LatencyEstimator, type ScheduleResult, type Task } from './evaluate.ts';
import { createEvaluator, type Evaluator } from './pool.ts';
import {
  architectureKey, crossover, genomeKey, genomeToSpec, MCUNET_SPACE, mutate, sampleGenome, SearchRng, smallestGenome,
  type Genome, type SearchSpace,
} from './space.ts';
import { buildSpecArchitecture, type ArchSpec } from './spec.ts';

export const MIN_SATISFYING_FRACTION = 0.05;
export const ACCURACY_NOTE = 'accuracy not measured: these networks are untrained; MACs are the search\'s accuracy proxy (MCUNet\'s "more FLOPs, more accuracy" heuristic), not an accuracy';

export interface NasOptions {
  device: Device;
  seed: number;
  /** Subnets sampled per (width, resolution) space in stage 1. */
  samples: number;
  population: number;
  generations: number;
  workers: number;
  maxOverhead?: number;
  maxLatencyMs?: number;
  /** Latency in ms for a schedule (the cycle model); required with maxLatencyMs. */
  latency?: LatencyEstimator;
  space?: SearchSpace;
  /** How many distinct best architectures to return. */
  top?: number;
  onProgress?: (p: Progress) => void;
}

export interface Progress { stage: 1 | 2; done: number; total: number; note?: string }

export interface SpaceStats {
  width: number;
  resolution: number;
  samples: number;
  satisfying: number;
  /** MACs of the satisfying subnets, ascending (the empirical CDF). */
  macs: number[];
  meanMacs: number | null;
  p50Macs: number | null;
  p80Macs: number | null;
  maxMacs: number | null;
  /** Satisfying subnets that needed the patch-based schedule. */
  patched: number;
  eligible: boolean;
  /** Why the space was not sampled (no subnet of it can fit). */
  skipped?: string;
}

export interface Candidate { genome: Genome; spec: ArchSpec; evaluation: Evaluation }

export interface GenerationStats { generation: number; evaluated: number; feasible: number; bestMacs: number; meanMacs: number }

export interface NasResult {
  device: Device;
  budget: Budget;
  options: { seed: number; samples: number; population: number; generations: number; maxOverhead: number; maxLatencyMs: number | null };
  grid: SpaceStats[];
  chosen: { width: number; resolution: number; reason: string };
  evolution: GenerationStats[];
  top: Candidate[];
  /** Evaluations run (distinct candidates; a borderline one refined later counts twice). */
  evaluated: { stage1: number; stage2: number; total: number };
  /** Smallest SRAM (arena) and Flash figures met among all candidates, for the "nothing fits" message. */
  smallest: { arena: number; arenaPlanned: boolean; arenaAt: string; flash: number; flashExact: boolean; flashAt: string };
}

const PARENT_RATIO = 0.25;
const MUTATION_RATIO = 0.5;
const MUTATE_PROB = 0.1;
const REFILL_ROUNDS = 6;

function quantile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const overheadOf = (e: Evaluation) => (e.schedule?.kind === 'patch' ? e.schedule.overheadRatio : 0);

/** Best first: more MACs, less arena, less Flash, less patch overhead, then the genome key (total and deterministic). */
export function compareCandidates(a: Candidate, b: Candidate): number {
  const ea = a.evaluation;
  const eb = b.evaluation;
  return eb.macs - ea.macs || ea.arena - eb.arena || ea.flash - eb.flash || overheadOf(ea) - overheadOf(eb)
    || (genomeKey(a.genome) < genomeKey(b.genome) ? -1 : genomeKey(a.genome) > genomeKey(b.genome) ? 1 : 0);
}

export async function runNas(o: NasOptions): Promise<NasResult> {
  const space = o.space ?? MCUNET_SPACE;
  const maxOverhead = o.maxOverhead ?? DEFAULT_MAX_OVERHEAD;
  const budget = deviceBudget(o.device, maxOverhead, o.maxLatencyMs);
  if (o.maxLatencyMs !== undefined && !o.latency) throw new Error('internal: a latency limit needs a latency estimator');
  const evaluator = createEvaluator({ budget, device: o.device, workers: o.workers, latency: o.latency });
  const cache = new Map<string, Evaluation>();
  let evaluated = 0;
  const smallest = { arena: Infinity, arenaPlanned: false, arenaAt: '', flash: Infinity, flashExact: true, flashAt: '' };
  let smallestSpec: ArchSpec | null = null;
  const describe = (g: Genome, e: Evaluation) => `w${g.width} r${g.resolution}, ${(e.macs / 1e6).toFixed(1)}M MACs` +
    (e.schedule?.kind === 'patch' ? `, patch-based` : e.schedule ? ', layer by layer' : '');

  /**
   * Evaluates genomes (cached by genome key), in order. refine: run the planner's local search on borderline plans
   * (a cached borderline result is re-evaluated when refine is asked for).
   */
  const evaluate = async (genomes: Genome[], stage: 1 | 2, base: number, total: number, refine: boolean): Promise<Candidate[]> => {
    const fresh: { key: string; task: Task }[] = [];
    const keys = genomes.map((g) => genomeKey(g));
    const pending = new Set<string>();
    genomes.forEach((g, i) => {
      const known = cache.get(keys[i]);
      if ((known && !(refine && known.borderline)) || pending.has(keys[i])) return;
      pending.add(keys[i]);
      fresh.push({ key: keys[i], task: { spec: genomeToSpec(space, g, 'candidate'), patch: g.patch, refine } });
    });
    const results = await evaluator.run(fresh.map((f) => f.task), (done) => o.onProgress?.({ stage, done: base + done, total }));
    fresh.forEach((f, i) => cache.set(f.key, results[i]));
    evaluated += fresh.length;
    return genomes.map((g, i) => {
      const e = cache.get(keys[i])!;
      if (e.arena < smallest.arena || (e.arena === smallest.arena && e.planned && !smallest.arenaPlanned)) {
        Object.assign(smallest, { arena: e.arena, arenaPlanned: e.planned, arenaAt: describe(g, e) });
        smallestSpec = genomeToSpec(space, g, 'smallest');
      }
      if (e.flash < smallest.flash) Object.assign(smallest, { flash: e.flash, flashExact: true, flashAt: describe(g, e) });
      return { genome: g, spec: genomeToSpec(space, g, 'candidate'), evaluation: e };
    });
  };

  try {
    // Stage 1.
    const pairs = space.widths.flatMap((width) => space.resolutions.map((resolution) => ({ width, resolution })));
    // A space whose smallest subnet already needs more Flash than the device has holds no fitting subnet at all.
    const flashBound = pairs.map(({ width, resolution }) => flashLowerBound(genomeToSpec(space, smallestGenome(space, width, resolution), 'smallest')));
    flashBound.forEach((f, i) => {
      if (f > budget.flashBytes && f < smallest.flash) Object.assign(smallest, { flash: f, flashExact: false, flashAt: `w${pairs[i].width} r${pairs[i].resolution}, smallest subnet` });
    });
    const skipped = flashBound.map((f) => f > budget.flashBytes);
    const total1 = skipped.filter((x) => !x).length * o.samples;
    const sampled: Genome[][] = pairs.map(({ width, resolution }, i) => {
      if (skipped[i]) return [];
      const rng = new SearchRng(hashString(`${o.seed}|stage1|w${width}|r${resolution}`));
      return Array.from({ length: o.samples }, () => sampleGenome(space, width, resolution, rng));
    });
    const all = await evaluate(sampled.flat(), 1, 0, total1, false);
    const stage1Evaluated = evaluated;
    const perSpace: Candidate[][] = [];
    let at = 0;
    for (const g of sampled) { perSpace.push(all.slice(at, at + g.length)); at += g.length; }
    const grid: SpaceStats[] = pairs.map(({ width, resolution }, i) => {
      const ok = perSpace[i].filter((c) => c.evaluation.fits);
      const macs = ok.map((c) => c.evaluation.macs).sort((a, b) => a - b);
      const mean = macs.length ? macs.reduce((a, b) => a + b, 0) / macs.length : null;
      return {
        width, resolution, samples: o.samples, satisfying: ok.length, macs,
        meanMacs: mean, p50Macs: quantile(macs, 0.5), p80Macs: quantile(macs, 0.8), maxMacs: macs.length ? macs[macs.length - 1] : null,
        patched: ok.filter((c) => c.evaluation.schedule?.kind === 'patch').length,
        eligible: ok.length > 0 && ok.length >= MIN_SATISFYING_FRACTION * o.samples,
        ...(skipped[i] ? { skipped: `its smallest subnet needs at least ${flashBound[i]} B of Flash` } : {}),
      };
    });
    const ranked = grid.map((s, i) => ({ s, i })).filter(({ s }) => s.satisfying > 0)
      .sort((a, b) => Number(b.s.eligible) - Number(a.s.eligible) || b.s.meanMacs! - a.s.meanMacs! || b.s.satisfying - a.s.satisfying || a.i - b.i);
    if (!ranked.length) {
      // Plan the smallest candidate in full (the auto schedule, as fit would) for the message.
      if (smallestSpec && !smallest.arenaPlanned) {
        const report = fitReport(buildSchedule(buildSpecArchitecture(smallestSpec), { schedule: 'auto', maxOverhead }), o.device);
        Object.assign(smallest, { arena: report.sram.peak, arenaPlanned: true });
      }
      throw nothingFits(o.device, budget, evaluated, pairs.length, smallest);
    }
    const pick = ranked[0];
    const reason = pick.s.eligible
      ? `largest mean MACs of satisfying subnets (${(pick.s.meanMacs! / 1e6).toFixed(1)}M, ${pick.s.satisfying}/${pick.s.samples} fit) among spaces where at least ${100 * MIN_SATISFYING_FRACTION}% of samples fit`
      : `no space has ${100 * MIN_SATISFYING_FRACTION}% of samples fitting; largest mean MACs among spaces with any (${pick.s.satisfying}/${pick.s.samples} fit)`;
    const { width, resolution } = pick.s;

    // Stage 2.
    const rng = new SearchRng(hashString(`${o.seed}|stage2`));
    const P = Math.max(2, o.population);
    const total2 = P * (o.generations + 1);
    let done2 = 0;
    const progress2 = (n: number) => { done2 += n; };
    const unique = (cs: Candidate[]) => {
      const seen = new Set<string>();
      return cs.filter((c) => { const k = genomeKey(c.genome); if (seen.has(k)) return false; seen.add(k); return true; });
    };
    let population = unique(perSpace[pick.i].filter((c) => c.evaluation.fits)).sort(compareCandidates).slice(0, P);
    for (let round = 0; population.length < P && round < REFILL_ROUNDS; round++) {
      const fresh = await evaluate(Array.from({ length: P }, () => sampleGenome(space, width, resolution, rng)), 2, done2, total2, true);
      population = unique([...population, ...fresh.filter((c) => c.evaluation.fits)]).sort(compareCandidates).slice(0, P);
    }
    progress2(P);
    const evolution: GenerationStats[] = [{ generation: 0, evaluated, feasible: population.length, bestMacs: population[0].evaluation.macs, meanMacs: mean(population) }];
    for (let gen = 1; gen <= o.generations; gen++) {
      const parents = population.slice(0, Math.max(1, Math.ceil(P * PARENT_RATIO)));
      const want = P - parents.length;
      const nMutate = Math.round(P * MUTATION_RATIO);
      let children: Candidate[] = [];
      for (let round = 0; children.length < want && round < REFILL_ROUNDS; round++) {
        const need = want - children.length;
        const genomes = Array.from({ length: need }, (_, k) => {
          if (children.length + k < nMutate || parents.length < 2) return mutate(space, rng.pick(parents).genome, MUTATE_PROB, rng);
          const a = rng.pick(parents).genome;
          const b = rng.pick(parents).genome;
          return crossover(a, b, rng);
        });
        // The planner's local search only for borderline children that would enter the population.
        const evaluatedChildren = await evaluate(genomes, 2, done2, total2, false);
        const feasible = evaluatedChildren.filter((c) => c.evaluation.fits);
        const ranked = [...population, ...children, ...feasible].map((c) => c.evaluation.macs).sort((x, y) => y - x);
        const threshold = ranked.length >= P ? ranked[P - 1] : -1;
        const promising = evaluatedChildren.filter((c) => c.evaluation.borderline && c.evaluation.macs > threshold).map((c) => c.genome);
        const refined = promising.length ? await evaluate(promising, 2, done2, total2, true) : [];
        children = [...children, ...feasible, ...refined.filter((c) => c.evaluation.fits)];
      }
      population = unique([...parents, ...children, ...population]).sort(compareCandidates).slice(0, P);
      progress2(P);
      o.onProgress?.({ stage: 2, done: done2, total: total2 });
      evolution.push({ generation: gen, evaluated, feasible: population.length, bestMacs: population[0].evaluation.macs, meanMacs: mean(population) });
    }
    // Distinct architectures (the population may hold one architecture under several patch genes).
    const seenArch = new Set<string>();
    const distinct = population.filter((c) => { const k = architectureKey(c.genome); if (seenArch.has(k)) return false; seenArch.add(k); return true; });
    const top = distinct.slice(0, Math.max(1, o.top ?? 5)).map((c, i) => ({ ...c, spec: { ...genomeToSpec(space, c.genome, `nas-${o.device.name}-${i + 1}`.replace(/[^A-Za-z0-9._-]/g, '_')) } }));
    return {
      device: o.device, budget,
      options: { seed: o.seed, samples: o.samples, population: P, generations: o.generations, maxOverhead, maxLatencyMs: o.maxLatencyMs ?? null },
      grid, chosen: { width, resolution, reason }, evolution, top, evaluated: { stage1: stage1Evaluated, stage2: evaluated - stage1Evaluated, total: evaluated }, smallest,
    };
  } finally {
    await evaluator.close();
  }
}

function mean(cs: Candidate[]): number {
  return cs.reduce((n, c) => n + c.evaluation.macs, 0) / Math.max(1, cs.length);
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

function nothingFits(device: Device, budget: Budget, evaluated: number, spaces: number, s: NasResult['smallest']): FitError {
  const sram = s.arena === Infinity ? 'not measured (no space passed the Flash bound)' : `${s.arenaPlanned ? '' : 'at least '}${kib(s.arena)} arena + ${kib(device.runtimeReserveBytes)} reserve (${s.arenaAt})`;
  return new FitError(`no sampled subnet fits ${device.name} (SRAM ${kib(device.sramBytes)}, ${kib(budget.arenaBytes)} for the arena after the reserve; Flash ${kib(device.flashBytes)}` +
    `${budget.maxLatencyMs !== undefined ? `; latency <= ${budget.maxLatencyMs} ms` : ''}): across ${evaluated} candidates in ${spaces} (width, resolution) spaces ` +
    `the smallest SRAM need found was ${sram} and the smallest Flash ${s.flashExact ? '' : 'at least '}${kib(s.flash)} (${s.flashAt}); ` +
    'use a device with more memory, or a grid of smaller widths and resolutions (--widths, --resolutions)');
}

export type { ScheduleResult };
