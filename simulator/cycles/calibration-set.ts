// The calibration set of the cycle model: layers of many shapes, built with the zoo's graph builder and calibrated
// like zoo models. Each step's count is exact on its own (the counting harness reads the timer around every step),
// so a graph is just a cheap way to measure many layer shapes in one QEMU run:
// - chains (`cal-a`, `cal-f`): a small network each (stem, inverted residual, pooling, FC, softmax), also run
//   patch-based, fused and without in-place depthwise for the kernels only those schedules call;
// - branch graphs (`cal-dw-k3`, `cal-dw-k5-k7`, `cal-fused`, `cal-layers`): many independent single-layer branches, one graph input
//   each, that cover every variant key (kernel x kernel size x stride) the zoo uses with varied shapes: tiny and
//   large planes, few and many channels, odd sizes (other padding), channel counts that are not multiples of 4.
// The zoo models are NOT in this set: they are the held-out check (bench/cycles.ts, tests/cycles).
import type { Graph } from '../../models/ir.ts';
import { GraphBuilder } from '../../models/zoo/builder.ts';
import { calibrate, syntheticSignal } from '../../models/zoo/calibrate.ts';
import { hashString } from '../../models/rng.ts';

interface Shape { hw: number; c: number; stemC: number; expand: number; k: number; fc: number; inC?: number; kernel?: [number, number] }

/** Stem conv, depthwise (stride 1 and 2), pointwise up and down, a residual add, pooling, FC and softmax. */
function chain(name: string, s: Shape): Graph {
  const b = new GraphBuilder(name, name);
  let x = b.input('input', [1, s.hw, s.hw, s.inC ?? 3]);
  x = b.conv('stem', x, s.stemC, s.kernel ?? 3, 2, 'RELU6');
  let y = b.conv('expand', x, s.stemC * s.expand, 1, 1, 'RELU6');
  y = b.depthwise('dw', y, s.k, 1, 'RELU6');
  y = b.conv('project', y, s.stemC, 1, 1, 'NONE');
  x = b.add('add', x, y);
  x = b.depthwise('dw_s2', x, 3, 2, 'RELU');
  x = b.conv('widen', x, s.c, 1, 1, 'RELU');
  x = b.conv('conv3x3', x, s.c, 3, 1, 'RELU');
  const pooled = b.reshape('flatten', b.globalAvgPool('pool', x), [1, s.c]);
  const m = b.mean('mean', x);
  const z = b.fc('fc', pooled, s.fc, 'RELU');
  const w = b.fc('fc2', b.add('add2', m, pooled), s.fc, 'NONE', 'logits');
  b.finish([b.softmax('softmax', b.add('add3', z, w))]);
  return finish(b, name);
}

function finish(b: GraphBuilder, name: string): Graph {
  const inputs = [0, 1].map((k) => b.graph.inputs.map((t) => syntheticSignal(b.graph.tensors[t].shape, hashString(`${name}#${k}#${t}`))));
  return calibrate(b, inputs);
}

export const CALIBRATION_SHAPES: Record<string, Shape> = {
  'cal-a': { hw: 30, c: 16, stemC: 8, expand: 3, k: 3, fc: 11 },
  'cal-f': { hw: 56, c: 8, stemC: 4, expand: 6, k: 3, fc: 16, inC: 1, kernel: [10, 4] },
};

// ---------------------------------------------------------------------------------------------------------------
// Branch graphs

/**
 * Depthwise k x k, stride s on an h x w x c plane made by a 1x1 conv from `from` channels, then optionally a 1x1 to
 * `to`; `keep` makes the plane a graph output too, so the depthwise cannot run in place (depthwise_conv2d_3x3 or
 * depthwise_conv2d instead of depthwise_conv2d_inplace).
 */
interface DwBranch { h: number; w: number; c: number; from: number; to?: number; keep?: boolean; k: number; s: number }
/** CONV_2D of kernel k (square or [kH, kW]) and stride s on an h x w x inC input. */
interface ConvBranch { h: number; w: number; inC: number; outC: number; k: number | [number, number]; s: number }

