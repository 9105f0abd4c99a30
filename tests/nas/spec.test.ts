// Architecture specs: field-by-field validation with typed errors, the network they describe, and every MODEL
// command accepting them.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadModel } from '../../models/load.ts';
import { buildSpecArchitecture, buildSpecModel, SPEC_FORMAT, validateSpec, type ArchSpec } from '../../models/nas/spec.ts';
import { countMacs } from '../../models/zoo/index.ts';
import { readTflite } from '../../models/tflite/reader.ts';
import { ModelError } from '../../runtime/errors.ts';
import { fitReport } from '../../runtime/fit.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { findDevice } from '../../simulator/devices.ts';
import { runCli } from '../helpers/cli.ts';
import { throwsError } from '../helpers/expect-error.ts';

const dir = mkdtempSync(join(tmpdir(), 'mcusim-nas-spec-'));

/** A small network: 32x32 input, stem to 8, MBConv1 to 8, a strided block, a residual block, a head. */
const tiny = (): ArchSpec => ({
  format: SPEC_FORMAT,
  name: 'tiny-spec',
  resolution: 32,
  inputChannels: 3,
  classes: 10,
  stem: { channels: 8, kernel: 3, stride: 2 },
  blocks: [
    { kernel: 3, expand: 1, channels: 8, stride: 1 },
    { kernel: 5, expand: 4, channels: 16, stride: 2 },
    { kernel: 7, expand: 3, channels: 16, stride: 1 },
  ],
  head: { channels: 32 },
});

const write = (name: string, value: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
};

test('a valid spec passes unchanged and defaults inputChannels and classes', () => {
  assert.equal(validateSpec(tiny(), 't'), tiny());
  const { inputChannels, classes, ...rest } = tiny();
  const v = validateSpec(rest, 't');
  assert.is(v.inputChannels, 3);
  assert.is(v.classes, 1000);
});

test('malformed specs give a ModelError naming the field', () => {
  const cases: [string, (s: Record<string, any>) => void][] = [
    ['format', (s) => { s.format = 'v0'; }],
    ['name', (s) => { s.name = 'has spaces'; }],
    ['resolution', (s) => { s.resolution = '224'; }],
    ['resolution', (s) => { s.resolution = 4; }],
    ['stem', (s) => { s.stem = [8, 3, 2]; }],
    ['stem.stride', (s) => { s.stem.stride = 3; }],
    ['stem.kernel', (s) => { s.stem.kernel = 4; }],
    ['blocks', (s) => { s.blocks = []; }],
    ['blocks\\[1\\]', (s) => { s.blocks[1] = 7; }],
    ['blocks\\[2\\].kernel', (s) => { s.blocks[2].kernel = 4; }],
    ['blocks\\[1\\].expand', (s) => { s.blocks[1].expand = 0.5; }],
    ['blocks\\[0\\].channels', (s) => { s.blocks[0].channels = 0; }],
    ['blocks\\[1\\].stride', (s) => { delete s.blocks[1].stride; }],
    ['blocks\\[0\\].kernal', (s) => { s.blocks[0].kernal = 3; }],
    ['head.channels', (s) => { s.head = { channels: -1 }; }],
    ['classes', (s) => { s.classes = 1; }],
    ['colour', (s) => { s.colour = 'blue'; }],
  ];
  for (const [field, mutate] of cases) {
    const s = JSON.parse(JSON.stringify(tiny()));
    mutate(s);
    throwsError(() => validateSpec(s, 'bad.json'), ModelError, new RegExp(`architecture spec bad.json: field '${field}'`));
  }
  throwsError(() => validateSpec(null, 'x.json'), ModelError, /field '\(top level\)' must be an object/);
});

test('loading a malformed spec file names the file and the field; bad JSON and missing files are ModelErrors', () => {
  const s = JSON.parse(JSON.stringify(tiny()));
  s.blocks[1].kernel = 6;
  throwsError(() => loadModel(write('bad-kernel.json', s)), ModelError, /bad-kernel\.json: field 'blocks\[1\]\.kernel' must be an odd integer from 1 to 11 \(got 6\)/);
  throwsError(() => loadModel(write('broken.json', '{"format": ')), ModelError, /broken\.json is not valid JSON/);
  throwsError(() => loadModel(join(dir, 'missing.json')), ModelError, /cannot read architecture spec .*missing\.json: ENOENT/);
});

