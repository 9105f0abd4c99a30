// Random multi-layer int8 graphs for the QEMU tests of the C kernels' DSP paths (tests/c-emit/dsp-qemu.test.ts).
// Unlike calibrated zoo graphs (whose ReLU outputs all get zero point -128), every tensor's quantisation is drawn
// here: zero points anywhere in [-128, 127], output scales that make RELU6 / RELU_N1_TO_1 clamp inside the int8
// range, and per-channel effective multipliers aimed at a modest output spread, a few of them far above it
// (saturation at both ends, left shifts). Weights are random int8 (sometimes crowded at one end), biases moderate
// with a few near the int32 limits (sums that wrap). Shapes are the caller's; output shapes come from the op table.
import type { Activation, Graph, Op, OpKind, OpOptions, Padding, Tensor } from '../../models/ir.ts';
import { activationRange } from '../../runtime/quant.ts';
import { opDef } from '../../runtime/ops/index.ts';
import { runSchedule } from '../../runtime/executor.ts';
import type { Machine } from '../../runtime/machine.ts';
import type { Schedule } from '../../runtime/schedule.ts';
import { int8Data } from './c-cases.ts';
import type { Rng } from './rng.ts';

const ACTS: Activation[] = ['NONE', 'NONE', 'RELU', 'RELU6', 'RELU6', 'RELU_N1_TO_1'];

type Pair = number | [number, number];
const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : v);

export interface ConvSpec { outC: number; k: Pair; stride?: Pair; padding?: Padding; dilation?: Pair; act?: Activation; bias?: boolean }
export interface DepthwiseSpec { k: Pair; stride?: Pair; padding?: Padding; multiplier?: number; act?: Activation; bias?: boolean }
export interface FcSpec { units: number; /** Rows of the last dimension (rows = H*W) or the whole tensor as one row. */ flatten?: boolean; perChannel?: boolean; act?: Activation }
export interface PoolSpec { filter: Pair; stride?: Pair; padding?: Padding; act?: Activation }

export class RandomGraph {
  readonly graph: Graph;
  /** Rough RMS of (value - zero point) per activation tensor, in quantised units (aims the multipliers). */
  private readonly dev = new Map<number, number>();
  private readonly hidden = new Set<number>();

  constructor(name: string, private readonly r: Rng) {
    this.graph = { name, tensors: [], ops: [], inputs: [], outputs: [] };
  }

  shape(t: number): number[] {
    return this.graph.tensors[t].shape;
  }

  /** A graph input with a random scale and zero point (inputs are uniform or crowded int8). */
  input(shape: number[], name = `input${this.graph.inputs.length}`): number {
    const zp = this.zeroPoint('NONE');
    const t = this.tensor({ name, shape, dtype: 'int8', quant: { scale: [this.r.scale(0.004, 0.1)], zeroPoint: [zp], axis: 0 } });
    this.dev.set(t, Math.sqrt(74 * 74 + zp * zp));
    this.graph.inputs.push(t);
    return t;
  }

  /**
   * Not a graph output (finish() makes every other operator output one, so that a wrong byte anywhere reaches the
   * compared outputs instead of vanishing in a later clamp). Hidden tensors are what lets the scheduler run the
   * depthwise reading them in place, or fuse an expand -> depthwise -> project chain.
   */
  hide(t: number): number {
    this.hidden.add(t);
    return t;
  }

  /** Graph outputs: the given tensors, or else every operator output that is not hidden. */
  finish(outputs?: number[]): Graph {
    if (outputs) this.graph.outputs.push(...outputs);
    else for (const op of this.graph.ops) for (const t of op.outputs) if (!this.hidden.has(t) && !this.graph.outputs.includes(t)) this.graph.outputs.push(t);
    return this.graph;
  }

  conv(name: string, x: number, s: ConvSpec): number {
    const [kH, kW] = pair(s.k);
    const inC = this.shape(x)[3];
    const [sH, sW] = pair(s.stride ?? 1);
    const [dH, dW] = pair(s.dilation ?? 1);
    return this.weighted('CONV_2D', name, x, [s.outC, kH, kW, inC], s.outC, 0, kH * kW * inC, s.act, s.bias,
      { strideH: sH, strideW: sW, dilationH: dH, dilationW: dW, padding: s.padding ?? 'SAME', activation: 'NONE' });
  }

  depthwise(name: string, x: number, s: DepthwiseSpec): number {
    const [kH, kW] = pair(s.k);
    const [sH, sW] = pair(s.stride ?? 1);
    const m = s.multiplier ?? 1;
    const c = this.shape(x)[3] * m;
    return this.weighted('DEPTHWISE_CONV_2D', name, x, [1, kH, kW, c], c, 3, kH * kW, s.act, s.bias,
      { strideH: sH, strideW: sW, dilationH: 1, dilationW: 1, padding: s.padding ?? 'SAME', activation: 'NONE', depthMultiplier: m });
  }