/** Planes per depthwise variant: tiny planes with many channels to large planes with few, odd sizes and odd counts. */
const DW_PLANES: [number, number, number, number, number?, boolean?][] = [
  // h, w, c, from, to, keep
  [2, 2, 360, 32, 48], [2, 2, 120, 24], [3, 3, 240, 16, 40], [3, 3, 52, 8, 0, true], [4, 4, 200, 24, 24], [4, 4, 36, 8],
  [5, 5, 144, 16], [6, 6, 96, 16, 32], [7, 7, 72, 12, 0, true], [8, 8, 60, 8, 16], [9, 9, 40, 8], [10, 10, 28, 8],
  [12, 12, 48, 8, 24], [14, 14, 20, 4, 0, true], [16, 16, 36, 8], [20, 20, 12, 4, 8], [24, 24, 16, 4], [28, 28, 8, 4],
  [32, 32, 12, 4], [40, 40, 8, 4], [22, 6, 64, 8], [11, 17, 24, 8],
];
/** Kernel size and stride of each depthwise variant, and the largest plane (pixels) it runs on (bounds QEMU time). */
const DW_VARIANTS: { k: number; s: number; maxPixels: number }[] = [
  { k: 3, s: 1, maxPixels: 1600 }, { k: 3, s: 2, maxPixels: 1600 },
  { k: 5, s: 1, maxPixels: 200 }, { k: 5, s: 2, maxPixels: 784 },
  { k: 7, s: 1, maxPixels: 132 }, { k: 7, s: 2, maxPixels: 576 },
];

function dwGraph(name: string, planes: DwBranch[]): Graph {
  const b = new GraphBuilder(name, name);
  const outs = planes.map((p, i) => {
    const x = b.input(`in${i}`, [1, p.h, p.w, p.from]);
    const e = b.conv(`expand${i}`, x, p.c, 1, 1, 'RELU6');
    const d = b.depthwise(`dw${i}`, e, p.k, p.s, 'RELU6');
    const y = p.to ? b.conv(`project${i}`, d, p.to, 1, 1, 'NONE') : d;
    return p.keep ? [e, y] : [y];
  });
  b.finish(outs.flat());
  return finish(b, name);
}

/** Expand -> depthwise -> project blocks (h, w, from, expanded c, k, s, to): run fused, they calibrate inverted_residual. */
const FUSED_BLOCKS: [number, number, number, number, number, number, number][] = [
  [2, 2, 40, 240, 3, 1, 40], [3, 3, 24, 144, 3, 1, 32], [4, 4, 16, 96, 3, 2, 24], [5, 5, 20, 60, 5, 1, 20], [6, 6, 12, 72, 3, 1, 12],
  [7, 7, 16, 48, 7, 1, 16], [8, 8, 8, 48, 3, 2, 16], [10, 10, 8, 24, 3, 1, 8], [12, 12, 4, 24, 5, 2, 8], [14, 14, 8, 16, 3, 1, 8],
  [16, 16, 4, 16, 3, 2, 12], [9, 9, 12, 36, 7, 2, 12],
];

function fusedGraph(name: string): Graph {
  const b = new GraphBuilder(name, name);
  const outs = FUSED_BLOCKS.map(([h, w, from, c, k, s, to], i) => {
    const e = b.conv(`expand${i}`, b.input(`in${i}`, [1, h, w, from]), c, 1, 1, 'RELU6');
    return b.conv(`project${i}`, b.depthwise(`dw${i}`, e, k, s, 'RELU6'), to, 1, 1, 'NONE');
  });
  b.finish(outs);
  return finish(b, name);
}

