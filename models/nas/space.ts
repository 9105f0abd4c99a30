// TinyNAS's search space (MCUNet, Lin et al. 2020; MnasNet/ProxylessNAS-style): a 3x3 stride-2 stem, a first
// MBConv1 block, then six stages of inverted-residual blocks; every block picks its depthwise kernel from {3, 5, 7}
// and its expansion ratio from {3, 4, 6}, every stage its depth from a range; a global width multiplier scales all
// channels (make_divisible by 8, as MCUNet's OFA supernet does) and the input resolution is a second global
// knob. A (width, resolution) pair is one "space" of stage 1; a genome is one subnet of a space plus its patch gene
// (MCUNetV2's joint search of the patch schedule).
import { makeDivisible } from '../zoo/mobilenet.ts';
import { UsageError } from '../../runtime/errors.ts';
import { SPEC_FORMAT, type ArchSpec } from './spec.ts';

export interface StageDef {
  /** Output channels at width 1.0. */
  channels: number;
  /** Stride of the stage's first block. */
  stride: 1 | 2;
  /** Depth range (inclusive). */
  depth: [number, number];
}

export interface SearchSpace {
  stemChannels: number;
  firstBlockChannels: number;
  stages: StageDef[];
  kernels: number[];
  expands: number[];
  /** 1x1 feature-mix layer channels (not width-scaled), or null: MCUNet's ImageNet models have none. */
  head: number | null;
  classes: number;
  widths: number[];
  resolutions: number[];
  /** Patch gene: grids from 2 to maxGrid, split offset 0..maxSplitOffset blocks after the earliest feasible split. */
  maxGrid: number;
  maxSplitOffset: number;
}

/**
 * Stage widths and strides of ProxylessNAS / MCUNet's "proxyless" base setting ([32, 16, 24, 40, 80, 96, 192, 320]),
 * depths {2, 3, 4} per stage as OFA's depth list (the last stage one block), kernels and expansions as MCUNet.
 */
