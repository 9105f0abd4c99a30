// Builds .tflite bytes from a plain description with no checks at all, straight through the flatc-generated
// builders, so tests can write exactly the malformed or unusual files they need (wrong codes, bad indices,
// foreign metadata, old-style operator codes, extra subgraphs...).
import * as flatbuffers from 'flatbuffers';
import {
  Buffer as FbBuffer, BuiltinOperator, BuiltinOptions, Conv2DOptions, Metadata, Model, Operator, OperatorCode, QuantizationParameters,
  SparsityParameters, SubGraph, Tensor, TensorType,
} from '../../models/tflite/generated/schema_generated.ts';

export interface RawTensor {
  name?: string;
  shape?: number[];
  type?: number;
  buffer?: number;
  scale?: number[];
  zeroPoint?: number[];
  qdim?: number;
  sparse?: boolean;
  variable?: boolean;
}

export interface RawOp {
  opcode: number;
  inputs: number[];
  outputs: number[];
  /** Union type code and a function that writes the table (called before the operator table starts). */
  options?: [number, (b: flatbuffers.Builder) => flatbuffers.Offset];
}

export interface RawSubgraph { tensors: RawTensor[]; ops: RawOp[]; inputs: number[]; outputs: number[]; name?: string }

export interface RawModel {
  version?: number;
  opcodes: { builtin?: number; deprecated?: number; custom?: string }[];
  subgraphs: RawSubgraph[];
  /** Buffer contents; `{ offset, size }` describes an external buffer (data outside the flatbuffer). */
  buffers: (Uint8Array | null | { offset: bigint; size: bigint })[];
  metadata?: { name: string; buffer: number }[];
  identifier?: string;
}

export function buildRaw(m: RawModel): Uint8Array {
  const b = new flatbuffers.Builder(1024);
  const buffers = m.buffers.map((d) => {
    const data = d instanceof Uint8Array && d.length > 0 ? (b.prep(16, d.length), b.createByteVector(d)) : 0;
    FbBuffer.startBuffer(b);
    if (data) FbBuffer.addData(b, data);
    if (d && !(d instanceof Uint8Array)) {
      FbBuffer.addOffset(b, d.offset);
      FbBuffer.addSize(b, d.size);
    }
    return FbBuffer.endBuffer(b);
  });
  const subgraphs = m.subgraphs.map((sg) => {
    const tensors = sg.tensors.map((t) => {
      const shape = t.shape ? Tensor.createShapeVector(b, t.shape) : 0;
      const name = t.name !== undefined ? b.createString(t.name) : 0;
      let quant = 0;
      if (t.scale || t.zeroPoint) {
        const scale = t.scale ? QuantizationParameters.createScaleVector(b, t.scale) : 0;
        const zp = t.zeroPoint ? QuantizationParameters.createZeroPointVector(b, t.zeroPoint.map((z) => BigInt(z))) : 0;
        QuantizationParameters.startQuantizationParameters(b);
        if (scale) QuantizationParameters.addScale(b, scale);
        if (zp) QuantizationParameters.addZeroPoint(b, zp);
        QuantizationParameters.addQuantizedDimension(b, t.qdim ?? 0);
        quant = QuantizationParameters.endQuantizationParameters(b);
      }
      const sparsity = t.sparse ? (SparsityParameters.startSparsityParameters(b), SparsityParameters.endSparsityParameters(b)) : 0;
      Tensor.startTensor(b);
      if (shape) Tensor.addShape(b, shape);
      Tensor.addType(b, t.type ?? TensorType.INT8);
      Tensor.addBuffer(b, t.buffer ?? 0);
      if (name) Tensor.addName(b, name);
      if (quant) Tensor.addQuantization(b, quant);
      if (t.variable) Tensor.addIsVariable(b, true);
      if (sparsity) Tensor.addSparsity(b, sparsity);
      return Tensor.endTensor(b);
    });
    const ops = sg.ops.map((op) => {
      const inputs = Operator.createInputsVector(b, op.inputs);
      const outputs = Operator.createOutputsVector(b, op.outputs);
      const options = op.options ? op.options[1](b) : 0;
      Operator.startOperator(b);
      Operator.addOpcodeIndex(b, op.opcode);
      Operator.addInputs(b, inputs);
      Operator.addOutputs(b, outputs);
      if (op.options) {
        Operator.addBuiltinOptionsType(b, op.options[0]);
        Operator.addBuiltinOptions(b, options);
      }
      return Operator.endOperator(b);
    });
    return SubGraph.createSubGraph(b, SubGraph.createTensorsVector(b, tensors), SubGraph.createInputsVector(b, sg.inputs),
      SubGraph.createOutputsVector(b, sg.outputs), SubGraph.createOperatorsVector(b, ops), sg.name !== undefined ? b.createString(sg.name) : 0);
  });
  const codes = m.opcodes.map((c) => OperatorCode.createOperatorCode(b, c.deprecated ?? 0, c.custom !== undefined ? b.createString(c.custom) : 0, 1, c.builtin ?? 0));
  const metadata = m.metadata ? Model.createMetadataVector(b, m.metadata.map((md) => Metadata.createMetadata(b, b.createString(md.name), md.buffer))) : 0;
  const model = Model.createModel(b, m.version ?? 3, Model.createOperatorCodesVector(b, codes), Model.createSubgraphsVector(b, subgraphs),
    b.createString('raw test model'), Model.createBuffersVector(b, buffers), 0, metadata);
  b.finish(model, m.identifier ?? 'TFL3');
  return b.asUint8Array().slice();
}

export const i8 = (...v: number[]) => new Uint8Array(Int8Array.from(v).buffer);
export const i32 = (...v: number[]) => new Uint8Array(Int32Array.from(v).buffer);

/** A valid one-CONV_2D model: x [1,4,4,2] -> y [1,4,4,3], 1x1 weights per channel, int32 bias. */
export function convSpec(): RawModel {
  return {
    opcodes: [{ builtin: BuiltinOperator.CONV_2D, deprecated: BuiltinOperator.CONV_2D }],
    buffers: [null, i8(1, 2, 3, 4, 5, 6), i32(10, -20, 30)],
    subgraphs: [{
      name: 'main',
      tensors: [
        { name: 'x', shape: [1, 4, 4, 2], scale: [0.5], zeroPoint: [-3] },
        { name: 'w', shape: [3, 1, 1, 2], buffer: 1, scale: [0.25, 0.125, 0.0625], zeroPoint: [0, 0, 0], qdim: 0 },
        { name: 'b', shape: [3], type: TensorType.INT32, buffer: 2, scale: [0.125, 0.0625, 0.03125], zeroPoint: [0, 0, 0] },
        { name: 'y', shape: [1, 4, 4, 3], scale: [1], zeroPoint: [5] },
      ],
      ops: [{ opcode: 0, inputs: [0, 1, 2], outputs: [3], options: [BuiltinOptions.Conv2DOptions, (b) => Conv2DOptions.createConv2DOptions(b, 1, 1, 1, 1, 1, 1, 0)] }],
      inputs: [0],
      outputs: [3],
    }],
  };
}

/** Deep copy of a spec; option writers (functions) and typed arrays are shared/copied as they are. */
export function cloneRaw<T>(x: T): T {
  if (Array.isArray(x)) return x.map(cloneRaw) as T;
  if (x instanceof Uint8Array) return x.slice() as T;
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, cloneRaw(v)])) as T;
  return x;
}
