// The schema subset must match TensorFlow Lite's published schema (tensorflow/lite/schema/schema.fbs):
// field ids, enum values and union member positions are facts of the file format. This test holds them,
// transcribed from the published schema, against the flatc-generated code (which comes from our
// schema.fbs), and holds the verifier's table layout against the generated code too.
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ActivationFunctionType, BuiltinOperator, BuiltinOptions, FullyConnectedOptionsWeightsFormat, Padding, TensorType,
} from '../../models/tflite/generated/schema_generated.ts';
import { TABLES } from '../../models/tflite/verify.ts';

const generatedDir = new URL('../../models/tflite/generated/tflite/', import.meta.url);

/** Field order of each table in the published schema, up to the last field mcusim declares. */
const PUBLISHED_FIELDS: Record<string, string[]> = {
  Model: ['version', 'operator_codes', 'subgraphs', 'description', 'buffers', 'metadata_buffer', 'metadata'],
  OperatorCode: ['deprecated_builtin_code', 'custom_code', 'version', 'builtin_code'],
  SubGraph: ['tensors', 'inputs', 'outputs', 'operators', 'name'],
  Tensor: ['shape', 'type', 'buffer', 'name', 'quantization', 'is_variable', 'sparsity', 'shape_signature', 'has_rank'],
  // A union field takes two ids: <name>_type, then <name>.
  QuantizationParameters: ['min', 'max', 'scale', 'zero_point', 'details_type', 'details', 'quantized_dimension'],
  Operator: ['opcode_index', 'inputs', 'outputs', 'builtin_options_type', 'builtin_options', 'custom_options', 'custom_options_format',
    'mutating_variable_inputs', 'intermediates'],
  Buffer: ['data', 'offset', 'size'],
  Metadata: ['name', 'buffer'],
  Conv2DOptions: ['padding', 'stride_w', 'stride_h', 'fused_activation_function', 'dilation_w_factor', 'dilation_h_factor', 'quantized_bias_type'],
  DepthwiseConv2DOptions: ['padding', 'stride_w', 'stride_h', 'depth_multiplier', 'fused_activation_function', 'dilation_w_factor', 'dilation_h_factor'],
  Pool2DOptions: ['padding', 'stride_w', 'stride_h', 'filter_width', 'filter_height', 'fused_activation_function'],
  FullyConnectedOptions: ['fused_activation_function', 'weights_format', 'keep_num_dims', 'asymmetric_quantize_inputs', 'quantized_bias_type'],
  SoftmaxOptions: ['beta'],
  ConcatenationOptions: ['axis', 'fused_activation_function'],
  AddOptions: ['fused_activation_function', 'pot_scale_int16'],
  SubOptions: ['fused_activation_function', 'pot_scale_int16'],
  MulOptions: ['fused_activation_function'],
  ReshapeOptions: ['new_shape'],
  ReducerOptions: ['keep_dims'],
  PadOptions: [],
  QuantizeOptions: [],
  DequantizeOptions: [],
  TransposeOptions: [],
  SqueezeOptions: ['squeeze_dims'],
  StridedSliceOptions: ['begin_mask', 'end_mask', 'ellipsis_mask', 'new_axis_mask', 'shrink_axis_mask', 'offset'],
  MaximumMinimumOptions: [],
  TransposeConvOptions: ['padding', 'stride_w', 'stride_h', 'fused_activation_function', 'quantized_bias_type'],
  ResizeNearestNeighborOptions: ['align_corners', 'half_pixel_centers'],
  LeakyReluOptions: ['alpha'],
  HardSwishOptions: [],
  CustomQuantization: [],
  SparsityParameters: [],
};

