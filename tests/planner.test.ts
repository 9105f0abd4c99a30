import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { greedyBySize, lowerBound, planArena, type Buffer } from '../runtime/planner.ts';
import { buildSchedule } from '../runtime/schedule.ts';
import { convChain } from './helpers/graphs.ts';
import { Rng } from './helpers/rng.ts';

function randomBuffers(r: Rng, steps: number): Buffer[] {
  return Array.from({ length: r.int(1, 40) }, (_, id) => {
    const first = r.int(0, steps - 1);
    return { id, bytes: 4 * r.int(1, 5000), first, last: Math.min(steps - 1, first + r.int(0, 6)) };
  });
}

/** Written apart from the planner: any two buffers alive at a common step must not share a byte. */
function overlapping(buffers: Buffer[], offsets: number[]): string | null {
  for (let a = 0; a < buffers.length; a++) for (let b = a + 1; b < buffers.length; b++) {
    const timeShared = buffers[a].first <= buffers[b].last && buffers[b].first <= buffers[a].last;
    const spaceShared = offsets[a] < offsets[b] + buffers[b].bytes && offsets[b] < offsets[a] + buffers[a].bytes;
    if (timeShared && spaceShared) return `buffers ${a} and ${b}`;
  }
  return null;
}

test('plans never overlap, never beat the lower bound, and never lose to greedy-by-size', () => {
  const r = new Rng(7);
  let strictlyBetter = 0;
  for (let i = 0; i < 300; i++) {
    const steps = r.int(1, 30);
    const buffers = randomBuffers(r, steps);
    const plan = planArena(buffers, steps);
    const greedy = greedyBySize(buffers);
    assert.is(overlapping(buffers, plan.offsets), null, `case ${i}`);
    assert.ok(plan.offsets.every((o, k) => o >= 0 && o % 4 === 0 && o + buffers[k].bytes <= plan.arenaBytes));
    assert.ok(plan.arenaBytes >= lowerBound(buffers, steps), `case ${i} below the lower bound`);
    assert.ok(plan.arenaBytes <= greedy.arenaBytes, `case ${i}: ${plan.arenaBytes} > greedy ${greedy.arenaBytes}`);
    if (plan.arenaBytes < greedy.arenaBytes) strictlyBetter++;
  }
  assert.ok(strictlyBetter > 0, 'the search never improved on greedy-by-size');
});

test('lower bound is the max over steps of live bytes (hand-computed)', () => {
  const buffers: Buffer[] = [
    { id: 0, bytes: 100, first: 0, last: 1 },
    { id: 1, bytes: 40, first: 1, last: 2 },
    { id: 2, bytes: 80, first: 2, last: 2 },
  ];
  assert.is(lowerBound(buffers, 3), 140); // step 1: 100 + 40; step 2: 40 + 80 = 120
});

test('a chain of convolutions needs exactly input + output of its largest step', () => {
  const s = buildSchedule(convChain(8, [4, 8, 16, 4]));
  // Largest step: 8x8x8 in + 8x8x16 out = 512 + 1024.
  assert.is(s.lowerBound, 1536);
  assert.is(s.arenaBytes, 1536);
  assert.equal(s.steps.map((st) => st.liveBytes), [256 + 512, 512 + 1024, 1024 + 256]);
});

test.run();
