// The cycle model: it reproduces the calibration data it was fitted on (QEMU-derived cycles, stored by
// simulator/calibrate-cycles.ts) within the stated error on every core; formulas are keyed by kernel variant with a
// fallback to the plain kernel; the features are what a hand count gives; the fitting picks the features that
// explain the data; the calibration set holds out the zoo's layer shapes; `fit --max-latency-ms` gates on the
// estimate; missing cores, cost tables and formulas are typed errors naming what is missing.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildZooModel } from '../../models/zoo/index.ts';
import { buildSchedule, type Step } from '../../runtime/schedule.ts';
import { CALIBRATION_DATA, CORE_OF, type CalibrationData } from '../../simulator/calibrate-cycles.ts';
import { calibrationSet, HELD_OUT_MODELS, shapeSignature } from '../../simulator/cycles/calibration-set.ts';
import { costTable, CycleModelError, estimateCycles, FEATURES, fitFormula, formulaCycles, formulaFor, selectFormula, stepFeatures, variantKeys, type Features } from '../../simulator/cycle-model.ts';
import { findDevice } from '../../simulator/devices.ts';
import { COUNT_TARGETS } from '../../simulator/qemu-count.ts';
import { runCli } from '../helpers/cli.ts';
import { throwsError } from '../helpers/expect-error.ts';

/**
 * Stated calibration error: at least 98 % of the calibration layers within 20 % and every one within 50 % (kernels
 * switch paths on geometry a linear formula per variant cannot follow everywhere), the median layer within 5 %.
 */
const LAYER_ERROR = 0.2;
const WITHIN_SHARE = 0.98;
const MAX_ERROR = 0.5;
const MEDIAN_ERROR = 0.05;
const data = JSON.parse(readFileSync(CALIBRATION_DATA, 'utf8')) as CalibrationData;
const ad = buildSchedule(buildZooModel('mlperf-ad'));
const arg = (st: Step, n: string) => st.args.find((a) => a.name === n)?.value;

for (const target of COUNT_TARGETS) {
  const core = CORE_OF[target];
  test(`${core}: the formulas reproduce their calibration data (QEMU-derived cycles): ${WITHIN_SHARE * 100} % of the layers within ${LAYER_ERROR * 100} %`, () => {
    const table = costTable(core);
    const rows = data[target] ?? [];
    assert.ok(rows.length >= 200, `${core}: calibration set has ${rows.length} layers`);
    const errs: number[] = [];
    for (const r of rows) {
      const hit = formulaFor(table, r.keys, r.features);
      assert.ok(hit, `${core}: a formula for ${r.keys.join(' / ')}`);
      const e = Math.abs(formulaCycles(hit!.formula, r.features) - r.cycles) / r.cycles;
      assert.ok(e <= MAX_ERROR, `${core} ${r.model} step ${r.step} (${hit!.key}): estimate off by ${(100 * e).toFixed(1)} %`);
      errs.push(e);
    }
    errs.sort((a, b) => a - b);
    const within = errs.filter((e) => e <= LAYER_ERROR).length;
    assert.ok(within >= WITHIN_SHARE * errs.length, `${core}: ${within}/${errs.length} calibration layers within ${LAYER_ERROR * 100} %`);
    assert.ok(errs[Math.floor(errs.length / 2)] <= MEDIAN_ERROR, `median error ${errs[Math.floor(errs.length / 2)]}`);
    // the cycles in the data are not a trivial multiple of the instruction counts (classes were weighed)
    const cpi = rows.map((r) => r.cycles / r.instructions);
    assert.ok(Math.max(...cpi) - Math.min(...cpi) > 0.1, 'cycles per instruction vary by kernel');
    // every formula names only known features, has no negative coefficient and states what it was fitted on
    for (const [key, f] of Object.entries(table.kernels)) {
      assert.ok(Object.keys(f.coefficients).every((k) => (FEATURES as readonly string[]).includes(k)), `${key}: unknown feature`);
      assert.ok(Object.values(f.coefficients).every((c) => (c as number) >= 0), `${key}: negative coefficient`);
      assert.ok(f.fittedOn >= 1 && f.medianError >= 0 && f.maxError >= f.medianError, `${key}: fitted on ${f.fittedOn}`);
    }
  });
}

