// .tflite -> Graph IR. The file is first verified structurally (verify.ts), then read through the
// flatc-generated accessors, then every operator and tensor is checked and mapped into the IR:
//   - operator code = max(builtin_code, deprecated_builtin_code), as TensorFlow Lite's GetBuiltinCode does;
//   - MEAN axes and PAD paddings (constant int32/int64 input tensors in TFLite) become IR options, RESHAPE's
//     shape input is dropped (the output tensor's shape is authoritative); such parameter tensors leave the
//     graph when nothing else refers to them. Files written by writeTflite say (in mcusim's metadata) which
//     tensors the writer added, and only those are dropped, so graphs that keep TFLite's input form (as the
//     zoo does) read back unchanged. TRANSPOSE perm, STRIDED_SLICE begin/end/strides (masks resolved against
//     the input shape), RESIZE_NEAREST_NEIGHBOR size and TRANSPOSE_CONV output_shape (its input 0) are
//     parameter tensors too, and always options in the IR;
//   - subgraph 0 is the model; other subgraphs are tolerated (only control-flow ops could reach them, and
//     those are refused); metadata is ignored except mcusim's own (see writer.ts).
// Every problem is a ModelError (malformed) or UnsupportedError (valid TFLite that mcusim cannot run),
// naming the operator, tensor or file offset. No operator is ever skipped.
import * as flatbuffers from 'flatbuffers';
import { McusimError, ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { DTYPE_BYTES, elementCount, OP_KINDS, type Activation, type ConstData, type DType, type Graph, type Op, type OpKind, type OpOptions, type Padding, type Quantization, type Tensor } from '../ir.ts';
import { validateGraph } from '../validate.ts';
import {
  ActivationFunctionType, BuiltinOperator, BuiltinOptions, ConcatenationOptions, Conv2DOptions, DepthwiseConv2DOptions,
  FullyConnectedOptions, FullyConnectedOptionsWeightsFormat, Model, Operator as FbOperator, Pool2DOptions, ReducerOptions,
  SoftmaxOptions, AddOptions, MulOptions, SubOptions, LeakyReluOptions, SubGraph, TensorType, Tensor as FbTensor,
} from './generated/schema_generated.ts';
import { ResizeNearestNeighborOptions, SqueezeOptions, StridedSliceOptions, TransposeConvOptions } from './generated/schema_generated.ts';
import { resolveStridedSlice } from '../../runtime/ops/strided_slice.ts';
import { verifyTflite } from './verify.ts';

/**
 * Metadata entry written by writeTflite: JSON `{ "op_names": [...], "tensors": N }`. TFLite operators have no
 * names; N is how many tensors the graph had before the writer appended parameter tensors.
 */
export const MCUSIM_METADATA = 'mcusim';
/** Marks a ModelError that comes from an unexpected exception inside the reader (the fuzzer treats it as a bug). */
export const INTERNAL_ERROR = 'internal reader error';

export const SCHEMA_VERSION = 3;
const MAX_ELEMENTS = 2 ** 28;

const DTYPES: Partial<Record<TensorType, DType>> = { [TensorType.INT8]: 'int8', [TensorType.INT32]: 'int32', [TensorType.FLOAT32]: 'float32' };
const CONTROL_FLOW = new Set(['IF', 'WHILE', 'CALL_ONCE', 'CALL']);

export function builtinName(code: number): string {
  return BuiltinOperator[code] ?? `unknown builtin code ${code}`;
}

export function readTflite(bytes: Uint8Array, name?: string): Graph {
  let reader: Reader | undefined;
  try {
    reader = new Reader(new Uint8Array(bytes), name); // own copy at offset 0, so typed views are aligned
    return reader.read();
  } catch (e) {
    if (e instanceof McusimError) throw e;
    const label = reader?.label ?? `model '${name ?? 'tflite'}'`;
    const stage = reader?.stage ?? 'the file structure';
    throw new ModelError(`${label}: malformed .tflite: ${INTERNAL_ERROR} while reading ${stage}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}

/** What the file says about one tensor, before deciding whether it stays in the graph. */
interface RawTensor {
  name: string;
  shape: number[];
  type: TensorType;
  bytes?: Uint8Array;
  quant?: Quantization;
}

class Reader {
  label: string;
  stage = 'the file header';
  private readonly model: Model;
  private raw: RawTensor[] = [];

  constructor(private readonly file: Uint8Array, private readonly name: string | undefined) {
    this.label = `model '${name ?? 'tflite'}'`;
    verifyTflite(file, this.label);
    this.model = Model.getRootAsModel(new flatbuffers.ByteBuffer(file));
  }

  private bad(msg: string): never { throw new ModelError(`${this.label}: ${msg}`); }
  private unsupported(msg: string): never { throw new UnsupportedError(`${this.label}: ${msg}`); }

  read(): Graph {
    const m = this.model;
    if (m.version() !== SCHEMA_VERSION) this.bad(`schema version is ${m.version()}; mcusim reads TensorFlow Lite schema version ${SCHEMA_VERSION}`);
    if (m.subgraphsLength() === 0) this.bad('has no subgraphs');
    const sg = m.subgraphs(0)!;
    const graphName = this.name ?? (sg.name() || 'model');
    this.label = `model '${graphName}'`;
    if (m.buffersLength() > 0 && this.bufferBytes(0, 'buffer 0')) this.bad('buffer 0 holds data; it must be the empty sentinel buffer');

    this.stage = 'tensors';
    for (let i = 0; i < sg.tensorsLength(); i++) this.raw.push(this.rawTensor(sg.tensors(i)!, i));

    this.stage = 'operators';
    /** Parameter input -> how many operators use it as their parameter input. */
    const params = new Map<number, number>();
    const ops = this.operators(sg, params);

    this.stage = 'graph inputs and outputs';
    const ioList = (len: number, get: (i: number) => number | null, role: string): number[] => {
      const out: number[] = [];
      for (let i = 0; i < len; i++) out.push(this.tensorIndex(get(i)!, `subgraph 0 ${role} ${i}`, false));
      return out;
    };
    const inputs = ioList(sg.inputsLength(), (i) => sg.inputs(i), 'input');
    const outputs = ioList(sg.outputsLength(), (i) => sg.outputs(i), 'output');

    // Parameter tensors (MEAN axes, PAD paddings, RESHAPE shape) leave the graph unless something else uses them;
    // in files from writeTflite only those it appended (index >= N) do.
    this.stage = 'mcusim metadata';
    const meta = this.mcusimMetadata(ops.length);
    this.stage = 'tensor renumbering';
    const uses = new Map<number, number>();
    const count = (t: number) => { if (t >= 0) uses.set(t, (uses.get(t) ?? 0) + 1); };
    [...inputs, ...outputs].forEach(count);
    for (const op of ops) [...op.inputs, ...op.outputs].forEach(count);
    const firstDroppable = meta.tensors ?? 0;
    const drop = new Set([...params.entries()].filter(([t, n]) => t >= firstDroppable && uses.get(t) === n).map(([t]) => t));
    for (const op of ops) op.inputs = op.inputs.filter((t) => !drop.has(t));
    const keep = this.raw.map((_, i) => !drop.has(i));
    const newIndex: number[] = [];
    let next = 0;
    for (let i = 0; i < this.raw.length; i++) newIndex.push(keep[i] ? next++ : -1);
    const renumber = (t: number) => (t < 0 ? t : newIndex[t]);

    this.stage = 'tensor contents';
    const tensors: Tensor[] = [];
    this.raw.forEach((r, i) => { if (keep[i]) tensors.push(this.irTensor(r, i)); });

    const names = meta.opNames;
    const g: Graph = {
      name: graphName,
      tensors,
      ops: ops.map((op, k) => ({
        kind: op.kind,
        name: names?.[k] ?? (op.outputs.length > 0 ? this.raw[op.outputs[0]].name : `${op.kind}_${k}`),
        inputs: op.inputs.map(renumber),
        outputs: op.outputs.map(renumber),
        options: op.options,
      }) as Op),
      inputs: inputs.map(renumber),
      outputs: outputs.map(renumber),
    };
    this.stage = 'graph validation';
    validateGraph(g);
    return g;
  }

  // ---- tensors ----

  private rawTensor(t: FbTensor, i: number): RawTensor {
    const name = t.name() ?? '';
    const where = `tensor ${i} '${name}'`;
    const shape: number[] = [];
    for (let d = 0; d < t.shapeLength(); d++) shape.push(t.shape(d)!);
    // Zero-size dimensions are only refused for tensors that stay in the graph (irTensor): an empty MEAN axes
    // or scalar RESHAPE shape parameter has shape [0].
    if (shape.some((d) => d < 0)) this.bad(`${where} has shape [${shape}]: dimensions must be positive (dynamic shapes are not supported)`);
    const count = elementCount(shape);
    if (count > MAX_ELEMENTS) this.bad(`${where} has shape [${shape}] (${count} elements), more than any microcontroller can hold`);
    if (t.sparsity()) this.unsupported(`${where} is sparse; mcusim needs dense tensors`);
    if (t.isVariable()) this.unsupported(`${where} is a variable tensor (operator state); mcusim does not support stateful models`);
    const type = t.type();
    const raw: RawTensor = { name, shape, type };

    const buffer = t.buffer();
    if (buffer >= this.model.buffersLength()) this.bad(`${where} refers to buffer ${buffer}, but the model has ${this.model.buffersLength()} buffers`);
    const bytes = this.bufferBytes(buffer, `${where} (buffer ${buffer})`);
    if (bytes) {
      const elem = elementBytes(type);
      if (elem !== undefined && bytes.length !== count * elem) {
        this.bad(`${where}: buffer ${buffer} holds ${bytes.length} bytes, but ${typeName(type)} [${shape}] needs ${count * elem}`);
      }
      raw.bytes = bytes;
    }

    const q = t.quantization();
    if (q && q.scaleLength() > 0 && q.zeroPointLength() > 0) {
      const n = q.scaleLength();
      if (q.zeroPointLength() !== n) this.bad(`${where} has ${n} quantisation scales but ${q.zeroPointLength()} zero points; they must match`);
      const scale: number[] = [];
      const zeroPoint: number[] = [];
      for (let c = 0; c < n; c++) {
        scale.push(q.scale(c)!); // float32 in the file: every value is exactly a float32
        const z = q.zeroPoint(c)!;
        if (z < -(2n ** 31n) || z >= 2n ** 31n) this.bad(`${where} has zero point ${z}, outside the 32-bit range`);
        zeroPoint.push(Number(z));
      }
      let axis = q.quantizedDimension();
      // TOCO-era converters wrote quantized_dimension 3 for the 1-D bias of depthwise convolutions; the
      // only axis a per-channel 1-D tensor can mean is 0.
      if (n > 1 && shape.length === 1 && shape[0] === n && axis !== 0) axis = 0;
      raw.quant = { scale, zeroPoint, axis };
    }
    return raw;
  }

  /** A buffer's bytes (a fresh copy, owning its ArrayBuffer), or undefined when it is empty. */
  private bufferBytes(index: number, where: string): Uint8Array | undefined {
    const b = this.model.buffers(index)!;
    const data = b.dataArray();
    if (data && data.length > 0) return data.slice();
    const offset = b.offset();
    if (offset > 1n) {
      // Models over 2 GiB keep buffers outside the flatbuffer, at a file offset.
      const size = b.size();
      const end = offset + size;
      if (end > BigInt(this.file.length)) this.bad(`${where}: external buffer at file offset ${offset} with ${size} bytes runs past the end of the file (${this.file.length} bytes)`);
      return size > 0n ? this.file.slice(Number(offset), Number(end)) : undefined;
    }
    return undefined;
  }

  private irTensor(r: RawTensor, i: number): Tensor {
    const where = `tensor ${i} '${r.name}'`;
    if (r.shape.some((d) => d < 1)) this.bad(`${where} has shape [${r.shape}]: dimensions must be positive (zero-size tensors are not supported)`);
    const dtype = DTYPES[r.type];
    if (!dtype) this.unsupported(`${where} has type ${typeName(r.type)}; mcusim supports int8, int32 and float32 tensors`);
    if (dtype === 'int8' && !r.quant) this.bad(`${where} is int8 but carries no quantisation parameters (scale and zero point)`);
    const t: Tensor = { name: r.name, shape: r.shape, dtype };
    if (r.quant) t.quant = r.quant;
    if (r.bytes) t.data = typedData(dtype, r.bytes);
    return t;
  }

  // ---- operators ----

  private tensorIndex(t: number, where: string, optional: boolean): number {
    if (optional && t === -1) return t;
    if (!Number.isInteger(t) || t < 0 || t >= this.raw.length) this.bad(`${where} refers to tensor ${t}, but subgraph 0 has ${this.raw.length} tensors`);
    return t;
  }

  private describeTensors(list: number[]): string {
    return `[${list.map((t) => (t < 0 ? '-1 (absent)' : `${t} '${this.raw[t].name}' ${typeName(this.raw[t].type)} [${this.raw[t].shape}]`)).join(', ')}]`;
  }

  private operators(sg: SubGraph, params: Map<number, number>): { kind: OpKind; inputs: number[]; outputs: number[]; options: OpOptions[OpKind] }[] {
    const codes: { code: number; custom: string | null }[] = [];
    for (let i = 0; i < this.model.operatorCodesLength(); i++) {
      const c = this.model.operatorCodes(i)!;
      codes.push({ code: Math.max(c.builtinCode(), c.deprecatedBuiltinCode()), custom: c.customCode() });
    }
    const out: { kind: OpKind; inputs: number[]; outputs: number[]; options: OpOptions[OpKind] }[] = [];
    const refused: string[] = [];
    let firstRefusal: string | undefined;
    for (let k = 0; k < sg.operatorsLength(); k++) {
      const op = sg.operators(k)!;
      const index = op.opcodeIndex();
      if (index >= codes.length) this.bad(`operator ${k} uses operator code ${index}, but the model has ${codes.length} operator codes`);
      const { code, custom } = codes[index];
      const tfName = code === BuiltinOperator.CUSTOM ? `CUSTOM '${custom ?? ''}'` : builtinName(code);
      const where = `operator ${k} (${tfName})`;
      const inputs: number[] = [];
      const outputs: number[] = [];
      for (let j = 0; j < op.inputsLength(); j++) inputs.push(this.tensorIndex(op.inputs(j)!, `${where} input ${j}`, true));
      for (let j = 0; j < op.outputsLength(); j++) outputs.push(this.tensorIndex(op.outputs(j)!, `${where} output ${j}`, false));
      if (!(OP_KINDS as string[]).includes(tfName)) {
        const why = code === BuiltinOperator.CUSTOM ? 'is a custom operator, which mcusim cannot run'
          : CONTROL_FLOW.has(tfName) ? 'is control flow (it calls other subgraphs), which mcusim does not support'
            : `(TFLite builtin code ${code}) is not supported by mcusim`;
        refused.push(`${k} ${tfName}`);
        firstRefusal ??= `${where} ${why}; inputs ${this.describeTensors(inputs)} -> outputs ${this.describeTensors(outputs)}`;
        continue;
      }
      const kind = tfName as OpKind;
      const parsed = this.options(kind, op, inputs, outputs, `operator ${k} (${kind})`, params);
      out.push({ kind, ...parsed });
    }
    if (firstRefusal) {
      const more = refused.length > 1 ? `; ${refused.length} unsupported operators in all: ${refused.join(', ')}` : '';
      this.unsupported(`${firstRefusal}${more}. Supported operators: ${OP_KINDS.join(', ')}`);
    }
    return out;
  }

  private options(kind: OpKind, op: FbOperator, inputs: number[], outputs: number[], where: string, params: Map<number, number>): { inputs: number[]; outputs: number[]; options: OpOptions[OpKind] } {
    /** The operator's options table if it has one; a table of another type is an error. Without `make` only the type is checked. */
    const table = <T>(want: BuiltinOptions, make?: () => T): T | null => {
      const type = op.builtinOptionsType();
      if (type === BuiltinOptions.NONE) return null;
      if (type !== want) this.bad(`${where}: builtin_options hold ${BuiltinOptions[type] ?? `union type ${type}`}, expected ${BuiltinOptions[want]}`);
      return make ? (op.builtinOptions(make()) as T | null) : null;
    };
    const act = (code: number | undefined) => this.activation(code ?? ActivationFunctionType.NONE, where);
    const positive = (fields: Record<string, number>) => {
      for (const [k, v] of Object.entries(fields)) if (!(v >= 1)) this.bad(`${where}: option ${k} is ${v}; it must be a positive integer`);
    };
    const done = (options: OpOptions[OpKind]) => ({ inputs, outputs, options });
    const param = (t: number) => { if (t >= 0) params.set(t, (params.get(t) ?? 0) + 1); };

    switch (kind) {
      case 'CONV_2D': {
        const o = table(BuiltinOptions.Conv2DOptions, () => new Conv2DOptions());
        const opts = { strideH: o?.strideH() ?? 0, strideW: o?.strideW() ?? 0, dilationH: o?.dilationHFactor() ?? 1, dilationW: o?.dilationWFactor() ?? 1 };
        positive(opts);
        return done({ ...opts, padding: this.padding(o?.padding() ?? 0, where), activation: act(o?.fusedActivationFunction()) });
      }
      case 'DEPTHWISE_CONV_2D': {
        const o = table(BuiltinOptions.DepthwiseConv2DOptions, () => new DepthwiseConv2DOptions());
        const opts = { strideH: o?.strideH() ?? 0, strideW: o?.strideW() ?? 0, dilationH: o?.dilationHFactor() ?? 1, dilationW: o?.dilationWFactor() ?? 1 };
        positive(opts);
        return done({ ...opts, depthMultiplier: o?.depthMultiplier() ?? 0, padding: this.padding(o?.padding() ?? 0, where), activation: act(o?.fusedActivationFunction()) });
      }
      case 'AVERAGE_POOL_2D':
      case 'MAX_POOL_2D': {
        const o = table(BuiltinOptions.Pool2DOptions, () => new Pool2DOptions());
        const opts = { filterH: o?.filterHeight() ?? 0, filterW: o?.filterWidth() ?? 0, strideH: o?.strideH() ?? 0, strideW: o?.strideW() ?? 0 };
        positive(opts);
        return done({ ...opts, padding: this.padding(o?.padding() ?? 0, where), activation: act(o?.fusedActivationFunction()) });
      }
      case 'FULLY_CONNECTED': {
        const o = table(BuiltinOptions.FullyConnectedOptions, () => new FullyConnectedOptions());
        const format = o?.weightsFormat() ?? FullyConnectedOptionsWeightsFormat.DEFAULT;
        if (format !== FullyConnectedOptionsWeightsFormat.DEFAULT) {
          this.unsupported(`${where}: weights format ${FullyConnectedOptionsWeightsFormat[format] ?? format} is not supported; only DEFAULT`);
        }
        // keep_num_dims only decides the output shape, which the output tensor already carries.
        return done({ activation: act(o?.fusedActivationFunction()) });
      }
      case 'ADD':
        return done({ activation: act(table(BuiltinOptions.AddOptions, () => new AddOptions())?.fusedActivationFunction()) });
      case 'MUL':
        return done({ activation: act(table(BuiltinOptions.MulOptions, () => new MulOptions())?.fusedActivationFunction()) });
      case 'CONCATENATION': {
        const o = table(BuiltinOptions.ConcatenationOptions, () => new ConcatenationOptions());
        return done({ axis: this.axis(o?.axis() ?? 0, outputs, where), activation: act(o?.fusedActivationFunction()) });
      }
      case 'SOFTMAX':
        // + 0 turns -0 into 0: flatbuffers leaves a field equal to its default (0) out, so -0 could not be written back.
        return done({ beta: (table(BuiltinOptions.SoftmaxOptions, () => new SoftmaxOptions())?.beta() ?? 0) + 0 });
      case 'MEAN': {
        const keepDims = table(BuiltinOptions.ReducerOptions, () => new ReducerOptions())?.keepDims() ?? false;
        if (inputs.length !== 2) this.bad(`${where} has ${inputs.length} inputs; MEAN takes the data and a constant axes tensor`);
        const axes = this.constInts(inputs[1], `${where} axes (input 1)`);
        const rank = inputs[0] >= 0 ? this.raw[inputs[0]].shape.length : 0;
        param(inputs[1]);
        return done({ axes: axes.map((a) => this.axisOf(a, rank, `${where} axes`)), keepDims });
      }
      case 'PAD': {
        table(BuiltinOptions.PadOptions);
        if (inputs.length !== 2) this.bad(`${where} has ${inputs.length} inputs; PAD takes the data and a constant paddings tensor`);
        const values = this.constInts(inputs[1], `${where} paddings (input 1)`);
        const shape = this.raw[inputs[1]].shape;
        if (shape.length !== 2 || shape[1] !== 2) this.bad(`${where}: paddings tensor has shape [${shape}]; expected [rank, 2]`);
        const paddings: [number, number][] = [];
        for (let d = 0; d < shape[0]; d++) paddings.push([values[2 * d], values[2 * d + 1]]);
        param(inputs[1]);
        return done({ paddings });
      }
      case 'RESHAPE':
        table(BuiltinOptions.ReshapeOptions);
        if (inputs.length < 1 || inputs.length > 2) this.bad(`${where} has ${inputs.length} inputs; RESHAPE takes the data and optionally a shape tensor`);
        if (inputs.length === 2) param(inputs[1]);
        return done({});
      case 'QUANTIZE':
        table(BuiltinOptions.QuantizeOptions);
        return done({});
      case 'DEQUANTIZE':
        table(BuiltinOptions.DequantizeOptions);
        return done({});
      case 'SUB':
        return done({ activation: act(table(BuiltinOptions.SubOptions, () => new SubOptions())?.fusedActivationFunction()) });
      case 'LOGISTIC':
      case 'TANH':
        // The schema has no options table for these; TFLite ignores builtin_options for them, and so do we.
        return done({});
      case 'HARD_SWISH':
        table(BuiltinOptions.HardSwishOptions);
        return done({});
      case 'LEAKY_RELU':
        // + 0: see SOFTMAX (-0 cannot be written back).
        return done({ alpha: (table(BuiltinOptions.LeakyReluOptions, () => new LeakyReluOptions())?.alpha() ?? 0) + 0 });
      case 'MAXIMUM':
      case 'MINIMUM':
        table(BuiltinOptions.MaximumMinimumOptions);
        return done({});
      // TRANSPOSE perm, STRIDED_SLICE begin/end/strides, RESIZE_NEAREST_NEIGHBOR size and TRANSPOSE_CONV
      // output_shape are constant int32 inputs in TFLite and options in the IR.
      case 'TRANSPOSE': {
        table(BuiltinOptions.TransposeOptions);
        if (inputs.length !== 2) this.bad(`${where} has ${inputs.length} inputs; TRANSPOSE takes the data and a constant perm tensor`);
        const perm = this.constInts(inputs[1], `${where} perm (input 1)`);
        param(inputs[1]);
        return done({ perm });
      }
      case 'STRIDED_SLICE': {
        const o = table(BuiltinOptions.StridedSliceOptions, () => new StridedSliceOptions());
        if (inputs.length !== 4 || inputs[0] < 0) this.bad(`${where} has inputs [${inputs}]; STRIDED_SLICE takes the data and constant begin, end and strides tensors`);
        const [begin, end, strides] = (['begin', 'end', 'strides'] as const).map((name, k) => this.constInts(inputs[k + 1], `${where} ${name} (input ${k + 1})`));
        // Masks are resolved here, against the input's shape, as TFLite does (runtime/ops/strided_slice.ts).
        const { options } = resolveStridedSlice(this.raw[inputs[0]].shape, {
          begin, end, strides, beginMask: o?.beginMask() ?? 0, endMask: o?.endMask() ?? 0, ellipsisMask: o?.ellipsisMask() ?? 0,
          newAxisMask: o?.newAxisMask() ?? 0, shrinkAxisMask: o?.shrinkAxisMask() ?? 0, offset: o?.offset() ?? false,
        }, `${this.label}: ${where}`);
        for (const t of inputs.slice(1)) param(t);
        return done(options);
      }
      case 'SQUEEZE': {
        const o = table(BuiltinOptions.SqueezeOptions, () => new SqueezeOptions());
        const squeezeDims: number[] = [];
        for (let i = 0; i < (o?.squeezeDimsLength() ?? 0); i++) squeezeDims.push(o!.squeezeDims(i)!);
        return done({ squeezeDims }); // range and size-1 checks: runtime/ops/squeeze.ts
      }
      case 'RESIZE_NEAREST_NEIGHBOR': {
        const o = table(BuiltinOptions.ResizeNearestNeighborOptions, () => new ResizeNearestNeighborOptions());
        if (inputs.length !== 2) this.bad(`${where} has ${inputs.length} inputs; RESIZE_NEAREST_NEIGHBOR takes the data and a constant size tensor`);
        const size = this.constInts(inputs[1], `${where} size (input 1)`);
        if (size.length !== 2) this.bad(`${where}: size tensor holds [${size}]; expected [height, width]`);
        param(inputs[1]);
        return done({ outH: size[0], outW: size[1], alignCorners: o?.alignCorners() ?? false, halfPixelCenters: o?.halfPixelCenters() ?? false });
      }
      case 'TRANSPOSE_CONV': {
        const o = table(BuiltinOptions.TransposeConvOptions, () => new TransposeConvOptions());
        if (inputs.length < 3 || inputs.length > 4) this.bad(`${where} has ${inputs.length} inputs; TRANSPOSE_CONV takes output_shape, weights, input and optionally bias`);
        const outputShape = this.constInts(inputs[0], `${where} output_shape (input 0)`);
        const opts = { strideH: o?.strideH() ?? 0, strideW: o?.strideW() ?? 0 };
        positive(opts);
        param(inputs[0]); // dropped from the inputs: the IR's are [weights, input, bias?]
        return done({ ...opts, padding: this.padding(o?.padding() ?? 0, where), activation: act(o?.fusedActivationFunction()), outputShape });
      }
    }
  }

  private activation(code: number, where: string): Activation {
    switch (code) {
      case ActivationFunctionType.NONE: return 'NONE';
      case ActivationFunctionType.RELU: return 'RELU';
      case ActivationFunctionType.RELU6: return 'RELU6';
      case ActivationFunctionType.RELU_N1_TO_1: return 'RELU_N1_TO_1';
      case ActivationFunctionType.TANH:
      case ActivationFunctionType.SIGN_BIT:
        this.unsupported(`${where}: fused activation ${ActivationFunctionType[code]} is not supported; only NONE, RELU, RELU6, RELU_N1_TO_1`);
    }
    this.bad(`${where}: fused activation code ${code} is not defined by TensorFlow Lite`);
  }

  private padding(code: number, where: string): Padding {
    if (code === 0) return 'SAME';
    if (code === 1) return 'VALID';
    this.bad(`${where}: padding code ${code} is neither SAME (0) nor VALID (1)`);
  }

  /** Concatenation axis, made non-negative against the output's rank. */
  private axis(axis: number, outputs: number[], where: string): number {
    const rank = outputs.length > 0 ? this.raw[outputs[0]].shape.length : 0;
    return this.axisOf(axis, rank, `${where} axis`);
  }

  private axisOf(axis: number, rank: number, where: string): number {
    if (!Number.isInteger(axis) || axis < -rank || axis >= rank) this.bad(`${where}: axis ${axis} is outside [${-rank}, ${rank}) for a rank-${rank} tensor`);
    return axis < 0 ? axis + rank : axis;
  }

  /** Values of a constant int32/int64 parameter tensor. */
  private constInts(t: number, where: string): number[] {
    if (t < 0) this.bad(`${where} is missing`);
    const r = this.raw[t];
    const desc = `${where}: tensor ${t} '${r.name}'`;
    const n = elementCount(r.shape);
    if (n === 0) return []; // e.g. shape [0]: empty, so the file has no bytes for it
    if (!r.bytes) this.unsupported(`${desc} is not a constant; mcusim needs it fixed when the model is loaded`);
    const view = new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
    if (r.type === TensorType.INT32) return Array.from({ length: n }, (_, i) => view.getInt32(4 * i, true));
    if (r.type === TensorType.INT64) {
      return Array.from({ length: n }, (_, i) => {
        const v = view.getBigInt64(8 * i, true);
        if (v < -(2n ** 31n) || v >= 2n ** 31n) this.bad(`${desc} holds ${v}, outside the 32-bit range`);
        return Number(v);
      });
    }
    this.bad(`${desc} has type ${typeName(r.type)}; expected INT32 or INT64`);
  }

  /** mcusim's own metadata, if present and well-formed; fields that do not fit this file are left out. */
  private mcusimMetadata(opCount: number): { opNames?: string[]; tensors?: number } {
    for (let i = 0; i < this.model.metadataLength(); i++) {
      const md = this.model.metadata(i)!;
      if (md.name() !== MCUSIM_METADATA) continue;
      const b = md.buffer();
      if (b >= this.model.buffersLength()) return {};
      let value: unknown;
      try {
        value = JSON.parse(new TextDecoder().decode(this.bufferBytes(b, `metadata '${MCUSIM_METADATA}'`)));
      } catch {
        return {}; // foreign or damaged metadata is ignored, like any other metadata
      }
      if (typeof value !== 'object' || value === null) return {};
      const { op_names: names, tensors } = value as Record<string, unknown>;
      return {
        ...(Array.isArray(names) && names.length === opCount && names.every((n) => typeof n === 'string') ? { opNames: names } : {}),
        ...(Number.isInteger(tensors) && (tensors as number) >= 0 && (tensors as number) <= this.raw.length ? { tensors: tensors as number } : {}),
      };
    }
    return {};
  }
}

export function typeName(type: number): string {
  return TensorType[type] ?? `unknown type code ${type}`;
}

function elementBytes(type: TensorType): number | undefined {
  const dtype = DTYPES[type];
  if (dtype) return DTYPE_BYTES[dtype];
  return type === TensorType.INT64 ? 8 : undefined;
}

/** Views a buffer's own copy (bufferBytes) as the tensor's type; TFLite data is little-endian, as is every host we run on. */
function typedData(dtype: DType, bytes: Uint8Array): ConstData {
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  if (dtype === 'int8') return new Int8Array(own);
  if (dtype === 'int32') return new Int32Array(own);
  return new Float32Array(own);
}
