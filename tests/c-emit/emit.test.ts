// The C emitter: what it writes, that the Flash image and arena are exactly the schedule's, that the API in model.h
// works from plain C, that the Makefile and CMakeLists.txt build warning-free, and the output-folder rules.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../cli/main.ts';
import { buildZooModel } from '../../models/zoo/index.ts';
import { emitC, floatLiteral, intLiteral, MANIFEST, segments, writeEmitted } from '../../runtime/emit-c.ts';
import { UsageError } from '../../runtime/errors.ts';
import { runSchedule } from '../../runtime/executor.ts';
import { kernelsModule } from '../../runtime/kernels-node.ts';
import { Machine } from '../../runtime/machine.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { findDevice } from '../../simulator/devices.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { missingTools, records } from './common.ts';
import { validate } from '../../simulator/validate.ts';
import type { Graph } from '../../models/ir.ts';

const device = findDevice('stm32f412');
const tmp = mkdtempSync(join(tmpdir(), 'mcusim-emit-test-'));
const ad = buildSchedule(buildZooModel('mlperf-ad'));
const vww = buildSchedule(buildZooModel('mlperf-vww'), { schedule: 'patch' });
const hostTools = await missingTools(['host']);
const armTools = await missingTools(['m4']);

/** Decodes the C string literals of model_flash.c (independently of the emitter's encoder). */
function decodeFlash(text: string): Uint8Array {
  const body = text.slice(text.indexOf('= {'));
  const bytes: number[] = [];
  for (const m of body.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    const s = m[1];
    for (let i = 0; i < s.length; i++) {
      if (s[i] !== '\\') bytes.push(s.charCodeAt(i));
      else if (/[0-7]/.test(s[i + 1])) {
        const oct = /^[0-7]{1,3}/.exec(s.slice(i + 1))![0];
        bytes.push(parseInt(oct, 8));
        i += oct.length;
      } else {
        bytes.push(s.charCodeAt(i + 1));
        i++;
      }
    }
  }
  return Uint8Array.from(bytes);
}

test('only the kernels the model uses are copied, with their shared header', () => {
  const e = emitC(ad, { device });
  assert.equal([...e.files.keys()].sort(), ['CMakeLists.txt', 'Makefile', 'dsp.h', 'fully_connected.c', 'fully_connected.h', 'model.c', 'model.h', 'model_flash.c', 'model_flash.h', 'requantize.h']);
  assert.equal(e.kernels, ['fully_connected']);
  assert.equal(e.sources, ['model.c', 'model_flash.c', 'fully_connected.c']);
  const v = emitC(vww, { device });
  for (const k of new Set(vww.steps.map((s) => s.kernel))) assert.ok(v.files.has(`${k === 'quantize_int8' ? 'quantize' : k}.c`), `${k}.c copied`);
  assert.not.ok(v.files.has('add.c'), 'no kernel the model does not call');
});

