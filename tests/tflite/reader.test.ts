// readTflite: how TFLite's fields map into the IR, and a typed error (ModelError for malformed files,
// UnsupportedError for valid TFLite that mcusim cannot run) naming the problem for every kind of bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ActivationFunctionType, BuiltinOperator, BuiltinOptions, Conv2DOptions, DepthwiseConv2DOptions, FullyConnectedOptions, Padding, Pool2DOptions, ReducerOptions, SoftmaxOptions,
  Tensor, TensorType,
} from '../../models/tflite/generated/schema_generated.ts';
import { INTERNAL_ERROR, readTflite } from '../../models/tflite/reader.ts';
import { writeTflite } from '../../models/tflite/writer.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { buildRaw, cloneRaw, convSpec, i32, i8, type RawModel } from './raw-model.ts';
import { kitchenSink } from './sample-graphs.ts';

const read = (m: RawModel) => readTflite(buildRaw(m), 'test');
const modelError = (m: RawModel | Uint8Array, message: RegExp) => {
  const e = throwsError(() => readTflite(m instanceof Uint8Array ? m : buildRaw(m), 'test'), ModelError, message);
  assert.not.instance(e, UnsupportedError, 'malformed, not unsupported');
  assert.not.match(e.message, INTERNAL_ERROR);
  return e;
};
const unsupportedError = (m: RawModel, message: RegExp) => throwsError(() => read(m), UnsupportedError, message);
const edit = (f: (m: RawModel) => void): RawModel => { const m = convSpec(); f(m); return m; };
const sg = (m: RawModel) => m.subgraphs[0];

// ---- how a valid file maps into the IR ----

test('a hand-built CONV_2D file reads into the expected graph', () => {
  const g = read(convSpec());
  assert.equal(g.name, 'test');
  assert.equal(g.tensors.map((t) => t.name), ['x', 'w', 'b', 'y']);
  assert.equal(g.tensors[1], { name: 'w', shape: [3, 1, 1, 2], dtype: 'int8', data: Int8Array.from([1, 2, 3, 4, 5, 6]), quant: { scale: [0.25, 0.125, 0.0625], zeroPoint: [0, 0, 0], axis: 0 } });
  assert.equal(g.tensors[2].data, Int32Array.from([10, -20, 30]));
  assert.equal(g.ops, [{ kind: 'CONV_2D', name: 'y', inputs: [0, 1, 2], outputs: [3], options: { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'VALID', activation: 'RELU' } }]);
  assert.equal([g.inputs, g.outputs], [[0], [3]]);
});

test('graph name: the name argument, else the subgraph name, else "model"', () => {
  assert.is(readTflite(buildRaw(convSpec())).name, 'main');
  assert.is(readTflite(buildRaw(edit((m) => { sg(m).name = undefined; }))).name, 'model');
});

test('operator code is max(builtin_code, deprecated_builtin_code), as TFLite reads it', () => {
  for (const [builtin, deprecated] of [[3, 3], [0, 3], [3, 0]]) {
    assert.is(read(edit((m) => { m.opcodes[0] = { builtin, deprecated }; })).ops[0].kind, 'CONV_2D');
  }
  // A code above 127 only fits builtin_code; deprecated_builtin_code then holds 127 (PLACEHOLDER_FOR_GREATER_OP_CODES).
  unsupportedError(edit((m) => { m.opcodes[0] = { builtin: BuiltinOperator.CUMSUM, deprecated: 127 }; }), /operator 0 \(CUMSUM\) \(TFLite builtin code 128\) is not supported/);
});