test('every layer of the held-out zoo models has a formula on every core, fitted on >= 6 calibration layers', () => {
  for (const target of COUNT_TARGETS) {
    const table = costTable(CORE_OF[target]);
    for (const m of HELD_OUT_MODELS) {
      for (const st of buildSchedule(buildZooModel(m)).steps) {
        const keys = variantKeys(st);
        const hit = formulaFor(table, keys, stepFeatures(st));
        assert.ok(hit, `${m} step ${st.index}: no formula for ${keys.join(', ')}`);
        assert.ok(hit!.formula.fittedOn >= 6 || st.kernel === 'copy', `${target} ${m} step ${st.index}: ${hit!.key} fitted on ${hit!.formula.fittedOn} layers`);
      }
    }
  }
});

test('plane-size splits: a split key uses the formula of the side the step\'s plane falls on, else its own', () => {
  const f = (macs: number) => ({ coefficients: { macs }, fittedOn: 6, maxError: 0, medianError: 0 });
  const table = { core: 'cortex-m4', source: 'test', kernels: { k: f(1), 'k/s1': f(2), 'k/s1/plane<=100': f(3), 'k/s1/plane>100': f(4) }, splits: { 'k/s1': { at: 100 } } };
  const x = (planePixels: number) => ({ planePixels });
  assert.is(formulaFor(table, ['k/s1', 'k'], x(100))!.key, 'k/s1/plane<=100');
  assert.is(formulaFor(table, ['k/s1', 'k'], x(101))!.key, 'k/s1/plane>100');
  assert.is(formulaFor(table, ['k/s2', 'k'], x(101))!.key, 'k');
  const { 'k/s1/plane>100': _, ...oneSide } = table.kernels;
  assert.is(formulaFor({ ...table, kernels: oneSide }, ['k/s1', 'k'], x(101))!.key, 'k/s1');
  assert.is(formulaFor({ ...table, kernels: {} }, ['k/s1', 'k'], x(101)), undefined);
});

test('the M0+ table is calibrated on ARMv6-M code (plain C: no DSP, MAC or divide instructions) with the M0+ TRM timing', () => {
  const t = costTable('cortex-m0plus') as ReturnType<typeof costTable> & { timing: { cycles: Record<string, number>; notes: string } };
  assert.match(t.source, /calibrated/);
  assert.match(t.source, /cortex-m0plus/);
  assert.not.match(t.source, /ESTIMATE, not calibrated/);
  const c = t.timing.cycles;
  assert.equal([c.alu, c.load, c.store, c.loadPipelined, c.multiple, c.multipleRegs, c.mul, c.branchTaken, c.branchNotTaken, c.branchLink, c.refill], [1, 2, 2, 2, 1, 1, 1, 2, 1, 3, 2]);
  for (const r of data.m0plus ?? []) {
    assert.is(r.classes.dsp + r.classes.mac + r.classes.divide + r.classes.float, 0, `${r.model} step ${r.step}: ARMv6-M has no DSP/MAC/divide/FPU instructions`);
  }
  // and it is not a scaled copy of the M4 table: per-kernel cycle ratios differ
  const m4 = data.m4!;
  const ratio = (kernel: string) => {
    const a = (data.m0plus ?? []).filter((r) => r.kernel === kernel).reduce((s, r) => s + r.cycles, 0) / (data.m0plus ?? []).filter((r) => r.kernel === kernel).reduce((s, r) => s + r.instructions, 0);
    const b = m4.filter((r) => r.kernel === kernel).reduce((s, r) => s + r.cycles, 0) / m4.filter((r) => r.kernel === kernel).reduce((s, r) => s + r.instructions, 0);
    return a / b;
  };
  assert.ok(Math.abs(ratio('conv2d_1x1') - ratio('add')) > 0.02, 'M0+ and M4 cycles per instruction differ by kernel');
});