  fc(name: string, x: number, s: FcSpec): number {
    const xs = this.shape(x);
    const depth = s.flatten ? xs.reduce((a, b) => a * b, 1) : xs[xs.length - 1];
    const perChannel = s.perChannel ?? this.r.next() < 0.5;
    const act = s.act ?? this.r.pick(ACTS);
    const out = this.outQuant(act);
    const data = int8Data(this.r, s.units * depth);
    // Per-tensor weights may have any zero point (TFLite's filter_offset); per-channel ones are symmetric.
    const wzp = perChannel ? 0 : this.r.next() < 0.7 ? this.r.int(-128, 127) : 0;
    const rms = rowRms(data, s.units, depth, wzp);
    const m = rms.map((v) => this.multiplier(Math.sqrt(depth) * this.dev.get(x)! * v));
    const inScale = this.graph.tensors[x].quant!.scale[0];
    const scales = perChannel ? m.map((v) => Math.fround((v * out.scale) / inScale)) : [Math.fround((median(m) * out.scale) / inScale)];
    const w = this.tensor({ name: `${name}/weights`, shape: [s.units, depth], dtype: 'int8', data, quant: { scale: scales, zeroPoint: scales.map(() => wzp), axis: 0 } });
    const b = this.biasTensor(name, rms.map((v) => Math.sqrt(depth) * this.dev.get(x)! * v));
    return this.op('FULLY_CONNECTED', name, [x, w, b], { activation: act }, out, act);
  }

  /** AVERAGE_POOL_2D: its output shares the input's quantisation (TFLite requires it). */
  avgPool(name: string, x: number, s: PoolSpec): number {
    const [fH, fW] = pair(s.filter);
    const [sH, sW] = pair(s.stride ?? s.filter);
    const act = s.act ?? this.r.pick(ACTS);
    const q = this.graph.tensors[x].quant!;
    const y = this.op('AVERAGE_POOL_2D', name, [x], { filterH: fH, filterW: fW, strideH: sH, strideW: sW, padding: s.padding ?? 'VALID', activation: act },
      { scale: q.scale[0], zp: q.zeroPoint[0] }, act);
    this.dev.set(y, this.dev.get(x)! * 0.6);
    return y;
  }

  /** MEAN over H and W: with the input's quantisation (plain division) or another one (requantised). */
  mean(name: string, x: number, o: { keepDims: boolean; requantize: boolean }): number {
    const q = this.graph.tensors[x].quant!;
    const axes = this.tensor({ name: `${name}/axes`, shape: [2], dtype: 'int32', data: Int32Array.from([1, 2]) });
    const out = o.requantize ? { scale: Math.fround(q.scale[0] * 2 ** (this.r.next() * 4 - 2.5)), zp: this.zeroPoint('NONE') } : { scale: q.scale[0], zp: q.zeroPoint[0] };
    const y = this.op('MEAN', name, [x, axes], { axes: [1, 2], keepDims: o.keepDims }, out, 'NONE');
    this.dev.set(y, 40);
    return y;
  }

  // -------------------------------------------------------------------------------------------------------------

  private weighted<K extends 'CONV_2D' | 'DEPTHWISE_CONV_2D'>(kind: K, name: string, x: number, wShape: number[], channels: number, axis: number,
    taps: number, act: Activation | undefined, hasBias: boolean | undefined, options: OpOptions[K]): number {
    const a = act ?? this.r.pick(ACTS);
    const out = this.outQuant(a);
    const n = wShape.reduce((p, q) => p * q, 1);
    const data = int8Data(this.r, n);
    const rms = kind === 'DEPTHWISE_CONV_2D' ? colRms(data, channels) : rowRms(data, channels, n / channels, 0);
    const spread = rms.map((v) => Math.sqrt(taps) * this.dev.get(x)! * v);
    const inScale = this.graph.tensors[x].quant!.scale[0];
    const scales = spread.map((v) => Math.fround((this.multiplier(v) * out.scale) / inScale));
    const w = this.tensor({ name: `${name}/weights`, shape: wShape, dtype: 'int8', data, quant: { scale: scales, zeroPoint: scales.map(() => 0), axis } });
    const b = hasBias === false ? -1 : this.biasTensor(name, spread);
    return this.op(kind, name, [x, w, b], { ...options, activation: a }, out, a);
  }

  /** An effective multiplier aiming an accumulator of RMS `spread` at an output spread of about 30; now and then far more. */
  private multiplier(spread: number): number {
    const target = 30 * 2 ** (this.r.next() * 3 - 1.5);
    const boost = this.r.next() < 0.08 ? 2 ** this.r.int(4, 10) : 1;
    return Math.min(2 ** 20, (target * boost) / Math.max(spread, 1));
  }

