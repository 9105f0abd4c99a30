// Every representative zoo model through mcusim validate on the host: the emitted C (plain -O2, and under
// AddressSanitizer + UBSan) gives the WebAssembly executor's output bytes for 20 seeded random inputs, all
// batched into one run of each binary. Models too big for a real part run on a roomy host-only profile.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildZooModel, zooNames } from '../../models/zoo/index.ts';
import { buildSchedule, type ScheduleChoice } from '../../runtime/schedule.ts';
import { validate } from '../../simulator/validate.ts';
import { deviceFor, missingTools, records } from './common.ts';

const INPUTS = 20;
const skip = await missingTools(['host']);
const timings: string[] = [];

if (skip) console.log(`  c-emit/validate-host skipped: ${skip}`);
else {
  // The CLI's default schedule (auto) for every model, and mlperf-vww layer by layer as well.
  const cases: [string, ScheduleChoice][] = [...zooNames().map((n): [string, ScheduleChoice] => [n, 'auto']), ['mlperf-vww', 'layer']];
  for (const [name, schedule] of cases) {
    test(`${name} (${schedule} schedule): emitted C equals WebAssembly on the host for ${INPUTS} inputs, sanitizers clean`, async () => {
      const g = buildZooModel(name);
      const s = buildSchedule(g, { schedule });
      const device = deviceFor(s.arenaBytes, s.flashImage.length);
      const start = performance.now();
      const r = await validate(s, { device, targets: ['host'], records: records(g, INPUTS) });
      const t = r.targets[0];
      assert.ok(r.ok, `${name}: ${t.problems.join('; ')}`);
      assert.is(t.inferences, INPUTS);
      assert.is(t.mismatches, 0);
      assert.ok(t.sanitizer && t.sanitizer.inputs >= 2, 'the sanitizer build ran');
      timings.push(`${name} (${s.kind}, ${(s.macs / 1e6).toFixed(1)}M MACs): ${((performance.now() - start) / 1000).toFixed(1)} s` +
        ` (build ${t.buildSeconds.toFixed(1)} s, run ${t.runSeconds.toFixed(1)} s, WebAssembly ${r.wasmSeconds.toFixed(1)} s, sanitizer on ${t.sanitizer!.inputs} inputs)`);
    });
  }
  test.after(() => console.log(`\n  validate --target host, ${INPUTS} inputs:\n    ${timings.join('\n    ')}`));
}

test.run();
