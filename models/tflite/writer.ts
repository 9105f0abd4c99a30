// Graph IR -> .tflite, laid out the way TensorFlow Lite's converter lays files out: identifier "TFL3",
// schema version 3, buffer 0 the empty sentinel, each constant in its own buffer with its data aligned
// to 16 bytes, operator codes carrying both builtin_code and deprecated_builtin_code (min(code, 127)),
// and options tables written with flatbuffers' default elision (fields equal to their default are left
// out). MEAN axes, PAD paddings and RESHAPE's target shape become constant int32 input tensors again
// (unless the operator already has that input, TFLite's form, which the IR allows too), appended after the
// graph's own tensors; so do TRANSPOSE perm, STRIDED_SLICE begin/end/strides (with masks for what the IR's
// resolved slice cannot state as plain indices), RESIZE_NEAREST_NEIGHBOR size and TRANSPOSE_CONV output_shape
// (put first, TFLite's order), which the IR always keeps as options. mcusim's metadata entry (MCUSIM_METADATA)
// records operator names, which TFLite has no field for, and how many tensors the graph had, so readTflite
// drops exactly the appended ones.
import * as flatbuffers from 'flatbuffers';
import { ModelError } from '../../runtime/errors.ts';
import type { Activation, Graph, Op, OpKind, OpOptions, Padding as IrPadding, Tensor } from '../ir.ts';
import { validateGraph } from '../validate.ts';
import {
  ActivationFunctionType, AddOptions, Buffer as FbBuffer, BuiltinOperator, BuiltinOptions, ConcatenationOptions, Conv2DOptions,
  DepthwiseConv2DOptions, DequantizeOptions, FullyConnectedOptions, Metadata, Model, MulOptions, Operator, OperatorCode, PadOptions,
  Padding, Pool2DOptions, QuantizationParameters, QuantizeOptions, ReducerOptions, SoftmaxOptions, SubGraph, Tensor as FbTensor, TensorType,
  SubOptions, HardSwishOptions, LeakyReluOptions, MaximumMinimumOptions,
} from './generated/schema_generated.ts';
import { ResizeNearestNeighborOptions, SqueezeOptions, StridedSliceOptions, TransposeConvOptions, TransposeOptions } from './generated/schema_generated.ts';
import { tfliteStridedSlice } from '../../runtime/ops/strided_slice.ts';
import { MCUSIM_METADATA, SCHEMA_VERSION } from './reader.ts';

const DATA_ALIGN = 16;
const TYPES: Record<Tensor['dtype'], TensorType> = { int8: TensorType.INT8, int32: TensorType.INT32, float32: TensorType.FLOAT32 };
const ACTIVATIONS: Record<Activation, ActivationFunctionType> = {
  NONE: ActivationFunctionType.NONE, RELU: ActivationFunctionType.RELU, RELU6: ActivationFunctionType.RELU6, RELU_N1_TO_1: ActivationFunctionType.RELU_N1_TO_1,
};
const PADDINGS: Record<IrPadding, Padding> = { SAME: Padding.SAME, VALID: Padding.VALID };

