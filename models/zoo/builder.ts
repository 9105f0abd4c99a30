// A small graph builder for the zoo: appends tensors and operators to a Graph, taking every output shape
// from the op table (so the zoo and the runtime agree on geometry), and keeps each weighted layer's
// float weights for calibration. Weights, biases and activation quantisation start as placeholders;
// calibrate() (calibrate.ts) fills them in.
import type { Activation, Graph, Op, OpKind, OpOptions, Quantization, Tensor } from '../ir.ts';
import { opDef } from '../../runtime/ops/index.ts';
import { ModelError } from '../../runtime/errors.ts';
import { SeededRng } from '../rng.ts';

/**
 * What a weighted layer's pre-activation output should look like after calibration:
 * `hidden` feeds a ReLU/ReLU6, `linear` has no activation (projections, residual branches, decoder output),
 * `logits` feeds a softmax.
 */
export type Role = 'hidden' | 'linear' | 'logits';

export interface FloatLayer {
  op: number;
  kind: 'CONV_2D' | 'DEPTHWISE_CONV_2D' | 'FULLY_CONNECTED';
  weights: number;
  bias: number;
  /** He-initialised float weights in the weight tensor's layout; calibration rescales them in place. */
  values: Float32Array;
  role: Role;
  /** Output channels, and whether the int8 weights get one scale per channel (conv, depthwise) or one per tensor (FC). */
  channels: number;
  perChannel: boolean;
}

const placeholderQuant = (): Quantization => ({ scale: [1], zeroPoint: [0], axis: 0 });

/** Read-only zero weights for shapes-only graphs: views of one shared zeroed buffer (nothing writes them). */
let zeros = new Int8Array(0);
function sharedZeros(n: number): Int8Array {
  if (n > zeros.length) zeros = new Int8Array(Math.max(n, 2 * zeros.length, 1 << 16));
  return zeros.subarray(0, n);
}

export class GraphBuilder {
  readonly graph: Graph;
  /** Float weights of every weighted operator, by operator index. */
  readonly layers = new Map<number, FloatLayer>();
  private readonly rng: SeededRng;

  /** shapesOnly: zero weights and no float values (a graph for counting and planning only; never calibrate it). */
  constructor(name: string, seed: number | string, readonly options: { shapesOnly?: boolean } = {}) {
    this.graph = { name, tensors: [], ops: [], inputs: [], outputs: [] };
    this.rng = new SeededRng(seed);
  }

  shape(t: number): number[] {
    return this.graph.tensors[t].shape;
  }

  input(name: string, shape: number[]): number {
    const t = this.tensor({ name, shape, dtype: 'int8', quant: placeholderQuant() });
    this.graph.inputs.push(t);
    return t;
  }

  /** CONV_2D with SAME padding, OHWI weights, int32 bias. `k` is square or [kH, kW]. */
  conv(name: string, x: number, outC: number, k: number | [number, number], stride: number | [number, number], activation: Activation, role?: Role): number {
    const [kH, kW] = typeof k === 'number' ? [k, k] : k;
    const [sH, sW] = typeof stride === 'number' ? [stride, stride] : stride;
    const inC = this.shape(x)[3];
    const w = this.weights(`${name}/weights`, [outC, kH, kW, inC], outC, 0, true, kH * kW * inC);
    const b = this.bias(`${name}/bias`, outC);
    const [y] = this.op('CONV_2D', name, [x, w.tensor, b], { strideH: sH, strideW: sW, dilationH: 1, dilationW: 1, padding: 'SAME', activation });
    this.remember('CONV_2D', w, b, role ?? roleOf(activation), outC, true);
    return y;
  }

  /** DEPTHWISE_CONV_2D (multiplier 1) with SAME padding, 1HWC weights. */
  depthwise(name: string, x: number, k: number, stride: number, activation: Activation): number {
    const c = this.shape(x)[3];
    const w = this.weights(`${name}/weights`, [1, k, k, c], c, 3, true, k * k);
    const b = this.bias(`${name}/bias`, c);
    const [y] = this.op('DEPTHWISE_CONV_2D', name, [x, w.tensor, b], { strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, padding: 'SAME', activation, depthMultiplier: 1 });
    this.remember('DEPTHWISE_CONV_2D', w, b, roleOf(activation), c, true);
    return y;
  }

  /** FULLY_CONNECTED on a [1, in] input with [out, in] weights quantised per tensor (TFLite's default for FC). */
  fc(name: string, x: number, out: number, activation: Activation, role?: Role): number {
    const xs = this.shape(x);
    const inputs = xs[xs.length - 1];
    const w = this.weights(`${name}/weights`, [out, inputs], out, 0, false, inputs);
    const b = this.bias(`${name}/bias`, out);
    const [y] = this.op('FULLY_CONNECTED', name, [x, w.tensor, b], { activation });
    this.remember('FULLY_CONNECTED', w, b, role ?? roleOf(activation), out, false);
    return y;
  }

