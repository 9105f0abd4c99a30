// Hand-made graphs that between them use every operator kind and every option value the IR has,
// for .tflite round trips and as seeds for the fuzzer. Shapes follow TFLite's geometry.
import { OP_KINDS, type Graph, type Quantization, type Tensor } from '../../models/ir.ts';
import { Rng } from '../helpers/rng.ts';

const f = Math.fround;
const q = (scale: number, zp = 0): Quantization => ({ scale: [f(scale)], zeroPoint: [zp], axis: 0 });
const perChannel = (r: Rng, n: number, axis: number): Quantization => ({ scale: Array.from({ length: n }, () => r.scale(1e-4, 1e-1)), zeroPoint: Array(n).fill(0), axis });
const act = (name: string, shape: number[], scale = 0.05, zp = -7): Tensor => ({ name, shape, dtype: 'int8', quant: q(scale, zp) });

/** Every op kind in one network: PAD, CONV, DEPTHWISE, pools, ADD, MUL, CONCAT, MEAN, RESHAPE, FC, SOFTMAX, DEQUANTIZE, QUANTIZE. */
export function kitchenSink(seed = 1): Graph {
  const r = new Rng(seed);
  const int32s = (n: number) => Int32Array.from({ length: n }, () => r.int(-50000, 50000));
  const t: Tensor[] = [
    act('input', [1, 8, 8, 3], 0.02, -128), // 0
    act('pad', [1, 10, 10, 3], 0.02, -128), // 1
    { name: 'conv/w', shape: [8, 3, 3, 3], dtype: 'int8', data: r.int8s(8 * 27), quant: perChannel(r, 8, 0) }, // 2
    { name: 'conv/b', shape: [8], dtype: 'int32', data: int32s(8), quant: perChannel(r, 8, 0) }, // 3
    act('conv', [1, 8, 8, 8], 0.03, -128), // 4
    { name: 'dw/w', shape: [1, 3, 3, 8], dtype: 'int8', data: r.int8s(72), quant: perChannel(r, 8, 3) }, // 5
    { name: 'dw/b', shape: [8], dtype: 'int32', data: int32s(8) }, // 6 (bias without quantisation parameters)
    act('dw', [1, 4, 4, 8], 0.04, -128), // 7
    act('maxpool', [1, 2, 2, 8], 0.04, -128), // 8
    act('avgpool', [1, 2, 2, 8], 0.04, -128), // 9
    act('add', [1, 2, 2, 8], 0.07, -20), // 10
    act('mul', [1, 2, 2, 8], 1 / 128, 0), // 11
    act('concat', [1, 2, 2, 16], 0.07, -20), // 12
    act('mean', [1, 1, 1, 16], 0.05, 3), // 13
    act('flat', [1, 16], 0.05, 3), // 14
    { name: 'fc/w', shape: [4, 16], dtype: 'int8', data: r.int8s(64), quant: q(0.01) }, // 15
    act('logits', [1, 4], 0.2, 10), // 16
    act('probs', [1, 4], 1 / 256, -128), // 17
    { name: 'probs_float', shape: [1, 4], dtype: 'float32' }, // 18
    act('requantised', [1, 4], 1 / 256, -128), // 19
    { name: 'unused float constant ✓', shape: [2, 3], dtype: 'float32', data: Float32Array.from([0.5, -1.25, 3e-8, 1e30, -0, 7]) }, // 20
  ];
  return {
    name: 'kitchen-sink',
    tensors: t,
    ops: [
      { kind: 'PAD', name: 'pad', inputs: [0], outputs: [1], options: { paddings: [[0, 0], [1, 1], [1, 1], [0, 0]] } },
      { kind: 'CONV_2D', name: 'conv', inputs: [1, 2, 3], outputs: [4], options: { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'VALID', activation: 'RELU6' } },
      { kind: 'DEPTHWISE_CONV_2D', name: 'dw', inputs: [4, 5, 6], outputs: [7], options: { strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, depthMultiplier: 1, padding: 'SAME', activation: 'RELU' } },
      { kind: 'MAX_POOL_2D', name: 'maxpool', inputs: [7], outputs: [8], options: { filterH: 2, filterW: 2, strideH: 2, strideW: 2, padding: 'VALID', activation: 'NONE' } },
      { kind: 'AVERAGE_POOL_2D', name: 'avgpool', inputs: [7], outputs: [9], options: { filterH: 3, filterW: 2, strideH: 2, strideW: 2, padding: 'SAME', activation: 'RELU6' } },
      { kind: 'ADD', name: 'add', inputs: [8, 9], outputs: [10], options: { activation: 'NONE' } },
      { kind: 'MUL', name: 'mul', inputs: [10, 8], outputs: [11], options: { activation: 'RELU_N1_TO_1' } },
      { kind: 'CONCATENATION', name: 'concat', inputs: [10, 11], outputs: [12], options: { axis: 3, activation: 'NONE' } },
      { kind: 'MEAN', name: 'mean', inputs: [12], outputs: [13], options: { axes: [1, 2], keepDims: true } },
      { kind: 'RESHAPE', name: 'flatten', inputs: [13], outputs: [14], options: {} },
      { kind: 'FULLY_CONNECTED', name: 'fc', inputs: [14, 15, -1], outputs: [16], options: { activation: 'NONE' } },
      { kind: 'SOFTMAX', name: 'softmax', inputs: [16], outputs: [17], options: { beta: 1 } },
      { kind: 'DEQUANTIZE', name: 'dequantize', inputs: [17], outputs: [18], options: {} },
      { kind: 'QUANTIZE', name: 'quantize', inputs: [18], outputs: [19], options: {} },
    ],
    inputs: [0],
    outputs: [19, 18],
  };
}