export const MCUNET_SPACE: SearchSpace = {
  stemChannels: 32,
  firstBlockChannels: 16,
  stages: [
    { channels: 24, stride: 2, depth: [2, 4] },
    { channels: 40, stride: 2, depth: [2, 4] },
    { channels: 80, stride: 2, depth: [2, 4] },
    { channels: 96, stride: 1, depth: [2, 4] },
    { channels: 192, stride: 2, depth: [2, 4] },
    { channels: 320, stride: 1, depth: [1, 1] },
  ],
  kernels: [3, 5, 7],
  expands: [3, 4, 6],
  head: null,
  classes: 1000,
  widths: [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
  resolutions: [48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224],
  maxGrid: 8,
  maxSplitOffset: 3,
};

export interface BlockGene { kernel: number; expand: number }

export interface Genome {
  width: number;
  resolution: number;
  depths: number[];
  /** Per stage, genes for the maximum depth; only the first depths[s] are active (OFA-style). */
  blocks: BlockGene[][];
  /** Patch schedule gene, used when layer by layer does not fit. */
  patch: { grid: number; splitOffset: number };
}

/** A deterministic 32-bit generator for the search (mulberry32); state is a plain number so it can be saved. */
export class SearchRng {
  constructor(public state: number) {
    this.state = state >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
}

export function sampleGenome(space: SearchSpace, width: number, resolution: number, rng: SearchRng): Genome {
  return {
    width,
    resolution,
    depths: space.stages.map((s) => rng.int(s.depth[0], s.depth[1])),
    blocks: space.stages.map((s) => Array.from({ length: s.depth[1] }, () => ({ kernel: rng.pick(space.kernels), expand: rng.pick(space.expands) }))),
    patch: { grid: rng.int(2, space.maxGrid), splitOffset: rng.int(0, space.maxSplitOffset) },
  };
}

/** The smallest subnet of a space: minimum depths, smallest kernels and expansions. */
export function smallestGenome(space: SearchSpace, width: number, resolution: number): Genome {
  const kernel = Math.min(...space.kernels);
  const expand = Math.min(...space.expands);
  return {
    width, resolution,
    depths: space.stages.map((s) => s.depth[0]),
    blocks: space.stages.map((s) => Array.from({ length: s.depth[1] }, () => ({ kernel, expand }))),
    patch: { grid: 2, splitOffset: 0 },
  };
}

/** Changes each gene with probability p (width and resolution stay: stage 2 searches inside one space). */
export function mutate(space: SearchSpace, g: Genome, p: number, rng: SearchRng): Genome {
  const out = cloneGenome(g);
  out.depths = out.depths.map((d, s) => (rng.next() < p ? rng.int(space.stages[s].depth[0], space.stages[s].depth[1]) : d));
  for (const stage of out.blocks) {
    for (const b of stage) {
      if (rng.next() < p) b.kernel = rng.pick(space.kernels);
      if (rng.next() < p) b.expand = rng.pick(space.expands);
    }
  }
  if (rng.next() < p) out.patch.grid = rng.int(2, space.maxGrid);
  if (rng.next() < p) out.patch.splitOffset = rng.int(0, space.maxSplitOffset);
  return out;
}

/** Uniform crossover: every gene from one of the two parents. */
export function crossover(a: Genome, b: Genome, rng: SearchRng): Genome {
  const from = () => (rng.next() < 0.5 ? a : b);
  return {
    width: a.width,
    resolution: a.resolution,
    depths: a.depths.map((_, s) => from().depths[s]),
    blocks: a.blocks.map((stage, s) => stage.map((_, i) => ({ ...from().blocks[s][i] }))),
    patch: { grid: from().patch.grid, splitOffset: from().patch.splitOffset },
  };
}

export function cloneGenome(g: Genome): Genome {
  return { width: g.width, resolution: g.resolution, depths: [...g.depths], blocks: g.blocks.map((s) => s.map((b) => ({ ...b }))), patch: { ...g.patch } };
}

/** A stable text key of the active architecture (inactive block genes do not count). */
export function architectureKey(g: Genome): string {
  const stages = g.blocks.map((s, i) => s.slice(0, g.depths[i]).map((b) => `${b.kernel}${b.expand}`).join('.')).join('|');
  return `w${g.width}r${g.resolution}|${stages}`;
}

/** The architecture and the patch gene (for caching and de-duplication). */
export function genomeKey(g: Genome): string {
  return `${architectureKey(g)}|p${g.patch.grid}o${g.patch.splitOffset}`;
}

export const channelsAt = (c: number, width: number) => makeDivisible(c * width, 8);

export function genomeToSpec(space: SearchSpace, g: Genome, name: string): ArchSpec {
  const blocks: ArchSpec['blocks'] = [{ kernel: 3, expand: 1, channels: channelsAt(space.firstBlockChannels, g.width), stride: 1 }];
  space.stages.forEach((st, s) => {
    for (let i = 0; i < g.depths[s]; i++) {
      const b = g.blocks[s][i];
      blocks.push({ kernel: b.kernel, expand: b.expand, channels: channelsAt(st.channels, g.width), stride: i === 0 ? st.stride : 1 });
    }
  });
  return {
    format: SPEC_FORMAT,
    name,
    resolution: g.resolution,
    inputChannels: 3,
    classes: space.classes,
    stem: { channels: channelsAt(space.stemChannels, g.width), kernel: 3, stride: 2 },
    blocks,
    head: space.head === null ? null : { channels: space.head },
  };
}

/** The grid of stage 1, restricted by optional lists. */
export function checkGrid(widths: number[], resolutions: number[]): void {
  for (const w of widths) if (!(w > 0 && w <= 2)) throw new UsageError(`mcusim nas: width multipliers must be in (0, 2], got ${w}`);
  for (const r of resolutions) if (!Number.isInteger(r) || r < 16 || r > 512) throw new UsageError(`mcusim nas: resolutions must be integers from 16 to 512, got ${r}`);
  if (!widths.length || !resolutions.length) throw new UsageError('mcusim nas: the (width, resolution) grid is empty');
}