  add(name: string, a: number, b: number, activation: Activation = 'NONE'): number {
    return this.op('ADD', name, [a, b], { activation })[0];
  }

  /** Spatial mean of an NHWC tensor without kept dimensions: [1, H, W, C] -> [1, C] (Keras GlobalAveragePooling2D). */
  mean(name: string, x: number): number {
    const axes = this.tensor({ name: `${name}/axes`, shape: [2], dtype: 'int32', data: Int32Array.from([1, 2]) });
    return this.op('MEAN', name, [x, axes], { axes: [1, 2], keepDims: false })[0];
  }

  /** AVERAGE_POOL_2D over the whole feature map (VALID): [1, H, W, C] -> [1, 1, 1, C]. */
  globalAvgPool(name: string, x: number): number {
    const [, h, w] = this.shape(x);
    return this.op('AVERAGE_POOL_2D', name, [x], { filterH: h, filterW: w, strideH: h, strideW: w, padding: 'VALID', activation: 'NONE' })[0];
  }

  /** RESHAPE to `shape`, given (as TFLite does) as a constant int32 shape input. */
  reshape(name: string, x: number, shape: number[]): number {
    const s = this.tensor({ name: `${name}/shape`, shape: [shape.length], dtype: 'int32', data: Int32Array.from(shape) });
    return this.op('RESHAPE', name, [x, s], {}, [shape])[0];
  }

  /** SOFTMAX (beta 1); its int8 output has TFLite's fixed quantisation, scale 1/256 and zero point -128. */
  softmax(name: string, x: number): number {
    const y = this.op('SOFTMAX', name, [x], { beta: 1 })[0];
    this.graph.tensors[y].quant = { scale: [Math.fround(1 / 256)], zeroPoint: [-128], axis: 0 };
    return y;
  }

  finish(outputs: number[]): Graph {
    this.graph.outputs.push(...outputs);
    return this.graph;
  }

  /** Records the float weights of the operator just appended. */
  private remember(kind: FloatLayer['kind'], w: { tensor: number; values: Float32Array }, bias: number, role: Role, channels: number, perChannel: boolean): void {
    const op = this.graph.ops.length - 1;
    this.layers.set(op, { op, kind, weights: w.tensor, bias, values: w.values, role, channels, perChannel });
  }

  private tensor(t: Tensor): number {
    this.graph.tensors.push(t);
    return this.graph.tensors.length - 1;
  }

  /** Appends an operator; its output shapes come from the op table. */
  private op<K extends OpKind>(kind: K, name: string, inputs: number[], options: OpOptions[K], knownShapes?: number[][]): number[] {
    const index = this.graph.ops.length;
    const where = `zoo model '${this.graph.name}': operator ${index} (${kind} '${name}')`;
    const op: Op<K> = { kind, name, inputs, outputs: [], options };
    let shapes = opDef(kind, where).outputShapes(this.graph, op as unknown as Op, where);
    if (knownShapes) {
      if (JSON.stringify(shapes) !== JSON.stringify(knownShapes)) throw new ModelError(`${where}: op table gives output shape ${JSON.stringify(shapes)}, the zoo expects ${JSON.stringify(knownShapes)}`);
      shapes = knownShapes;
    }
    op.outputs = shapes.map((shape, i) => this.tensor({ name: shapes.length === 1 ? name : `${name}:${i}`, shape, dtype: 'int8', quant: placeholderQuant() }));
    this.graph.ops.push(op as unknown as Op);
    return op.outputs;
  }

  /** A constant int8 weight tensor (placeholder data) plus He-normal float values with the given fan-in. */
  private weights(name: string, shape: number[], channels: number, axis: number, perChannel: boolean, fanIn: number): { tensor: number; values: Float32Array } {
    let n = 1;
    for (const d of shape) n *= d;
    const values = new Float32Array(this.options.shapesOnly ? 0 : n);
    const std = Math.sqrt(2 / fanIn);
    for (let i = 0; i < values.length; i++) values[i] = std * this.rng.normal();
    const scales = perChannel ? channels : 1;
    const tensor = this.tensor({
      name, shape, dtype: 'int8', data: this.options.shapesOnly ? sharedZeros(n) : new Int8Array(n),
      quant: { scale: new Array(scales).fill(1), zeroPoint: new Array(scales).fill(0), axis: perChannel ? axis : 0 },
    });
    return { tensor, values };
  }

  private bias(name: string, channels: number): number {
    return this.tensor({ name, shape: [channels], dtype: 'int32', data: new Int32Array(channels) });
  }

  /** Deterministic random numbers for calibration targets, continuing this model's stream. */
  get random(): SeededRng {
    return this.rng;
  }
}

function roleOf(activation: Activation): Role {
  return activation === 'NONE' ? 'linear' : 'hidden';
}
