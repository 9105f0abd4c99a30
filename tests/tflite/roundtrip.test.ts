// writeTflite then readTflite gives back the same Graph (names, shapes, dtypes, quantisation, data, options),
// and the written file has the layout TFLite's converter produces.
import { existsSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as flatbuffers from 'flatbuffers';
import type { Graph } from '../../models/ir.ts';
import { validateGraph } from '../../models/validate.ts';
import { BuiltinOperator, BuiltinOptions, Conv2DOptions, Model, TensorType } from '../../models/tflite/generated/schema_generated.ts';
import { inspectGraph } from '../../models/tflite/inspect.ts';
import { readTflite } from '../../models/tflite/reader.ts';
import { writeTflite } from '../../models/tflite/writer.ts';
import { ModelError } from '../../runtime/errors.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { kitchenSink, missingKinds, oddities, sampleGraphs } from './sample-graphs.ts';

const sharedModels = new URL('../../../shared/models/', import.meta.url);

/** dequal (uvu's equal) checks keys, typed array classes and contents; `strict` adds Object.is (-0 vs 0). */
function roundTrip(g: Graph, strict = true): Graph {
  const back = readTflite(writeTflite(g));
  assert.equal(back, g);
  if (strict) assert.ok(isDeepStrictEqual(back, g), `${g.name}: strict deep equality`);
  return back;
}

test('the sample graphs use every operator kind', () => {
  assert.equal(missingKinds(), []);
  for (const g of sampleGraphs()) validateGraph(g);
});

test('round trip of hand-made graphs covering every operator kind and option value', () => {
  for (const g of sampleGraphs()) roundTrip(g);
});

test('round trip keeps float32 bit patterns, int32 extremes, -0 and unicode names', () => {
  const g = oddities();
  const back = roundTrip(g);
  assert.is(back.name, 'oddities / ünïcode');
  assert.is(back.ops[1].name, '深度');
  assert.is(back.tensors[0].name, '');
  const sink = roundTrip(kitchenSink());
  const floats = sink.tensors[20].data as Float32Array;
  assert.instance(floats, Float32Array);
  assert.ok(Object.is(floats[4], -0));
  assert.equal(Array.from(back.tensors[3].data!), [2 ** 31 - 1, -(2 ** 31), 0, 1, -1, 12345]);
});

test('round trip of zoo models (when models/zoo/index.ts exists)', async () => {
  if (!existsSync(new URL('../../models/zoo/index.ts', import.meta.url))) {
    console.log('  (skipped: models/zoo/index.ts does not exist yet)');
    return;
  }
  let zoo: { buildZooModel: (name: string) => Graph; zooNames?: () => string[] };
  try {
    zoo = await import('../../models/zoo/index.ts');
  } catch (e) {
    console.log(`  (skipped: models/zoo/index.ts does not load: ${(e as Error).message})`);
    return;
  }
  const names = zoo.zooNames?.() ?? [];
  assert.ok(names.length > 0, 'zoo lists models');
  // Building the large zoo models takes seconds each (calibration); MCUSIM_TFLITE_ALL_ZOO=1 includes them.
  const chosen = process.env.MCUSIM_TFLITE_ALL_ZOO ? names : names.filter((n) => n.startsWith('mlperf-') || n === 'mbv2-w0.35-r144');
  for (const name of chosen) roundTrip(zoo.buildZooModel(name), false); // the zoo writes some zero points as -0
});

test('round trip of the real models: read, write, read again gives the same graph', () => {
  if (!existsSync(sharedModels)) {
    console.log(`  (skipped: ${sharedModels.pathname} is absent)`);
    return;
  }
  for (const file of ['person_detect', 'hello_world_int8', 'micro_speech_quantized', 'network_tester_model', 'kws_ref_model', 'ad01_int8']) {
    const g = readTflite(readFileSync(new URL(`${file}.tflite`, sharedModels)), file);
    roundTrip(g);
  }
});

test('written file: identifier, version 3, empty buffer 0, 16-byte aligned data, both operator code fields', () => {
  const g = kitchenSink();
  const bytes = writeTflite(g);
  assert.is(new TextDecoder().decode(bytes.subarray(4, 8)), 'TFL3');
  const m = Model.getRootAsModel(new flatbuffers.ByteBuffer(bytes));
  assert.is(m.version(), 3);
  assert.is(m.buffers(0)!.dataLength(), 0);
  let constants = 0;
  for (let i = 1; i < m.buffersLength(); i++) {
    const data = m.buffers(i)!.dataArray();
    if (!data) continue;
    constants++;
    assert.is(data.byteOffset % 16, 0, `buffer ${i} data starts 16-byte aligned`);
  }
  // 5 weights/biases + 1 float constant + MEAN axes + PAD paddings + RESHAPE shape + the op-name metadata
  assert.is(constants, 10);
  const sg = m.subgraphs(0)!;
  for (let i = 0; i < m.operatorCodesLength(); i++) {
    const c = m.operatorCodes(i)!;
    assert.is(c.deprecatedBuiltinCode(), Math.min(c.builtinCode(), 127));
  }
  const codeOf = (k: number) => m.operatorCodes(sg.operators(k)!.opcodeIndex())!.builtinCode();
  assert.is(codeOf(0), BuiltinOperator.PAD);
  assert.is(codeOf(13), BuiltinOperator.QUANTIZE);
  // MEAN, PAD and RESHAPE get their parameters back as constant int32 inputs, appended after the graph's tensors.
  const mean = sg.operators(8)!;
  assert.is(mean.inputsLength(), 2);
  const axes = sg.tensors(mean.inputs(1)!)!;
  assert.ok(mean.inputs(1)! >= g.tensors.length);
  assert.is(axes.type(), TensorType.INT32);
  assert.equal(Array.from(new Int32Array(m.buffers(axes.buffer())!.dataArray()!.slice().buffer)), [1, 2]);
  assert.is(mean.builtinOptionsType(), BuiltinOptions.ReducerOptions);
  const pad = sg.operators(0)!;
  const paddings = sg.tensors(pad.inputs(1)!)!;
  assert.equal(Array.from(paddings.shapeArray()!), [4, 2]);
  assert.equal(Array.from(new Int32Array(m.buffers(paddings.buffer())!.dataArray()!.slice().buffer)), [0, 0, 1, 1, 1, 1, 0, 0]);
  assert.is(pad.builtinOptionsType(), BuiltinOptions.PadOptions);
  const reshape = sg.operators(9)!;
  assert.equal(Array.from(new Int32Array(m.buffers(sg.tensors(reshape.inputs(1)!)!.buffer())!.dataArray()!.slice().buffer)), [1, 16]);
  assert.is(sg.operators(1)!.builtinOptionsType(), BuiltinOptions.Conv2DOptions);
  assert.is(sg.operators(12)!.builtinOptionsType(), BuiltinOptions.DequantizeOptions);
  // Options tables leave out fields equal to their defaults, as flatbuffers' default builder does.
  const conv = sg.operators(1)!.builtinOptions(new Conv2DOptions()) as Conv2DOptions;
  const present = (id: number) => conv.bb!.__offset(conv.bb_pos, 4 + 2 * id) !== 0;
  assert.equal([0, 1, 2, 3, 4, 5].map(present), [true, true, true, true, false, false]); // VALID, strides (default 0), RELU6; dilations 1 = default
  assert.is(conv.padding(), 1);
  assert.is(conv.fusedActivationFunction(), 3);
});

test('writer refuses invalid graphs with ModelError', () => {
  const g = kitchenSink();
  g.tensors[4].quant = { scale: [Math.fround(0.1)], zeroPoint: [300], axis: 0 };
  throwsError(() => writeTflite(g), ModelError, /zero point/);
  const h = kitchenSink();
  h.tensors[3].quant = { scale: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map(Math.fround), zeroPoint: [0.5, 0, 0, 0, 0, 0, 0, 0], axis: 0 };
  throwsError(() => writeTflite(h), ModelError, /zero point that is not a 32-bit integer/);
});

test('inspectGraph lists tensors and operators', () => {
  const text = inspectGraph(kitchenSink());
  assert.match(text, /model 'kitchen-sink': 21 tensors, 14 operators/);
  assert.match(text, /2 {2}'conv\/w' {2}int8\[8x3x3x3\] {2}per-channel x8 on axis 0/);
  assert.match(text, /const 216 bytes/);
  assert.match(text, /scale=0\.019999999552965164 zp=-128/);
  assert.match(text, /10 {2}FULLY_CONNECTED 'fc': \[14, 15, -\] -> \[16\] {2}activation="NONE"/);
  assert.match(text, /8 {2}MEAN 'mean': \[12\] -> \[13\] {2}axes=\[1,2\] keepDims=true/);
});

test.run();
