// Float implementations of the operators the zoo uses, for calibration and as a float reference.
// Layouts follow the IR: NHWC activations (batch 1), OHWI conv weights, 1HWC depthwise weights, [out, in] FC weights.
// Geometry follows TFLite: SAME padding puts the smaller half before; average pooling counts only in-bounds taps.
import type { Activation, Graph, Op, Tensor } from '../ir.ts';
import { ModelError } from '../../runtime/errors.ts';

export interface FloatParams {
  weights: Float32Array;
  bias: Float32Array | null;
}

/** Output size and leading padding of one spatial dimension (TFLite's padding rule, stated independently here). */
function dim(inSize: number, k: number, stride: number, padding: 'SAME' | 'VALID'): { out: number; pad: number } {
  const out = padding === 'SAME' ? Math.ceil(inSize / stride) : Math.floor((inSize - k) / stride) + 1;
  const total = Math.max((out - 1) * stride + k - inSize, 0);
  return { out, pad: Math.floor(total / 2) };
}

export function conv2d(x: Float32Array, [, H, W, C]: number[], p: FloatParams, [O, kH, kW]: number[], sH: number, sW: number, padding: 'SAME' | 'VALID'): { y: Float32Array; shape: number[] } {
  const h = dim(H, kH, sH, padding);
  const v = dim(W, kW, sW, padding);
  const y = new Float32Array(h.out * v.out * O);
  const w = p.weights;
  const wStride = kH * kW * C;
  if (kH === 1 && kW === 1) {
    // Pointwise: one dot product of C values per output channel and pixel (most of a MobileNet's MACs).
    for (let oy = 0; oy < h.out; oy++) {
      for (let ox = 0; ox < v.out; ox++) {
        const xo = ((oy * sH - h.pad) * W + ox * sW - v.pad) * C;
        const yo = (oy * v.out + ox) * O;
        let oc = 0;
        // Four output channels per pass share each input load.
        for (; oc + 4 <= O; oc += 4) {
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          const w0 = oc * C, w1 = w0 + C, w2 = w1 + C, w3 = w2 + C;
          for (let ic = 0; ic < C; ic++) {
            const xv = x[xo + ic];
            s0 += xv * w[w0 + ic];
            s1 += xv * w[w1 + ic];
            s2 += xv * w[w2 + ic];
            s3 += xv * w[w3 + ic];
          }
          y[yo + oc] = s0 + (p.bias ? p.bias[oc] : 0);
          y[yo + oc + 1] = s1 + (p.bias ? p.bias[oc + 1] : 0);
          y[yo + oc + 2] = s2 + (p.bias ? p.bias[oc + 2] : 0);
          y[yo + oc + 3] = s3 + (p.bias ? p.bias[oc + 3] : 0);
        }
        for (; oc < O; oc++) {
          let s = p.bias ? p.bias[oc] : 0;
          const wo = oc * C;
          for (let ic = 0; ic < C; ic++) s += x[xo + ic] * w[wo + ic];
          y[yo + oc] = s;
        }
      }
    }
    return { y, shape: [1, h.out, v.out, O] };
  }
  for (let oy = 0; oy < h.out; oy++) {
    for (let ox = 0; ox < v.out; ox++) {
      const yo = (oy * v.out + ox) * O;
      for (let oc = 0; oc < O; oc++) {
        let s = p.bias ? p.bias[oc] : 0;
        for (let ky = 0; ky < kH; ky++) {
          const iy = oy * sH - h.pad + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < kW; kx++) {
            const ix = ox * sW - v.pad + kx;
            if (ix < 0 || ix >= W) continue;
            const xo = (iy * W + ix) * C;
            const wo = oc * wStride + (ky * kW + kx) * C;
            for (let ic = 0; ic < C; ic++) s += x[xo + ic] * w[wo + ic];
          }
        }
        y[yo + oc] = s;
      }
    }
  }
  return { y, shape: [1, h.out, v.out, O] };
}