test('per-channel quantisation keeps quantized_dimension; 1-D per-channel biases get axis 0 (TOCO wrote 3)', () => {
  const g = read(edit((m) => {
    sg(m).tensors[1].qdim = 0;
    sg(m).tensors[2].qdim = 3; // as in person_detect.tflite
  }));
  assert.is(g.tensors[1].quant!.axis, 0);
  assert.is(g.tensors[2].quant!.axis, 0);
  const dw = read(edit((m) => {
    m.opcodes[0] = { builtin: BuiltinOperator.DEPTHWISE_CONV_2D, deprecated: BuiltinOperator.DEPTHWISE_CONV_2D };
    sg(m).tensors[1] = { name: 'w', shape: [1, 1, 2, 3], buffer: 1, scale: [0.25, 0.125, 0.0625], zeroPoint: [0, 0, 0], qdim: 3 };
    sg(m).ops[0].options = [BuiltinOptions.DepthwiseConv2DOptions, (b) => DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b, 0, 2, 1, 3, 3, 1, 2)];
  }));
  assert.is(dw.tensors[1].quant!.axis, 3);
  assert.equal(dw.ops[0].options, { strideH: 1, strideW: 2, dilationH: 2, dilationW: 1, depthMultiplier: 3, padding: 'SAME', activation: 'RELU6' });
});

test('scales stay the float32 values of the file', () => {
  const g = read(edit((m) => { sg(m).tensors[0].scale = [0.1]; }));
  assert.is(g.tensors[0].quant!.scale[0], Math.fround(0.1));
});

test('optional inputs (-1) are kept; absent options take flatbuffers defaults', () => {
  const g = read(edit((m) => {
    m.opcodes[0] = { builtin: BuiltinOperator.FULLY_CONNECTED };
    sg(m).tensors[1] = { name: 'w', shape: [3, 32], buffer: 1, scale: [0.5], zeroPoint: [0] };
    m.buffers[1] = new Uint8Array(96);
    sg(m).tensors[3].shape = [1, 3];
    sg(m).ops[0] = { opcode: 0, inputs: [0, 1, -1], outputs: [3] };
  }));
  assert.equal(g.ops[0].inputs, [0, 1, -1]);
  assert.equal(g.ops[0].options, { activation: 'NONE' });
});

test('MEAN axes and PAD paddings come from constant int32 (or int64) inputs, which leave the graph; RESHAPE drops its shape input', () => {
  const m: RawModel = {
    opcodes: [{ builtin: BuiltinOperator.PAD }, { builtin: BuiltinOperator.MEAN }, { builtin: BuiltinOperator.RESHAPE }],
    buffers: [null, i32(0, 0, 1, 1, 2, 2, 0, 0), new Uint8Array(BigInt64Array.from([-2n, 1n]).buffer), i32(1, -1)],
    subgraphs: [{
      tensors: [
        { name: 'x', shape: [1, 2, 2, 3], scale: [0.5], zeroPoint: [0] },
        { name: 'paddings', shape: [4, 2], type: TensorType.INT32, buffer: 1 },
        { name: 'padded', shape: [1, 4, 6, 3], scale: [0.5], zeroPoint: [0] },
        { name: 'axes', shape: [2], type: TensorType.INT64, buffer: 2 },
        { name: 'mean', shape: [1, 1, 1, 3], scale: [0.5], zeroPoint: [0] },
        { name: 'shape', shape: [2], type: TensorType.INT32, buffer: 3 },
        { name: 'flat', shape: [1, 3], scale: [0.5], zeroPoint: [0] },
      ],
      ops: [
        { opcode: 0, inputs: [0, 1], outputs: [2] },
        { opcode: 1, inputs: [2, 3], outputs: [4], options: [BuiltinOptions.ReducerOptions, (b) => ReducerOptions.createReducerOptions(b, true)] },
        { opcode: 2, inputs: [4, 5], outputs: [6] },
      ],
      inputs: [0],
      outputs: [6],
    }],
  };
  const g = read(m);
  assert.equal(g.tensors.map((t) => t.name), ['x', 'padded', 'mean', 'flat']);
  assert.equal(g.ops.map((op) => [op.kind, op.inputs, op.outputs, op.options]), [
    ['PAD', [0], [1], { paddings: [[0, 0], [1, 1], [2, 2], [0, 0]] }],
    ['MEAN', [1], [2], { axes: [2, 1], keepDims: true }], // -2 on rank 4 is axis 2
    ['RESHAPE', [2], [3], {}],
  ]);
  // A parameter tensor that is also used elsewhere stays.
  const shared = cloneRaw(m);
  shared.subgraphs[0].tensors.push({ name: 'shape copy', shape: [2], type: TensorType.INT32 });
  shared.subgraphs[0].ops.push({ opcode: 2, inputs: [5], outputs: [7] });
  shared.subgraphs[0].outputs = [6, 7];
  const g2 = read(shared);
  assert.equal(g2.tensors.map((t) => t.name), ['x', 'padded', 'mean', 'shape', 'flat', 'shape copy']);
  assert.equal(g2.ops.map((op) => op.inputs), [[0], [1], [2, 3], [3]]);
});