/** Float input, dilated conv, depth multiplier, MEAN without keepDims, a rank-4 FC output, odd names and values. */
export function oddities(seed = 2): Graph {
  const r = new Rng(seed);
  const t: Tensor[] = [
    { name: '', shape: [1, 9, 7, 2], dtype: 'float32' }, // 0: empty name
    act('q', [1, 9, 7, 2], 0.1, 127), // 1
    { name: 'dw/w', shape: [1, 2, 3, 6], dtype: 'int8', data: r.int8s(36), quant: perChannel(r, 6, 3) }, // 2
    { name: 'dw/b', shape: [6], dtype: 'int32', data: Int32Array.from([2 ** 31 - 1, -(2 ** 31), 0, 1, -1, 12345]), quant: q(1e-6) }, // 3
    act('dw', [1, 7, 3, 6], 0.1, -128), // 4
    { name: 'conv/w', shape: [5, 3, 3, 6], dtype: 'int8', data: r.int8s(270), quant: perChannel(r, 5, 0) }, // 5
    act('conv', [1, 3, 2, 5], 0.25, 0), // 6
    act('mean', [1, 5], 0.25, 0), // 7
    act('pad2', [1, 7, 4, 5], 0.25, 0), // 8: padded from conv with asymmetric pads
    { name: 'fc/w', shape: [3, 5], dtype: 'int8', data: r.int8s(15), quant: q(0.02) }, // 9
    { name: 'fc/b', shape: [3], dtype: 'int32', data: Int32Array.from([1, 2, 3]), quant: q(0.005) }, // 10
    act('fc', [1, 7, 4, 3], 0.5, 1), // 11: keep_num_dims
    act('softmax', [1, 7, 4, 3], 1 / 256, -128), // 12
  ];
  return {
    name: 'oddities / ünïcode',
    tensors: t,
    ops: [
      { kind: 'QUANTIZE', name: 'quantize input', inputs: [0], outputs: [1], options: {} },
      { kind: 'DEPTHWISE_CONV_2D', name: '深度', inputs: [1, 2, 3], outputs: [4], options: { strideH: 1, strideW: 2, dilationH: 2, dilationW: 1, depthMultiplier: 3, padding: 'VALID', activation: 'NONE' } },
      { kind: 'CONV_2D', name: 'conv', inputs: [4, 5, -1], outputs: [6], options: { strideH: 3, strideW: 2, dilationH: 1, dilationW: 2, padding: 'SAME', activation: 'RELU_N1_TO_1' } },
      { kind: 'MEAN', name: 'mean', inputs: [6], outputs: [7], options: { axes: [2, 1], keepDims: false } },
      { kind: 'PAD', name: 'pad', inputs: [6], outputs: [8], options: { paddings: [[0, 0], [4, 0], [0, 2], [0, 0]] } },
      { kind: 'FULLY_CONNECTED', name: 'fc', inputs: [8, 9, 10], outputs: [11], options: { activation: 'RELU' } },
      { kind: 'SOFTMAX', name: 'softmax', inputs: [11], outputs: [12], options: { beta: f(0.3) } },
    ],
    inputs: [0],
    outputs: [12, 7],
  };
}

