// Graph IR: the one description of a network that everything downstream reads.
// Layouts follow TensorFlow Lite so imported models need no reshuffling:
// activations NHWC (batch 1), conv weights OHWI, depthwise weights 1HWC, fully-connected weights [out, in].

export type DType = 'int8' | 'int32' | 'float32';

export const DTYPE_BYTES: Record<DType, number> = { int8: 1, int32: 4, float32: 4 };

/** Affine quantisation: real = scale * (q - zeroPoint). One entry per tensor, or one per channel along `axis`. */
export interface Quantization {
  scale: number[];
  zeroPoint: number[];
  /** Channel axis for per-channel parameters; ignored when there is one scale. */
  axis: number;
}

export type ConstData = Int8Array | Int32Array | Float32Array;

export interface Tensor {
  name: string;
  shape: number[];
  dtype: DType;
  quant?: Quantization;
  /** Present for constants (weights, biases); they live in Flash. */
  data?: ConstData;
}

export type Activation = 'NONE' | 'RELU' | 'RELU6' | 'RELU_N1_TO_1';
export type Padding = 'SAME' | 'VALID';

export interface ConvOptions { strideH: number; strideW: number; dilationH: number; dilationW: number; padding: Padding; activation: Activation }
export interface DepthwiseOptions extends ConvOptions { depthMultiplier: number }
export interface PoolOptions { filterH: number; filterW: number; strideH: number; strideW: number; padding: Padding; activation: Activation }

/** Options per operator kind. Operator kinds use TensorFlow Lite's builtin names. */
export interface OpOptions {
  CONV_2D: ConvOptions;
  DEPTHWISE_CONV_2D: DepthwiseOptions;
  /** keepNumDims (default false): output keeps the input's leading dimensions instead of [rows, units]. */
  FULLY_CONNECTED: { activation: Activation; keepNumDims?: boolean };
  ADD: { activation: Activation };
  MUL: { activation: Activation };
  AVERAGE_POOL_2D: PoolOptions;
  MAX_POOL_2D: PoolOptions;
  /** Reduction axes of a 4-D NHWC tensor; only spatial means (axes 1 and 2) are supported. */
  MEAN: { axes: number[]; keepDims: boolean };
  RESHAPE: Record<string, never>;
  /** [before, after] per dimension. */
  PAD: { paddings: [number, number][] };
  CONCATENATION: { axis: number; activation: Activation };
  SOFTMAX: { beta: number };
  QUANTIZE: Record<string, never>;
  DEQUANTIZE: Record<string, never>;
  SUB: { activation: Activation };
  LOGISTIC: Record<string, never>;
  TANH: Record<string, never>;
  HARD_SWISH: Record<string, never>;
  LEAKY_RELU: { alpha: number };
  MAXIMUM: Record<string, never>;
  MINIMUM: Record<string, never>;
  /** Output dimension i is input dimension perm[i]. */
  TRANSPOSE: { perm: number[] };
  /** Per dimension begin/end/strides after TFLite's masks are applied (end exclusive; negative strides allowed). */
  STRIDED_SLICE: { begin: number[]; end: number[]; strides: number[]; shrinkAxisMask: number };
  /** Dimensions of size 1 removed (empty = all of them). */
  SQUEEZE: { squeezeDims: number[] };
  RESIZE_NEAREST_NEIGHBOR: { outH: number; outW: number; alignCorners: boolean; halfPixelCenters: boolean };
  /** Inputs: [weights OHWI, input, bias?]: TFLite's order, output shape from options. */
  TRANSPOSE_CONV: { strideH: number; strideW: number; padding: Padding; activation: Activation; outputShape: number[] };
}

export type OpKind = keyof OpOptions;

export const OP_KINDS: OpKind[] = [
  'CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'ADD', 'MUL', 'AVERAGE_POOL_2D', 'MAX_POOL_2D',
  'MEAN', 'RESHAPE', 'PAD', 'CONCATENATION', 'SOFTMAX', 'QUANTIZE', 'DEQUANTIZE',
  'SUB', 'LOGISTIC', 'TANH', 'HARD_SWISH', 'LEAKY_RELU', 'MAXIMUM', 'MINIMUM',
  'TRANSPOSE', 'STRIDED_SLICE', 'SQUEEZE', 'RESIZE_NEAREST_NEIGHBOR', 'TRANSPOSE_CONV',
];

export interface Op<K extends OpKind = OpKind> {
  kind: K;
  name: string;
  /** Tensor indices; -1 marks an absent optional input (e.g. no bias). */
  inputs: number[];
  outputs: number[];
  options: OpOptions[K];
}

export interface Graph {
  name: string;
  tensors: Tensor[];
  /** In execution (topological) order. */
  ops: Op[];
  inputs: number[];
  outputs: number[];
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensorBytes(t: Tensor): number {
  return elementCount(t.shape) * DTYPE_BYTES[t.dtype];
}

export function isConstant(t: Tensor): boolean {
  return t.data !== undefined;
}

/** Scale of a per-tensor-quantised tensor (first entry for per-channel ones). */
export function scaleOf(t: Tensor): number {
  return t.quant?.scale[0] ?? 1;
}

export function zeroPointOf(t: Tensor): number {
  return t.quant?.zeroPoint[0] ?? 0;
}

export function constantBytes(g: Graph): number {
  let n = 0;
  for (const t of g.tensors) if (t.data) n += t.data.byteLength;
  return n;
}
