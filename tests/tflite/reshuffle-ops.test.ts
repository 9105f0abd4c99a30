// Converter-style .tflite files for TRANSPOSE, STRIDED_SLICE, SQUEEZE, RESIZE_NEAREST_NEIGHBOR and TRANSPOSE_CONV:
// their constant int32 parameter inputs become IR options (STRIDED_SLICE's masks resolved against the input
// shape), the parameter tensors leave the graph, the result runs bit-exactly, and written back it reads the same.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph } from '../../models/ir.ts';
import {
  BuiltinOperator, BuiltinOptions, ResizeNearestNeighborOptions, SqueezeOptions, StridedSliceOptions, TensorType, TransposeConvOptions, TransposeOptions,
} from '../../models/tflite/generated/schema_generated.ts';
import { readTflite } from '../../models/tflite/reader.ts';
import { writeTflite } from '../../models/tflite/writer.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { referenceResizeNearest } from '../reference/resize_nearest_neighbor.ts';
import { referenceStridedSlice } from '../reference/strided_slice.ts';
import { referenceTranspose } from '../reference/transpose.ts';
import { referenceTransposeConv } from '../reference/transpose_conv.ts';
import { buildRaw, i32, i8, type RawModel, type RawOp, type RawTensor } from './raw-model.ts';

const int32 = TensorType.INT32;

/** One operator: x (input 0) -> y, plus constant tensors with their buffers. */
function oneOp(code: number, tensors: RawTensor[], buffers: Uint8Array[], op: Omit<RawOp, 'opcode'>, inputs = [0]): RawModel {
  return {
    opcodes: [{ builtin: code, deprecated: code }],
    buffers: [null, ...buffers],
    subgraphs: [{ name: 'main', tensors, ops: [{ opcode: 0, ...op }], inputs, outputs: op.outputs }],
  };
}
const act = (name: string, shape: number[], zp = 0): RawTensor => ({ name, shape, scale: [0.5], zeroPoint: [zp] });

/** Read, check it runs like the reference, write and read back equal. */
async function readRun(m: RawModel, input: Int8Array, expected: Int8Array): Promise<Graph> {
  const g = readTflite(buildRaw(m), 'test');
  const [got] = await runGraph(g, [input]);
  assert.is(firstDifference(got, expected), 'equal');
  assert.equal(readTflite(writeTflite(g)), g);
  return g;
}

const iota = (n: number) => Int8Array.from({ length: n }, (_, i) => i - 7);

test('TRANSPOSE: the perm tensor becomes the perm option', async () => {
  const m = oneOp(BuiltinOperator.TRANSPOSE, [act('x', [1, 2, 3]), { name: 'perm', shape: [3], type: int32, buffer: 1 }, act('y', [1, 3, 2])], [i32(0, 2, 1)],
    { inputs: [0, 1], outputs: [2], options: [BuiltinOptions.TransposeOptions, (b) => TransposeOptions.createTransposeOptions(b)] });
  const g = await readRun(m, iota(6), referenceTranspose(iota(6), [1, 2, 3], [0, 2, 1]).data);
  assert.equal(g.ops[0], { kind: 'TRANSPOSE', name: 'y', inputs: [0], outputs: [1], options: { perm: [0, 2, 1] } });
  assert.equal(g.tensors.map((t) => t.name), ['x', 'y']);
  throwsError(() => readTflite(buildRaw({ ...m, subgraphs: [{ ...m.subgraphs[0], ops: [{ ...m.subgraphs[0].ops[0], inputs: [0] }] }] })), ModelError, /TRANSPOSE takes the data and a constant perm tensor/);
});

test('STRIDED_SLICE: begin/end/strides and the masks are resolved into the IR slice', async () => {
  // x[1, ::-1, 1:] on [2, 3, 4]: shrink axis 0, reverse axis 1 (begin and end masks), axis 2 from 1 (end mask).
  const spec = { begin: [1, 0, 1], end: [2, 0, 0], strides: [1, -1, 1], beginMask: 0b010, endMask: 0b110, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0b001 };
  const slice = (s: typeof spec, offset = false): RawModel => oneOp(BuiltinOperator.STRIDED_SLICE, [
    act('x', [2, 3, 4]), { name: 'begin', shape: [s.begin.length], type: int32, buffer: 1 }, { name: 'end', shape: [s.end.length], type: int32, buffer: 2 },
    { name: 'strides', shape: [s.strides.length], type: int32, buffer: 3 }, act('y', referenceStridedSlice(iota(24), [2, 3, 4], s)?.shape ?? [1]),
  ], [i32(...s.begin), i32(...s.end), i32(...s.strides)], {
    inputs: [0, 1, 2, 3], outputs: [4],
    options: [BuiltinOptions.StridedSliceOptions, (b) => StridedSliceOptions.createStridedSliceOptions(b, s.beginMask, s.endMask, s.ellipsisMask, s.newAxisMask, s.shrinkAxisMask, offset)],
  });
  const g = await readRun(slice(spec), iota(24), referenceStridedSlice(iota(24), [2, 3, 4], spec)!.data);
  assert.equal(g.ops[0].options, { begin: [1, 2, 1], end: [2, -1, 4], strides: [1, -1, 1], shrinkAxisMask: 1 });
  assert.equal([g.tensors.length, g.tensors[1].shape], [2, [3, 3]]);
  // x[..., tf.newaxis, 2] on [2, 3, 4]: the ellipsis covers axes 0 and 1, a new axis, axis 2 shrunk.
  const ell = { begin: [0, 0, 2], end: [0, 0, 3], strides: [1, 1, 1], beginMask: 0, endMask: 0, ellipsisMask: 0b001, newAxisMask: 0b010, shrinkAxisMask: 0b100 };
  const e = await readRun(slice(ell), iota(24), referenceStridedSlice(iota(24), [2, 3, 4], ell)!.data);
  assert.equal(e.ops[0].options, { begin: [0, 0, 2], end: [2, 3, 3], strides: [1, 1, 1], shrinkAxisMask: 4 });
  assert.equal(e.tensors[1].shape, [2, 3, 1]);
  throwsError(() => readTflite(buildRaw(slice(spec, true)), 'test'), UnsupportedError, /model 'test': operator 0 \(STRIDED_SLICE\): StridedSliceOptions.offset is not supported/);
  throwsError(() => readTflite(buildRaw(slice({ ...spec, strides: [1, 0, 1] }))), ModelError, /dimension 1 \(size 3\).*stride must not be 0/);
});