test('a graph in TFLite input form (parameter tensors as inputs, as the zoo builds them) round-trips unchanged', () => {
  const g = kitchenSink();
  const axes = g.tensors.push({ name: 'axes', shape: [2], dtype: 'int32', data: Int32Array.from([1, 2]) }) - 1;
  g.ops[8].inputs = [12, axes];
  assert.equal(readTflite(writeTflite(g)), g);
});

test('several subgraphs: subgraph 0 is the model; metadata of other tools is tolerated', () => {
  const m = convSpec();
  m.subgraphs.push(cloneRaw(m.subgraphs[0]), cloneRaw(m.subgraphs[0]));
  m.subgraphs[2].tensors[0].shape = [-5];
  m.buffers.push(new TextEncoder().encode('1.14.0'), new Uint8Array([0xff, 0xfe, 0]));
  m.metadata = [{ name: 'min_runtime_version', buffer: 3 }, { name: 'mcusim', buffer: 4 }, { name: 'mcusim', buffer: 99 }];
  const g = read(m);
  assert.is(g.ops.length, 1);
  assert.is(g.ops[0].name, 'y');
});

test('an external buffer (offset/size, models over 2 GiB) is read from the file', () => {
  const base = buildRaw(convSpec());
  const m = convSpec();
  m.buffers[1] = { offset: BigInt(base.length + 200), size: 6n }; // points into trailing bytes appended below
  const bytes = buildRaw(m);
  const file = new Uint8Array(bytes.length + 4096);
  file.set(bytes);
  const at = base.length + 200;
  assert.ok(at >= bytes.length && at + 6 <= file.length, 'the external data lies after the flatbuffer');
  file.set([1, 2, 3, 4, 5, 6], at);
  const g = readTflite(file);
  assert.equal(Array.from(g.tensors[1].data!), [1, 2, 3, 4, 5, 6]);
  modelError(edit((mm) => { mm.buffers[1] = { offset: 1_000_000n, size: 6n }; }), /external buffer at file offset 1000000 with 6 bytes runs past the end/);
});

// ---- malformed files: ModelError ----

test('file too short', () => {
  for (const n of [0, 1, 4, 7]) modelError(new Uint8Array(n), new RegExp(`file is ${n} bytes long; a \\.tflite file needs at least 8`));
});

test('wrong file identifier', () => {
  modelError(buildRaw({ ...convSpec(), identifier: 'TFL2' }), /file identifier is "TFL2", expected "TFL3"/);
  modelError(new TextEncoder().encode('{"not": "a model at all"}'), /file identifier/);
});