export function writeTflite(g: Graph): Uint8Array {
  validateGraph(g);
  // Parameter tensors that TFLite passes as inputs, appended after the graph's tensors.
  const tensors: Tensor[] = [...g.tensors];
  const opInputs = g.ops.map((op) => {
    const fromOptions = optionTensorInputs(g, op, tensors);
    if (fromOptions) return fromOptions;
    // An operator that already has the input keeps it (RESHAPE's is optional in TFLite, so -1 stays too).
    const hasInput = op.inputs.length >= 2 && (op.inputs[1] >= 0 || op.kind === 'RESHAPE');
    const extra = hasInput ? undefined : parameterTensor(g, op);
    if (!extra) return op.inputs;
    tensors.push(extra);
    return [op.inputs[0], tensors.length - 1, ...op.inputs.slice(2)];
  });

  const b = new flatbuffers.Builder(1024 + tensors.reduce((n, t) => n + (t.data?.byteLength ?? 0) + DATA_ALIGN, 0));

  // Buffers: 0 is the empty sentinel, then one per constant, then mcusim's metadata.
  const bufferData: (Uint8Array | undefined)[] = [undefined];
  const tensorBuffer = tensors.map((t) => {
    if (!t.data) return 0;
    bufferData.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    return bufferData.length - 1;
  });
  const metadataBuffer = bufferData.length;
  bufferData.push(new TextEncoder().encode(JSON.stringify({ op_names: g.ops.map((op) => op.name), tensors: g.tensors.length })));
  const buffers = bufferData.map((data) => {
    let dataOffset = 0;
    if (data && data.length > 0) {
      b.prep(DATA_ALIGN, data.length); // so that the bytes after the vector's length start 16-byte aligned
      dataOffset = b.createByteVector(data);
    }
    FbBuffer.startBuffer(b);
    if (dataOffset) FbBuffer.addData(b, dataOffset);
    return FbBuffer.endBuffer(b);
  });

  const fbTensors = tensors.map((t, i) => {
    const shape = FbTensor.createShapeVector(b, t.shape);
    const name = b.createString(t.name);
    let quant = 0;
    if (t.quant) {
      if (t.quant.zeroPoint.some((z) => !Number.isInteger(z) || Math.abs(z) > 2 ** 31)) throw new ModelError(`model '${g.name}': tensor ${i} '${t.name}' has a zero point that is not a 32-bit integer`);
      const scale = QuantizationParameters.createScaleVector(b, t.quant.scale);
      const zeroPoint = QuantizationParameters.createZeroPointVector(b, t.quant.zeroPoint.map((z) => BigInt(z)));
      QuantizationParameters.startQuantizationParameters(b);
      QuantizationParameters.addScale(b, scale);
      QuantizationParameters.addZeroPoint(b, zeroPoint);
      QuantizationParameters.addQuantizedDimension(b, t.quant.axis);
      quant = QuantizationParameters.endQuantizationParameters(b);
    }
    FbTensor.startTensor(b);
    FbTensor.addShape(b, shape);
    FbTensor.addType(b, TYPES[t.dtype]);
    FbTensor.addBuffer(b, tensorBuffer[i]);
    FbTensor.addName(b, name);
    if (quant) FbTensor.addQuantization(b, quant);
    return FbTensor.endTensor(b);
  });

  const kinds: OpKind[] = [];
  for (const op of g.ops) if (!kinds.includes(op.kind)) kinds.push(op.kind);
  const codes = kinds.map((kind) => {
    const code = BuiltinOperator[kind];
    return OperatorCode.createOperatorCode(b, Math.min(code, BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES), 0, 1, code);
  });

  const operators = g.ops.map((op, k) => {
    const inputs = Operator.createInputsVector(b, opInputs[k]);
    const outputs = Operator.createOutputsVector(b, op.outputs);
    const [type, options] = writeOptions(b, g, op);
    Operator.startOperator(b);
    Operator.addOpcodeIndex(b, kinds.indexOf(op.kind));
    Operator.addInputs(b, inputs);
    Operator.addOutputs(b, outputs);
    if (type !== BuiltinOptions.NONE) {
      Operator.addBuiltinOptionsType(b, type);
      Operator.addBuiltinOptions(b, options);
    }
    return Operator.endOperator(b);
  });

  const subgraph = SubGraph.createSubGraph(
    b,
    SubGraph.createTensorsVector(b, fbTensors),
    SubGraph.createInputsVector(b, g.inputs),
    SubGraph.createOutputsVector(b, g.outputs),
    SubGraph.createOperatorsVector(b, operators),
    b.createString(g.name),
  );
  const metadata = Metadata.createMetadata(b, b.createString(MCUSIM_METADATA), metadataBuffer);
  const model = Model.createModel(
    b,
    SCHEMA_VERSION,
    Model.createOperatorCodesVector(b, codes),
    Model.createSubgraphsVector(b, [subgraph]),
    b.createString('mcusim'),
    Model.createBuffersVector(b, buffers),
    0,
    Model.createMetadataVector(b, [metadata]),
  );
  Model.finishModelBuffer(b, model);
  return b.asUint8Array().slice();
}

