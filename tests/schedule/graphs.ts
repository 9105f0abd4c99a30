// Random int8 graphs for the scheduling tests: chains, residual blocks, branches that meet in ADD or
// CONCATENATION, inverted-residual blocks, pooling, explicit PAD before convolutions, optional classifier heads.
// Quantisation is chosen so outputs stay informative (not all saturated): output scale ~ the accumulator's spread.
import type { Activation, Graph, Op, OpKind, OpOptions, Quantization, Tensor } from '../../models/ir.ts';
import { opDef } from '../../runtime/ops/index.ts';
import type { Rng } from '../helpers/rng.ts';

export class RandomGraph {
  readonly g: Graph;
  constructor(private readonly r: Rng, name: string) {
    this.g = { name, tensors: [], ops: [], inputs: [], outputs: [] };
  }

  private tensor(t: Tensor): number {
    this.g.tensors.push(t);
    return this.g.tensors.length - 1;
  }

  constant(t: Tensor): number {
    return this.tensor(t);
  }

  q(scale?: number, zp?: number): Quantization {
    return { scale: [Math.fround(scale ?? this.r.scale(0.02, 0.1))], zeroPoint: [zp ?? this.r.int(-20, 20)], axis: 0 };
  }

  shape(t: number): number[] { return this.g.tensors[t].shape; }

  input(shape: number[]): number {
    const t = this.tensor({ name: 'input', shape, dtype: 'int8', quant: this.q() });
    this.g.inputs.push(t);
    return t;
  }

  op<K extends OpKind>(kind: K, name: string, inputs: number[], options: OpOptions[K], quant?: Quantization): number {
    const op = { kind, name, inputs, outputs: [] as number[], options } as unknown as Op;
    const [shape] = opDef(kind, name).outputShapes(this.g, op, name);
    const y = this.tensor({ name, shape, dtype: 'int8', quant: quant ?? this.q() });
    op.outputs = [y];
    this.g.ops.push(op);
    return y;
  }

  /** Weights with per-channel scales and an output scale near the accumulator's spread. */
  private weighted(name: string, x: number, wShape: number[], channels: number, axis: number, fanIn: number): { w: number; b: number; out: Quantization } {
    const n = wShape.reduce((a, b) => a * b, 1);
    const scales = Array.from({ length: channels }, () => Math.fround(this.r.scale(0.002, 0.02)));
    const w = this.tensor({ name: `${name}/w`, shape: wShape, dtype: 'int8', data: this.r.int8s(n), quant: { scale: scales, zeroPoint: scales.map(() => 0), axis } });
    const b = this.tensor({ name: `${name}/b`, shape: [channels], dtype: 'int32', data: Int32Array.from({ length: channels }, () => this.r.int(-2000, 2000)) });
    const sx = this.g.tensors[x].quant!.scale[0];
    const out = this.q(Math.max(1e-4, (sx * scales[0] * Math.sqrt(fanIn) * 74 * 74) / 50 / this.r.pick([1, 2, 4])));
    return { w, b, out };
  }

  conv(name: string, x: number, outC: number, k: number, stride: number, padding: 'SAME' | 'VALID' = 'SAME', act: Activation = 'RELU6', dilation = 1): number {
    const c = this.shape(x)[3];
    const { w, b, out } = this.weighted(name, x, [outC, k, k, c], outC, 0, k * k * c);
    return this.op('CONV_2D', name, [x, w, b], { strideH: stride, strideW: stride, dilationH: dilation, dilationW: dilation, padding, activation: act }, out);
  }

  depthwise(name: string, x: number, k: number, stride: number, padding: 'SAME' | 'VALID' = 'SAME', mult = 1, act: Activation = 'RELU6'): number {
    const c = this.shape(x)[3];
    const { w, b, out } = this.weighted(name, x, [1, k, k, c * mult], c * mult, 3, k * k);
    return this.op('DEPTHWISE_CONV_2D', name, [x, w, b], { strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, padding, activation: act, depthMultiplier: mult }, out);
  }

  add(name: string, a: number, b: number): number {
    return this.op('ADD', name, [a, b], { activation: this.r.pick(['NONE', 'RELU'] as const) });
  }

  finish(outputs: number[]): Graph {
    this.g.outputs.push(...outputs);
    return this.g;
  }
}

