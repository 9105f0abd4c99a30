// The plan checker accepts what the planner produces and rejects broken plans: overlapping live buffers, writes
// over what a step reads without a declared in-place relation, broken in-place contracts, short scratch, regions
// outside the arena, kernels writing beyond their declared spans, clobbered outputs, steps out of order.
// Also the planner's item placement on random multi-rectangle items, checked by a separate overlap test.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildZooArchitecture } from '../../models/zoo/index.ts';
import { checkPlan, PlanCheckError } from '../../runtime/plan-check.ts';
import { itemLiveBytes, itemLowerBound, planItems, greedyOrder, placeItemsInOrder, type Item } from '../../runtime/planner.ts';
import { buildSchedule, type Schedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { convChain } from '../helpers/graphs.ts';
import { Rng } from '../helpers/rng.ts';

const clone = (s: Schedule): Schedule => structuredClone(s);

/** Moves buffer b (and every pointer and span of it) to a new offset. */
function moveBuffer(s: Schedule, b: number, to: number): void {
  const from = s.buffers[b].offset;
  const d = to - from;
  s.buffers[b].offset = to;
  for (const st of s.steps) {
    const mine = [...st.access.reads, ...st.access.writes].filter((a) => a.buffer === b);
    if (!mine.length) continue;
    for (const arg of st.args) if (arg.space === 'arena' && arg.value >= from && arg.value < from + s.buffers[b].bytes) arg.value += d;
    for (const a of mine) a.offset += d;
    for (const w of st.writes) if (w.offset >= from && w.offset < from + s.buffers[b].bytes) w.offset += d;
    if (st.scratch && st.scratch.offset >= from && st.scratch.offset < from + s.buffers[b].bytes) st.scratch.offset += d;
  }
  const t = s.buffers[b].tensor;
  if (t !== undefined && s.placements[t]) s.placements[t]!.offset += d;
}

const vwwLayer = buildSchedule(buildZooArchitecture('mlperf-vww'), { schedule: 'layer' });
const vwwPatch = buildSchedule(buildZooArchitecture('mlperf-vww'), { schedule: 'patch' });

test('planned schedules pass: layer, patch, in-place and fused', () => {
  for (const s of [vwwLayer, vwwPatch, buildSchedule(convChain(8, [4, 8, 16, 4])), buildSchedule(buildZooArchitecture('mbv2-w0.35-r64'), { schedule: 'patch' })]) {
    const r = checkPlan(s);
    assert.ok(r.bytesVerified > 0);
  }
  assert.ok(vwwLayer.steps.some((st) => st.inPlace?.kind === 'depthwise'));
  assert.ok(vwwPatch.steps.some((st) => st.op === 'CROP' || st.op === 'PASTE'));
});

test('two live buffers sharing bytes are caught, naming the step and both buffers', () => {
  // conv chain: input -> act1 -> act2 -> act3; step 1 reads act1 and writes act2.
  const s = clone(buildSchedule(convChain(8, [4, 8, 16, 4])));
  const act1 = s.buffers.find((b) => b.name === 'act1')!;
  const act2 = s.buffers.find((b) => b.name === 'act2')!;
  assert.is(act2.offset, 0);
  moveBuffer(s, act1.id, 512); // onto the second half of act2, inside the arena
  throwsError(() => checkPlan(s), PlanCheckError, /step 1 \(CONV_2D 'conv2'.*writes buffer \d+ 'act2' over buffer \d+ 'act1', which it reads, without an in-place declaration/);
});

test('a buffer overwritten while still needed later is caught when it is read', () => {
  // ResNet-8: a block's input stays live across its two convolutions for the residual ADD.
  const s = clone(buildSchedule(buildZooArchitecture('mlperf-ic'), { schedule: 'layer' }));
  // Find two buffers live at once but not used by the same step: a tensor written at step i and read at i+2 or later.
  const firstUse = new Map<number, number>();
  const lastUse = new Map<number, number>();
  for (const st of s.steps) for (const a of [...st.access.reads, ...st.access.writes]) { if (!firstUse.has(a.buffer)) firstUse.set(a.buffer, st.index); lastUse.set(a.buffer, st.index); }
  let victim = -1;
  let writer = -1;
  for (const [b, f] of firstUse) {
    if (s.buffers[b].kind !== 'tensor' || s.buffers[b].input) continue;
    const l = lastUse.get(b)!;
    if (l - f < 2) continue;
    // A buffer first written strictly inside (f, l) by a step that does not touch b.
    for (const [c, g] of firstUse) {
      if (c !== b && g > f && g < l && s.buffers[c].kind === 'tensor' && !s.steps[g].access.reads.some((a) => a.buffer === b)) { victim = b; writer = c; break; }
    }
    if (victim >= 0) break;
  }
  assert.ok(victim >= 0, 'expected a buffer live across a step that does not touch it');
  moveBuffer(s, writer, s.buffers[victim].offset);
  throwsError(() => checkPlan(s), PlanCheckError, /reads byte \d+ of buffer \d+ '[^']+', but it holds buffer \d+ '[^']+' written by step \d+/);
});

test('in-place without a declaration, or with a broken contract, is rejected', () => {
  const idx = vwwLayer.steps.findIndex((st) => st.inPlace?.kind === 'depthwise');
  const undeclared = clone(vwwLayer);
  delete undeclared.steps[idx].inPlace;
  throwsError(() => checkPlan(undeclared), PlanCheckError, /over buffer .* which it reads, without an in-place declaration/);

  const general = clone(vwwLayer);
  general.steps[idx].kernel = 'depthwise_conv2d'; // the general kernel reads pixels it has already overwritten
  throwsError(() => checkPlan(general), PlanCheckError, /in-place depthwise needs kernel depthwise_conv2d_inplace/);

  const short = clone(vwwLayer);
  short.steps[idx].scratch!.bytes -= 1;
  throwsError(() => checkPlan(short), PlanCheckError, /needs 2304 B of scratch but its scratch region has 2303 B/);
  const undeclaredScratch = clone(vwwLayer);
  const st = undeclaredScratch.steps[idx];
  for (const w of st.access.writes) if (w.offset === st.scratch!.offset) w.bytes -= 1;
  throwsError(() => checkPlan(undeclaredScratch), PlanCheckError, /writes \d+\.\.\d+ \(from its arguments\), beyond the spans it declares/);
});

test('regions outside the arena, writes beyond declared spans, clobbered outputs and reordered steps are rejected', () => {
  const small = clone(vwwLayer);
  small.arenaBytes -= 4;
  throwsError(() => checkPlan(small), PlanCheckError, /outside the arena/);

  const wide = clone(vwwLayer);
  const conv = wide.steps.find((st) => st.kernel === 'conv2d_1x1')!;
  conv.args.find((a) => a.name === 'out_h')!.value += 1;
  throwsError(() => checkPlan(wide), PlanCheckError, /writes \d+\.\.\d+ \(from its arguments\), beyond the spans it declares/);

  const clobber = clone(vwwLayer);
  const out = clobber.buffers.find((b) => b.output)!;
  const last = clobber.steps[clobber.steps.length - 2]; // before the softmax writes it
  const other = last.access.writes[0];
  // The step also writes a (declared) span of its own output buffer over the final output's bytes.
  moveBuffer(clobber, out.id, other.offset);
  throwsError(() => checkPlan(clobber), PlanCheckError, /model output|reads byte|writes buffer/);

  const swapped = clone(vwwPatch);
  const k = swapped.steps.findIndex((st) => st.op === 'PASTE');
  [swapped.steps[k - 1], swapped.steps[k]] = [swapped.steps[k], swapped.steps[k - 1]];
  swapped.steps.forEach((st, i) => { st.index = i; });
  throwsError(() => checkPlan(swapped), PlanCheckError, /holds nothing \(never written\)|holds buffer/);
});

test('item placement: no two live rectangles share a byte, never below the lower bound, never worse than greedy', () => {
  const r = new Rng(99);
  let better = 0;
  for (let i = 0; i < 150; i++) {
    const steps = r.int(2, 25);
    const items: Item[] = Array.from({ length: r.int(1, 25) }, () => {
      // Bands filling or draining over time, or an in-place pair (output over its input at offset 0).
      const kind = r.int(0, 2);
      const first = r.int(0, steps - 1);
      const last = Math.min(steps - 1, first + r.int(0, 6));
      if (kind === 0) return { rects: [{ rel: 0, bytes: 4 * r.int(1, 500), first, last }] };
      if (kind === 1) {
        const bands = r.int(2, 5);
        const size = 4 * r.int(1, 100);
        return { rects: Array.from({ length: bands }, (_, b) => ({ rel: b * size, bytes: size, first: Math.min(last, first + b), last })) };
      }
      const a = 4 * r.int(1, 400);
      const mid = r.int(first, last);
      return { rects: [{ rel: 0, bytes: a, first, last: mid }, { rel: 0, bytes: 4 * r.int(1, 400), first: mid, last: Math.min(steps - 1, mid + r.int(0, 5)) }] };
    });
    const plan = planItems(items, steps);
    const greedy = placeItemsInOrder(items, greedyOrder(items), steps);
    // Independent overlap check.
    const abs = items.flatMap((it, k) => it.rects.map((q) => ({ k, a: plan.offsets[k] + q.rel, e: plan.offsets[k] + q.rel + q.bytes, f: q.first, l: q.last })));
    for (const x of abs) for (const y of abs) {
      if (x.k === y.k || x.f > y.l || y.f > x.l) continue;
      assert.ok(x.e <= y.a || y.e <= x.a, `case ${i}: items ${x.k} and ${y.k} overlap`);
    }
    assert.ok(plan.offsets.every((o) => o >= 0 && o % 4 === 0));
    assert.ok(plan.arenaBytes >= itemLowerBound(items, steps), `case ${i}: below the lower bound`);
    assert.ok(plan.arenaBytes <= greedy.arenaBytes, `case ${i}: worse than greedy`);
    if (plan.arenaBytes < greedy.arenaBytes) better++;
  }
  assert.ok(better > 5, `the search beat greedy-by-size only ${better} times`);
  // An in-place pair counts once where its rectangles coincide.
  assert.equal(itemLiveBytes([{ rects: [{ rel: 0, bytes: 100, first: 0, last: 1 }, { rel: 0, bytes: 40, first: 1, last: 2 }] }], 3), [100, 100, 40]);
});

test.run();
