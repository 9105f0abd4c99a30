// Arena planning. The unit of placement is an item: one or more rectangles in (bytes x steps) that move together,
// each at a fixed offset inside the item. A plain tensor buffer is one rectangle over its lifetime; an in-place
// group (a depthwise output written over its input, a RESHAPE alias) is several rectangles at offset 0; a tensor
// released or filled row band by row band (the input image and the split tensor of a patch-based schedule) is one
// rectangle per band. Offsets are chosen for the whole network: several orders plus a seeded local search, never
// worse than TFLite Micro's greedy-by-size order, stopping early at the lower bound (max over steps of live bytes).

export interface Buffer {
  id: number;
  bytes: number;
  /** First and last step (inclusive) during which the bytes must stay intact. */
  first: number;
  last: number;
}

export interface Rect {
  /** Offset inside the item. */
  rel: number;
  bytes: number;
  first: number;
  last: number;
}

export interface Item {
  rects: Rect[];
}

export interface Placement {
  offsets: number[];
  arenaBytes: number;
}

export const ARENA_ALIGN = 4;

export const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

const asItem = (b: Buffer): Item => ({ rects: [{ rel: 0, bytes: b.bytes, first: b.first, last: b.last }] });

/** Max over steps of the bytes live at that step: no placement can use less. */
export function lowerBound(buffers: readonly Buffer[], steps: number): number {
  return Math.max(0, ...liveBytesPerStep(buffers, steps));
}

export function liveBytesPerStep(buffers: readonly Buffer[], steps: number): number[] {
  return itemLiveBytes(buffers.map(asItem), steps);
}

/**
 * Live bytes per step: for every item, the union of its rectangles alive at that step (an in-place output over
 * its input counts once).
 */
export function itemLiveBytes(items: readonly Item[], steps: number): number[] {
  const delta = new Array<number>(steps + 1).fill(0);
  const live = new Array<number>(steps).fill(0);
  for (const item of items) {
    if (item.rects.length === 1 || disjointInSpace(item)) {
      for (const r of item.rects) {
        delta[clampStep(r.first, steps)] += r.bytes;
        delta[clampStep(r.last, steps) + 1] -= r.bytes;
      }
      continue;
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of item.rects) { lo = Math.min(lo, r.first); hi = Math.max(hi, r.last); }
    for (let s = Math.max(0, lo); s <= Math.min(hi, steps - 1); s++) {
      const spans = item.rects.filter((r) => r.first <= s && s <= r.last).map((r) => [r.rel, r.rel + r.bytes]).sort((a, b) => a[0] - b[0]);
      let end = -Infinity;
      let n = 0;
      for (const [a, b] of spans) {
        if (b <= end) continue;
        n += b - Math.max(a, end);
        end = b;
      }
      live[s] += n;
    }
  }
  let acc = 0;
  for (let s = 0; s < steps; s++) live[s] += (acc += delta[s]);
  return live;
}

export function itemLowerBound(items: readonly Item[], steps: number): number {
  return Math.max(0, ...itemLiveBytes(items, steps));
}

const clampStep = (s: number, steps: number) => Math.max(0, Math.min(steps - 1, s));

function disjointInSpace(item: Item): boolean {
  const r = [...item.rects].sort((a, b) => a.rel - b.rel);
  for (let i = 1; i < r.length; i++) if (r[i].rel < r[i - 1].rel + r[i - 1].bytes) return false;
  return true;
}

/**
 * Place items in the given order, each at the lowest aligned offset where none of its rectangles shares a byte
 * with a rectangle of an already placed item alive at a common step (TFLite Micro's GreedyMemoryPlanner does this
 * for single rectangles in size-descending order).
 */
