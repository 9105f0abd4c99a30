// Calibration: turns a built zoo graph (float weights, placeholder quantisation) into a TFLite-style int8 model.
// A float forward pass on a few smooth synthetic inputs, operator by operator:
//  1. weighted layers get a batch-norm-like per-channel rescale and bias (what folding a trained BatchNorm
//     does), chosen from the layer's own output statistics, so every layer's pre-activation output has
//     a sensible spread instead of vanishing or exploding through random weights;
//  2. weights are quantised symmetric int8 (per output channel for conv and depthwise, per tensor for FC);
//  3. each activation's observed [min, max] becomes its asymmetric int8 scale and zero point, under
//     TFLite's constraints (pooling/reshape share their input's parameters, softmax is 1/256 with zero point -128);
//  4. biases become int32 with scale input_scale * weight_scale[c], once the input scale is known.
import type { Graph, Quantization, Tensor } from '../ir.ts';
import { ModelError } from '../../runtime/errors.ts';
import type { FloatLayer, GraphBuilder } from './builder.ts';
import { activate, floatOp, fusedActivation } from './float-forward.ts';
import { SeededRng } from '../rng.ts';

const SHARES_INPUT_QUANT = new Set(['AVERAGE_POOL_2D', 'MAX_POOL_2D', 'RESHAPE', 'PAD']);

export function calibrate(b: GraphBuilder, inputs: Float32Array[][]): Graph {
  const g = b.graph;
  if (inputs.length === 0) throw new ModelError(`zoo model '${g.name}': calibration needs at least one input`);
  const lastUse = new Map<number, number>();
  g.ops.forEach((op, i) => op.inputs.forEach((t) => t >= 0 && lastUse.set(t, i)));
  for (const t of g.outputs) lastUse.set(t, Infinity);

  // values.get(t)[k] = tensor t for calibration input k.
  const values = new Map<number, Float32Array[]>();
  g.inputs.forEach((t, i) => {
    values.set(t, inputs.map((sample) => sample[i]));
    g.tensors[t].quant = rangeQuant(values.get(t)!);
  });

  g.ops.forEach((op, i) => {
    const layer = b.layers.get(i);
    const outs: Float32Array[] = [];
    for (let k = 0; k < inputs.length; k++) {
      const read = (t: number) => values.get(t)![k];
      outs.push(floatOp(g, op, read, layer ? { weights: layer.values, bias: null } : undefined));
    }
    if (layer) normaliseLayer(g, layer, outs, b.random);
    const act = fusedActivation(op);
    const ys = outs.map((y) => (op.kind === 'RESHAPE' ? y : activate(y, act)));
    const out = g.tensors[op.outputs[0]];
    if (op.kind === 'SOFTMAX') out.quant = { scale: [Math.fround(1 / 256)], zeroPoint: [-128], axis: 0 };
    else if (SHARES_INPUT_QUANT.has(op.kind)) out.quant = copyQuant(g.tensors[op.inputs[0]].quant!);
    else out.quant = rangeQuant(ys);
    values.set(op.outputs[0], ys);
    for (const t of op.inputs) if (t >= 0 && lastUse.get(t) === i) values.delete(t);
  });
  return g;
}

/**
 * Rescales a layer's float weights per output channel (per tensor for FC) and picks its bias so that the
 * pre-activation output has a target mean and spread; applies the same affine map to the outputs already
 * computed; then quantises weights and bias into the graph's constants.
 */
function normaliseLayer(g: Graph, layer: FloatLayer, outs: Float32Array[], rng: SeededRng): void {
  const C = layer.channels;
  const mean = new Float64Array(C);
  const sq = new Float64Array(C);
  let count = 0;
  // Activations are channel-last: value i belongs to channel i % C.
  for (const y of outs) {
    for (let p = 0; p < y.length; p += C) for (let c = 0; c < C; c++) mean[c] += y[p + c];
    count += y.length / C;
  }
  for (let c = 0; c < C; c++) mean[c] /= count;
  for (const y of outs) for (let p = 0; p < y.length; p += C) for (let c = 0; c < C; c++) { const d = y[p + c] - mean[c]; sq[c] += d * d; }
  const std = new Float64Array(C);
  if (layer.perChannel) {
    for (let c = 0; c < C; c++) std[c] = Math.sqrt(sq[c] / count);
  } else {
    // FC: too few samples for per-unit statistics; one spread for the layer, each unit centred on the calibration mean.
    let total = 0;
    for (let c = 0; c < C; c++) total += sq[c];
    std.fill(Math.sqrt(total / (count * C)));
  }
  const scale = new Float64Array(C);
  const bias = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const [mu, sigma] = target(layer, rng);
    scale[c] = std[c] > 1e-9 ? sigma / std[c] : 1;
    bias[c] = mu - scale[c] * mean[c];
  }
  // Fold the per-channel scale into the weights.
  const w = layer.values;
  if (layer.kind === 'DEPTHWISE_CONV_2D') for (let i = 0; i < w.length; i++) w[i] *= scale[i % C];
  else { const per = w.length / C; for (let i = 0; i < w.length; i++) w[i] *= scale[Math.floor(i / per)]; }
  for (const y of outs) for (let p = 0; p < y.length; p += C) for (let c = 0; c < C; c++) y[p + c] = y[p + c] * scale[c] + bias[c];

  quantiseWeights(g.tensors[layer.weights], layer);
  const op = g.ops[layer.op];
  quantiseBias(g.tensors[layer.bias], bias, g.tensors[op.inputs[0]], g.tensors[layer.weights]);
}