export function depthwise(x: Float32Array, [, H, W, C]: number[], p: FloatParams, kH: number, kW: number, sH: number, sW: number, padding: 'SAME' | 'VALID'): { y: Float32Array; shape: number[] } {
  const h = dim(H, kH, sH, padding);
  const v = dim(W, kW, sW, padding);
  const y = new Float32Array(h.out * v.out * C);
  const acc = new Float64Array(C);
  const w = p.weights;
  for (let oy = 0; oy < h.out; oy++) {
    for (let ox = 0; ox < v.out; ox++) {
      if (p.bias) for (let c = 0; c < C; c++) acc[c] = p.bias[c];
      else acc.fill(0);
      for (let ky = 0; ky < kH; ky++) {
        const iy = oy * sH - h.pad + ky;
        if (iy < 0 || iy >= H) continue;
        for (let kx = 0; kx < kW; kx++) {
          const ix = ox * sW - v.pad + kx;
          if (ix < 0 || ix >= W) continue;
          const xo = (iy * W + ix) * C;
          const wo = (ky * kW + kx) * C;
          for (let c = 0; c < C; c++) acc[c] += x[xo + c] * w[wo + c];
        }
      }
      y.set(acc, (oy * v.out + ox) * C);
    }
  }
  return { y, shape: [1, h.out, v.out, C] };
}

export function fullyConnected(x: Float32Array, p: FloatParams, out: number): Float32Array {
  const n = x.length;
  const y = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    let s = p.bias ? p.bias[o] : 0;
    const wo = o * n;
    for (let i = 0; i < n; i++) s += x[i] * p.weights[wo + i];
    y[o] = s;
  }
  return y;
}

export function averagePool(x: Float32Array, [, H, W, C]: number[], fH: number, fW: number, sH: number, sW: number, padding: 'SAME' | 'VALID'): { y: Float32Array; shape: number[] } {
  const h = dim(H, fH, sH, padding);
  const v = dim(W, fW, sW, padding);
  const y = new Float32Array(h.out * v.out * C);
  for (let oy = 0; oy < h.out; oy++) {
    for (let ox = 0; ox < v.out; ox++) {
      for (let c = 0; c < C; c++) {
        let s = 0;
        let n = 0;
        for (let ky = 0; ky < fH; ky++) {
          const iy = oy * sH - h.pad + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < fW; kx++) {
            const ix = ox * sW - v.pad + kx;
            if (ix < 0 || ix >= W) continue;
            s += x[(iy * W + ix) * C + c];
            n++;
          }
        }
        y[(oy * v.out + ox) * C + c] = n ? s / n : 0;
      }
    }
  }
  return { y, shape: [1, h.out, v.out, C] };
}

/** Mean over the spatial axes of [1, H, W, C]. */
export function spatialMean(x: Float32Array, [, H, W, C]: number[]): Float32Array {
  const y = new Float64Array(C);
  for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) y[c] += x[p * C + c];
  return Float32Array.from(y, (s) => s / (H * W));
}

export function softmax(x: Float32Array, beta: number): Float32Array {
  let max = -Infinity;
  for (const v of x) max = Math.max(max, v);
  const e = Float64Array.from(x, (v) => Math.exp(beta * (v - max)));
  let sum = 0;
  for (const v of e) sum += v;
  return Float32Array.from(e, (v) => v / sum);
}

/** Applies a fused activation in place. */
export function activate(y: Float32Array, act: Activation): Float32Array {
  if (act === 'NONE') return y;
  const [lo, hi] = act === 'RELU' ? [0, Infinity] : act === 'RELU6' ? [0, 6] : [-1, 1];
  for (let i = 0; i < y.length; i++) y[i] = Math.min(hi, Math.max(lo, y[i]));
  return y;
}

export function fusedActivation(op: Op): Activation {
  const o = op.options as { activation?: Activation };
  return o.activation ?? 'NONE';
}

/**
 * One operator in float, before its fused activation. `params` are the float weights and bias of
 * weighted operators (from calibration or from dequantised constants). Checks the result's shape
 * against the output tensor's.
 */
