// Property test: random graphs (chains, residuals, branches into ADD and CONCATENATION, inverted-residual blocks,
// pooling, explicit PADs, classifier heads) through every kind of schedule. Each plan must pass the independent
// plan checker, and every schedule of a graph must give the same output bytes as the plain one (no in-place, no
// folding), on the WebAssembly machine, some of them in checked mode.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph } from '../../models/ir.ts';
import { ModelError } from '../../runtime/errors.ts';
import { runSchedule } from '../../runtime/executor.ts';
import { randomInputs } from '../../runtime/inputs.ts';
import { splitCandidates } from '../../runtime/patch.ts';
import { checkPlan } from '../../runtime/plan-check.ts';
import { lowerGraph } from '../../runtime/program.ts';
import { buildSchedule, type Schedule, type ScheduleOptions } from '../../runtime/schedule.ts';
import { kernelsModule } from '../../runtime/kernels-node.ts';
import { Machine } from '../../runtime/machine.ts';
import { findDevice } from '../../simulator/devices.ts';
import { firstDifference } from '../helpers/single-op.ts';
import { Rng } from '../helpers/rng.ts';
import { randomGraph } from './graphs.ts';

const GRAPHS = 70;

function tryGraph(r: Rng, i: number): { graph: Graph; kinds: string[] } | null {
  try {
    const made = randomGraph(r, `random-${i}`);
    buildSchedule(made.graph, { inPlace: false, fusePad: false });
    return made;
  } catch (e) {
    if (e instanceof ModelError) return null; // e.g. a VALID window larger than the map: the generator's problem
    throw e;
  }
}

test(`random graphs: every schedule passes the plan checker and gives the plain schedule's bytes (${GRAPHS} graphs)`, async () => {
  const r = new Rng(4242);
  // Small memory: checked mode compares all of it around every step.
  const m = await Machine.create({ ...findDevice('stm32h743'), name: 'property', sramBytes: 96 << 10, flashBytes: 160 << 10 }, kernelsModule());
  const seen = { patch: 0, forced: 0, inPlace: 0, fused: 0, padFolded: 0, residualInStage: 0, concat: 0, branches: 0, checked: 0 };
  let built = 0;
  for (let i = 0; built < GRAPHS && i < GRAPHS * 3; i++) {
    const made = tryGraph(r, i);
    if (!made) continue;
    built++;
    const { graph: g, kinds } = made;
    if (kinds.includes('branch-concat')) seen.concat++;
    if (kinds.includes('branch-add')) seen.branches++;
    const inputs = randomInputs(g, i);
    const plain = buildSchedule(g, { inPlace: false, fusePad: false });
    checkPlan(plain);
    const want = runSchedule(plain, m, inputs);
    const variants: [string, ScheduleOptions][] = [
      ['layer', {}],
      ['layer fused blocks', { fuseBlocks: i % 2 ? true : 'all' }],
      ['patch search', { schedule: 'patch', maxOverhead: 3 }],
      ['auto', { schedule: 'auto' }],
    ];
    // A forced split at a random stage with a random grid.
    const { stages } = splitCandidates(g, lowerGraph(g));
    if (stages.length) {
      const st = r.pick(stages);
      const [, h, w] = g.tensors[st.split].shape;
      variants.push(['forced split', { schedule: 'patch', split: st.split, patches: r.int(1, Math.min(h, w, 5)) }]);
    }
    for (const [label, options] of variants) {
      let s: Schedule;
      try {
        s = buildSchedule(g, options);
      } catch (e) {
        if (label === 'patch search' && e instanceof ModelError && /no stage that can run patch by patch/.test(e.message)) continue;
        throw e;
      }
      const where = `graph ${i} [${kinds.join(' ')}] ${label}`;
      checkPlan(s);
      assert.ok(s.arenaBytes >= s.lowerBound, `${where}: arena below the lower bound`);
      const checked = i % 9 === 0;
      const got = runSchedule(s, m, inputs, { checked });
      if (checked) seen.checked++;
      got.forEach((o, k) => assert.is(firstDifference(o, want[k]), 'equal', `${where}, output ${k}`));
      if (s.kind === 'patch') {
        seen.patch++;
        if (label === 'forced split') seen.forced++;
        const stageOps = g.ops.slice(0, s.summary.split!.op + 1);
        if (stageOps.some((op) => op.kind === 'ADD')) seen.residualInStage++;
      }
      if (s.steps.some((st) => st.kernel === 'depthwise_conv2d_inplace')) seen.inPlace++;
      if (s.steps.some((st) => st.kernel === 'inverted_residual')) seen.fused++;
      if (g.ops.some((op) => op.kind === 'PAD') && !s.steps.some((st) => st.op === 'PAD')) seen.padFolded++;
    }
  }
  assert.ok(built >= GRAPHS, `only ${built} random graphs were valid`);
  for (const [k, v] of Object.entries(seen)) assert.ok(v >= 3, `the random graphs exercised ${k} only ${v} times`);
});

test.run();