test('a kernel whose C function has another name is called by that name (TANH is tanh_int8), and the C equals WebAssembly', async () => {
  const q = (scale: number, zeroPoint: number) => ({ scale: [Math.fround(scale)], zeroPoint: [zeroPoint], axis: 0 });
  const g: Graph = {
    name: 'tanh-call',
    tensors: [
      { name: 'x', shape: [1, 64], dtype: 'int8', quant: q(0.05, 3) },
      { name: 'y', shape: [1, 64], dtype: 'int8', quant: q(1 / 128, 0) },
    ],
    ops: [{ kind: 'TANH', name: 'tanh', inputs: [0], outputs: [1], options: {} }],
    inputs: [0],
    outputs: [1],
  };
  const s = buildSchedule(g);
  const model = emitC(s, { device }).files.get('model.c')!;
  assert.match(model, /\btanh_int8\(ARENA\(/);
  assert.not.match(model, /\btanh\(/, 'the C library name tanh is never called');
  if (hostTools) return console.log(`  skipped the host build: ${hostTools}`);
  const r = await validate(s, { device, targets: ['host'], records: records(g, 3) });
  assert.ok(r.ok, r.targets.flatMap((t) => t.problems).join('\n'));
});

test('the Flash image is the schedule\'s byte for byte; the arena is exactly the planned size', () => {
  for (const s of [ad, vww]) {
    const e = emitC(s, { device });
    const image = decodeFlash(e.files.get('model_flash.c')!);
    assert.is(image.length, s.flashImage.length);
    assert.ok(image.every((b, i) => b === s.flashImage[i]), 'every byte equal');
    const h = e.files.get('model.h')!;
    assert.match(h, new RegExp(`#define MODEL_ARENA_BYTES ${s.arenaBytes}u\\b`));
    assert.match(h, new RegExp(`#define MODEL_FLASH_BYTES ${s.flashImage.length}u\\b`));
    assert.match(e.files.get('model.c')!, /static MODEL_ALIGN16 MODEL_ARENA_ATTR uint8_t model_arena\[MODEL_ARENA_BYTES\];/);
    assert.match(e.files.get('model_flash.c')!, /MODEL_ALIGN16 MODEL_FLASH_ATTR const model_flash_image model_flash = \{/);
  }
});

test('C literals: floats round-trip through float32, INT32_MIN is spelled safely', () => {
  const r = new Rng(7);
  for (let i = 0; i < 2000; i++) {
    const f = Math.fround((r.next() - 0.5) * 10 ** Math.floor(r.next() * 20 - 10));
    const text = floatLiteral(f);
    assert.match(text, /^-?\d+(\.\d+)?(e-?\d+)?f$|^-?\d+\.\d*(e-?\d+)?f$/);
    assert.is(Math.fround(Number(text.slice(0, -1))), f, text);
  }
  assert.is(floatLiteral(1), '1.0f');
  assert.is(floatLiteral(1 / 256), '0.00390625f');
  assert.is(intLiteral(-(2 ** 31)), '(-2147483647 - 1)');
  assert.is(intLiteral(2147483647), '2147483647');
});

test('layer schedules are straight-line code; a patch stage becomes one loop over a table', () => {
  assert.ok(segments(ad.steps).every((g) => g.count === 1));
  const layer = buildSchedule(buildZooModel('mlperf-vww'), { schedule: 'layer' });
  assert.ok(segments(layer.steps).every((g) => g.count === 1));
  const loops = segments(vww.steps).filter((g) => g.count > 1);
  const patches = vww.summary.patches!;
  assert.is(loops.length, 1);
  assert.is(loops[0].count, patches[0] * patches[1]);
  assert.is(loops[0].period * loops[0].count, vww.steps.filter((s) => s.patch).length);
  const c = emitC(vww, { device }).files.get('model.c')!;
  assert.match(c, new RegExp(`for \\(i = 0; i < ${loops[0].count}u; i\\+\\+\\)`));
  assert.match(c, new RegExp(`static const u?int(8|16|32)_t loop${loops[0].start}_u?int(8|16|32)\\[${loops[0].count}\\]\\[\\d+\\] = \\{`));
});

test('model.h API from plain C: tensor info, 16-byte aligned arena, outputs equal WebAssembly\'s', async () => {
  if (hostTools) return console.log(`  skipped: ${hostTools}`);
  const dir = join(tmp, 'api');
  writeEmitted(dir, emitC(vww, { device }), { model: 'mlperf-vww', device: device.name, schedule: 'patch' });
  const g = vww.graph;
  const input = g.tensors[g.inputs[0]];
  writeFileSync(join(dir, 'api_test.c'), `#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "model.h"
int main(void) {
  const model_tensor *in = model_input_info(0), *out = model_output_info(0);
  unsigned i;
  if (model_input_info(MODEL_NUM_INPUTS) != NULL || model_input(MODEL_NUM_INPUTS) != NULL || model_output(MODEL_NUM_OUTPUTS) != NULL) return 1;
  printf("%s %s %u %u %d %d %d %d %.9g %d\\n", in->name, in->dtype, (unsigned)in->bytes, (unsigned)in->rank, (int)in->shape[0], (int)in->shape[1], (int)in->shape[2], (int)in->shape[3], (double)in->scale, (int)in->zero_point);
  printf("%lu\\n", (unsigned long)(((uintptr_t)model_input(0) - ${vww.placements[g.inputs[0]]!.offset}u) % 16u));
  for (i = 0; i < MODEL_INPUT0_BYTES; i++) MODEL_INPUT0[i] = (int8_t)((i * 7u) % 256u - 128);
  model_invoke();
  for (i = 0; i < out->bytes; i++) printf("%d ", (int)MODEL_OUTPUT0[i]);
  printf("\\n");
  return 0;
}
`);
  execFileSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-fno-strict-aliasing', '-O2', '-I', dir, ...['model.c', 'model_flash.c', 'api_test.c', ...emitC(vww, { device }).sources.slice(2)].map((f) => join(dir, f)), '-o', join(dir, 'api_test')]);
  const [info, align, outs] = execFileSync(join(dir, 'api_test'), { encoding: 'utf8' }).trim().split('\n');
  const q = input.quant!;
  assert.is(info, `${input.name} int8 ${27648} 4 1 96 96 3 ${Math.fround(q.scale[0]).toPrecision(9).replace(/\.?0+$/, '')} ${q.zeroPoint[0]}`);
  assert.is(align, '0', 'arena base 16-byte aligned');
  const x = Int8Array.from({ length: 27648 }, (_, i) => ((i * 7) % 256) - 128);
  const m = await Machine.create(device, kernelsModule());
  const want = runSchedule(vww, m, [x])[0];
  assert.is(outs, Array.from(want).join(' '));
});

test('the Makefile (host, cortex-m4) and CMakeLists.txt build warning-free', () => {
  if (hostTools) return console.log(`  skipped: ${hostTools}`);
  const dir = join(tmp, 'make');
  writeEmitted(dir, emitC(vww, { device }), { model: 'mlperf-vww', device: device.name, schedule: 'patch' });
  const out = execFileSync('make', ['-s', '-C', dir, 'host'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.not.match(out, /warning/i);
  assert.ok(existsSync(join(dir, 'build/host/libmodel.a')));
  if (armTools) console.log(`  cortex-m4 make target skipped: ${armTools}`);
  else {
    execFileSync('make', ['-s', '-C', dir, 'cortex-m4', 'cortex-m0plus'], { stdio: ['ignore', 'pipe', 'pipe'] });
    assert.ok(existsSync(join(dir, 'build/cortex-m4/libmodel.a')) && existsSync(join(dir, 'build/cortex-m0plus/libmodel.a')));
  }
  try {
    execFileSync('cmake', ['--version'], { stdio: 'ignore' });
  } catch {
    return console.log('  CMake build skipped: cmake is not installed (Debian package cmake)');
  }
  const b = join(tmp, 'cmake-build');
  execFileSync('cmake', ['-S', dir, '-B', b], { stdio: 'ignore' });
  execFileSync('cmake', ['--build', b], { stdio: ['ignore', 'pipe', 'pipe'] });
  assert.ok(existsSync(join(b, 'libmcusim_model.a')));
});

test('an existing folder that is not ours is refused without --force; ours is rewritten and cleaned', async () => {
  const foreign = join(tmp, 'foreign');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'main.c'), 'int main(void) { return 0; }\n');
  throwsError(() => writeEmitted(foreign, emitC(ad, { device }), { model: 'mlperf-ad', device: device.name, schedule: 'layer' }), UsageError, /not written by mcusim.*--force/);
  assert.not.ok(existsSync(join(foreign, 'model.c')), 'nothing written');
  // The same through the CLI: exit code 2 and a message naming --force; with --force the user's file stays.
  const errors: string[] = [];
  const log = console.error;
  console.error = (...a: unknown[]) => errors.push(a.join(' '));
  try {
    assert.is(await main(['emit-c', 'mlperf-ad', '--out', foreign]), 2);
    assert.match(errors.join('\n'), /--force/);
    assert.is(await main(['emit-c', 'mlperf-ad']), 2);
  } finally {
    console.error = log;
  }
  const quiet = console.log;
  console.log = () => {};
  try {
    assert.is(await main(['emit-c', 'mlperf-ad', '--out', foreign, '--force']), 0);
  } finally {
    console.log = quiet;
  }
  assert.ok(existsSync(join(foreign, 'main.c')) && existsSync(join(foreign, 'model.c')) && existsSync(join(foreign, MANIFEST)));
  // Ours: a second emit of another model removes the kernels only the first one needed.
  const ours = join(tmp, 'ours');
  writeEmitted(ours, emitC(vww, { device }), { model: 'mlperf-vww', device: device.name, schedule: 'patch' });
  assert.ok(existsSync(join(ours, 'copy_2d.c'))); // the patch schedule's crops and pastes
  writeEmitted(ours, emitC(ad, { device }), { model: 'mlperf-ad', device: device.name, schedule: 'layer' });
  assert.not.ok(existsSync(join(ours, 'copy_2d.c')), 'stale kernel removed');
  assert.ok(existsSync(join(ours, 'fully_connected.c')));
  assert.is(JSON.parse(readFileSync(join(ours, MANIFEST), 'utf8')).model, 'mlperf-ad');
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