test('SQUEEZE: squeeze_dims are kept as written', async () => {
  const m = oneOp(BuiltinOperator.SQUEEZE, [act('x', [1, 3, 1]), act('y', [1, 3])], [],
    { inputs: [0], outputs: [1], options: [BuiltinOptions.SqueezeOptions, (b) => SqueezeOptions.createSqueezeOptions(b, SqueezeOptions.createSqueezeDimsVector(b, [-1]))] });
  const g = await readRun(m, iota(3), iota(3));
  assert.equal(g.ops[0].options, { squeezeDims: [-1] });
  const none = await readRun(oneOp(BuiltinOperator.SQUEEZE, [act('x', [1, 3, 1]), act('y', [3])], [], { inputs: [0], outputs: [1] }), iota(3), iota(3));
  assert.equal(none.ops[0].options, { squeezeDims: [] });
});

test('RESIZE_NEAREST_NEIGHBOR: the size tensor becomes outH and outW', async () => {
  const resize = (size: number[]) => oneOp(BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, [act('x', [1, 2, 3, 2]), { name: 'size', shape: [size.length], type: int32, buffer: 1 }, act('y', [1, 5, 4, 2])], [i32(...size)],
    { inputs: [0, 1], outputs: [2], options: [BuiltinOptions.ResizeNearestNeighborOptions, (b) => ResizeNearestNeighborOptions.createResizeNearestNeighborOptions(b, false, true)] });
  const g = await readRun(resize([5, 4]), iota(12), referenceResizeNearest(iota(12), [1, 2, 3, 2], 5, 4, false, true).data);
  assert.equal(g.ops[0].options, { outH: 5, outW: 4, alignCorners: false, halfPixelCenters: true });
  throwsError(() => readTflite(buildRaw(resize([5, 4, 1]))), ModelError, /size tensor holds \[5,4,1\]; expected \[height, width\]/);
});

test('TRANSPOSE_CONV: output_shape (input 0) becomes the outputShape option; IR inputs are [weights, input, bias?]', async () => {
  const tconv = (inputs: number[]): RawModel => oneOp(BuiltinOperator.TRANSPOSE_CONV, [
    { name: 'output_shape', shape: [4], type: int32, buffer: 1 },
    { name: 'w', shape: [2, 3, 3, 1], buffer: 2, scale: [0.25, 0.5], zeroPoint: [0, 0], qdim: 0 },
    act('x', [1, 2, 2, 1], 3),
    { name: 'b', shape: [2], type: int32, buffer: 3 },
    act('y', [1, 4, 4, 2], -1),
  ], [i32(1, 4, 4, 2), i8(1, -2, 3, -4, 5, -6, 7, -8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1), i32(100, -100)], {
    inputs, outputs: [4], options: [BuiltinOptions.TransposeConvOptions, (b) => TransposeConvOptions.createTransposeConvOptions(b, 0, 2, 2, 1, 0)],
  }, [2]);
  const x = Int8Array.of(10, -20, 30, 127);
  const ref = (bias: Int32Array | null) => referenceTransposeConv({
    input: x, inShape: [1, 2, 2, 1], inScale: 0.5, inZp: 3, filter: Int8Array.of(1, -2, 3, -4, 5, -6, 7, -8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1), filterShape: [2, 3, 3, 1],
    filterScales: [0.25, 0.5], bias, outShape: [1, 4, 4, 2], outScale: 0.5, outZp: -1, strideH: 2, strideW: 2, padding: 'SAME', activation: 'RELU',
  });
  const g = await readRun(tconv([0, 1, 2, 3]), x, ref(Int32Array.of(100, -100)));
  assert.equal(g.ops[0], { kind: 'TRANSPOSE_CONV', name: 'y', inputs: [0, 1, 2], outputs: [3], options: { strideH: 2, strideW: 2, padding: 'SAME', activation: 'RELU', outputShape: [1, 4, 4, 2] } });
  assert.equal(g.tensors.map((t) => t.name), ['w', 'x', 'b', 'y']);
  assert.equal((await readRun(tconv([0, 1, 2]), x, ref(null))).ops[0].inputs, [0, 1]);
  assert.equal((await readRun(tconv([0, 1, 2, -1]), x, ref(null))).ops[0].inputs, [0, 1, -1]);
  throwsError(() => readTflite(buildRaw(tconv([1, 2]))), ModelError, /TRANSPOSE_CONV takes output_shape, weights, input and optionally bias/);
  const dynamic = tconv([0, 1, 2, 3]);
  dynamic.subgraphs[0].tensors[0].buffer = 0;
  throwsError(() => readTflite(buildRaw(dynamic)), UnsupportedError, /output_shape \(input 0\): tensor 0 'output_shape' is not a constant/);
});

test.run();
