// The .tflite form of SUB, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU, MAXIMUM and MINIMUM: published operator codes and
// options tables when written, the same graph (and the same output bytes) when read back, and the reader's handling
// of the options TFLite files carry for them.
import * as flatbuffers from 'flatbuffers';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ActivationFunctionType, AddOptions, BuiltinOperator, BuiltinOptions, LeakyReluOptions, Model, SubOptions, TensorType,
} from '../../models/tflite/generated/schema_generated.ts';
import { readTflite } from '../../models/tflite/reader.ts';
import { writeTflite } from '../../models/tflite/writer.ts';
import { ModelError } from '../../runtime/errors.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { buildRaw, type RawModel } from './raw-model.ts';
import { activations } from './sample-graphs.ts';

test('written activations graph: published builtin codes and options tables', () => {
  const bytes = writeTflite(activations());
  const m = Model.getRootAsModel(new flatbuffers.ByteBuffer(bytes));
  const sg = m.subgraphs(0)!;
  const seen: Record<string, [number, string]> = {};
  for (let k = 0; k < sg.operatorsLength(); k++) {
    const op = sg.operators(k)!;
    const code = m.operatorCodes(op.opcodeIndex())!.builtinCode();
    seen[`${BuiltinOperator[code]}:${k}`] = [code, BuiltinOptions[op.builtinOptionsType()]];
  }
  assert.equal(seen, {
    'SUB:0': [41, 'SubOptions'], 'LOGISTIC:1': [14, 'NONE'], 'TANH:2': [28, 'NONE'], 'HARD_SWISH:3': [117, 'HardSwishOptions'],
    'LEAKY_RELU:4': [98, 'LeakyReluOptions'], 'LEAKY_RELU:5': [98, 'LeakyReluOptions'], 'MAXIMUM:6': [55, 'MaximumMinimumOptions'],
    'MINIMUM:7': [57, 'MaximumMinimumOptions'],
  });
  assert.is(sg.operators(0)!.builtinOptions(new SubOptions())!.fusedActivationFunction(), ActivationFunctionType.RELU6);
  assert.is(sg.operators(4)!.builtinOptions(new LeakyReluOptions())!.alpha(), Math.fround(0.2));
  assert.is(sg.operators(5)!.builtinOptions(new LeakyReluOptions())!.alpha(), -1.5);
});

test('activations graph read back from .tflite runs to the same bytes', async () => {
  const g = activations();
  const back = readTflite(writeTflite(g));
  assert.equal(back, g);
  const input = new Rng(5).int8s(128);
  const want = await runGraph(g, [input]);
  const got = await runGraph(back, [input]);
  assert.is(got.length, 4);
  got.forEach((y, i) => assert.is(firstDifference(y, want[i]), 'equal', `output ${i}`));
});

/** One unary operator on x [1, 8] with the given options. */
function unarySpec(builtin: number, options?: RawModel['subgraphs'][0]['ops'][0]['options'], out = { scale: [1 / 256], zeroPoint: [-128] }): RawModel {
  return {
    opcodes: [{ builtin, deprecated: builtin }],
    buffers: [null],
    subgraphs: [{
      name: 'main',
      tensors: [{ name: 'x', shape: [1, 8], type: TensorType.INT8, scale: [0.1], zeroPoint: [0] }, { name: 'y', shape: [1, 8], type: TensorType.INT8, ...out }],
      ops: [{ opcode: 0, inputs: [0], outputs: [1], ...(options ? { options } : {}) }],
      inputs: [0],
      outputs: [1],
    }],
  };
}

test('reader: options of the new operators, defaults and wrong option tables', () => {
  // LOGISTIC and TANH have no options table in the schema; TFLite ignores builtin_options for them, and so does mcusim.
  assert.equal(readTflite(buildRaw(unarySpec(BuiltinOperator.LOGISTIC))).ops[0].options, {});
  assert.equal(readTflite(buildRaw(unarySpec(BuiltinOperator.TANH, undefined, { scale: [1 / 128], zeroPoint: [0] }))).ops[0].options, {});
  // LEAKY_RELU without options: alpha 0, as TFLite's zero-initialised TfLiteLeakyReluParams.
  assert.equal(readTflite(buildRaw(unarySpec(BuiltinOperator.LEAKY_RELU))).ops[0].options, { alpha: 0 });
  assert.equal(readTflite(buildRaw(unarySpec(BuiltinOperator.LEAKY_RELU, [BuiltinOptions.LeakyReluOptions, (b) => LeakyReluOptions.createLeakyReluOptions(b, 0.25)]))).ops[0].options, { alpha: 0.25 });
  throwsError(() => readTflite(buildRaw(unarySpec(BuiltinOperator.LEAKY_RELU, [BuiltinOptions.AddOptions, (b) => AddOptions.createAddOptions(b, 0, true)])), 'test'),
    ModelError, /operator 0 \(LEAKY_RELU\): builtin_options hold AddOptions, expected LeakyReluOptions/);
  throwsError(() => readTflite(buildRaw(unarySpec(BuiltinOperator.HARD_SWISH, [BuiltinOptions.SubOptions, (b) => SubOptions.createSubOptions(b, 0, true)])), 'test'),
    ModelError, /operator 0 \(HARD_SWISH\): builtin_options hold SubOptions, expected HardSwishOptions/);
});

test.run();