/**
 * Target (mean, std) of one output channel's pre-activation values. Hidden units sit mostly in ReLU's linear
 * part (mean 0.5..1.5 standard deviations above zero): batch-normalised random networks with centred
 * pre-activations are chaotic, and int8 rounding noise would then grow layer over layer (int8-vs-float
 * correlation of mbv2-w0.35-r144's logits 0.79 with means in -0.25..0.75, 0.97 with 0.5..1.5).
 */
function target(layer: FloatLayer, rng: SeededRng): [number, number] {
  switch (layer.role) {
    case 'hidden': return [rng.uniform(0.5, 1.5), layer.perChannel ? rng.uniform(0.75, 1.5) : 1];
    case 'linear': return [rng.uniform(-0.25, 0.25), layer.perChannel ? rng.uniform(0.6, 1.2) : 1];
    case 'logits': return [1.5 * rng.normal(), 1.5];
  }
}

/** Symmetric int8: scale = max|w| / 127 (float32), per output channel or per tensor. */
function quantiseWeights(t: Tensor, layer: FloatLayer): void {
  const w = layer.values;
  const q = t.data as Int8Array;
  const C = layer.channels;
  // Channel of weight i: depthwise 1HWC -> i % C; conv OHWI and FC [out, in] -> i / (values per channel).
  const per = w.length / C;
  const group = (i: number) => (!layer.perChannel ? 0 : layer.kind === 'DEPTHWISE_CONV_2D' ? i % C : Math.floor(i / per));
  const maxAbs = new Float64Array(layer.perChannel ? C : 1);
  for (let i = 0; i < w.length; i++) { const gi = group(i); maxAbs[gi] = Math.max(maxAbs[gi], Math.abs(w[i])); }
  const scales = Array.from(maxAbs, (m) => Math.fround(m > 0 ? m / 127 : 1 / 127));
  for (let i = 0; i < w.length; i++) q[i] = Math.max(-127, Math.min(127, roundAway(w[i] / scales[group(i)])));
  t.quant = { scale: scales, zeroPoint: scales.map(() => 0), axis: t.quant!.axis };
}

/** int32 bias with scale input_scale * weight_scale[c] (TFLite's rule), recorded as the bias tensor's quantisation. */
function quantiseBias(t: Tensor, bias: Float32Array, input: Tensor, weights: Tensor): void {
  const inScale = input.quant!.scale[0];
  const ws = weights.quant!.scale;
  const q = t.data as Int32Array;
  const scales: number[] = [];
  for (let c = 0; c < bias.length; c++) {
    const s = Math.fround(inScale * (ws.length === 1 ? ws[0] : ws[c]));
    scales.push(s);
    q[c] = Math.max(-2147483647, Math.min(2147483647, roundAway(bias[c] / s)));
  }
  t.quant = { scale: scales, zeroPoint: scales.map(() => 0), axis: 0 };
}

/**
 * Asymmetric int8 parameters from an observed range, as TFLite's ChooseQuantizationParams does:
 * the range is widened to include 0, scale = (max - min) / 255 (float32), and the zero point is taken from
 * whichever end gives the smaller error, then nudged into [-128, 127].
 */
export function rangeQuant(samples: Float32Array[]): Quantization {
  let lo = 0;
  let hi = 0;
  for (const y of samples) for (let i = 0; i < y.length; i++) { const v = y[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
  if (hi - lo < 1e-6) hi = lo + 1e-6;
  const scale = Math.fround((hi - lo) / 255);
  const fromMin = -128 - lo / scale;
  const fromMax = 127 - hi / scale;
  const zp = 128 + Math.abs(lo / scale) < 127 + Math.abs(hi / scale) ? fromMin : fromMax;
  const zeroPoint = zp < -128 ? -128 : zp > 127 ? 127 : roundAway(zp) || 0; // || 0 turns -0 into 0
  return { scale: [scale], zeroPoint: [zeroPoint], axis: 0 };
}

function copyQuant(q: Quantization): Quantization {
  return { scale: [...q.scale], zeroPoint: [...q.zeroPoint], axis: q.axis };
}

function roundAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** Float values -> int8 with a tensor's (per-tensor) quantisation, saturating. */
export function quantiseTensor(t: Tensor, values: Float32Array): Int8Array {
  const s = t.quant!.scale[0];
  const z = t.quant!.zeroPoint[0];
  return Int8Array.from(values, (v) => Math.max(-128, Math.min(127, roundAway(v / s) + z)));
}

/**
 * A smooth synthetic signal for a model input: per channel a sum of a few low-frequency 2-D sinusoids
 * plus a little noise, scaled to [-1, 1]. Shapes [1, H, W, C] are images/spectrograms; [1, N] is a vector.
 */
export function syntheticSignal(shape: readonly number[], seed: number): Float32Array {
  const [H, W, C] = shape.length === 4 ? [shape[1], shape[2], shape[3]] : [1, shape[shape.length - 1], 1];
  const rng = new SeededRng(seed);
  const out = new Float32Array(H * W * C);
  for (let c = 0; c < C; c++) {
    const waves = Array.from({ length: 4 }, () => ({
      a: rng.uniform(0.2, 1), fy: H > 1 ? rng.uniform(0, 3) : 0, fx: rng.uniform(0, W > 64 && H === 1 ? 12 : 3), phase: rng.uniform(0, 2 * Math.PI),
    }));
    const offset = rng.uniform(-0.3, 0.3);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let v = offset + 0.05 * rng.normal();
        for (const w of waves) v += w.a * Math.sin(2 * Math.PI * (w.fy * y / H + w.fx * x / W) + w.phase);
        out[(y * W + x) * C + c] = v;
      }
    }
  }
  let max = 0;
  for (const v of out) max = Math.max(max, Math.abs(v));
  if (max > 0) for (let i = 0; i < out.length; i++) out[i] /= max;
  return out;
}