/** Scalar sizes of fields in the published schema (ubyte/byte/bool = 1, int/uint/float = 4, long/ulong = 8); the rest are offsets. */
const SCALAR_FIELDS: Record<string, Record<string, number>> = {
  Model: { version: 4 },
  OperatorCode: { deprecated_builtin_code: 1, version: 4, builtin_code: 4 },
  Tensor: { type: 1, buffer: 4, is_variable: 1, has_rank: 1 },
  QuantizationParameters: { details_type: 1, quantized_dimension: 4 },
  Operator: { opcode_index: 4, builtin_options_type: 1, custom_options_format: 1 },
  Buffer: { offset: 8, size: 8 },
  Metadata: { buffer: 4 },
  Conv2DOptions: { padding: 1, stride_w: 4, stride_h: 4, fused_activation_function: 1, dilation_w_factor: 4, dilation_h_factor: 4, quantized_bias_type: 1 },
  DepthwiseConv2DOptions: { padding: 1, stride_w: 4, stride_h: 4, depth_multiplier: 4, fused_activation_function: 1, dilation_w_factor: 4, dilation_h_factor: 4 },
  Pool2DOptions: { padding: 1, stride_w: 4, stride_h: 4, filter_width: 4, filter_height: 4, fused_activation_function: 1 },
  FullyConnectedOptions: { fused_activation_function: 1, weights_format: 1, keep_num_dims: 1, asymmetric_quantize_inputs: 1, quantized_bias_type: 1 },
  SoftmaxOptions: { beta: 4 },
  ConcatenationOptions: { axis: 4, fused_activation_function: 1 },
  AddOptions: { fused_activation_function: 1, pot_scale_int16: 1 },
  SubOptions: { fused_activation_function: 1, pot_scale_int16: 1 },
  MulOptions: { fused_activation_function: 1 },
  ReducerOptions: { keep_dims: 1 },
  StridedSliceOptions: { begin_mask: 4, end_mask: 4, ellipsis_mask: 4, new_axis_mask: 4, shrink_axis_mask: 4, offset: 1 },
  TransposeConvOptions: { padding: 1, stride_w: 4, stride_h: 4, fused_activation_function: 1, quantized_bias_type: 1 },
  ResizeNearestNeighborOptions: { align_corners: 1, half_pixel_centers: 1 },
  LeakyReluOptions: { alpha: 4 },
};

const pascal = (snake: string) => snake.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('');

