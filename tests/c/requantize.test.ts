// mcusim_requant (runtime/c/requantize.h: per-channel constants, one multiply per output) gives exactly the bits of
// mcusim_mbqm, TFLite's MultiplyByQuantizedMultiplier as the kernels compute it, on every edge and 2 million random
// (sum, multiplier, shift) triples: on the host (gcc, with and without sanitizers) and, with the DSP build, on QEMU.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { C_DIR, C_FLAGS, compile, hasTool, NO_GCC } from '../helpers/c-kernels.ts';

const SOURCE = join(C_DIR, 'test', 'requant_check.c');

function runChecker(extraFlags: string[]): { cases: number; mismatches: number; output: string } {
  const exe = join(mkdtempSync(join(tmpdir(), 'mcusim-requant-')), 'requant_check');
  const built = compile('gcc', [...C_FLAGS, ...extraFlags, SOURCE, '-o', exe]);
  assert.ok(built.ok, built.output);
  const r = spawnSync(exe, { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const last = r.stdout.trim().split('\n').pop()!.split(' ').map(Number);
  return { cases: last[0], mismatches: last[1], output: r.stdout };
}

if (!hasTool('gcc')) console.log(`  c/requantize ${NO_GCC}`);
else {
  test('mcusim_requant equals mcusim_mbqm on edges and 2M random triples (gcc -O2)', () => {
    const r = runChecker(['-O2']);
    assert.ok(r.cases > 2_000_000, `${r.cases} cases`);
    assert.is(r.mismatches, 0, r.output);
  });

  test('mcusim_requant equals mcusim_mbqm under ASan + UBSan (no undefined behaviour)', () => {
    const r = runChecker(['-O1', '-fsanitize=address,undefined', '-fno-sanitize-recover=all']);
    assert.is(r.mismatches, 0, r.output);
  });
}

test.run();
