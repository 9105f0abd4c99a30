// Schedules are interchangeable: every schedule of a zoo model (layer by layer with and without in-place depthwise,
// fused inverted residuals, patch-based, auto) gives the same output bytes on random inputs and passes the plan
// checker. PAD folding is exactly equivalent. The CLI's --schedule / --max-overhead / --split / --patches, fit's
// timeline and schedule fields, and the typed errors for bad requests.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph, Tensor } from '../../models/ir.ts';
import { buildZooModel } from '../../models/zoo/index.ts';
import { UnsupportedError, UsageError } from '../../runtime/errors.ts';
import { runSchedule } from '../../runtime/executor.ts';
import { randomInputs } from '../../runtime/inputs.ts';
import { kernelsModule } from '../../runtime/kernels-node.ts';
import { Machine } from '../../runtime/machine.ts';
import { checkPlan } from '../../runtime/plan-check.ts';
import { buildSchedule, type ScheduleOptions } from '../../runtime/schedule.ts';
import { findDevice } from '../../simulator/devices.ts';
import { runCli } from '../helpers/cli.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, testMachine } from '../helpers/single-op.ts';

const MODELS = ['mlperf-vww', 'mlperf-ic', 'mlperf-kws', 'mbv2-w0.35-r64', 'proxyless-w0.3-r64'];
const VARIANTS: [string, ScheduleOptions][] = [
  ['layer', { schedule: 'layer' }],
  ['layer, no in-place', { schedule: 'layer', inPlace: false }],
  ['layer, fused blocks', { schedule: 'layer', fuseBlocks: true }],
  ['layer, all blocks fused', { schedule: 'layer', fuseBlocks: 'all' }],
  ['patch', { schedule: 'patch' }],
  ['patch, max overhead 0.05', { schedule: 'patch', maxOverhead: 0.05 }],
  ['auto', { schedule: 'auto' }],
];

let machine: Machine | undefined;
async function roomy(): Promise<Machine> {
  machine ??= await Machine.create({ ...findDevice('stm32h743'), name: 'schedules', sramBytes: 256 << 10, flashBytes: 2 << 20 }, kernelsModule());
  return machine;
}

for (const name of MODELS) {
  test(`${name}: every schedule gives the same bytes and passes the plan checker`, async () => {
    const g = buildZooModel(name);
    const m = await roomy();
    const inputs = [randomInputs(g, 1), randomInputs(g, 2)];
    let want: ArrayLike<number>[] | null = null;
    const kinds = new Set<string>();
    for (const [label, options] of VARIANTS) {
      const s = buildSchedule(g, options);
      checkPlan(s);
      kinds.add(s.kind);
      assert.ok(s.arenaBytes >= s.lowerBound && (options.fuseBlocks === 'all' || s.arenaBytes <= s.greedyArenaBytes), `${name} ${label}: arena ${s.arenaBytes}, bound ${s.lowerBound}, greedy ${s.greedyArenaBytes}`);
      if (s.kind === 'patch') assert.ok(s.summary.overheadRatio <= (options.maxOverhead ?? 0.2) + 1e-9, `${name} ${label}: overhead ${s.summary.overheadRatio}`);
      const outs = inputs.flatMap((x, k) => runSchedule(s, m, x, { checked: k === 0 && (name === 'mlperf-kws' || name === 'mlperf-ic') }));
      want ??= outs;
      outs.forEach((o, k) => assert.is(firstDifference(o, want![k]), 'equal', `${name} ${label}, output ${k}`));
    }
    if (name !== 'mlperf-kws') assert.ok(kinds.has('patch'), `${name}: no patch schedule was built`);
  });
}

const q8 = (name: string, shape: number[], zp: number, data?: Int8Array): Tensor =>
  ({ name, shape, dtype: 'int8', quant: { scale: [Math.fround(0.05)], zeroPoint: [zp], axis: 0 }, ...(data ? { data } : {}) });