/** One small graph per operator kind, so that each kind is also seen alone (first in its file). */
export function singleOpGraphs(): Graph[] {
  const sink = kitchenSink(7);
  return sink.ops.map((op) => {
    const used = [...new Set([...op.inputs.filter((i) => i >= 0), ...op.outputs])];
    const index = (i: number) => (i < 0 ? -1 : used.indexOf(i));
    const tensors = used.map((i) => sink.tensors[i]);
    const inputs = op.inputs.filter((i) => i >= 0 && !sink.tensors[i].data).map(index);
    return { name: `single ${op.kind}`, tensors, ops: [{ ...op, inputs: op.inputs.map(index), outputs: op.outputs.map(index) }], inputs, outputs: op.outputs.map(index) };
  });
}

/** SUB (constant per-channel operand), LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU (alpha of both signs), MAXIMUM, MINIMUM. */
export function activations(seed = 3): Graph {
  const r = new Rng(seed);
  const t: Tensor[] = [
    act('input', [1, 4, 4, 8], 0.04, 5), // 0
    { name: 'offset', shape: [8], dtype: 'int8', data: r.int8s(8), quant: q(0.02, -3) }, // 1
    act('sub', [1, 4, 4, 8], 0.05, -128), // 2
    act('logistic', [1, 4, 4, 8], 1 / 256, -128), // 3
    act('tanh', [1, 4, 4, 8], 1 / 128, 0), // 4
    act('hard_swish', [1, 4, 4, 8], 0.03, -40), // 5
    act('leaky', [1, 4, 4, 8], 0.03, -40), // 6
    act('leaky_negative', [1, 4, 4, 8], 0.03, -40), // 7
    act('maximum', [1, 4, 4, 8], 0.03, -40), // 8
    { name: 'ceiling', shape: [], dtype: 'int8', data: Int8Array.of(60), quant: q(0.03, -40) }, // 9
    act('minimum', [1, 4, 4, 8], 0.03, -40), // 10
  ];
  return {
    name: 'activations',
    tensors: t,
    ops: [
      { kind: 'SUB', name: 'sub', inputs: [0, 1], outputs: [2], options: { activation: 'RELU6' } },
      { kind: 'LOGISTIC', name: 'logistic', inputs: [2], outputs: [3], options: {} },
      { kind: 'TANH', name: 'tanh', inputs: [2], outputs: [4], options: {} },
      { kind: 'HARD_SWISH', name: 'hard_swish', inputs: [0], outputs: [5], options: {} },
      { kind: 'LEAKY_RELU', name: 'leaky', inputs: [0], outputs: [6], options: { alpha: f(0.2) } },
      { kind: 'LEAKY_RELU', name: 'leaky_negative', inputs: [0], outputs: [7], options: { alpha: f(-1.5) } },
      { kind: 'MAXIMUM', name: 'maximum', inputs: [5, 6], outputs: [8], options: {} },
      { kind: 'MINIMUM', name: 'minimum', inputs: [8, 9], outputs: [10], options: {} },
    ],
    inputs: [0],
    outputs: [3, 4, 10, 7],
  };
}

