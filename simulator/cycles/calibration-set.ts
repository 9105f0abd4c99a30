// The calibration set of the cycle model: chains of single layers of many shapes, built with the zoo's graph
// builder and calibrated like zoo models. Each step's count is exact on its own (the counting harness reads the
// timer around every step), so a chain is just a cheap way to measure many layer shapes in one QEMU run.
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
  const inputs = [0, 1].map((k) => b.graph.inputs.map((t) => syntheticSignal(b.graph.tensors[t].shape, hashString(`${name}#${k}`))));
  return calibrate(b, inputs);
}

export const CALIBRATION_SHAPES: Record<string, Shape> = {
  'cal-a': { hw: 32, c: 16, stemC: 8, expand: 3, k: 3, fc: 10 },
  'cal-b': { hw: 48, c: 24, stemC: 16, expand: 4, k: 5, fc: 32 },
  'cal-c': { hw: 24, c: 64, stemC: 24, expand: 6, k: 3, fc: 100 },
  'cal-d': { hw: 40, c: 32, stemC: 12, expand: 2, k: 7, fc: 64, inC: 1, kernel: [5, 3] },
  'cal-e': { hw: 16, c: 96, stemC: 32, expand: 4, k: 3, fc: 256 },
  'cal-f': { hw: 56, c: 8, stemC: 4, expand: 6, k: 3, fc: 16, inC: 1, kernel: [10, 4] },
};

export function calibrationGraphs(): Graph[] {
  return Object.entries(CALIBRATION_SHAPES).map(([name, s]) => chain(name, s));
}

/** Zoo models held out of the calibration (small enough for QEMU runs of seconds). */
export const HELD_OUT_MODELS = ['mlperf-ad', 'mlperf-kws', 'mlperf-ic', 'mlperf-vww', 'mbv2-w0.35-r64', 'proxyless-w0.3-r64', 'mbv1-w0.25-r96'];
