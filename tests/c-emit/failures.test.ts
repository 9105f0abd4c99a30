// What validate must catch and report: a corrupted C kernel (naming the first step whose bytes differ), a sanitizer
// report, a model that fits fit's figures but not the linker's regions, a hung QEMU run, and missing tools.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../cli/main.ts';
import { buildZooModel } from '../../models/zoo/index.ts';
import { C_KERNEL_DIR, kernelFiles } from '../../runtime/emit-c.ts';
import { fitReport } from '../../runtime/fit.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { findDevice } from '../../simulator/devices.ts';
import { requireTools, ToolMissingError } from '../../simulator/qemu/toolchain.ts';
import { validate } from '../../simulator/validate.ts';
import { rejectsWith } from '../helpers/expect-error.ts';
import { missingTools, records } from './common.ts';

const tmp = mkdtempSync(join(tmpdir(), 'mcusim-validate-fail-'));
const kws = buildZooModel('mlperf-kws');
const layer = buildSchedule(kws, { schedule: 'layer' });
const device = findDevice('stm32f412');
const host = await missingTools(['host']);
const arm = await missingTools(['m4']);

/** A copy of the C kernels with one edit in one file. */
function kernelsWith(name: string, file: string, from: string, to: string): string {
  const dir = join(tmp, name);
  cpSync(C_KERNEL_DIR, dir, { recursive: true });
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  assert.ok(text.includes(from), `${file} contains '${from}'`);
  writeFileSync(path, text.replaceAll(from, to));
  return dir;
}

test('a corrupted C kernel is caught and the first step whose bytes differ is named', async () => {
  if (host) return console.log(`  skipped: ${host}`);
  // One constant changed: a requantising kernel the schedule calls passes output_offset + 1 to its output stage.
  const pattern = 'q, output_offset, act_min, act_max)';
  const files = kernelFiles();
  const kernel = ['conv2d_1x1', 'depthwise_conv2d_inplace', 'depthwise_conv2d_3x3', 'fully_connected']
    .find((k) => layer.steps.some((s) => s.kernel === k) && readFileSync(join(C_KERNEL_DIR, files.get(k)!), 'utf8').includes(pattern))!;
  assert.ok(kernel, 'the schedule calls a kernel to corrupt');
  const kernelDir = kernelsWith('corrupt', files.get(kernel)!, pattern, 'q, output_offset + 1, act_min, act_max)');
  const r = await validate(layer, { device, targets: ['host'], records: records(kws, 4), kernelDir, sanitize: false });
  const t = r.targets[0];
  assert.not.ok(r.ok);
  assert.ok(t.mismatches > 0);
  const first = layer.steps.find((s) => s.kernel === kernel)!;
  const m = t.firstMismatch!;
  assert.ok(m.step, m.traceNote);
  assert.is(m.step!.index, first.index);
  assert.is(m.step!.name, first.name);
  assert.is(m.step!.kernel, kernel);
  assert.is(m.step!.actual, m.step!.expected + 1, 'the byte is off by the changed constant');
  assert.ok(m.step!.byte >= 0);
  assert.match(t.problems.join('\n'), new RegExp(`first differing step ${first.index} \\(${first.op} '${first.name}', kernel ${kernel}\\): byte ${m.step!.byte} `));
});

test('a sanitizer report fails validation even when the bytes would differ anyway', async () => {
  if (host) return console.log(`  skipped: ${host}`);
  const kernelDir = kernelsWith('ubsan', 'fully_connected.c', 'out[u] = mcusim_requant_output(', 'out[u] = (int8_t)((depth + 2147483647) / 2) + mcusim_requant_output(');
  const r = await validate(layer, { device, targets: ['host'], records: records(kws, 1), kernelDir });
  assert.not.ok(r.ok);
  assert.match(r.targets[0].problems.join('\n'), /sanitizer reported an error[\s\S]*(signed integer overflow|runtime error)/);
});

test('a model that passes fit but not the linker gets a fit-style message naming the region and bytes missing', async () => {
  if (arm) return console.log(`  skipped: ${arm}`);
  const fit = fitReport(layer, device);
  // Exactly fit's figures: SRAM = arena + a 64-byte reserve, Flash = constants + code estimate. The harness's stack,
  // heap and C library do not fit on top.
  const tight = { ...device, name: 'tight', sramBytes: layer.arenaBytes + 64, runtimeReserveBytes: 64, flashBytes: fit.flash.total };
  const r = await validate(layer, { device: tight, targets: ['m4'], records: records(kws, 1) });
  const text = r.targets[0].problems.join('\n');
  assert.not.ok(r.ok);
  assert.match(text, /model 'mlperf-kws' does not fit tight at link time \(cortex-m4 build/);
  assert.match(text, new RegExp(`region FLASH \\(Flash, ${fit.flash.total} B\\) overflowed by \\d+ B, \\d+ B missing`));
  assert.match(text, new RegExp(`region RAM \\(SRAM, ${layer.arenaBytes + 64} B\\) overflowed by \\d+ B, \\d+ B missing`));
});

test('a hung QEMU run is killed at the timeout and reported', async () => {
  if (arm) return console.log(`  skipped: ${arm}`);
  // One constant changed: the fully-connected row loop steps by 0 and never ends.
  const kernelDir = kernelsWith('hang', 'fully_connected.c', 'for (r = 0; r < rows; r++)', 'for (r = 0; r < rows; r += 0)');
  const start = performance.now();
  const r = await validate(layer, { device, targets: ['m4'], records: records(kws, 1), kernelDir, timeoutSeconds: 2 });
  const seconds = (performance.now() - start) / 1000;
  assert.not.ok(r.ok);
  assert.match(r.targets[0].problems.join('\n'), /QEMU run of .*model-m4\.elf on QEMU mps2-an386 \(Cortex-M4\) did not finish within 2 s and was killed/);
  assert.ok(seconds < 60, `returned after ${seconds.toFixed(1)} s`);
});

test('missing tools are named with the Debian package to install', async () => {
  const empty = join(tmp, 'empty-path');
  await rejectsWith(() => requireTools(['m4'], empty), ToolMissingError, /arm-none-eabi-gcc .*Debian package gcc-arm-none-eabi.*qemu-system-arm .*Debian package qemu-system-arm.*apt-get install gcc-arm-none-eabi binutils-arm-none-eabi qemu-system-arm/);
  await rejectsWith(() => requireTools(['host'], empty), ToolMissingError, /gcc .*Debian package gcc\)/);
  // Through the CLI: exit code 2 and the message on stderr.
  const path = process.env.PATH;
  const errors: string[] = [];
  const log = console.error;
  console.error = (...a: unknown[]) => errors.push(a.join(' '));
  process.env.PATH = empty;
  try {
    assert.is(await main(['validate', 'mlperf-ad', '--target', 'm7', '--inputs', '1']), 2);
  } finally {
    process.env.PATH = path;
    console.error = log;
  }
  assert.match(errors.join('\n'), /ToolMissingError: validate --target m7 needs arm-none-eabi-gcc .*gcc-arm-none-eabi/);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