/** Tables in the generated code: class name -> field count and, per id, [add-method name, scalar size or 'offset']. */
function generatedTables(): Map<string, { count: number; fields: Map<number, [string, number | 'offset']> }> {
  const sizes: Record<string, number | 'offset'> = { Int8: 1, Int16: 2, Int32: 4, Int64: 8, Float32: 4, Float64: 8, Offset: 'offset' };
  const out = new Map<string, { count: number; fields: Map<number, [string, number | 'offset']> }>();
  for (const file of readdirSync(generatedDir)) {
    const text = readFileSync(new URL(file, generatedDir), 'utf8');
    const cls = /export class (\w+)/.exec(text);
    const start = /builder\.startObject\((\d+)\)/.exec(text);
    if (!cls || !start) continue;
    const fields = new Map<number, [string, number | 'offset']>();
    for (const m of text.matchAll(/static add(\w+)\(builder:flatbuffers\.Builder, [^)]*\) \{\n\s*builder\.addField(\w+)\((\d+),/g)) {
      fields.set(Number(m[3]), [m[1], sizes[m[2]]]);
    }
    out.set(cls[1], { count: Number(start[1]), fields });
  }
  return out;
}

test('every table: the published field order, the generated code and the verifier agree', () => {
  const generated = generatedTables();
  assert.equal([...generated.keys()].sort(), Object.keys(PUBLISHED_FIELDS).sort(), 'generated tables = published subset');
  assert.equal(Object.keys(TABLES).sort(), Object.keys(PUBLISHED_FIELDS).sort(), 'verifier tables = published subset');
  for (const [table, names] of Object.entries(PUBLISHED_FIELDS)) {
    const gen = generated.get(table)!;
    assert.is(gen.count, names.length, `${table}: field count`);
    names.forEach((name, id) => {
      const [method, size] = gen.fields.get(id) ?? ['(missing)', 0];
      assert.is(method, pascal(name), `${table} field id ${id} is ${name}`);
      assert.is(size, SCALAR_FIELDS[table]?.[name] ?? 'offset', `${table}.${name}: scalar size or offset`);
      const [vname, kind] = TABLES[table][id];
      assert.is(vname, name, `verifier ${table} field ${id}`);
      assert.is(typeof kind === 'number' ? kind : 'offset', size, `verifier ${table}.${name}: kind`);
    });
    assert.is(TABLES[table].length, names.length, `verifier ${table}: field count`);
  }
});

test('BuiltinOperator codes of the published schema', () => {
  const published: Record<string, number> = {
    ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEPTH_TO_SPACE: 5, DEQUANTIZE: 6, FULLY_CONNECTED: 9,
    LOGISTIC: 14, MAX_POOL_2D: 17, MUL: 18, RELU: 19, RELU6: 21, RESHAPE: 22, SOFTMAX: 25, TANH: 28, CALL: 31, CUSTOM: 32, PAD: 34,
    TRANSPOSE: 39, MEAN: 40, SUB: 41, SQUEEZE: 43, STRIDED_SLICE: 45, MAXIMUM: 55, MINIMUM: 57, PADV2: 60, TRANSPOSE_CONV: 67, SUM: 74,
    RESIZE_NEAREST_NEIGHBOR: 97, LEAKY_RELU: 98, QUANTIZE: 114, HARD_SWISH: 117, IF: 118,
    WHILE: 119, BATCH_MATMUL: 126, PLACEHOLDER_FOR_GREATER_OP_CODES: 127, CUMSUM: 128, CALL_ONCE: 129, GELU: 150, RIGHT_SHIFT: 161,
    STABLEHLO_LOGISTIC: 162, STABLEHLO_RNG_BIT_GENERATOR: 204, REDUCE_WINDOW: 205, TEMP_STREAMING_CONV_2D: 225,
  };
  for (const [name, code] of Object.entries(published)) assert.is((BuiltinOperator as unknown as Record<string, number>)[name], code, name);
  // The enum is contiguous from 0 to 205, then 225.
  const codes = Object.values(BuiltinOperator).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  assert.equal(codes, [...Array.from({ length: 206 }, (_, i) => i), 225]);
});

test('BuiltinOptions union: positions of the members we use (NONE = 0)', () => {
  assert.equal({ ...BuiltinOptions }, {
    ...BuiltinOptions,
    NONE: 0, Conv2DOptions: 1, DepthwiseConv2DOptions: 2, Pool2DOptions: 5, FullyConnectedOptions: 8, SoftmaxOptions: 9, ConcatenationOptions: 10,
    AddOptions: 11, ReshapeOptions: 17, MulOptions: 21, PadOptions: 22, TransposeOptions: 26, ReducerOptions: 27, SubOptions: 28, SqueezeOptions: 30,
    StridedSliceOptions: 32, DequantizeOptions: 38, MaximumMinimumOptions: 39, TransposeConvOptions: 49, ResizeNearestNeighborOptions: 74,
    LeakyReluOptions: 75, QuantizeOptions: 89, HardSwishOptions: 91,
  });
  assert.is(Object.keys(BuiltinOptions).filter((k) => Number.isNaN(Number(k))).length, 23);
});

test('TensorType, Padding, ActivationFunctionType and FullyConnectedOptionsWeightsFormat values', () => {
  assert.equal(
    [TensorType.FLOAT32, TensorType.FLOAT16, TensorType.INT32, TensorType.UINT8, TensorType.INT64, TensorType.STRING, TensorType.BOOL, TensorType.INT16,
      TensorType.COMPLEX64, TensorType.INT8, TensorType.FLOAT64, TensorType.COMPLEX128, TensorType.UINT64, TensorType.RESOURCE, TensorType.VARIANT,
      TensorType.UINT32, TensorType.UINT16, TensorType.INT4],
    Array.from({ length: 18 }, (_, i) => i),
  );
  assert.equal([Padding.SAME, Padding.VALID], [0, 1]);
  assert.equal([ActivationFunctionType.NONE, ActivationFunctionType.RELU, ActivationFunctionType.RELU_N1_TO_1, ActivationFunctionType.RELU6,
    ActivationFunctionType.TANH, ActivationFunctionType.SIGN_BIT], [0, 1, 2, 3, 4, 5]);
  assert.equal([FullyConnectedOptionsWeightsFormat.DEFAULT, FullyConnectedOptionsWeightsFormat.SHUFFLED4x16INT8], [0, 1]);
});

test('schema defaults that change what an absent field means', () => {
  const text = readFileSync(new URL('../../models/tflite/schema.fbs', import.meta.url), 'utf8');
  assert.match(text, /file_identifier "TFL3";/);
  assert.match(text, /dilation_w_factor:int = 1;\n\s*dilation_h_factor:int = 1;/);
  assert.match(text, /version:int = 1;/);
  assert.match(text, /pot_scale_int16:bool = true;/);
  assert.match(text, /data:\[ubyte\] \(force_align: 16\);/);
});

test.run();