test('offsets outside the file, never trusted: root, vtable, table size, vector length, string length, truncation', () => {
  const good = buildRaw(convSpec());
  const set32 = (bytes: Uint8Array, at: number, v: number) => { const c = bytes.slice(); new DataView(c.buffer).setUint32(at, v, true); return c; };
  modelError(set32(good, 0, 0x7ffffff0), /root offset \(file offset 0x0\): offset 2147483632 points to 0x7ffffff0, past the end of the file/);
  modelError(set32(good, 0, 0xfffffff0), /offset 4294967280 is larger than any flatbuffer/);
  modelError(set32(good, 0, 0), /offset 0 points at itself/);
  modelError(set32(good, 0, 6), /not aligned/);
  const root = new DataView(good.buffer).getUint32(0, true);
  modelError(set32(good, root, 0x40000000), /model \(file offset 0x[0-9a-f]+\): the table's vtable would be at -0x3ffffff8, outside the file/);
  modelError(set32(good, root, 0), /vtable size 0 is invalid/);
  for (const cut of [9, 16, good.length >> 1, good.length - 1]) assert.throws(() => readTflite(good.subarray(0, cut)), (e: Error) => e instanceof ModelError && !e.message.includes(INTERNAL_ERROR));
  // Huge vector length in the tensor shape: find the shape vector of tensor 'x' ([1, 4, 4, 2]).
  const shapeAt = findInts(good, [4, 1, 4, 4, 2]);
  modelError(set32(good, shapeAt, 0x3fffffff), /model\.subgraphs\[0\]\.tensors\[0\]\.shape \(file offset 0x[0-9a-f]+\): vector of 1073741823 x 4 bytes runs past the end of the file/);
  // Huge string length for tensor name 'x'.
  const nameAt = findBytes(good, [1, 0, 0, 0, 0x78, 0]);
  modelError(set32(good, nameAt, 0xffffff), /tensors\[0\]\.name .*string of 16777215 x 1 bytes runs past the end/);
  const unterminated = good.slice();
  unterminated[nameAt + 5] = 0x41;
  modelError(unterminated, /string is not 0-terminated/);
});

test('index ranges: tensors, operator codes, buffers, subgraph inputs and outputs', () => {
  modelError(edit((m) => { sg(m).ops[0].inputs = [0, 1, 7]; }), /operator 0 \(CONV_2D\) input 2 refers to tensor 7, but subgraph 0 has 4 tensors/);
  modelError(edit((m) => { sg(m).ops[0].inputs = [0, 1, -2]; }), /input 2 refers to tensor -2/);
  modelError(edit((m) => { sg(m).ops[0].outputs = [-1]; }), /operator 0 \(CONV_2D\) output 0 refers to tensor -1/);
  modelError(edit((m) => { sg(m).ops[0].opcode = 5; }), /operator 0 uses operator code 5, but the model has 1 operator codes/);
  modelError(edit((m) => { sg(m).tensors[1].buffer = 9; }), /tensor 1 'w' refers to buffer 9, but the model has 3 buffers/);
  modelError(edit((m) => { sg(m).inputs = [4]; }), /subgraph 0 input 0 refers to tensor 4/);
  modelError(edit((m) => { sg(m).outputs = [-1]; }), /subgraph 0 output 0 refers to tensor -1/);
  modelError(edit((m) => { m.subgraphs = []; }), /has no subgraphs/);
  modelError(edit((m) => { m.version = 2; }), /schema version is 2; mcusim reads TensorFlow Lite schema version 3/);
});

test('negative and huge dimensions', () => {
  modelError(edit((m) => { sg(m).tensors[0].shape = [1, -4, 4, 2]; }), /tensor 0 'x' has shape \[1,-4,4,2\]: dimensions must be positive/);
  modelError(edit((m) => { sg(m).tensors[0].shape = [1, 0, 4, 2]; }), /dimensions must be positive/);
  modelError(edit((m) => { sg(m).tensors[0].shape = [65536, 65536, 16, 2]; }), /tensor 0 'x' has shape \[65536,65536,16,2\] \(137438953472 elements\)/);
});

test('buffer size must equal shape x element size; buffer 0 must be empty', () => {
  modelError(edit((m) => { m.buffers[1] = i8(1, 2, 3); }), /tensor 1 'w': buffer 1 holds 3 bytes, but INT8 \[3,1,1,2\] needs 6/);
  modelError(edit((m) => { m.buffers[2] = i32(1, 2); }), /tensor 2 'b': buffer 2 holds 8 bytes, but INT32 \[3\] needs 12/);
  modelError(edit((m) => { m.buffers[0] = i8(1); }), /buffer 0 holds data; it must be the empty sentinel buffer/);
});

test('quantisation: int8 tensors need it, scales and zero points must match and be sane', () => {
  modelError(edit((m) => { delete sg(m).tensors[3].scale; delete sg(m).tensors[3].zeroPoint; }), /tensor 3 'y' is int8 but carries no quantisation parameters/);
  modelError(edit((m) => { sg(m).tensors[1].zeroPoint = [0, 0]; }), /tensor 1 'w' has 3 quantisation scales but 2 zero points/);
  modelError(edit((m) => { sg(m).tensors[0].zeroPoint = [200]; }), /tensor 0 'x' has an int8 zero point outside \[-128, 127\]/);
  modelError(edit((m) => { sg(m).tensors[0].zeroPoint = [2 ** 40]; }), /tensor 0 'x' has zero point 1099511627776, outside the 32-bit range/);
  modelError(edit((m) => { sg(m).tensors[0].scale = [-1]; }), /tensor 0 'x' has a non-positive or non-finite scale/);
  modelError(edit((m) => { sg(m).tensors[0].scale = [NaN]; }), /non-finite scale/);
  modelError(edit((m) => { sg(m).tensors[1].qdim = 2; }), /tensor 1 'w' has 3 per-channel scales on axis 2 of shape \[3,1,1,2\]/);
});

test('operator options: wrong table type, undefined codes, non-positive strides', () => {
  const opts = (o: NonNullable<RawModel['subgraphs'][0]['ops'][0]['options']>) => edit((m) => { sg(m).ops[0].options = o; });
  modelError(opts([BuiltinOptions.Pool2DOptions, (b) => Pool2DOptions.createPool2DOptions(b, 0, 1, 1, 1, 1, 0)]), /operator 0 \(CONV_2D\): builtin_options hold Pool2DOptions, expected Conv2DOptions/);
  modelError(opts([77, (b) => SoftmaxOptions.createSoftmaxOptions(b, 1)]), /builtin_options hold union type 77, expected Conv2DOptions/);
  modelError(opts([BuiltinOptions.Conv2DOptions, (b) => Conv2DOptions.createConv2DOptions(b, 7 as Padding, 1, 1, 0, 1, 1, 0)]), /operator 0 \(CONV_2D\): padding code 7 is neither SAME \(0\) nor VALID \(1\)/);
  modelError(opts([BuiltinOptions.Conv2DOptions, (b) => Conv2DOptions.createConv2DOptions(b, 0, 1, 1, 9 as ActivationFunctionType, 1, 1, 0)]), /fused activation code 9 is not defined/);
  modelError(opts([BuiltinOptions.Conv2DOptions, (b) => Conv2DOptions.createConv2DOptions(b, 0, 0, 1, 0, 1, 1, 0)]), /operator 0 \(CONV_2D\): option strideW is 0; it must be a positive integer/);
  modelError(opts([BuiltinOptions.Conv2DOptions, (b) => Conv2DOptions.createConv2DOptions(b, 0, 1, 1, 0, -2, 1, 0)]), /option dilationW is -2/);
  modelError(edit((m) => { sg(m).ops[0].options = undefined; }), /option strideH is 0/); // absent options: all-default table
});

test('MEAN and PAD parameter inputs must be constant int32/int64 of the right shape', () => {
  const pad = (paddingsTensor: RawModel['subgraphs'][0]['tensors'][0], data: Uint8Array | null): RawModel => ({
    opcodes: [{ builtin: BuiltinOperator.PAD }],
    buffers: [null, data],
    subgraphs: [{ tensors: [{ name: 'x', shape: [1, 2], scale: [1], zeroPoint: [0] }, paddingsTensor, { name: 'y', shape: [1, 4], scale: [1], zeroPoint: [0] }], ops: [{ opcode: 0, inputs: [0, 1], outputs: [2] }], inputs: [0], outputs: [2] }],
  });
  modelError(pad({ name: 'p', shape: [4], type: TensorType.INT32, buffer: 1 }, i32(0, 0, 1, 1)), /operator 0 \(PAD\): paddings tensor has shape \[4\]; expected \[rank, 2\]/);
  modelError(pad({ name: 'p', shape: [2, 2], type: TensorType.FLOAT32, buffer: 1 }, i32(0, 0, 1, 1)), /paddings \(input 1\): tensor 1 'p' has type FLOAT32; expected INT32 or INT64/);
  throwsError(() => read(pad({ name: 'p', shape: [2, 2], type: TensorType.INT32, buffer: 0 }, null)), UnsupportedError, /paddings \(input 1\): tensor 1 'p' is not a constant/);
  const wrongInputs = pad({ name: 'p', shape: [2, 2], type: TensorType.INT32, buffer: 1 }, i32(0, 0, 1, 1));
  wrongInputs.subgraphs[0].ops[0].inputs = [0];
  modelError(wrongInputs, /operator 0 \(PAD\) has 1 inputs; PAD takes the data and a constant paddings tensor/);
  const mean = edit((m) => {
    m.opcodes[0] = { builtin: BuiltinOperator.MEAN };
    m.buffers[2] = i32(1, 4);
    sg(m).tensors[2] = { name: 'axes', shape: [2], type: TensorType.INT32, buffer: 2 };
    sg(m).tensors[3].shape = [1, 1, 1, 2];
    sg(m).ops[0] = { opcode: 0, inputs: [0, 2], outputs: [3] };
  });
  modelError(mean, /operator 0 \(MEAN\) axes: axis 4 is outside \[-4, 4\) for a rank-4 tensor/);
});

test('graph structure is validated after reading (validateGraph)', () => {
  modelError(edit((m) => { sg(m).inputs = []; }), /model 'test': has no inputs/);
  modelError(edit((m) => { sg(m).ops[0].inputs = [3, 1, 2]; }), /operator 0 \(CONV_2D 'y'\) reads tensor 3 'y' before anything produces it/);
  modelError(edit((m) => { sg(m).ops[0].outputs = [1]; }), /writes constant tensor 1 'w'/);
});

// ---- valid TFLite that mcusim cannot run: UnsupportedError ----

test('unsupported operator: named by its TFLite builtin name, with operator index, tensors and the full list', () => {
  const m = edit((mm) => {
    mm.opcodes.push({ builtin: BuiltinOperator.DIV, deprecated: BuiltinOperator.DIV }, { builtin: BuiltinOperator.EXP });
    sg(mm).ops.push({ opcode: 1, inputs: [3, 3], outputs: [0] }, { opcode: 2, inputs: [0], outputs: [3] });
  });
  const e = unsupportedError(m, /model 'test': operator 1 \(DIV\) \(TFLite builtin code 42\) is not supported by mcusim; inputs \[3 'y' INT8 \[1,4,4,3\], 3 'y' INT8 \[1,4,4,3\]\] -> outputs \[0 'x' INT8 \[1,4,4,2\]\]/);
  assert.match(e.message, /2 unsupported operators in all: 1 DIV, 2 EXP/);
  assert.match(e.message, /Supported operators: CONV_2D, DEPTHWISE_CONV_2D/);
  unsupportedError(edit((mm) => { mm.opcodes[0] = { builtin: 300 }; }), /operator 0 \(unknown builtin code 300\)/);
});

test('custom operators and control flow (IF, WHILE, CALL_ONCE) are refused by name', () => {
  unsupportedError(edit((m) => { m.opcodes[0] = { builtin: BuiltinOperator.CUSTOM, deprecated: 32, custom: 'TFLite_Detection_PostProcess' }; }), /operator 0 \(CUSTOM 'TFLite_Detection_PostProcess'\) is a custom operator/);
  for (const code of [BuiltinOperator.IF, BuiltinOperator.WHILE, BuiltinOperator.CALL_ONCE]) {
    unsupportedError(edit((m) => { m.opcodes[0] = { builtin: code, deprecated: Math.min(code, 127) }; }), new RegExp(`operator 0 \\(${BuiltinOperator[code]}\\) is control flow`));
  }
});

test('unsupported tensor types, sparse and variable tensors, fused TANH, shuffled FC weights', () => {
  unsupportedError(edit((m) => { sg(m).tensors[0].type = TensorType.UINT8; }), /tensor 0 'x' has type UINT8; mcusim supports int8, int32 and float32/);
  unsupportedError(edit((m) => { sg(m).tensors[0].type = TensorType.INT16; }), /tensor 0 'x' has type INT16/);
  unsupportedError(edit((m) => { sg(m).tensors[0].type = 99; }), /tensor 0 'x' has type unknown type code 99/);
  unsupportedError(edit((m) => { sg(m).tensors[1].sparse = true; }), /tensor 1 'w' is sparse/);
  unsupportedError(edit((m) => { sg(m).tensors[0].variable = true; }), /tensor 0 'x' is a variable tensor/);
  unsupportedError(edit((m) => { sg(m).ops[0].options = [BuiltinOptions.Conv2DOptions, (b) => Conv2DOptions.createConv2DOptions(b, 0, 1, 1, ActivationFunctionType.TANH, 1, 1, 0)]; }), /operator 0 \(CONV_2D\): fused activation TANH is not supported/);
  unsupportedError(edit((m) => {
    m.opcodes[0] = { builtin: BuiltinOperator.FULLY_CONNECTED };
    sg(m).ops[0].options = [BuiltinOptions.FullyConnectedOptions, (b) => FullyConnectedOptions.createFullyConnectedOptions(b, 0, 1, false, false, 0)];
  }), /weights format SHUFFLED4x16INT8 is not supported/);
});

test('readTflite does not depend on the caller\'s buffer alignment or keep references to it', () => {
  const good = buildRaw(convSpec());
  const shifted = new Uint8Array(good.length + 3);
  shifted.set(good, 3);
  const g = readTflite(shifted.subarray(3), 'x');
  shifted.fill(0);
  assert.equal(Array.from(g.tensors[2].data!), [10, -20, 30]);
});

test('an unexpected exception inside the reader still comes out as a ModelError naming the stage', () => {
  const original = Tensor.prototype.shape;
  Tensor.prototype.shape = () => { throw new RangeError('offset is outside the bounds of the DataView'); };
  try {
    const e = throwsError(() => read(convSpec()), ModelError, /model 'test': malformed \.tflite: internal reader error while reading tensors: RangeError: offset is outside/);
    assert.not.instance(e, UnsupportedError);
  } finally {
    Tensor.prototype.shape = original;
  }
  read(convSpec());
});

test('MEAN with an empty axes tensor (shape [0], no bytes) reads', () => {
  const g = kitchenSink();
  (g.ops[8].options as { axes: number[] }).axes = [];
  g.tensors[13].shape = [1, 2, 2, 16];
  assert.equal(readTflite(writeTflite(g)).ops[8].options, { axes: [], keepDims: true });
});

function findBytes(hay: Uint8Array, needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error(`bytes [${needle}] not found`);
}

function findInts(hay: Uint8Array, ints: number[]): number {
  return findBytes(hay, Array.from(new Uint8Array(Int32Array.from(ints).buffer)));
}

test.run();