test('the CLI reports a malformed spec as bad input (exit 2) naming the field', async () => {
  const s = JSON.parse(JSON.stringify(tiny()));
  s.stem.channels = 'eight';
  const r = await runCli('fit', write('bad-stem.json', s));
  assert.is(r.code, 2);
  assert.match(r.stderr, /ModelError: architecture spec bad-stem\.json: field 'stem\.channels' must be an integer/);
});

test('the network: inverted residual blocks, shortcut only for stride 1 with equal channels, MACs by hand', () => {
  const g = buildSpecArchitecture(tiny());
  const kinds = g.ops.map((o) => `${o.kind}:${o.name}`);
  assert.equal(kinds, [
    'CONV_2D:stem',
    'DEPTHWISE_CONV_2D:block1/depthwise', 'CONV_2D:block1/project', 'ADD:block1/add',
    'CONV_2D:block2/expand', 'DEPTHWISE_CONV_2D:block2/depthwise', 'CONV_2D:block2/project',
    'CONV_2D:block3/expand', 'DEPTHWISE_CONV_2D:block3/depthwise', 'CONV_2D:block3/project', 'ADD:block3/add',
    'CONV_2D:feature_mix', 'MEAN:pool', 'FULLY_CONNECTED:classifier', 'SOFTMAX:softmax',
  ]);
  // 32 -> stem s2 -> 16x16x8; block1 (expand 1, k3) 16x16x8; block2 (e4: 32 hidden, k5 s2) 8x8x16; block3 (e3: 48, k7) 8x8x16.
  const macs = 16 * 16 * 8 * 3 * 3 * 3
    + 16 * 16 * 8 * 9 + 16 * 16 * 8 * 8
    + 16 * 16 * 32 * 8 + 8 * 8 * 32 * 25 + 8 * 8 * 16 * 32
    + 8 * 8 * 48 * 16 + 8 * 8 * 48 * 49 + 8 * 8 * 16 * 48
    + 8 * 8 * 32 * 16 + 32 * 10;
  assert.is(countMacs(g), macs);
  assert.equal(g.tensors[g.inputs[0]].shape, [1, 32, 32, 3]);
  assert.equal(g.tensors[g.outputs[0]].shape, [1, 10]);
});

test('shapes-only and calibrated graphs of a spec plan the same arena and the same Flash', () => {
  const device = findDevice('stm32f412');
  const spec = { ...tiny(), resolution: 64 };
  for (const schedule of ['layer', 'auto'] as const) {
    const a = fitReport(buildSchedule(buildSpecArchitecture(spec), { schedule }), device);
    const b = fitReport(buildSchedule(buildSpecModel(spec), { schedule }), device);
    assert.is(a.sram.peak, b.sram.peak, schedule);
    assert.is(a.flash.weights, b.flash.weights, schedule);
    assert.is(a.macs, b.macs);
  }
});

test('fit, run, emit-c, inspect and models --export take a spec file as MODEL', async () => {
  const path = write('tiny.json', tiny());
  const fit = await runCli('fit', path, '--json');
  assert.is(fit.code, 0, fit.stderr);
  assert.is(JSON.parse(fit.stdout).model, 'tiny-spec');
  const run = await runCli('run', path, '--json');
  assert.is(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).outputs[0].shape, [1, 10]);
  const emit = await runCli('emit-c', path, '--schedule', 'layer', '--out', join(dir, 'c'));
  assert.is(emit.code, 0, emit.stderr);
  assert.ok(readFileSync(join(dir, 'c', 'model.c'), 'utf8').length > 0);
  const out = join(dir, 'tiny.tflite');
  const exp = await runCli('models', '--export', path, '--out', out);
  assert.is(exp.code, 0, exp.stderr);
  const back = readTflite(readFileSync(out), 'tiny');
  assert.is(countMacs(back), countMacs(buildSpecArchitecture(tiny())));
  assert.is((await runCli('inspect', path)).code, 0);
});

test.run();
