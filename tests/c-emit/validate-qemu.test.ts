// mlperf-vww (patch-based schedule) and mlperf-kws (layer by layer) through mcusim validate on QEMU's
// mps2-an386 (Cortex-M4) and mps2-an500 (Cortex-M7): output bytes equal WebAssembly's for 20 inputs, and the ELF's
// sizes agree with fit's Flash and SRAM figures within the stated margins.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildZooModel } from '../../models/zoo/index.ts';
import { fitReport } from '../../runtime/fit.ts';
import { buildSchedule, type ScheduleChoice } from '../../runtime/schedule.ts';
import { findDevice } from '../../simulator/devices.ts';
import { validate } from '../../simulator/validate.ts';
import { missingTools, records } from './common.ts';

const INPUTS = 20;
const CASES: { name: string; schedule: ScheduleChoice; device: string }[] = [
  { name: 'mlperf-vww', schedule: 'patch', device: 'stm32f412' },
  { name: 'mlperf-kws', schedule: 'layer', device: 'stm32f746' },
];
const skip = await missingTools(['m4', 'm7']);
const lines: string[] = [];

if (skip) console.log(`  c-emit/validate-qemu skipped: ${skip}`);
else {
  for (const c of CASES) {
    test(`${c.name} (${c.schedule} schedule, ${c.device}): QEMU Cortex-M4 and M7 equal WebAssembly; ELF sizes agree with fit`, async () => {
      const g = buildZooModel(c.name);
      const s = buildSchedule(g, { schedule: c.schedule });
      assert.is(s.kind, c.schedule);
      const device = findDevice(c.device);
      const start = performance.now();
      const r = await validate(s, { device, targets: ['m4', 'm7'], records: records(g, INPUTS) });
      const fit = fitReport(s, device);
      for (const t of r.targets) {
        assert.ok(t.ok, `${c.name} ${t.target}: ${t.problems.join('; ')}`);
        assert.is(t.inferences, INPUTS);
        assert.is(t.mismatches, 0);
        const z = t.sizes!;
        assert.is(z.flash.constants, s.flashImage.length, 'the const image is the schedule\'s, byte count exact');
        assert.is(z.flash.fit, fit.flash.total);
        assert.ok(z.sram.elf >= s.arenaBytes && z.sram.elf <= s.arenaBytes + device.runtimeReserveBytes, `SRAM ${z.sram.elf} within arena + reserve`);
        assert.is(z.flash.model, z.flash.elf - z.flash.harness);
        assert.ok(Math.abs(z.flash.model - fit.flash.total) <= z.flash.harness, 'the model\'s Flash within the harness margin of fit\'s');
        assert.ok(z.runtime && z.runtime.stackUsed < z.runtime.stackBytes, 'stack high-water mark measured and below the stack');
        lines.push(`${c.name} ${c.schedule} ${t.target}: text ${z.elf.text} data ${z.elf.data} bss ${z.elf.bss} | Flash ELF ${z.flash.elf} fit ${z.flash.fit} (constants ${z.flash.constants}, code ${z.flash.code} vs est. ${z.flash.codeEstimate}, harness ${z.flash.harness})` +
          ` | SRAM ELF ${z.sram.elf} arena ${z.sram.arena} (+${z.sram.extra}, reserve ${z.sram.reserve}) | stack ${z.runtime!.stackUsed} B | build ${t.buildSeconds.toFixed(1)} s run ${t.runSeconds.toFixed(1)} s`);
      }
      lines.push(`${c.name}: validate --target m4,m7 with ${INPUTS} inputs took ${((performance.now() - start) / 1000).toFixed(1)} s`);
    });
  }
  test.after(() => console.log(`\n    ${lines.join('\n    ')}`));
}

test.run();