test('variant keys: kernel size and stride of windowed kernels, the plain kernel last', () => {
  const vww = buildSchedule(buildZooModel('mlperf-vww'));
  const dwS2 = vww.steps.find((s) => s.kernel === 'depthwise_conv2d_inplace' && arg(s, 'stride_h') === 2)!;
  assert.equal(variantKeys(dwS2), ['depthwise_conv2d_inplace/k3x3/s2/nopad', 'depthwise_conv2d_inplace/k3x3/s2', 'depthwise_conv2d_inplace/k3x3', 'depthwise_conv2d_inplace']);
  const dwS1 = vww.steps.find((s) => s.kernel === 'depthwise_conv2d_inplace' && arg(s, 'stride_h') === 1)!;
  assert.is(variantKeys(dwS1)[0], 'depthwise_conv2d_inplace/k3x3/s1/pad');
  const stem = vww.steps[0];
  assert.equal(variantKeys(stem), ['conv2d_simd/k3x3/s2/nopad', 'conv2d_simd/k3x3/s2', 'conv2d_simd/k3x3', 'conv2d_simd']);
  assert.equal(variantKeys(ad.steps[0]), ['fully_connected']);
  const kws = buildSchedule(buildZooModel('mlperf-kws'));
  assert.equal(variantKeys(kws.steps[0])[0], 'conv2d_narrow/k10x4/s2/pad');
});

test('features of a windowed step match a hand count (3x3 depthwise, stride 1, SAME, on 4x4x8)', () => {
  const vww = buildSchedule(buildZooModel('mlperf-vww'));
  const dw = vww.steps.find((s) => s.kernel === 'depthwise_conv2d_inplace' && arg(s, 'stride_h') === 1)!;
  // same step with a 4x4x8 geometry: the features only read the arguments and the access spans
  const at = (n: string, v: number) => ({ ...dw.args.find((a) => a.name === n)!, value: v });
  const step = { ...dw, macs: 4 * 4 * 8 * 9, args: dw.args.map((a) => (['in_h', 'in_w', 'out_h', 'out_w'].includes(a.name) ? at(a.name, 4) : ['in_c', 'out_c'].includes(a.name) ? at(a.name, 8) : a)) };
  const f = stepFeatures(step);
  // taps inside per axis: 2, 3, 3, 2 (sum 10); interior outputs 2x2 of 16
  assert.is(f.insideMacs, 10 * 10 * 8);
  assert.is(f.borderOutputs, 12 * 8);
  assert.is(f.borderMacs, (100 - 2 * 3 * 2 * 3) * 8);
  assert.is(f.kernelRows, 10 * 4 * 8);
  assert.is(f.planeRows, 4 * 8);
  assert.is(f.weights, 9 * 8);
  assert.is(f.tailMacs, 0, '8 channels: no remainder of 4');
  assert.is(f.pixels, 16);
  // FULLY_CONNECTED: depth 640 units 128, no remainders
  const fc = stepFeatures(ad.steps[0]);
  assert.is(fc.macs, 81920);
  assert.is(fc.channels, 128);
  assert.is(fc.tailMacs, 0);
  assert.is(fc.insideMacs, 0);
});

test('fitting: forward selection on leave-one-out error finds the features that make the cost, and no others', () => {
  // cycles = 3 per MAC + 40 per output byte + 500 per channel, 1 % noise; pixels and inputs are noise features
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const rows: Features[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 30; i++) {
    const x = Object.fromEntries(FEATURES.map((f) => [f, 0])) as Features;
    Object.assign(x, { macs: Math.round(1e4 + 1e6 * rnd()), outputs: Math.round(100 + 2e4 * rnd()), channels: Math.round(8 + 300 * rnd()), pixels: Math.round(1 + 2000 * rnd()), inputs: Math.round(100 + 3e4 * rnd()), const: 1 });
    rows.push(x);
    ys.push((3 * x.macs + 40 * x.outputs + 500 * x.channels) * (1 + 0.02 * (rnd() - 0.5)));
  }
  const f = selectFormula(rows, ys, FEATURES);
  assert.equal(Object.keys(f.coefficients).sort(), ['channels', 'macs', 'outputs']);
  assert.ok(Math.abs(f.coefficients.macs! - 3) < 0.1 && Math.abs(f.coefficients.outputs! - 40) < 4 && Math.abs(f.coefficients.channels! - 500) < 60, JSON.stringify(f.coefficients));
  assert.ok(f.medianError < 0.01 && f.looMedianError! < 0.01);
  // NNLS never goes negative
  const g = fitFormula(rows, ys.map((y, i) => y - 2 * rows[i].inputs), ['macs', 'outputs', 'channels', 'inputs']);
  assert.ok(Object.values(g.coefficients).every((c) => (c as number) >= 0));
});