  private biasTensor(name: string, spread: number[]): number {
    const data = Int32Array.from(spread, (v) => {
      if (this.r.next() < 0.03) return this.r.pick([-1, 1]) * (2 ** 31 - 1 - this.r.int(0, 1 << 20));
      return Math.round((this.r.next() * 2 - 1) * v);
    });
    return this.tensor({ name: `${name}/bias`, shape: [spread.length], dtype: 'int32', data });
  }

  /**
   * Zero points over the whole int8 range, now and then at its very ends; after RELU-type clamps in the lower part
   * (a high zero point leaves a ReLU output almost constant, and the layers after it would test little).
   */
  private zeroPoint(act: Activation): number {
    if (act === 'RELU' || act === 'RELU6') return this.r.next() < 0.06 ? this.r.pick([-128, -127]) : this.r.int(-128, 40);
    return this.r.next() < 0.06 ? this.r.pick([-128, -127, 126, 127]) : this.r.int(-128, 127);
  }

  /** Output scale in [0.01, 0.25]: 6 / scale and 1 / scale land both inside and outside the int8 range. */
  private outQuant(act: Activation): { scale: number; zp: number } {
    return { scale: this.r.scale(0.01, 0.25), zp: this.zeroPoint(act) };
  }

  private tensor(t: Tensor): number {
    this.graph.tensors.push(t);
    return this.graph.tensors.length - 1;
  }

  private op<K extends OpKind>(kind: K, name: string, inputs: number[], options: OpOptions[K], q: { scale: number; zp: number }, act: Activation): number {
    const where = `test graph '${this.graph.name}': ${kind} '${name}'`;
    const op: Op<K> = { kind, name, inputs, outputs: [], options };
    const [shape] = opDef(kind, where).outputShapes(this.graph, op as unknown as Op, where);
    const y = this.tensor({ name, shape, dtype: 'int8', quant: { scale: [Math.fround(q.scale)], zeroPoint: [q.zp], axis: 0 } });
    op.outputs = [y];
    this.graph.ops.push(op as unknown as Op);
    const [lo, hi] = activationRange(act, this.graph.tensors[y]);
    this.dev.set(y, Math.max(4, Math.min(30, (hi - lo) / 3)));
    return y;
  }
}

function rowRms(w: Int8Array, rows: number, per: number, zp: number): number[] {
  return Array.from({ length: rows }, (_, o) => {
    let s = 0;
    for (let i = o * per; i < (o + 1) * per; i++) s += (w[i] - zp) ** 2;
    return Math.sqrt(s / per);
  });
}

/** RMS per channel of a depthwise 1HWC weight tensor (channel = index % C). */
function colRms(w: Int8Array, channels: number): number[] {
  const s = new Float64Array(channels);
  for (let i = 0; i < w.length; i++) s[i % channels] += w[i] * w[i];
  const per = w.length / channels;
  return Array.from(s, (v) => Math.sqrt(v / per));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Per step with an act_min / act_max pair: whether its output (in WebAssembly) reached each clamp inside int8. */
export interface ClampHit { step: number; kernel: string; low: boolean; high: boolean; lowActive: boolean; highActive: boolean }

/**
 * Runs the schedule in WebAssembly one step at a time (as validate's trace does) and reports, for each step with
 * an activation range narrower than int8, whether any written byte sits at each end of it.
 */
export function clampHits(s: Schedule, machine: Machine, inputs: readonly ArrayBufferView[][]): ClampHit[] {
  const hits: ClampHit[] = s.steps.map((st) => {
    const v = (n: string) => st.args.find((a) => a.name === n)?.value;
    const lo = v('act_min') ?? -128;
    const hi = v('act_max') ?? 127;
    return { step: st.index, kernel: st.kernel, low: false, high: false, lowActive: lo > -128, highActive: hi < 127 };
  });
  for (const record of inputs) {
    runSchedule(s, machine, record); // loads Flash and checks the inputs
    const mem = machine.bytes;
    s.graph.inputs.forEach((t, i) => mem.set(new Uint8Array(record[i].buffer, record[i].byteOffset, record[i].byteLength), s.placements[t]!.offset));
    for (const st of s.steps) {
      machine.kernel(st.kernel)(...st.args.map((a) => (a.space === 'flash' ? machine.flashBase + a.value : a.value)));
      const h = hits[st.index];
      if (!h.lowActive && !h.highActive) continue;
      const lo = st.args.find((a) => a.name === 'act_min')!.value;
      const hi = st.args.find((a) => a.name === 'act_max')!.value;
      for (const w of st.access.writes) {
        if (st.scratch && w.offset >= st.scratch.offset && w.offset < st.scratch.offset + st.scratch.bytes) continue;
        for (let row = 0; row < w.rows; row++) {
          for (let j = 0; j < w.bytes; j++) {
            const b = (mem[w.offset + row * w.stride + j] << 24) >> 24;
            if (b === lo) h.low = true;
            if (b === hi) h.high = true;
          }
        }
      }
    }
  }
  return hits;
}
