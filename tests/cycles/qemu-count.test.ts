// Ground truth: per-step instruction counts of the emitted C on QEMU are exact and repeatable, and the
// instruction-class log accounts for the same instructions, on the Cortex-M4 and M7 builds and on the ARMv6-M
// (Cortex-M0+) build run on the Cortex-M3 board. Skips with the reason when QEMU / arm gcc are missing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildZooModel } from '../../models/zoo/index.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { instructionsOf } from '../../simulator/cycles/classify.ts';
import { countInstructions } from '../../simulator/qemu-count.ts';
import { missingTools } from '../c-emit/common.ts';

const missing = await missingTools(['m4']);
const ad = buildSchedule(buildZooModel('mlperf-ad'));

if (missing) {
  console.log(`tests/cycles/qemu-count: skipped (${missing})`);
} else {
  for (const target of ['m4', 'm7', 'm0plus'] as const) {
    test(`${target}: two QEMU runs give identical per-step instruction counts`, async () => {
      const a = await countInstructions(ad, { target });
      const b = await countInstructions(ad, { target, classes: true });
      assert.equal(b.steps.map((s) => s.instructions), a.steps.map((s) => s.instructions));
      assert.is(a.steps.length, ad.steps.length);
      // FC: at least one instruction per MAC, and a known per-MAC shape (10 layers of 128-640 inputs)
      for (const s of a.steps) assert.ok(s.instructions > s.macs, `step ${s.index}: ${s.instructions} instructions for ${s.macs} MACs`);
      for (const s of b.steps) {
        assert.is(instructionsOf(s.classes!), s.instructions, `step ${s.index}: classes add up to the timer count`);
        assert.ok(s.classes!.mac + s.classes!.dsp + s.classes!.mul >= s.macs / 2, `step ${s.index}: multiplies found`);
        assert.ok(s.cycles! > s.instructions * (target === 'm7' ? 0.4 : 1));
        if (target === 'm0plus') {
          // plain C on ARMv6-M: MULS only, no MLA/SMLAD/divide; loads and stores 2 cycles each
          assert.is(s.classes!.mac + s.classes!.dsp + s.classes!.divide, 0, `step ${s.index}: no ARMv7-M multiply-accumulate in ARMv6-M code`);
          assert.is(s.classes!.loadPipelined + s.classes!.storePipelined > 0, true);
        }
      }
    });
  }
}

test.run();