/** A random graph of 3 to 9 building blocks on a small NHWC input; `kinds` lists the blocks used. */
export function randomGraph(r: Rng, name: string): { graph: Graph; kinds: string[] } {
  const b = new RandomGraph(r, name);
  const H = r.pick([6, 8, 11, 12, 16]);
  const W = r.next() < 0.7 ? H : r.pick([7, 10, 12]);
  let x = b.input([1, H, W, r.int(1, 4)]);
  const kinds: string[] = [];
  const blocks = r.int(3, 9);
  const extraOutputs: number[] = [];
  for (let i = 0; i < blocks; i++) {
    const [, h, w, c] = b.shape(x);
    const canStride = h >= 4 && w >= 4;
    const kind = r.pick(['conv', 'conv', 'dw', 'residual', 'mbconv', 'branch-add', 'branch-concat', 'pool', 'pad-conv', 'pad-dw']);
    const p = `b${i}`;
    kinds.push(kind);
    if (kind === 'conv') {
      x = b.conv(`${p}/conv`, x, r.int(2, 12), r.pick([1, 3, 3, 5]), canStride ? r.pick([1, 1, 2]) : 1, r.pick(['SAME', 'SAME', 'VALID'] as const), 'RELU6', r.next() < 0.15 ? 2 : 1);
      if (b.shape(x)[1] < 1 || b.shape(x)[2] < 1) throw new Error('degenerate');
    } else if (kind === 'dw') {
      x = b.depthwise(`${p}/dw`, x, r.pick([3, 3, 5]), canStride ? r.pick([1, 2]) : 1, 'SAME', r.next() < 0.15 ? 2 : 1);
    } else if (kind === 'residual') {
      const y = b.conv(`${p}/conv1`, x, c, 3, 1, 'SAME', 'RELU');
      const z = b.conv(`${p}/conv2`, y, c, 3, 1, 'SAME', 'NONE');
      x = b.add(`${p}/add`, x, z);
    } else if (kind === 'mbconv') {
      const stride = canStride ? r.pick([1, 2]) : 1;
      const e = b.conv(`${p}/expand`, x, c * r.pick([2, 3, 6]), 1, 1);
      const d = b.depthwise(`${p}/depthwise`, e, r.pick([3, 5]), stride);
      const outC = stride === 1 && r.next() < 0.6 ? c : r.int(2, 10);
      const y = b.conv(`${p}/project`, d, outC, 1, 1, 'SAME', 'NONE');
      x = stride === 1 && outC === c ? b.add(`${p}/add`, x, y) : y;
    } else if (kind === 'branch-add') {
      const k = r.int(2, 8);
      const y1 = b.conv(`${p}/left`, x, k, 1, 1);
      const y2 = b.conv(`${p}/right`, b.depthwise(`${p}/right-dw`, x, 3, 1), k, 1, 1);
      x = b.add(`${p}/add`, y1, y2);
    } else if (kind === 'branch-concat') {
      const q = b.q();
      const share = { ...q, scale: [...q.scale], zeroPoint: [...q.zeroPoint] };
      const y1 = b.conv(`${p}/left`, x, r.int(1, 6), 1, 1);
      const y2 = b.conv(`${p}/right`, x, r.int(1, 6), 3, 1);
      b.g.tensors[y1].quant = { ...share };
      b.g.tensors[y2].quant = { ...share };
      x = b.op('CONCATENATION', `${p}/concat`, [y1, y2], { axis: 3, activation: 'NONE' }, { ...share });
    } else if (kind === 'pool') {
      const q = b.g.tensors[x].quant!;
      const big = canStride && r.next() < 0.5;
      x = b.op(r.pick(['MAX_POOL_2D', 'AVERAGE_POOL_2D'] as const), `${p}/pool`, [x],
        { filterH: big ? 2 : 3, filterW: big ? 2 : 3, strideH: big ? 2 : 1, strideW: big ? 2 : 1, padding: 'SAME', activation: 'NONE' }, { ...q });
    } else {
      // Explicit PAD then a VALID convolution (TF's "ZeroPadding2D"); the planner folds it.
      const before = r.int(0, 2);
      const after = r.int(0, 2);
      const padded = b.op('PAD', `${p}/pad`, [x], { paddings: [[0, 0], [before, after], [r.int(0, 2), r.int(0, 1)], [0, 0]] }, b.q(undefined, b.g.tensors[x].quant!.zeroPoint[0]));
      const k = Math.min(3, b.shape(padded)[1], b.shape(padded)[2]);
      x = kind === 'pad-conv' ? b.conv(`${p}/conv`, padded, r.int(2, 8), k, canStride ? r.pick([1, 2]) : 1, 'VALID') : b.depthwise(`${p}/dw`, padded, k, canStride ? r.pick([1, 2]) : 1, 'VALID');
    }
    if (r.next() < 0.08) extraOutputs.push(x);
  }
  if (r.next() < 0.3) {
    kinds.push('head');
    const axes = b.constant({ name: 'head/axes', shape: [2], dtype: 'int32', data: Int32Array.from([1, 2]) });
    x = b.op('MEAN', 'head/mean', [x, axes], { axes: [1, 2], keepDims: false });
  }
  return { graph: b.finish([x, ...extraOutputs.filter((t) => t !== x)]), kinds };
}