/** conv2d_simd (3x3 stride 1 and 2, 1x1 stride 2), conv2d_narrow (rows of <= 4 bytes) and plain 1x1 layers. */
const CONV_BRANCHES: ConvBranch[] = [
  // 3x3 stride 1 (conv2d_simd), stems of 2-3 channels and inner layers
  { h: 24, w: 24, inC: 3, outC: 16, k: 3, s: 1 }, { h: 20, w: 20, inC: 3, outC: 8, k: 3, s: 1 }, { h: 14, w: 14, inC: 8, outC: 16, k: 3, s: 1 },
  { h: 10, w: 10, inC: 16, outC: 16, k: 3, s: 1 }, { h: 18, w: 18, inC: 12, outC: 8, k: 3, s: 1 }, { h: 6, w: 6, inC: 32, outC: 32, k: 3, s: 1 },
  { h: 8, w: 8, inC: 24, outC: 40, k: 3, s: 1 }, { h: 5, w: 5, inC: 64, outC: 32, k: 3, s: 1 }, { h: 4, w: 4, inC: 96, outC: 40, k: 3, s: 1 },
  { h: 11, w: 11, inC: 20, outC: 24, k: 3, s: 1 }, { h: 5, w: 7, inC: 48, outC: 36, k: 3, s: 1 }, { h: 3, w: 3, inC: 128, outC: 48, k: 3, s: 1 },
  // 3x3 stride 2
  { h: 44, w: 44, inC: 3, outC: 12, k: 3, s: 2 }, { h: 48, w: 48, inC: 3, outC: 8, k: 3, s: 2 }, { h: 60, w: 60, inC: 3, outC: 8, k: 3, s: 2 },
  { h: 36, w: 36, inC: 3, outC: 24, k: 3, s: 2 }, { h: 33, w: 33, inC: 3, outC: 16, k: 3, s: 2 }, { h: 22, w: 22, inC: 16, outC: 32, k: 3, s: 2 },
  { h: 24, w: 24, inC: 8, outC: 16, k: 3, s: 2 }, { h: 12, w: 12, inC: 32, outC: 48, k: 3, s: 2 }, { h: 15, w: 15, inC: 24, outC: 24, k: 3, s: 2 },
  { h: 10, w: 10, inC: 48, outC: 40, k: 3, s: 2 }, { h: 7, w: 7, inC: 64, outC: 64, k: 3, s: 2 }, { h: 9, w: 11, inC: 36, outC: 48, k: 3, s: 2 },
  { h: 56, w: 56, inC: 2, outC: 8, k: 3, s: 2 },
  // large planes beyond the stems (so that plane size and channel count are not confounded)
  { h: 40, w: 40, inC: 8, outC: 16, k: 3, s: 2 }, { h: 34, w: 34, inC: 16, outC: 12, k: 3, s: 2 }, { h: 30, w: 30, inC: 24, outC: 8, k: 3, s: 2 },
  { h: 28, w: 28, inC: 8, outC: 8, k: 3, s: 1 }, { h: 26, w: 26, inC: 16, outC: 4, k: 3, s: 1 },
  // 1x1 stride 2
  { h: 30, w: 30, inC: 16, outC: 32, k: 1, s: 2 }, { h: 16, w: 16, inC: 32, outC: 56, k: 1, s: 2 }, { h: 24, w: 24, inC: 8, outC: 16, k: 1, s: 2 },
  { h: 12, w: 12, inC: 48, outC: 64, k: 1, s: 2 }, { h: 20, w: 20, inC: 24, outC: 36, k: 1, s: 2 }, { h: 9, w: 9, inC: 64, outC: 128, k: 1, s: 2 },
  { h: 8, w: 8, inC: 96, outC: 96, k: 1, s: 2 }, { h: 40, w: 40, inC: 8, outC: 24, k: 1, s: 2 }, { h: 14, w: 10, inC: 40, outC: 20, k: 1, s: 2 },
  // conv2d_narrow: one input channel
  { h: 49, w: 10, inC: 1, outC: 40, k: [10, 4], s: 2 }, { h: 30, w: 8, inC: 1, outC: 32, k: [10, 4], s: 2 }, { h: 25, w: 6, inC: 1, outC: 72, k: [10, 4], s: 2 },
  { h: 61, w: 13, inC: 1, outC: 16, k: [10, 4], s: 2 }, { h: 36, w: 9, inC: 1, outC: 24, k: [10, 4], s: 2 }, { h: 44, w: 11, inC: 1, outC: 12, k: [10, 4], s: 2 },
  { h: 30, w: 30, inC: 1, outC: 12, k: [5, 3], s: 2 }, { h: 24, w: 24, inC: 1, outC: 16, k: 3, s: 1 }, { h: 28, w: 28, inC: 1, outC: 8, k: 4, s: 2 },
  // 1x1 stride 1 (conv2d_1x1): large and odd channel counts on small planes
  { h: 2, w: 2, inC: 120, outC: 1200, k: 1, s: 1 }, { h: 2, w: 2, inC: 352, outC: 96, k: 1, s: 1 }, { h: 3, w: 3, inC: 256, outC: 200, k: 1, s: 1 },
  { h: 4, w: 4, inC: 336, outC: 56, k: 1, s: 1 }, { h: 1, w: 1, inC: 320, outC: 640, k: 1, s: 1 }, { h: 5, w: 5, inC: 20, outC: 120, k: 1, s: 1 },
  { h: 7, w: 7, inC: 160, outC: 30, k: 1, s: 1 }, { h: 9, w: 9, inC: 44, outC: 17, k: 1, s: 1 }, { h: 16, w: 16, inC: 6, outC: 10, k: 1, s: 1 },
  { h: 3, w: 5, inC: 100, outC: 66, k: 1, s: 1 }, { h: 48, w: 48, inC: 4, outC: 8, k: 1, s: 1 }, { h: 20, w: 20, inC: 13, outC: 27, k: 1, s: 1 },
];

