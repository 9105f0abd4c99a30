// The op table: operator kind -> its definition. Adding an operator means adding one row here.
import type { OpKind } from '../../models/ir.ts';
import { UnsupportedError } from '../errors.ts';
import { conv2d } from './conv2d.ts';
import { depthwiseConv2d } from './depthwise_conv2d.ts';
import { fullyConnected } from './fully_connected.ts';
import { softmax } from './softmax.ts';
import { concatenation } from './concatenation.ts';
import { reshape } from './reshape.ts';
import { quantize } from './quantize.ts';
import { dequantize } from './dequantize.ts';
import { add } from './add.ts';
import { mul } from './mul.ts';
import { averagePool2d } from './average_pool2d.ts';
import { maxPool2d } from './max_pool2d.ts';
import { mean } from './mean.ts';
import { pad } from './pad.ts';
import { sub } from './sub.ts';
import { logistic } from './logistic.ts';
import { tanh } from './tanh.ts';
import { hardSwish } from './hard_swish.ts';
import { leakyRelu } from './leaky_relu.ts';
import { maximum, minimum } from './maximum_minimum.ts';
import { transpose } from './transpose.ts';
import { stridedSlice } from './strided_slice.ts';
import { squeeze } from './squeeze.ts';
import { resizeNearestNeighbor } from './resize_nearest_neighbor.ts';
import { transposeConv } from './transpose_conv.ts';
import type { OpDef } from './types.ts';

const TABLE: { [K in OpKind]?: OpDef<K> } = {
  CONV_2D: conv2d,
  DEPTHWISE_CONV_2D: depthwiseConv2d,
  FULLY_CONNECTED: fullyConnected,
  SOFTMAX: softmax,
  CONCATENATION: concatenation,
  RESHAPE: reshape,
  QUANTIZE: quantize,
  DEQUANTIZE: dequantize,
  ADD: add,
  MUL: mul,
  AVERAGE_POOL_2D: averagePool2d,
  MAX_POOL_2D: maxPool2d,
  MEAN: mean,
  PAD: pad,
  SUB: sub,
  LOGISTIC: logistic,
  TANH: tanh,
  HARD_SWISH: hardSwish,
  LEAKY_RELU: leakyRelu,
  MAXIMUM: maximum,
  MINIMUM: minimum,
  TRANSPOSE: transpose,
  STRIDED_SLICE: stridedSlice,
  SQUEEZE: squeeze,
  RESIZE_NEAREST_NEIGHBOR: resizeNearestNeighbor,
  TRANSPOSE_CONV: transposeConv,
};

export function opDef(kind: string, where: string): OpDef {
  const def = (TABLE as Record<string, OpDef | undefined>)[kind];
  if (!def) throw new UnsupportedError(`${where}: operator ${kind} is not supported; supported: ${supportedOps().join(', ')}`);
  return def;
}

export function supportedOps(): string[] {
  return Object.keys(TABLE).sort();
}