/** The constant int32 tensor TFLite takes as an extra input for MEAN, PAD and RESHAPE. */
function parameterTensor(g: Graph, op: Op): Tensor | undefined {
  const make = (suffix: string, shape: number[], values: number[]): Tensor => {
    if (values.some((v) => !Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31)) throw new ModelError(`model '${g.name}': operator '${op.name}' (${op.kind}) has ${suffix} [${values}] that are not 32-bit integers`);
    return { name: `${op.name}/${suffix}`, shape, dtype: 'int32', data: Int32Array.from(values) };
  };
  switch (op.kind) {
    case 'MEAN': {
      const { axes } = op.options as OpOptions['MEAN'];
      return make('axes', [axes.length], axes);
    }
    case 'PAD': {
      const { paddings } = op.options as OpOptions['PAD'];
      return make('paddings', [paddings.length, 2], paddings.flat());
    }
    case 'RESHAPE': {
      const shape = g.tensors[op.outputs[0]].shape;
      return make('shape', [shape.length], shape);
    }
    default:
      return undefined;
  }
}

/**
 * TFLite's input list for the operators whose constant int32 inputs are options in the IR (TRANSPOSE perm,
 * STRIDED_SLICE begin/end/strides, RESIZE_NEAREST_NEIGHBOR size after the data; TRANSPOSE_CONV output_shape
 * before the IR's [weights, input, bias?]). The new tensors are appended to `tensors`.
 */
function optionTensorInputs(g: Graph, op: Op, tensors: Tensor[]): number[] | undefined {
  const add = (suffix: string, values: number[]): number => {
    if (values.some((v) => !Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31)) throw new ModelError(`model '${g.name}': operator '${op.name}' (${op.kind}) has ${suffix} [${values}] that are not 32-bit integers`);
    tensors.push({ name: `${op.name}/${suffix}`, shape: [values.length], dtype: 'int32', data: Int32Array.from(values) });
    return tensors.length - 1;
  };
  switch (op.kind) {
    case 'TRANSPOSE':
      return [op.inputs[0], add('perm', (op.options as OpOptions['TRANSPOSE']).perm)];
    case 'STRIDED_SLICE': {
      const p = tfliteStridedSlice(op.options as OpOptions['STRIDED_SLICE'], g.tensors[op.inputs[0]].shape, g.tensors[op.outputs[0]].shape);
      return [op.inputs[0], add('begin', p.begin), add('end', p.end), add('strides', p.strides)];
    }
    case 'RESIZE_NEAREST_NEIGHBOR': {
      const o = op.options as OpOptions['RESIZE_NEAREST_NEIGHBOR'];
      return [op.inputs[0], add('size', [o.outH, o.outW])];
    }
    case 'TRANSPOSE_CONV':
      return [add('output_shape', (op.options as OpOptions['TRANSPOSE_CONV']).outputShape), ...op.inputs];
    default:
      return undefined;
  }
}