export function placeItemsInOrder(items: readonly Item[], order: readonly number[], steps: number): Placement {
  const offsets = new Array<number>(items.length).fill(-1);
  // Placed rectangles by step, as [absolute start, absolute end, stamp-owner] triples.
  const byStep: number[][] = Array.from({ length: Math.max(1, steps) }, () => []);
  const starts: number[] = [];
  const ends: number[] = [];
  const seen: number[] = [];
  let stamp = 0;
  let arenaBytes = 0;
  const lo: number[] = [];
  const hi: number[] = [];
  for (const i of order) {
    const item = items[i];
    lo.length = 0;
    hi.length = 0;
    for (const r of item.rects) {
      stamp++;
      for (let s = clampStep(r.first, steps); s <= clampStep(r.last, steps); s++) {
        for (const q of byStep[s]) {
          if (seen[q] === stamp) continue;
          seen[q] = stamp;
          // Forbidden offsets o: start - rel - bytes < o < end - rel.
          lo.push(starts[q] - r.rel - r.bytes);
          hi.push(ends[q] - r.rel);
        }
      }
    }
    // The lowest aligned offset inside no forbidden interval: jump past every interval the offset falls in until
    // a whole pass moves nothing (each jump skips only forbidden offsets, so any visiting order gives this minimum).
    let offset = 0;
    for (let moved = true; moved;) {
      moved = false;
      for (let k = 0; k < lo.length; k++) {
        if (lo[k] < offset && offset < hi[k]) { offset = alignUp(hi[k], ARENA_ALIGN); moved = true; }
      }
    }
    offsets[i] = offset;
    for (const r of item.rects) {
      const q = starts.length;
      starts.push(offset + r.rel);
      ends.push(offset + r.rel + r.bytes);
      seen.push(0);
      for (let s = clampStep(r.first, steps); s <= clampStep(r.last, steps); s++) byStep[s].push(q);
      arenaBytes = Math.max(arenaBytes, offset + r.rel + r.bytes);
    }
  }
  return { offsets, arenaBytes };
}

const itemBytes = (it: Item) => Math.max(...it.rects.map((r) => r.rel + r.bytes));
const itemFirst = (it: Item) => Math.min(...it.rects.map((r) => r.first));
const itemLast = (it: Item) => Math.max(...it.rects.map((r) => r.last));
const itemArea = (it: Item) => it.rects.reduce((n, r) => n + r.bytes * (r.last - r.first + 1), 0);

/** TFLite Micro's greedy-by-size order: largest first, ties by earlier first use. */
export function greedyOrder(items: readonly Item[]): number[] {
  const bytes = items.map(itemBytes);
  const first = items.map(itemFirst);
  return items.map((_, i) => i).sort((a, b) => bytes[b] - bytes[a] || first[a] - first[b] || a - b);
}

/** TFLite Micro's greedy-by-size planner: largest first, ties by earlier first use. */
export function greedyBySize(buffers: readonly Buffer[]): Placement {
  const items = buffers.map(asItem);
  const steps = Math.max(1, ...buffers.map((b) => b.last + 1));
  return placeItemsInOrder(items, greedyOrder(items), steps);
}

/** Kept for callers of the single-rectangle form. */
export function placeInOrder(buffers: readonly Buffer[], order: readonly number[]): Placement {
  const steps = Math.max(1, ...buffers.map((b) => b.last + 1));
  return placeItemsInOrder(buffers.map(asItem), order, steps);
}

/** Whole-network placement of plain buffers (one rectangle each). */
export function planArena(buffers: readonly Buffer[], steps: number, searchIterations = 200): Placement {
  return planItems(buffers.map(asItem), steps, { iterations: searchIterations });
}

export interface PlanOptions {
  /** Local-search iterations after the deterministic orders (default 200). */
  iterations?: number;
  /**
   * Work budget in item placements (default 100000): big programs get fewer iterations. A count, not a clock, so the
   * same program always gets the same plan.
   */
  work?: number;
  /** An optional wall-clock cap in milliseconds (none by default: it would make plans depend on machine load). */
  timeLimitMs?: number;
}

