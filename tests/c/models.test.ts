// Whole zoo models through the C kernels: every step of the schedule (layer by layer, and patch by patch) runs in
// WebAssembly and in C on the same memory image, and the whole arena and Flash image must agree afterwards; the
// first input also runs step by step, so that a mismatch names the first step whose bytes differ.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildZooModel, zooInputs } from '../../models/zoo/index.ts';
import { buildSchedule, type ScheduleOptions } from '../../runtime/schedule.ts';
import { once, runBatch, scheduleJob, stepJobs, type Job } from '../helpers/c-kernels.ts';
import { Rng } from '../helpers/rng.ts';

const MODELS: { name: string; options: ScheduleOptions }[] = [
  { name: 'mlperf-kws', options: {} },
  { name: 'mlperf-ad', options: {} },
  { name: 'mlperf-vww', options: {} },
  { name: 'mlperf-vww', options: { schedule: 'patch' } },
];
const INPUTS = 2;

const batch = once(async () => {
  const r = new Rng(20240505);
  const jobs: Job[] = [];
  const graphs = new Map<string, ReturnType<typeof buildZooModel>>();
  for (const { name, options } of MODELS) {
    if (!graphs.has(name)) graphs.set(name, buildZooModel(name));
    const g = graphs.get(name)!;
    const s = buildSchedule(g, options);
    // One job for the whole schedule per input, and one job per step for the first input (naming a bad step).
    for (let i = 0; i < INPUTS; i++) jobs.push(await scheduleJob(`${name} ${s.kind} #${i} (${s.steps.length} steps)`, s, zooInputs(g, 100 + i), r));
    jobs.push(...(await stepJobs(`${name} ${s.kind} #0`, s, zooInputs(g, 100), r)));
  }
  return runBatch(jobs);
});

for (const { name, options } of MODELS) {
  const kind = options.schedule ?? 'layer';
  test(`${name} (${kind} schedule): C kernels equal WebAssembly on every byte of memory for ${INPUTS} inputs`, async () => {
    const result = await batch();
    if (result.skipped) return console.log(`\n  ${name}: ${result.skipped}`);
    const jobs = result.jobs.filter((j) => j.label.startsWith(`${name} ${kind} `) && !j.label.includes(' step '));
    assert.is(jobs.length, INPUTS);
    for (const k of ['sanitize', 'optimize'] as const) {
      const bad = result.failures[k].filter((f) => f.startsWith(`${name} ${kind} `));
      assert.equal(bad, [], `${k} build`);
    }
  });
}

test.run();