/**
 * TRANSPOSE, STRIDED_SLICE (shrink, negative stride, end -1, a new axis), RESIZE_NEAREST_NEIGHBOR (both flag
 * values), TRANSPOSE_CONV (bias and none, SAME and VALID, an activation), SQUEEZE (negative dim and none).
 */
export function reshuffles(seed = 4): Graph {
  const r = new Rng(seed);
  const t: Tensor[] = [
    act('input', [1, 4, 6, 3], 0.04, 5), // 0
    act('transpose', [1, 6, 4, 3], 0.04, 5), // 1
    act('slice', [1, 3, 2, 3], 0.04, 5), // 2: shrunk batch, a new axis in front
    act('resize', [1, 5, 4, 3], 0.04, 5), // 3
    { name: 'tconv/w', shape: [4, 3, 3, 3], dtype: 'int8', data: r.int8s(108), quant: perChannel(r, 4, 0) }, // 4
    { name: 'tconv/b', shape: [4], dtype: 'int32', data: Int32Array.from({ length: 4 }, () => r.int(-3000, 3000)) }, // 5
    act('tconv', [1, 10, 8, 4], 0.1, -128), // 6
    act('column', [1, 4, 1, 2], 0.1, -128), // 7
    act('squeeze', [1, 4, 2], 0.1, -128), // 8
    act('squeeze_all', [4, 2], 0.1, -128), // 9
    act('resize_aligned', [1, 7, 3, 3], 0.04, 5), // 10
    { name: 'tconv2/w', shape: [2, 2, 2, 3], dtype: 'int8', data: r.int8s(24), quant: q(0.02) }, // 11
    act('tconv2', [1, 8, 6, 2], 0.2, 0), // 12
  ];
  return {
    name: 'reshuffles',
    tensors: t,
    ops: [
      { kind: 'TRANSPOSE', name: 'transpose', inputs: [0], outputs: [1], options: { perm: [0, 2, 1, 3] } },
      { kind: 'STRIDED_SLICE', name: 'slice', inputs: [1], outputs: [2], options: { begin: [0, 5, 1, 0], end: [1, -1, 4, 3], strides: [1, -2, 2, 1], shrinkAxisMask: 1 } },
      { kind: 'RESIZE_NEAREST_NEIGHBOR', name: 'resize', inputs: [2], outputs: [3], options: { outH: 5, outW: 4, alignCorners: false, halfPixelCenters: true } },
      { kind: 'TRANSPOSE_CONV', name: 'tconv', inputs: [4, 3, 5], outputs: [6], options: { strideH: 2, strideW: 2, padding: 'SAME', activation: 'RELU', outputShape: [1, 10, 8, 4] } },
      { kind: 'STRIDED_SLICE', name: 'column', inputs: [6], outputs: [7], options: { begin: [0, 0, 7, 0], end: [1, 10, 8, 4], strides: [1, 3, 1, 2], shrinkAxisMask: 0 } },
      { kind: 'SQUEEZE', name: 'squeeze', inputs: [7], outputs: [8], options: { squeezeDims: [-2] } },
      { kind: 'SQUEEZE', name: 'squeeze_all', inputs: [8], outputs: [9], options: { squeezeDims: [] } },
      { kind: 'RESIZE_NEAREST_NEIGHBOR', name: 'resize_aligned', inputs: [2], outputs: [10], options: { outH: 7, outW: 3, alignCorners: true, halfPixelCenters: false } },
      { kind: 'TRANSPOSE_CONV', name: 'tconv2', inputs: [11, 10, -1], outputs: [12], options: { strideH: 1, strideW: 2, padding: 'VALID', activation: 'NONE', outputShape: [1, 8, 6, 2] } },
    ],
    inputs: [0],
    outputs: [9, 12],
  };
}

export function sampleGraphs(): Graph[] {
  return [kitchenSink(), oddities(), activations(), reshuffles(), ...singleOpGraphs()];
}

/** Op kinds the sample graphs miss (a test asserts this is empty). */
export function missingKinds(): string[] {
  const seen = new Set(sampleGraphs().flatMap((g) => g.ops.map((op) => op.kind)));
  return OP_KINDS.filter((k) => !seen.has(k));
}