/**
 * Whole-network placement: several deterministic orders (greedy-by-size first, so the result is never worse than
 * TFLite Micro's), then a seeded local search over orders (swaps and moves, keeping equal-cost moves), stopping as
 * soon as the lower bound is reached.
 */
export function planItems(items: readonly Item[], steps: number, options: PlanOptions = {}): Placement {
  const iterations = Math.min(options.iterations ?? 200, Math.floor((options.work ?? 100000) / Math.max(1, items.length)));
  const deadline = options.timeLimitMs === undefined ? Infinity : Date.now() + options.timeLimitMs;
  const bound = itemLowerBound(items, steps);
  const ids = items.map((_, i) => i);
  // Orders (and their sort keys) are made only when the ones before have not reached the lower bound.
  let keys: { bytes: number[]; first: number[]; last: number[] } | undefined;
  const k = () => (keys ??= { bytes: items.map(itemBytes), first: items.map(itemFirst), last: items.map(itemLast) });
  const orders: (() => number[])[] = [
    () => greedyOrder(items),
    // Buffers live at the busiest step first: they decide the peak.
    () => { const pressure = peakPressure(items, steps); const { bytes } = k(); return [...ids].sort((a, b) => pressure[b] - pressure[a] || bytes[b] - bytes[a] || a - b); },
    () => { const { bytes, first } = k(); return [...ids].sort((a, b) => first[a] - first[b] || bytes[b] - bytes[a] || a - b); },
    () => { const area = items.map(itemArea); return [...ids].sort((a, b) => area[b] - area[a] || a - b); },
    () => { const { bytes, first, last } = k(); return [...ids].sort((a, b) => last[b] - first[b] - (last[a] - first[a]) || bytes[b] - bytes[a] || a - b); },
  ];
  let bestOrder = orders[0]();
  let best = placeItemsInOrder(items, bestOrder, steps);
  for (const make of orders.slice(1)) {
    if (best.arenaBytes <= bound) return best;
    const order = make();
    const p = placeItemsInOrder(items, order, steps);
    if (p.arenaBytes < best.arenaBytes) { best = p; bestOrder = order; }
  }
  let seed = 0x9e3779b9;
  const rand = (n: number) => { seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0; return seed % n; };
  let order = [...bestOrder];
  let cur = best;
  const top = items.map((it) => Math.max(...it.rects.map((r) => r.rel + r.bytes)));
  for (let it = 0; it < iterations && best.arenaBytes > bound && items.length > 1; it++) {
    if ((it & 7) === 7 && Date.now() > deadline) break;
    const cand = [...order];
    if (it % 3 === 2) {
      // Targeted: an item reaching the arena's top moves earlier in the order.
      const high = order.filter((k) => cur.offsets[k] + top[k] === cur.arenaBytes);
      const k = high[rand(high.length)];
      const from = cand.indexOf(k);
      if (from > 0) cand.splice(rand(from), 0, ...cand.splice(from, 1));
    } else {
      const i = rand(cand.length);
      const j = rand(cand.length);
      if (it & 1) [cand[i], cand[j]] = [cand[j], cand[i]];
      else cand.splice(j, 0, ...cand.splice(i, 1)); // move one item earlier or later
    }
    const p = placeItemsInOrder(items, cand, steps);
    // Equal moves are kept; a slightly worse one now and then lets the search leave a plateau.
    if (p.arenaBytes <= cur.arenaBytes || (it % 17 === 16 && p.arenaBytes <= best.arenaBytes * 1.02)) {
      order = cand;
      cur = p;
      if (p.arenaBytes < best.arenaBytes) best = p;
    }
  }
  return best;
}

function peakPressure(items: readonly Item[], steps: number): number[] {
  const live = itemLiveBytes(items, steps);
  return items.map((it) => {
    let p = 0;
    for (const r of it.rects) for (let s = clampStep(r.first, steps); s <= clampStep(r.last, steps); s++) p = Math.max(p, live[s]);
    return p;
  });
}