test('the calibration set holds out the zoo: no calibration layer has the shape of a held-out zoo layer', () => {
  const zoo = new Map<string, string>();
  for (const m of HELD_OUT_MODELS) for (const st of buildSchedule(buildZooModel(m)).steps) zoo.set(shapeSignature(st), `${m} step ${st.index}`);
  for (const light of [false, true]) {
    for (const c of calibrationSet({ light })) {
      assert.not.ok(HELD_OUT_MODELS.includes(c.graph.name));
      for (const st of buildSchedule(c.graph).steps) {
        const sig = shapeSignature(st);
        assert.not.ok(zoo.has(sig), `${c.graph.name} step ${st.index} has the shape of ${zoo.get(sig)}: ${sig}`);
      }
    }
  }
});

test('estimateCycles: per step and total, milliseconds at the device clock, faster clock -> fewer ms', () => {
  const f412 = findDevice('stm32f412');
  const e = estimateCycles(ad, f412);
  assert.is(e.perStep.length, ad.steps.length);
  assert.is(e.formulas.length, ad.steps.length);
  assert.is(e.total, e.perStep.reduce((a, b) => a + b, 0));
  assert.ok(e.perStep.every((c) => c > 0));
  assert.ok(Math.abs(e.latencyMs - (e.total / 100e6) * 1000) < 1e-9);
  const m7 = estimateCycles(ad, findDevice('stm32h743'));
  assert.ok(m7.latencyMs < e.latencyMs, 'the 480 MHz M7 is faster');
  const m0 = estimateCycles(ad, findDevice('rp2040'));
  assert.ok(m0.total > e.total, 'the M0+ needs more cycles than the M4');
});

test('fallback: a step uses its most specific variant formula, then its kernel size, then its kernel', () => {
  const vww = buildSchedule(buildZooModel('mlperf-vww'));
  const m4 = costTable('cortex-m4');
  const i = vww.steps.findIndex((s) => s.kernel === 'depthwise_conv2d_inplace' && arg(s, 'stride_h') === 2);
  const [specific, stride, size, plain] = variantKeys(vww.steps[i]);
  const device = findDevice('stm32f412');
  const only = (keep: (k: string) => boolean) => ({ 'cortex-m4': { ...m4, kernels: Object.fromEntries(Object.entries(m4.kernels).filter(([k]) => keep(k))) } });
  const full = estimateCycles(vww, device);
  assert.ok(full.formulas[i].startsWith(size), full.formulas[i]);
  assert.ok(specific.startsWith(stride));
  const dropSpecific = estimateCycles(vww, device, only((k) => !k.startsWith(stride)));
  assert.ok([size, plain].includes(dropSpecific.formulas[i]), dropSpecific.formulas[i]);
  const plainOnly = estimateCycles(vww, device, only((k) => !k.startsWith(size)));
  assert.is(plainOnly.formulas[i], plain);
  assert.ok(plainOnly.perStep[i] > 0);
  // with its variants and its kernel gone: a typed error naming the kernel and the keys tried, never 0
  throwsError(() => estimateCycles(vww, device, only((k) => !k.startsWith('depthwise_conv2d_inplace'))), CycleModelError,
    /no formula for kernel 'depthwise_conv2d_inplace' \(step 1, .*variant keys tried: depthwise_conv2d_inplace\/k3x3\/s1\/pad, depthwise_conv2d_inplace\/k3x3\/s1, depthwise_conv2d_inplace\/k3x3, depthwise_conv2d_inplace\)/);
});

test('typed errors: unknown core, device without a cost table, kernel without a formula', () => {
  throwsError(() => costTable('cortex-m99'), CycleModelError, /unknown core 'cortex-m99'/);
  const m33 = { ...findDevice('stm32f412'), name: 'my-m33', core: 'cortex-m33' as const };
  throwsError(() => estimateCycles(ad, m33), CycleModelError, /my-m33.*no cycle cost table for core cortex-m33/);
  throwsError(() => costTable('cortex-m4', { 'cortex-m4': { core: 'cortex-m4', source: 'x' } }), CycleModelError, /no cycle cost table for core cortex-m4/);
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
