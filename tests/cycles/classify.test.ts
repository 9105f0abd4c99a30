// Instruction classes from a QEMU `-d in_asm,exec,nochain` log, on a hand-written log: loads after loads are
// pipelined, a conditional branch is taken unless execution falls through, BL is a call, the counting hook's blocks
// start a segment and are left out, weights come from the timing table; ARMv6-M logs reject 32-bit Thumb-2 code.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classifyLog, instructionsOf, weigh, type TimingTable } from '../../simulator/cycles/classify.ts';
import m0plus from '../../simulator/costs/cortex-m0plus.json' with { type: 'json' };
import m4 from '../../simulator/costs/cortex-m4.json' with { type: 'json' };

const trace = (pc: number) => `Trace 0: 0x7f9004000100 [00800408/${pc.toString(16).padStart(8, '0')}/00000110/ff000200] f`;
const LOG = [
  '----------------', 'IN: f',
  '0x00000100:  2001       movs     r0, #1',
  '0x00000102:  6808       ldr      r0, [r1]',
  '0x00000104:  6849       ldr      r1, [r1, #4]',
  '0x00000106:  d1fb       bne      #0x100',
  '', trace(0x100), trace(0x100),
  '----------------', 'IN: f',
  '0x00000108:  f000 f876  bl       #0x1f8',
  '', trace(0x108),
  '----------------', 'IN: model_trace',
  '0x000001f8:  4770       bx       lr',
  '', trace(0x1f8),
  '----------------', 'IN: f',
  '0x0000010c:  4348       muls     r0, r1, r0',
  '0x0000010e:  bd10       pop      {r4, pc}',
  '', trace(0x10c),
].join('\n') + '\n';

async function withLog<T>(text: string, f: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'mcusim-classify-'));
  try {
    writeFileSync(join(dir, 'exec.log'), text);
    return await f(join(dir, 'exec.log'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('classes per segment: pipelined loads, taken / not-taken branches, BL, the hook left out, POP {pc}', async () => {
  const r = await withLog(LOG, (p) => classifyLog(p, 0x1f8, 0x1fa, { armv6m: true }));
  assert.is(r.segments.length, 2);
  const [a, b] = r.segments;
  assert.equal([a.alu, a.load, a.loadPipelined, a.branchTaken, a.branchNotTaken, a.branchLink], [2, 2, 2, 1, 1, 1]);
  assert.is(instructionsOf(a), 9, '2 x 4 instructions and the BL');
  assert.is(r.hookInstructions, 1);
  assert.equal([b.mul, b.multiple, b.multipleRegs, b.refill], [1, 1, 2, 1]);
  // Cortex-M0+: every load 2, branch taken 2, not taken 1, BL 3; POP {r4, pc} 1 + 2 + refill 2
  const m0 = m0plus.timing as TimingTable;
  assert.is(weigh(a, m0), 2 * 1 + 4 * 2 + 2 + 1 + 3);
  assert.is(weigh(b, m0), 1 + (1 + 2) + 2);
  // Cortex-M4: the second load of a pair 1 cycle, taken branch and BL 3
  assert.is(weigh(a, m4.timing as TimingTable), 2 * 1 + 2 * 2 + 2 * 1 + 3 + 1 + 3);
});

test('ARMv6-M logs: a 32-bit Thumb-2 instruction other than BL, MRS, MSR or a barrier is an error', async () => {
  const wide = LOG.replace('0x00000104:  6849       ldr      r1, [r1, #4]', '0x00000104:  f8d1 1004  ldr.w    r1, [r1, #4]');
  await withLog(wide, async (p) => {
    const ok = await classifyLog(p, 0x1f8, 0x1fa);
    assert.is(ok.segments[0].loadPipelined, 2);
    try {
      await classifyLog(p, 0x1f8, 0x1fa, { armv6m: true });
      assert.unreachable('should reject ldr.w');
    } catch (e) {
      assert.match((e as Error).message, /ldr\.w r1, \[r1, #4\] at 0x00000104 is not an ARMv6-M instruction/);
    }
  });
});

test.run();