/** input -> PAD -> conv or depthwise (VALID), optionally with the padded tensor also a model output. */
function padGraph(r: Rng, kind: 'CONV_2D' | 'DEPTHWISE_CONV_2D', k: number, stride: number, pads: [number, number][], padIsOutput = false): Graph {
  const [H, W, C] = [r.int(3, 9), r.int(3, 9), r.int(1, 9)];
  const zp = r.int(-30, 30);
  const padded = [1, H + pads[1][0] + pads[1][1], W + pads[2][0] + pads[2][1], C + pads[3][0] + pads[3][1]];
  const oc = kind === 'CONV_2D' ? r.int(1, 8) : padded[3];
  const wShape = kind === 'CONV_2D' ? [oc, k, k, padded[3]] : [1, k, k, oc];
  const out = [1, Math.floor((padded[1] - k) / stride) + 1, Math.floor((padded[2] - k) / stride) + 1, oc];
  const scales = Array.from({ length: oc }, () => Math.fround(0.004));
  return {
    name: 'pad-fold', inputs: [0], outputs: padIsOutput ? [4, 1] : [4],
    tensors: [
      q8('x', [1, H, W, C], r.int(-5, 5)), q8('padded', padded, zp),
      { name: 'w', shape: wShape, dtype: 'int8', data: r.int8s(wShape.reduce((a, b) => a * b, 1)), quant: { scale: scales, zeroPoint: scales.map(() => 0), axis: kind === 'CONV_2D' ? 0 : 3 } },
      { name: 'b', shape: [oc], dtype: 'int32', data: Int32Array.from({ length: oc }, () => r.int(-500, 500)) },
      { ...q8('y', out, r.int(-10, 10)), quant: { scale: [Math.fround(0.05 * 0.004 * 20 * k)], zeroPoint: [0], axis: 0 } },
    ],
    ops: [
      { kind: 'PAD', name: 'pad', inputs: [0], outputs: [1], options: { paddings: pads } },
      kind === 'CONV_2D'
        ? { kind, name: 'conv', inputs: [1, 2, 3], outputs: [4], options: { strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, padding: 'VALID', activation: 'NONE' } }
        : { kind, name: 'conv', inputs: [1, 2, 3], outputs: [4], options: { strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, padding: 'VALID', activation: 'NONE', depthMultiplier: 1 } },
    ],
  };
}

test('PAD folds into the following convolution exactly (spatial padding only, padded tensor not needed elsewhere)', async () => {
  const r = new Rng(5);
  const m = await testMachine();
  let folded = 0;
  for (let i = 0; i < 150; i++) {
    const kind = r.pick(['CONV_2D', 'DEPTHWISE_CONV_2D'] as const);
    const channelPad = kind === 'CONV_2D' && r.next() < 0.15;
    const pads: [number, number][] = [[0, 0], [r.int(0, 3), r.int(0, 3)], [r.int(0, 3), r.int(0, 3)], [0, channelPad ? 1 : 0]];
    const padIsOutput = r.next() < 0.1;
    const g = padGraph(r, kind, r.pick([1, 1, 3, 3, 5]), r.int(1, 2), pads, padIsOutput);
    if (g.tensors[4].shape[1] < 1 || g.tensors[4].shape[2] < 1) continue;
    const fused = buildSchedule(g);
    const plain = buildSchedule(g, { fusePad: false });
    checkPlan(fused);
    const shouldFold = !channelPad && !padIsOutput;
    assert.is(fused.steps.some((s) => s.op === 'PAD'), !shouldFold, `case ${i}: PAD ${shouldFold ? 'not ' : ''}folded`);
    if (shouldFold) {
      folded++;
      assert.ok(fused.arenaBytes <= plain.arenaBytes);
      assert.is(fused.placements[1], undefined, 'the padded tensor no longer exists');
    }
    const x = randomInputs(g, i);
    const a = runSchedule(fused, m, x, { checked: i % 10 === 0 });
    const b = runSchedule(plain, m, x);
    assert.is(firstDifference(a[0], b[0]), 'equal', `case ${i}: ${kind} pads ${JSON.stringify(pads)}`);
  }
  assert.ok(folded > 100, `only ${folded} folded cases`);
});

