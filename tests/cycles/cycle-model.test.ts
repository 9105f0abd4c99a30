// The cycle model: it reproduces the calibration data it was fitted on (QEMU-derived cycles, stored by
// simulator/calibrate-cycles.ts) within the stated error; `fit --max-latency-ms` gates on the estimate; missing
// cores, cost tables and kernel formulas are typed errors naming what is missing.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildZooModel } from '../../models/zoo/index.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { CALIBRATION_DATA, type CalibrationData } from '../../simulator/calibrate-cycles.ts';
import { costTable, CycleModelError, estimateCycles, formulaCycles } from '../../simulator/cycle-model.ts';
import { findDevice } from '../../simulator/devices.ts';
import { runCli } from '../helpers/cli.ts';
import { throwsError } from '../helpers/expect-error.ts';

/** Stated calibration error: every calibration layer within 20 %, the median layer within 5 %. */
const LAYER_ERROR = 0.2;
const MEDIAN_ERROR = 0.05;
const data = JSON.parse(readFileSync(CALIBRATION_DATA, 'utf8')) as CalibrationData;
const ad = buildSchedule(buildZooModel('mlperf-ad'));

for (const [target, core] of [['m4', 'cortex-m4'], ['m7', 'cortex-m7']] as const) {
  test(`${core}: the formulas reproduce their calibration data (QEMU-derived cycles) within ${LAYER_ERROR * 100} % per layer`, () => {
    const table = costTable(core);
    const rows = data[target];
    assert.ok(rows.length >= 50, `calibration set has ${rows.length} layers`);
    const errs: number[] = [];
    for (const r of rows) {
      const f = table.kernels[r.kernel];
      assert.ok(f, `formula for ${r.kernel}`);
      const e = Math.abs(formulaCycles(f, r.features) - r.cycles) / r.cycles;
      assert.ok(e <= LAYER_ERROR, `${r.model} step ${r.step} (${r.kernel}): estimate off by ${(100 * e).toFixed(1)} %`);
      errs.push(e);
    }
    errs.sort((a, b) => a - b);
    assert.ok(errs[Math.floor(errs.length / 2)] <= MEDIAN_ERROR, `median error ${errs[Math.floor(errs.length / 2)]}`);
    // and the cycles in the data are not a trivial multiple of the instruction counts (classes were weighed)
    const cpi = rows.map((r) => r.cycles / r.instructions);
    assert.ok(Math.max(...cpi) - Math.min(...cpi) > 0.1, 'cycles per instruction vary by kernel');
  });
}

test('estimateCycles: per step and total, milliseconds at the device clock, faster clock -> fewer ms', () => {
  const f412 = findDevice('stm32f412');
  const e = estimateCycles(ad, f412);
  assert.is(e.perStep.length, ad.steps.length);
  assert.is(e.total, e.perStep.reduce((a, b) => a + b, 0));
  assert.ok(e.perStep.every((c) => c > 0));
  assert.ok(Math.abs(e.latencyMs - (e.total / 100e6) * 1000) < 1e-9);
  const m7 = estimateCycles(ad, findDevice('stm32h743'));
  assert.ok(m7.latencyMs < e.latencyMs, 'the 480 MHz M7 is faster');
  const m0 = estimateCycles(ad, findDevice('rp2040'));
  assert.ok(m0.total > e.total, 'the M0+ needs more cycles than the M4');
});

test('typed errors: unknown core, device without a cost table, kernel without a formula', () => {
  throwsError(() => costTable('cortex-m99'), CycleModelError, /unknown core 'cortex-m99'/);
  const m33 = { ...findDevice('stm32f412'), name: 'my-m33', core: 'cortex-m33' as const };
  throwsError(() => estimateCycles(ad, m33), CycleModelError, /my-m33.*no cycle cost table for core cortex-m33/);
  const m4 = costTable('cortex-m4');
  const { fully_connected: _, ...rest } = m4.kernels;
  const partial = { 'cortex-m4': { ...m4, kernels: rest } };
  throwsError(() => estimateCycles(ad, findDevice('stm32f412'), partial), CycleModelError, /no formula for kernel 'fully_connected' \(step 0/);
});

test('fit --max-latency-ms: exit 1 over the bound, 0 within; JSON cycles and latencyMs', async () => {
  const within = await runCli('fit', 'mlperf-ad', '--json', '--max-latency-ms', '1000');
  assert.is(within.code, 0, within.stderr);
  const j = JSON.parse(within.stdout);
  assert.is(j.cycles.perStep.length, j.steps.length);
  assert.is(j.cycles.estimated, true);
  assert.ok(j.latencyMs > 0 && j.latencyMs < 1000);
  assert.is(j.latencyOk, true);
  const over = await runCli('fit', 'mlperf-ad', '--max-latency-ms', String(j.latencyMs / 2));
  assert.is(over.code, 1);
  assert.match(over.stdout, /EXCEEDED/);
  assert.match(over.stdout, /ESTIMATED cycles/);
  const bad = await runCli('fit', 'mlperf-ad', '--max-latency-ms', 'soon');
  assert.is(bad.code, 2);
  const noTable = await runCli('fit', 'mlperf-ad', '--core', 'cortex-m33', '--max-latency-ms', '5');
  assert.is(noTable.code, 2);
  assert.match(noTable.stderr, /no cycle cost table for core cortex-m33/);
  const noBound = await runCli('fit', 'mlperf-ad', '--core', 'cortex-m33', '--json');
  assert.is(noBound.code, 0);
  assert.is(JSON.parse(noBound.stdout).cycles, null);
});

test('run --json carries the estimate too', async () => {
  const r = await runCli('run', 'mlperf-ad', '--json');
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.is(j.cycles.total, estimateCycles(ad, findDevice('stm32f412')).total);
});

test.run();
