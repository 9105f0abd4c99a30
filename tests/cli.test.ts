// The CLI's contract: exit codes, typed error messages, and the documented JSON fields.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildZooModel } from '../models/zoo/index.ts';
import { runCli } from './helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'mcusim-cli-'));

test('fit --json on the default model and device has every documented field', async () => {
  const r = await runCli('fit', '--json');
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.is(j.model, 'mlperf-vww');
  assert.is(j.device, 'stm32f412');
  assert.is(j.fits, true);
  for (const k of ['budget', 'reserve', 'peak', 'lowerBound', 'greedyBaseline', 'fits']) assert.ok(k in j.sram, `sram.${k}`);
  for (const k of ['budget', 'weights', 'code', 'total', 'fits']) assert.ok(k in j.flash, `flash.${k}`);
  assert.is(j.sram.budget, 262144);
  assert.ok(j.sram.peak >= j.sram.lowerBound && j.sram.peak <= j.sram.greedyBaseline);
  assert.is(j.macs, j.steps.reduce((n: number, s: { macs: number }) => n + s.macs, 0));
  for (const k of ['index', 'op', 'name', 'liveBytes', 'macs']) assert.ok(k in j.steps[0], `steps[].${k}`);
});

test('run --json gives raw int8 outputs that match its own dequantised values', async () => {
  const r = await runCli('run', 'mlperf-kws', '--json', '--seed', '5');
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const o = j.outputs[0];
  assert.equal(o.shape, [1, 12]);
  assert.is(o.data.length, 12);
  assert.ok(o.data.every((q: number) => Number.isInteger(q) && q >= -128 && q <= 127));
  o.data.forEach((q: number, i: number) => assert.ok(Math.abs(o.dequantized[i] - o.scale * (q - o.zeroPoint)) < 1e-6));
  // A different seed gives a different input and, for this model, different outputs.
  const other = JSON.parse((await runCli('run', 'mlperf-kws', '--json', '--seed', '6')).stdout);
  assert.not.equal(other.outputs[0].data, o.data);
});

test('run --input reads int8 and float32 files of the exact size, and refuses other sizes with the expected bytes', async () => {
  const int8 = join(dir, 'in.bin');
  writeFileSync(int8, new Uint8Array(490).fill(3));
  const a = await runCli('run', 'mlperf-kws', '--input', int8, '--json');
  assert.is(a.code, 0, a.stderr);
  // float32 values are quantised with the input's scale and zero point: the same values as int8 give the same outputs.
  const kws = JSON.parse(a.stdout);
  const floats = new Float32Array(490).map((_, i) => ((i % 7) - 3) * 0.01);
  const g = buildZooModel('mlperf-kws');
  const q = g.tensors[g.inputs[0]].quant!;
  const asInt8 = Int8Array.from(floats, (v) => Math.max(-128, Math.min(127, q.zeroPoint[0] + Math.sign(v) * Math.round(Math.abs(Math.fround(v / q.scale[0]))))));
  writeFileSync(join(dir, 'f.bin'), new Uint8Array(floats.buffer));
  writeFileSync(join(dir, 'q.bin'), new Uint8Array(asInt8.buffer));
  const viaFloat = JSON.parse((await runCli('run', 'mlperf-kws', '--input', join(dir, 'f.bin'), '--json')).stdout);
  const viaInt8 = JSON.parse((await runCli('run', 'mlperf-kws', '--input', join(dir, 'q.bin'), '--json')).stdout);
  assert.equal(viaFloat.outputs[0].data, viaInt8.outputs[0].data);
  assert.not.equal(viaInt8.outputs[0].data, kws.outputs[0].data);
  const wrong = join(dir, 'wrong.bin');
  writeFileSync(wrong, new Uint8Array(100));
  const b = await runCli('run', 'mlperf-kws', '--input', wrong);
  assert.is(b.code, 2);
  assert.match(b.stderr, /InputError: .*needs 490 bytes \(int8 \[1,49,10,1\]\) or 1960 bytes \(float32 to quantise\), got 100/);
  const missing = await runCli('run', 'mlperf-kws', '--input', join(dir, 'nope.bin'));
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /cannot read input file .*ENOENT/);
});

test('unknown model and unknown device are usage errors that list what exists', async () => {
  const m = await runCli('fit', 'resnet-9000');
  assert.is(m.code, 2);
  assert.match(m.stderr, /mlperf-vww/);
  const d = await runCli('fit', 'mlperf-kws', '--device', 'esp32');
  assert.is(d.code, 2);
  assert.match(d.stderr, /DeviceError: unknown device 'esp32'; known devices: stm32f412/);
});

test('malformed zoo parameters name the bad part', async () => {
  const r = await runCli('fit', 'mbv2-wabc-r144');
  assert.is(r.code, 2);
  assert.match(r.stderr, /UsageError/);
  assert.match(r.stderr, /wabc|width/);
});

test('a model that does not fit exits 1 and names the overflowing step', async () => {
  const fit = await runCli('fit', 'mlperf-vww', '--sram', '32K');
  assert.is(fit.code, 1);
  assert.match(fit.stdout, /DOES NOT FIT/);
  const run = await runCli('run', 'mlperf-vww', '--sram', '32K');
  assert.is(run.code, 1);
  assert.match(run.stderr, /FitError: model 'mlperf-vww' does not fit custom\(stm32f412\): step \d+ \(\w+ '[^']+'\) needs arena up to \d+ B.* B missing/);
});

test('bad flags and unknown commands are usage errors', async () => {
  assert.is((await runCli('fit', '--frobnicate')).code, 2);
  assert.is((await runCli('launch')).code, 2);
  assert.is((await runCli('run', '--seed', '-3')).code, 2);
  assert.is((await runCli('fit', '--sram', 'big')).code, 2);
});

test('devices and models list what exists', async () => {
  const d = JSON.parse((await runCli('devices', '--json')).stdout);
  assert.equal(d.map((x: { name: string }) => x.name), ['stm32f412', 'stm32f746', 'stm32h743', 'nrf52840', 'rp2040', 'stm32l4r5']);
  const m = await runCli('models');
  assert.is(m.code, 0);
  assert.match(m.stdout, /mbv2-w\{width\}-r\{res\}|mbv2/);
});

test.run();