test('fit --json: timeline per step and the schedule summary; text output draws one bar per step or patch', async () => {
  const r = await runCli('fit', 'mlperf-vww', '--json', '--schedule', 'patch');
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.is(j.timeline.length, j.steps.length);
  for (const [k, t] of j.timeline.entries()) {
    assert.equal(Object.keys(t).sort(), ['arenaHighWater', 'liveBytes', 'step']);
    assert.is(t.step, k);
    assert.ok(t.liveBytes <= t.arenaHighWater && t.arenaHighWater <= j.sram.peak);
  }
  assert.is(Math.max(...j.timeline.map((t: { liveBytes: number }) => t.liveBytes)), j.sram.lowerBound);
  const s = j.schedule;
  assert.is(s.kind, 'patch');
  assert.is(s.split.name, 'block2/depthwise');
  assert.equal(s.patches, [4, 4]);
  assert.ok(s.overheadMacs > 0 && s.overheadRatio > 0 && s.overheadRatio <= 0.2);
  assert.ok(s.peakAfter < s.peakBefore && s.peakAfter === j.sram.peak);
  assert.equal(s.tiles[0], { op: 'stem', tile: [15, 15], whole: [48, 48] });
  const layer = JSON.parse((await runCli('fit', 'mlperf-vww', '--json', '--schedule', 'layer')).stdout);
  assert.equal({ kind: layer.schedule.kind, split: layer.schedule.split, patches: layer.schedule.patches, overheadMacs: layer.schedule.overheadMacs }, { kind: 'layer', split: null, patches: null, overheadMacs: 0 });
  const text = await runCli('fit', 'mlperf-vww', '--schedule', 'patch');
  assert.match(text.stdout, /schedule: patch\n  split after operator 3 'block2\/depthwise' \[1,24,24,16\], 4x4 patches, extra MACs [\d,]+ \(3\.5%\)/);
  assert.match(text.stdout, /\n0-4 +patch +patch 0 \(5 steps\)/);
  assert.match(text.stdout, /[█░]+·*\n/);
});

test('bad requests: --max-overhead out of range, patch without a spatial stage, a stage with an unpatchable op', async () => {
  for (const v of ['-0.1', '11', 'lots']) {
    const r = await runCli('fit', 'mlperf-vww', `--max-overhead=${v}`);
    assert.is(r.code, 2, v);
    assert.match(r.stderr, /UsageError: .*--max-overhead must be a number/);
  }
  throwsError(() => buildSchedule(buildZooModel('mlperf-vww'), { maxOverhead: Number.NaN }), UsageError, /--max-overhead/);
  throwsError(() => buildSchedule(buildZooModel('mlperf-vww'), { schedule: 'tiles' as never }), UsageError, /--schedule must be layer, patch or auto/);
  const ad = await runCli('fit', 'mlperf-ad', '--schedule', 'patch');
  assert.is(ad.code, 2);
  assert.match(ad.stderr, /UnsupportedError: model 'mlperf-ad' has no stage that can run patch by patch: FULLY_CONNECTED 'dense1' .*cannot run on tiles/);
  // auto on the same model: layer by layer, with the reason.
  const auto = JSON.parse((await runCli('fit', 'mlperf-ad', '--json')).stdout);
  assert.is(auto.schedule.kind, 'layer');
  assert.match(auto.schedule.reason, /^auto: /);
  // A forced split past global pooling.
  const pool = await runCli('fit', 'mlperf-vww', '--split', 'pool');
  assert.is(pool.code, 2);
  assert.match(pool.stderr, /UnsupportedError: cannot patch up to 'pool': global pooling \(AVERAGE_POOL_2D 'pool'\)/);
  const g = buildZooModel('mlperf-vww');
  throwsError(() => buildSchedule(g, { schedule: 'patch', split: g.tensors.findIndex((t) => t.name === 'classifier'), patches: 2 }), UnsupportedError, /cannot patch up to 'classifier': global pooling/);
  assert.match((await runCli('fit', 'mlperf-vww', '--split', 'block2/depthwise', '--patches', '8', '--max-overhead', '0.01')).stderr, /costs 9\.0% extra MACs, above --max-overhead 0\.01/);
  assert.match((await runCli('fit', 'mlperf-vww', '--split', 'block2/depthwise', '--patches', '99')).stderr, /--patches must be an integer from 1 to 24/);
  assert.match((await runCli('fit', 'mlperf-vww', '--split', 'nope')).stderr, /no tensor named 'nope'/);
  // No patch schedule within the bound: --schedule patch falls back to layer by layer and says why.
  const none = await runCli('fit', 'mlperf-vww', '--schedule', 'patch', '--max-overhead', '0', '--json');
  assert.is(none.code, 0);
  assert.is(JSON.parse(none.stdout).schedule.kind, 'layer');
  assert.match(none.stderr, /falls back to layer by layer: no patch-based schedule/);
});

test.run();