/** The conv branches, then FULLY_CONNECTED, SOFTMAX, AVERAGE_POOL_2D, MEAN and ADD branches, in one graph. */
function layerGraph(name: string, branches: ConvBranch[]): Graph {
  const b = new GraphBuilder(name, name);
  const outs = branches.map((c, i) => b.conv(`conv${i}`, b.input(`in${i}`, [1, c.h, c.w, c.inC]), c.outC, c.k, c.s, 'RELU6'));
  outs.push(...vectorBranches(b));
  b.finish(outs);
  return finish(b, name);
}

/** FULLY_CONNECTED (depth, units), SOFTMAX depths, MEAN and global AVERAGE_POOL_2D planes, ADD sizes. */
const FC: [number, number][] = [
  [8, 120], [16, 64], [24, 10], [64, 14], [96, 200], [120, 136], [136, 8], [200, 50], [240, 960], [384, 500],
  [600, 128], [1280, 100], [32, 32], [48, 640], [100, 3], [1024, 16], [60, 2], [12, 33],
];
const SOFTMAX = [3, 5, 11, 14, 16, 32, 100, 256, 500, 960, 37];
const POOL: [number, number, number][] = [[24, 5, 64], [8, 8, 72], [3, 3, 240], [7, 7, 128], [4, 4, 320], [10, 2, 32], [14, 14, 16], [2, 2, 1200], [5, 5, 100]];
const ADD = [200, 300, 480, 700, 1100, 2500, 4000, 6000, 9000, 15000, 20000];

function vectorBranches(b: GraphBuilder): number[] {
  const outs: number[] = [];
  FC.forEach(([depth, units], i) => outs.push(b.fc(`fc${i}`, b.input(`fc_in${i}`, [1, depth]), units, i % 2 ? 'NONE' : 'RELU')));
  SOFTMAX.forEach((n, i) => outs.push(b.softmax(`softmax${i}`, b.input(`sm_in${i}`, [1, n]))));
  POOL.forEach(([h, w, c], i) => {
    outs.push(b.globalAvgPool(`pool${i}`, b.input(`pool_in${i}`, [1, h, w, c])));
    outs.push(b.mean(`mean${i}`, b.input(`mean_in${i}`, [1, w, h, c])));
  });
  ADD.forEach((n, i) => outs.push(b.add(`add${i}`, b.input(`add_a${i}`, [1, 1, 1, n]), b.input(`add_b${i}`, [1, 1, 1, n]), i % 2 ? 'RELU' : 'NONE')));
  return outs;
}

