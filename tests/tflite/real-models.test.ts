// Real third-party models (../shared/models, see its README): every model reads into a valid Graph, and
// every case in cases.tsv runs through buildSchedule + runSchedule to exactly the bytes TFLite Micro's
// reference kernels produce. Skipped, with the reason printed, when the folder is absent.
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph } from '../../models/ir.ts';
import { validateGraph } from '../../models/validate.ts';
import { readTflite } from '../../models/tflite/reader.ts';
import { writeTflite } from '../../models/tflite/writer.ts';
import { runSchedule } from '../../runtime/executor.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { firstDifference, testMachine } from '../helpers/single-op.ts';

const dir = new URL('../../../shared/models/', import.meta.url);
const present = existsSync(new URL('cases.tsv', dir));
const skip = (what: string) => console.log(`  (skipped ${what}: ${dir.pathname}cases.tsv is absent)`);

interface Case { model: string; input: string; expected: string; note: string }

function cases(): Case[] {
  return readFileSync(new URL('cases.tsv', dir), 'utf8').trim().split('\n').slice(1).map((line) => {
    const [model, input, expected, note] = line.split('\t');
    return { model, input, expected, note };
  });
}

const graphs = new Map<string, Graph>();
function graph(model: string): Graph {
  if (!graphs.has(model)) graphs.set(model, readTflite(readFileSync(new URL(model, dir)), model.replace(/\.tflite$/, '')));
  return graphs.get(model)!;
}

const bytes = (file: string) => new Uint8Array(readFileSync(new URL(file, dir)));
const asBytes = (v: ArrayBufferView) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

test('every model in cases.tsv reads into a valid Graph', () => {
  if (!present) return skip('real-model reading');
  const models = [...new Set(cases().map((c) => c.model))];
  assert.is(models.length, 6);
  for (const m of models) {
    const g = graph(m);
    validateGraph(g);
    assert.ok(g.ops.length > 0 && g.inputs.length === 1 && g.outputs.length === 1, m);
  }
  // Facts from the models' README: operator lists and input/output shapes.
  const kinds = (m: string) => graph(m).ops.map((op) => op.kind);
  const count = (m: string, k: string) => kinds(m).filter((x) => x === k).length;
  assert.equal([count('person_detect.tflite', 'CONV_2D'), count('person_detect.tflite', 'DEPTHWISE_CONV_2D')], [14, 14]);
  assert.equal([count('kws_ref_model.tflite', 'CONV_2D'), count('kws_ref_model.tflite', 'DEPTHWISE_CONV_2D')], [5, 4]);
  assert.equal(kinds('micro_speech_quantized.tflite'), ['RESHAPE', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'SOFTMAX']);
  assert.equal(kinds('ad01_int8.tflite'), Array(10).fill('FULLY_CONNECTED'));
  const io = (m: string) => [graph(m).tensors[graph(m).inputs[0]].shape, graph(m).tensors[graph(m).outputs[0]].shape];
  assert.equal(io('person_detect.tflite'), [[1, 96, 96, 1], [1, 2]]);
  assert.equal(io('kws_ref_model.tflite'), [[1, 49, 10, 1], [1, 12]]);
  assert.equal(io('network_tester_model.tflite'), [[1, 8, 8, 16], [1, 4, 4, 16]]);
});

test('every case runs bit-exact against TFLite Micro\'s reference output', async () => {
  if (!present) return skip('bit-exact runs');
  const machine = await testMachine();
  const all = cases();
  assert.is(all.length, 19);
  for (const [i, c] of all.entries()) {
    const schedule = buildSchedule(graph(c.model));
    // Checked mode (memory compared around every step) on every third case; it is slower.
    const [out] = runSchedule(schedule, machine, [bytes(c.input)], { checked: i % 3 === 0 });
    const want = bytes(c.expected);
    assert.is(firstDifference(asBytes(out), want), 'equal', `${c.model} on ${c.input} (${c.note})`);
  }
});

test('a model written back by writeTflite runs to the same bytes', async () => {
  if (!present) return skip('written-model runs');
  const machine = await testMachine();
  for (const c of cases().filter((x) => x.input.includes('kws') || x.input.includes('pd_person') || x.input.includes('ms_yes'))) {
    const again = readTflite(writeTflite(graph(c.model)));
    const [out] = runSchedule(buildSchedule(again), machine, [bytes(c.input)]);
    assert.is(firstDifference(asBytes(out), bytes(c.expected)), 'equal', `${c.model} written and read back`);
  }
});

test('person_detect scores the person image above the no-person image', async () => {
  if (!present) return skip('person_detect scores');
  const machine = await testMachine();
  const schedule = buildSchedule(graph('person_detect.tflite'));
  // Output [no_person, person], int8.
  const score = (input: string) => {
    const [out] = runSchedule(schedule, machine, [bytes(input)]);
    assert.instance(out, Int8Array);
    return Array.from(out);
  };
  const person = score('inputs/pd_person_int8.bin');
  const noPerson = score('inputs/pd_no_person_int8.bin');
  assert.ok(person[1] > noPerson[1], `person score ${person[1]} (person image) > ${noPerson[1]} (no-person image)`);
  assert.ok(person[1] > person[0], `person image: person ${person[1]} > no_person ${person[0]}`);
  assert.ok(noPerson[0] > noPerson[1], `no-person image: no_person ${noPerson[0]} > person ${noPerson[1]}`);
});

test.run();