export function floatOp(g: Graph, op: Op, read: (t: number) => Float32Array, params?: FloatParams): Float32Array {
  const where = `model '${g.name}': operator ${op.name} (${op.kind})`;
  const inShape = g.tensors[op.inputs[0]].shape;
  const x = read(op.inputs[0]);
  const outT = g.tensors[op.outputs[0]];
  let y: Float32Array;
  let shape: number[] = outT.shape;
  const need = () => { if (!params) throw new ModelError(`${where}: float weights missing`); return params; };
  switch (op.kind) {
    case 'CONV_2D': {
      const o = (op as Op<'CONV_2D'>).options;
      if (o.dilationH !== 1 || o.dilationW !== 1) throw new ModelError(`${where}: dilation is not used by the zoo`);
      ({ y, shape } = conv2d(x, inShape, need(), g.tensors[op.inputs[1]].shape, o.strideH, o.strideW, o.padding));
      break;
    }
    case 'DEPTHWISE_CONV_2D': {
      const o = (op as Op<'DEPTHWISE_CONV_2D'>).options;
      const [, kH, kW] = g.tensors[op.inputs[1]].shape;
      if (o.depthMultiplier !== 1 || o.dilationH !== 1 || o.dilationW !== 1) throw new ModelError(`${where}: only multiplier 1, dilation 1 are used by the zoo`);
      ({ y, shape } = depthwise(x, inShape, need(), kH, kW, o.strideH, o.strideW, o.padding));
      break;
    }
    case 'FULLY_CONNECTED':
      y = fullyConnected(x, need(), g.tensors[op.inputs[1]].shape[0]);
      break;
    case 'ADD': {
      const b = read(op.inputs[1]);
      if (b.length !== x.length) throw new ModelError(`${where}: the zoo adds equal shapes only`);
      y = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) y[i] = x[i] + b[i];
      break;
    }
    case 'AVERAGE_POOL_2D': {
      const o = (op as Op<'AVERAGE_POOL_2D'>).options;
      ({ y, shape } = averagePool(x, inShape, o.filterH, o.filterW, o.strideH, o.strideW, o.padding));
      break;
    }
    case 'MEAN': {
      const o = (op as Op<'MEAN'>).options;
      if ([...o.axes].sort().join() !== '1,2') throw new ModelError(`${where}: the zoo takes spatial means only`);
      y = spatialMean(x, inShape);
      shape = o.keepDims ? [1, 1, 1, inShape[3]] : [1, inShape[3]];
      break;
    }
    case 'RESHAPE':
      y = x;
      break;
    case 'SOFTMAX':
      y = softmax(x, (op as Op<'SOFTMAX'>).options.beta);
      break;
    default:
      throw new ModelError(`${where}: no float implementation for ${op.kind}`);
  }
  // Geometry computed here must agree with the op table's (which produced the output tensor's shape).
  if (y.length !== elementCount(outT) || shape.join() !== outT.shape.join()) {
    throw new ModelError(`${where}: float result has shape [${shape}] (${y.length} values) but the output tensor '${outT.name}' has shape [${outT.shape}]`);
  }
  return y;
}

function elementCount(t: Tensor): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

/** Float weights and bias of a weighted operator, dequantised from its int8/int32 constants. */
export function dequantizedParams(g: Graph, op: Op): FloatParams {
  const w = g.tensors[op.inputs[1]];
  const q = w.quant!;
  const data = w.data as Int8Array;
  const weights = new Float32Array(data.length);
  const channels = q.scale.length;
  if (channels === 1) for (let i = 0; i < data.length; i++) weights[i] = data[i] * q.scale[0];
  else {
    // Channel index along the quantised axis of a row-major tensor.
    const inner = w.shape.slice(q.axis + 1).reduce((a, b) => a * b, 1);
    for (let i = 0; i < data.length; i++) weights[i] = data[i] * q.scale[Math.floor(i / inner) % channels];
  }
  const bt = op.inputs[2] >= 0 ? g.tensors[op.inputs[2]] : undefined;
  let bias: Float32Array | null = null;
  if (bt?.data) {
    const inScale = g.tensors[op.inputs[0]].quant!.scale[0];
    bias = Float32Array.from(bt.data as Int32Array, (b, c) => b * inScale * (channels === 1 ? q.scale[0] : q.scale[c]));
  }
  return { weights, bias };
}

/** Runs a quantised graph in float from dequantised constants; returns every tensor's float values. */
export function runFloat(g: Graph, inputs: Float32Array[]): Map<number, Float32Array> {
  const values = new Map<number, Float32Array>();
  g.inputs.forEach((t, i) => values.set(t, inputs[i]));
  const read = (t: number) => {
    const v = values.get(t);
    if (!v) throw new ModelError(`model '${g.name}': tensor ${t} read before it is computed`);
    return v;
  };
  for (const op of g.ops) {
    const weighted = op.kind === 'CONV_2D' || op.kind === 'DEPTHWISE_CONV_2D' || op.kind === 'FULLY_CONNECTED';
    const y = floatOp(g, op, read, weighted ? dequantizedParams(g, op) : undefined);
    values.set(op.outputs[0], activate(y === read(op.inputs[0]) ? y.slice() : y, fusedActivation(op)));
  }
  return values;
}