export type Alternative = 'patch' | 'fused' | 'not in place';

export interface CalibrationGraph {
  graph: Graph;
  /** Also count these schedules (for the kernels only they call: copy_2d, conv2d on tiles, inverted_residual, depthwise_conv2d_3x3 ...). */
  alternatives: Alternative[];
}

/** Which chains are also run patch-based, fused and not in place (enough layers of those kernels, in bounded time). */
const CHAIN_ALTERNATIVES: Record<string, Alternative[]> = { 'cal-a': ['patch', 'fused', 'not in place'], 'cal-f': ['patch'] };

/**
 * The calibration graphs. `light` (the Cortex-M0+, whose plain-C build runs ~2.5x the instructions) keeps every
 * other branch of the branch graphs and the chains with alternatives only, so that the whole calibration stays
 * within minutes; its graphs are named `<name>-light`.
 */
export function calibrationSet(o: { light?: boolean } = {}): CalibrationGraph[] {
  const light = !!o.light;
  const pick = <T>(xs: readonly T[]): T[] => (light ? xs.filter((_, i) => i % 2 === 0) : [...xs]);
  const name = (n: string) => (light ? `${n}-light` : n);
  const chains = Object.entries(CALIBRATION_SHAPES).filter(([n]) => !light || CHAIN_ALTERNATIVES[n]);
  const set: CalibrationGraph[] = chains.map(([n, s]) => ({ graph: chain(n, s), alternatives: CHAIN_ALTERNATIVES[n] ?? [] }));
  // Depthwise planes of every variant: 3x3 in one graph, 5x5 and 7x7 in another (fewer builds and QEMU starts).
  const planes = (ks: number[]) => DW_VARIANTS.filter((v) => ks.includes(v.k)).flatMap((v) =>
    pick(DW_PLANES.filter(([h, w]) => h * w <= v.maxPixels)).map(([h, w, c, from, to, keep]) => ({ h, w, c, from, to, keep, k: v.k, s: v.s })));
  set.push({ graph: dwGraph(name('cal-dw-k3'), planes([3])), alternatives: [] });
  set.push({ graph: dwGraph(name('cal-dw-k5-k7'), planes([5, 7])), alternatives: [] });
  set.push({ graph: fusedGraph('cal-fused'), alternatives: ['fused'] });
  // (every conv2d_narrow branch even when light: they are few)
  set.push({ graph: layerGraph(name('cal-layers'), CONV_BRANCHES.filter((c, i) => !light || i % 2 === 0 || c.inC === 1)), alternatives: [] });
  return set;
}

export function calibrationGraphs(): Graph[] {
  return calibrationSet().map((c) => c.graph);
}

/** Zoo models held out of the calibration (small enough for QEMU runs of seconds). */
export const HELD_OUT_MODELS = ['mlperf-ad', 'mlperf-kws', 'mlperf-ic', 'mlperf-vww', 'mbv2-w0.35-r64', 'proxyless-w0.3-r64', 'mbv1-w0.25-r96'];

/** Arguments that make a layer's shape (not its data, quantisation or placement). */
const SHAPE_ARGS = ['in_h', 'in_w', 'in_c', 'out_h', 'out_w', 'out_c', 'k_h', 'k_w', 'stride_h', 'stride_w', 'pad_top', 'pad_left', 'dilation_h', 'dilation_w',
  'depth_multiplier', 'expand_c', 'filter_h', 'filter_w', 'rows', 'depth', 'units', 'channels', 'pixels', 'outer', 'size', 'bytes', 'row_bytes'];

/** A step's kernel and shape, e.g. `conv2d_1x1 in_h=2 in_w=2 ...`: equal signatures mean the same layer shape. */
export function shapeSignature(st: { kernel: string; args: readonly { name: string; value?: number }[] }): string {
  const parts = SHAPE_ARGS.flatMap((n) => {
    const a = st.args.find((x) => x.name === n);
    return a && a.value !== undefined ? [`${n}=${a.value}`] : [];
  });
  return [st.kernel, ...parts].join(' ');
}
