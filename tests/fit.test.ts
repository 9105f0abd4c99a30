import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeviceError, FitError, UsageError } from '../runtime/errors.ts';
import { runSchedule } from '../runtime/executor.ts';
import { assertFits, fitReport } from '../runtime/fit.ts';
import { kernelsModule } from '../runtime/kernels-node.ts';
import { Machine } from '../runtime/machine.ts';
import { buildSchedule } from '../runtime/schedule.ts';
import { customizeDevice, findDevice, parseFrequency, parseSize } from '../simulator/devices.ts';
import { resolveDevice } from '../cli/options.ts';
import { convChain } from './helpers/graphs.ts';
import { throwsError } from './helpers/expect-error.ts';

const f412 = findDevice('stm32f412');

test('report: budget, reserve, peak and lower bound are the schedule and device figures', () => {
  const s = buildSchedule(convChain(8, [4, 8, 16, 4]));
  const r = fitReport(s, f412);
  assert.is(r.sram.budget, 256 * 1024);
  assert.is(r.sram.reserve, f412.runtimeReserveBytes);
  assert.is(r.sram.peak, 1536);
  assert.is(r.sram.lowerBound, 1536);
  assert.is(r.flash.weights, s.flashImage.length);
  assert.ok(r.flash.code > 0);
  assert.is(r.flash.total, r.flash.weights + r.flash.code);
  assert.ok(r.fits);
  assert.is(r.steps.length, 3);
});

test('a plan larger than SRAM minus the reserve is refused before running, naming the step and the bytes missing', async () => {
  // 64x64x32 in + 64x64x32 out = 262,144 B of arena: more than 256 KiB minus the reserve.
  const s = buildSchedule(convChain(64, [8, 32, 32]));
  const r = fitReport(s, f412);
  assert.not.ok(r.fits);
  assert.not.ok(r.sram.fits);
  const missing = s.arenaBytes - (f412.sramBytes - f412.runtimeReserveBytes);
  assert.throws(() => assertFits(s, f412), (e: unknown) =>
    e instanceof FitError && e.exitCode === 1 && /step 1 \(CONV_2D 'conv2'\)/.test(e.message) && e.message.includes(`${missing} B missing`));
  const m = await Machine.create(f412, kernelsModule());
  throwsError(() => runSchedule(s, m, [new Int8Array(64 * 64 * 8)]), FitError, /does not fit stm32f412/);
});

test('Flash overflow is refused with the numbers', () => {
  const s = buildSchedule(convChain(4, [64, 64, 64]));
  const tiny = customizeDevice(f412, { flash: '32K' });
  assert.throws(() => assertFits(s, tiny), (e: unknown) => e instanceof FitError && /Flash needs \d+ B .* the device has 32768 B/.test(e.message));
});

test('unknown device lists the known ones', () => {
  assert.throws(() => findDevice('stm32f999'), (e: unknown) => e instanceof DeviceError && /known devices: stm32f412, stm32f746, stm32h743, nrf52840, rp2040, stm32l4r5/.test(e.message));
  throwsError(() => resolveDevice('/nonexistent/board.json'), DeviceError, /cannot read device profile/);
});

test('custom device from flags', () => {
  const d = customizeDevice(f412, { sram: '320K', flash: '1M', core: 'cortex-m7', clock: '216M' });
  assert.equal([d.sramBytes, d.flashBytes, d.core, d.clockHz], [327680, 1048576, 'cortex-m7', 216e6]);
  assert.throws(() => customizeDevice(f412, { core: 'cortex-a53' }), (e: unknown) => e instanceof DeviceError && /core/.test(e.message));
});

test('sizes and frequencies parse with units, and garbage is a usage error', () => {
  assert.is(parseSize('256K', '--sram'), 262144);
  assert.is(parseSize('1.5M', '--flash'), 1572864);
  assert.is(parseSize('4096', '--sram'), 4096);
  assert.is(parseFrequency('216M', '--clock'), 216e6);
  assert.is(parseFrequency('64MHz', '--clock'), 64e6);
  assert.throws(() => parseSize('lots', '--sram'), (e: unknown) => e instanceof UsageError && /--sram/.test(e.message));
  throwsError(() => parseSize('0K', '--sram'), UsageError, /positive/);
  throwsError(() => parseFrequency('fast', '--clock'), UsageError, /--clock/);
});

test.run();