/** Options table of one operator: [union type, table offset]. */
function writeOptions(b: flatbuffers.Builder, g: Graph, op: Op): [BuiltinOptions, flatbuffers.Offset] {
  const o = op.options as OpOptions[OpKind];
  switch (op.kind) {
    case 'CONV_2D': {
      const c = o as OpOptions['CONV_2D'];
      return [BuiltinOptions.Conv2DOptions, Conv2DOptions.createConv2DOptions(b, PADDINGS[c.padding], c.strideW, c.strideH, ACTIVATIONS[c.activation], c.dilationW, c.dilationH, TensorType.FLOAT32)];
    }
    case 'DEPTHWISE_CONV_2D': {
      const c = o as OpOptions['DEPTHWISE_CONV_2D'];
      return [BuiltinOptions.DepthwiseConv2DOptions, DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b, PADDINGS[c.padding], c.strideW, c.strideH, c.depthMultiplier, ACTIVATIONS[c.activation], c.dilationW, c.dilationH)];
    }
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D': {
      const p = o as OpOptions['MAX_POOL_2D'];
      return [BuiltinOptions.Pool2DOptions, Pool2DOptions.createPool2DOptions(b, PADDINGS[p.padding], p.strideW, p.strideH, p.filterW, p.filterH, ACTIVATIONS[p.activation])];
    }
    case 'FULLY_CONNECTED': {
      // keep_num_dims: TFLite flattens the output to [batch, units] unless it is set; a rank-2 output reads the same either way.
      const keepNumDims = g.tensors[op.outputs[0]].shape.length !== 2;
      const f = o as OpOptions['FULLY_CONNECTED'];
      return [BuiltinOptions.FullyConnectedOptions, FullyConnectedOptions.createFullyConnectedOptions(b, ACTIVATIONS[f.activation], 0, keepNumDims, false, TensorType.FLOAT32)];
    }
    case 'ADD':
      return [BuiltinOptions.AddOptions, AddOptions.createAddOptions(b, ACTIVATIONS[(o as OpOptions['ADD']).activation], true)];
    case 'MUL':
      return [BuiltinOptions.MulOptions, MulOptions.createMulOptions(b, ACTIVATIONS[(o as OpOptions['MUL']).activation])];
    case 'CONCATENATION': {
      const c = o as OpOptions['CONCATENATION'];
      return [BuiltinOptions.ConcatenationOptions, ConcatenationOptions.createConcatenationOptions(b, c.axis, ACTIVATIONS[c.activation])];
    }
    case 'SOFTMAX':
      return [BuiltinOptions.SoftmaxOptions, SoftmaxOptions.createSoftmaxOptions(b, (o as OpOptions['SOFTMAX']).beta)];
    case 'MEAN':
      return [BuiltinOptions.ReducerOptions, ReducerOptions.createReducerOptions(b, (o as OpOptions['MEAN']).keepDims)];
    case 'PAD':
      return [BuiltinOptions.PadOptions, PadOptions.createPadOptions(b)];
    case 'RESHAPE':
      return [BuiltinOptions.NONE, 0]; // the converter passes the shape as input 1 and writes no options
    case 'QUANTIZE':
      return [BuiltinOptions.QuantizeOptions, QuantizeOptions.createQuantizeOptions(b)];
    case 'DEQUANTIZE':
      return [BuiltinOptions.DequantizeOptions, DequantizeOptions.createDequantizeOptions(b)];
    case 'SUB':
      return [BuiltinOptions.SubOptions, SubOptions.createSubOptions(b, ACTIVATIONS[(o as OpOptions['SUB']).activation], true)];
    case 'LOGISTIC':
    case 'TANH':
      return [BuiltinOptions.NONE, 0]; // the schema has no options table for them
    case 'HARD_SWISH':
      return [BuiltinOptions.HardSwishOptions, HardSwishOptions.createHardSwishOptions(b)];
    case 'LEAKY_RELU':
      return [BuiltinOptions.LeakyReluOptions, LeakyReluOptions.createLeakyReluOptions(b, (o as OpOptions['LEAKY_RELU']).alpha)];
    case 'MAXIMUM':
    case 'MINIMUM':
      return [BuiltinOptions.MaximumMinimumOptions, MaximumMinimumOptions.createMaximumMinimumOptions(b)];
    case 'TRANSPOSE':
      return [BuiltinOptions.TransposeOptions, TransposeOptions.createTransposeOptions(b)];
    case 'STRIDED_SLICE': {
      const p = tfliteStridedSlice(o as OpOptions['STRIDED_SLICE'], g.tensors[op.inputs[0]].shape, g.tensors[op.outputs[0]].shape);
      return [BuiltinOptions.StridedSliceOptions, StridedSliceOptions.createStridedSliceOptions(b, p.beginMask, p.endMask, p.ellipsisMask, p.newAxisMask, p.shrinkAxisMask, p.offset)];
    }
    case 'SQUEEZE': {
      const dims = SqueezeOptions.createSqueezeDimsVector(b, (o as OpOptions['SQUEEZE']).squeezeDims);
      return [BuiltinOptions.SqueezeOptions, SqueezeOptions.createSqueezeOptions(b, dims)];
    }
    case 'RESIZE_NEAREST_NEIGHBOR': {
      const r = o as OpOptions['RESIZE_NEAREST_NEIGHBOR'];
      return [BuiltinOptions.ResizeNearestNeighborOptions, ResizeNearestNeighborOptions.createResizeNearestNeighborOptions(b, r.alignCorners, r.halfPixelCenters)];
    }
    case 'TRANSPOSE_CONV': {
      const c = o as OpOptions['TRANSPOSE_CONV'];
      return [BuiltinOptions.TransposeConvOptions, TransposeConvOptions.createTransposeConvOptions(b, PADDINGS[c.padding], c.strideW, c.strideH, ACTIVATIONS[c.activation], TensorType.FLOAT32)];
    }
  }
}
