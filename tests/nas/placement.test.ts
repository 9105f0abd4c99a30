// The planner's placement, which the search calls tens of thousands of times, against a brute-force reference
// written from its definition: each item, in order, at the lowest 4-byte-aligned offset where none of its
// rectangles shares a byte with a rectangle of an already placed item alive at a common step.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { greedyOrder, itemLowerBound, placeItemsInOrder, planItems, type Item } from '../../runtime/planner.ts';
import { Rng } from '../helpers/rng.ts';

function reference(items: Item[], order: number[]): { offsets: number[]; arenaBytes: number } {
  const placed: { start: number; end: number; first: number; last: number }[] = [];
  const offsets = items.map(() => -1);
  let arena = 0;
  for (const i of order) {
    let o = 0;
    const clash = (off: number) => items[i].rects.some((r) => placed.some((p) =>
      p.first <= r.last && r.first <= p.last && off + r.rel < p.end && p.start < off + r.rel + r.bytes));
    while (clash(o)) o += 4;
    offsets[i] = o;
    for (const r of items[i].rects) {
      placed.push({ start: o + r.rel, end: o + r.rel + r.bytes, first: r.first, last: r.last });
      arena = Math.max(arena, o + r.rel + r.bytes);
    }
  }
  return { offsets, arenaBytes: arena };
}

function randomItems(rng: Rng, n: number, steps: number): Item[] {
  return Array.from({ length: n }, () => {
    const k = rng.int(1, 3);
    let rel = 0;
    return {
      rects: Array.from({ length: k }, () => {
        const first = rng.int(0, steps - 1);
        const r = { rel, bytes: rng.int(1, 64), first, last: rng.int(first, Math.min(steps - 1, first + rng.int(0, 6))) };
        rel += rng.int(0, 1) ? r.bytes : 0; // bands side by side, or rectangles stacked at one offset (in place)
        return r;
      }),
    };
  });
}

test('placeItemsInOrder gives the lowest free aligned offset for every item (random items and orders)', () => {
  const rng = new Rng(2024);
  for (let c = 0; c < 400; c++) {
    const steps = rng.int(1, 12);
    const items = randomItems(rng, rng.int(1, 24), steps);
    const order = items.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) { const j = rng.int(0, i); [order[i], order[j]] = [order[j], order[i]]; }
    for (const o of [order, greedyOrder(items)]) assert.equal(placeItemsInOrder(items, o, steps), reference(items, o), `case ${c}`);
  }
});

test('planItems: a valid placement, never worse than the greedy order, never below the lower bound', () => {
  const rng = new Rng(7);
  for (let c = 0; c < 100; c++) {
    const steps = rng.int(2, 10);
    const items = randomItems(rng, rng.int(2, 20), steps);
    const p = planItems(items, steps, { iterations: 30, timeLimitMs: Number.MAX_SAFE_INTEGER });
    const rects = items.flatMap((it, i) => it.rects.map((r) => ({ i, start: p.offsets[i] + r.rel, end: p.offsets[i] + r.rel + r.bytes, first: r.first, last: r.last })));
    for (const a of rects) {
      assert.ok(p.offsets[a.i] % 4 === 0 && a.end <= p.arenaBytes);
      for (const b of rects) {
        if (a.i === b.i) continue;
        assert.not.ok(a.first <= b.last && b.first <= a.last && a.start < b.end && b.start < a.end, `case ${c}: items ${a.i} and ${b.i} overlap`);
      }
    }
    assert.ok(p.arenaBytes <= reference(items, greedyOrder(items)).arenaBytes);
    assert.ok(p.arenaBytes >= itemLowerBound(items, steps));
  }
});

test.run();
