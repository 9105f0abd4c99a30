// Arena planning: lifetimes of every activation buffer over the step order, then offsets for all of them.
// Several placement orders are tried and the smallest arena wins; TFLite Micro's greedy-by-size order is
// always among them, so the result is never worse than that baseline.

export interface Buffer {
  id: number;
  bytes: number;
  /** First and last step (inclusive) during which the bytes must stay intact. */
  first: number;
  last: number;
}

export interface Placement {
  offsets: number[];
  arenaBytes: number;
}

export const ARENA_ALIGN = 4;

export const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** Max over steps of the bytes live at that step: no placement can use less. */
export function lowerBound(buffers: readonly Buffer[], steps: number): number {
  return Math.max(0, ...liveBytesPerStep(buffers, steps));
}

export function liveBytesPerStep(buffers: readonly Buffer[], steps: number): number[] {
  const delta = new Array<number>(steps + 1).fill(0);
  for (const b of buffers) {
    delta[b.first] += b.bytes;
    delta[b.last + 1] -= b.bytes;
  }
  const live: number[] = [];
  let acc = 0;
  for (let s = 0; s < steps; s++) live.push((acc += delta[s]));
  return live;
}

const overlaps = (a: Buffer, b: Buffer) => a.first <= b.last && b.first <= a.last;

/**
 * Place buffers in the given order, each at the lowest offset that clears every already-placed buffer
 * whose lifetime overlaps it (TFLite Micro's GreedyMemoryPlanner does this with size-descending order).
 */
export function placeInOrder(buffers: readonly Buffer[], order: readonly number[]): Placement {
  const offsets = new Array<number>(buffers.length).fill(-1);
  const placed: number[] = [];
  let arenaBytes = 0;
  for (const i of order) {
    const b = buffers[i];
    const blocking = placed.filter((j) => overlaps(buffers[j], b)).sort((p, q) => offsets[p] - offsets[q]);
    let offset = 0;
    for (const j of blocking) {
      if (offset + b.bytes <= offsets[j]) break;
      offset = Math.max(offset, alignUp(offsets[j] + buffers[j].bytes, ARENA_ALIGN));
    }
    offsets[i] = offset;
    placed.push(i);
    arenaBytes = Math.max(arenaBytes, offset + b.bytes);
  }
  return { offsets, arenaBytes };
}

/** TFLite Micro's greedy-by-size planner: largest first, ties by earlier first use. */
export function greedyBySize(buffers: readonly Buffer[]): Placement {
  const order = buffers.map((_, i) => i).sort((a, b) => buffers[b].bytes - buffers[a].bytes || buffers[a].first - buffers[b].first);
  return placeInOrder(buffers, order);
}

/**
 * Whole-network placement: several deterministic orders plus a seeded local search over orders,
 * stopping early when the lower bound is reached.
 */
export function planArena(buffers: readonly Buffer[], steps: number, searchIterations = 200): Placement {
  const bound = lowerBound(buffers, steps);
  const ids = buffers.map((_, i) => i);
  const orders: number[][] = [
    [...ids].sort((a, b) => buffers[b].bytes - buffers[a].bytes || buffers[a].first - buffers[b].first),
    [...ids].sort((a, b) => buffers[a].first - buffers[b].first || buffers[b].bytes - buffers[a].bytes),
    [...ids].sort((a, b) => area(buffers[b]) - area(buffers[a])),
    [...ids].sort((a, b) => buffers[b].last - buffers[b].first - (buffers[a].last - buffers[a].first) || buffers[b].bytes - buffers[a].bytes),
    // Buffers live at the busiest step first: they decide the peak.
    byPeakPressure(buffers, steps),
  ];
  let best = placeInOrder(buffers, orders[0]);
  let bestOrder = orders[0];
  for (const order of orders.slice(1)) {
    if (best.arenaBytes <= bound) return best;
    const p = placeInOrder(buffers, order);
    if (p.arenaBytes < best.arenaBytes) { best = p; bestOrder = order; }
  }
  // Local search: swap two entries of the best order; keep improvements and equal moves.
  let seed = 0x9e3779b9;
  const rand = (n: number) => { seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0; return seed % n; };
  let order = [...bestOrder];
  for (let it = 0; it < searchIterations && best.arenaBytes > bound && buffers.length > 1; it++) {
    const cand = [...order];
    const i = rand(cand.length);
    const j = rand(cand.length);
    [cand[i], cand[j]] = [cand[j], cand[i]];
    const p = placeInOrder(buffers, cand);
    if (p.arenaBytes <= best.arenaBytes) {
      order = cand;
      if (p.arenaBytes < best.arenaBytes) best = p;
    }
  }
  return best;
}

const area = (b: Buffer) => b.bytes * (b.last - b.first + 1);

function byPeakPressure(buffers: readonly Buffer[], steps: number): number[] {
  const live = liveBytesPerStep(buffers, steps);
  const pressure = (b: Buffer) => Math.max(...live.slice(b.first, b.last + 1));
  return buffers.map((_, i) => i).sort((a, b) => pressure(buffers[b]) - pressure(buffers[a]) || buffers[b].bytes - buffers[a].bytes);
}
