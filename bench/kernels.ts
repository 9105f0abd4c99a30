// Kernel throughput: single-operator graphs shaped like MobileNetV2-0.35 and ResNet-8 (mlperf-ic) layers, run through
// the executor on a Machine many times; prints GMAC/s per kernel. Usage: tsx bench/kernels.ts (after npm run build:asm).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Graph, Tensor } from '../models/ir.ts';
import { runSchedule } from '../runtime/executor.ts';
import { kernelsModule } from '../runtime/kernels-node.ts';
import { Machine } from '../runtime/machine.ts';
import { buildSchedule } from '../runtime/schedule.ts';
import { findDevice } from '../simulator/devices.ts';

export interface KernelBenchRow { name: string; kernel: string; macs: number; ms: number; gmacs: number }

let seed = 12345;
function int8s(n: number): Int8Array {
  const a = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    a[i] = (seed >>> 16) & 0xff;
  }
  return a;
}

const act = (name: string, shape: number[], scale: number, zp: number): Tensor =>
  ({ name, shape, dtype: 'int8', quant: { scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 } });
const weights = (shape: number[], channels: number, axis: number): Tensor =>
  ({ name: 'w', shape, dtype: 'int8', data: int8s(shape.reduce((a, b) => a * b, 1)), quant: { scale: Array(channels).fill(Math.fround(0.004)), zeroPoint: Array(channels).fill(0), axis } });
const bias = (n: number): Tensor => ({ name: 'b', shape: [n], dtype: 'int32', data: Int32Array.from({ length: n }, (_, i) => (i * 7919) % 2001 - 1000) });

function pointwise(hw: number, cin: number, cout: number): Graph {
  return {
    name: `conv1x1 ${hw}x${hw}x${cin}->${cout}`,
    tensors: [act('x', [1, hw, hw, cin], 0.05, -3), weights([cout, 1, 1, cin], cout, 0), bias(cout), act('y', [1, hw, hw, cout], 0.2, 5)],
    ops: [{ kind: 'CONV_2D', name: 'pw', inputs: [0, 1, 2], outputs: [3], options: { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'SAME', activation: 'RELU6' } }],
    inputs: [0], outputs: [3],
  };
}

function conv(hw: number, cin: number, cout: number, k: number, stride: number): Graph {
  const out = Math.ceil(hw / stride);
  return {
    name: `conv${k}x${k}/s${stride} ${hw}x${hw}x${cin}->${cout}`,
    tensors: [act('x', [1, hw, hw, cin], 0.02, -1), weights([cout, k, k, cin], cout, 0), bias(cout), act('y', [1, out, out, cout], 0.2, 5)],
    ops: [{ kind: 'CONV_2D', name: 'conv', inputs: [0, 1, 2], outputs: [3], options: { strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, padding: 'SAME', activation: 'RELU6' } }],
    inputs: [0], outputs: [3],
  };
}

function depthwise(hw: number, c: number, stride: number, k = 3): Graph {
  const out = Math.ceil(hw / stride);
  return {
    name: `depthwise ${k}x${k}/s${stride} ${hw}x${hw}x${c}`,
    tensors: [act('x', [1, hw, hw, c], 0.05, -3), weights([1, k, k, c], c, 3), bias(c), act('y', [1, out, out, c], 0.1, 2)],
    ops: [{ kind: 'DEPTHWISE_CONV_2D', name: 'dw', inputs: [0, 1, 2], outputs: [3], options: { strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, padding: 'SAME', activation: 'RELU6', depthMultiplier: 1 } }],
    inputs: [0], outputs: [3],
  };
}

function fullyConnected(depth: number, units: number): Graph {
  return {
    name: `fully_connected ${depth}->${units}`,
    tensors: [act('x', [1, depth], 0.05, -3), weights([units, depth], 1, 0), bias(units), act('y', [1, units], 0.3, 1)],
    ops: [{ kind: 'FULLY_CONNECTED', name: 'fc', inputs: [0, 1, 2], outputs: [3], options: { activation: 'NONE' } }],
    inputs: [0], outputs: [3],
  };
}

export const KERNEL_BENCH_GRAPHS: (() => Graph)[] = [
  () => pointwise(18, 96, 32),
  () => depthwise(36, 96, 1),
  () => pointwise(72, 8, 48),
  () => pointwise(18, 16, 96),
  () => pointwise(5, 112, 1280),
  () => depthwise(36, 48, 2),
  () => depthwise(18, 96, 1, 5),
  () => fullyConnected(1280, 1000),
  () => conv(144, 3, 16, 3, 2), // MobileNetV2 stem
  () => conv(32, 16, 16, 3, 1), // ResNet-8 (mlperf-ic) stage 1
  () => conv(8, 64, 64, 3, 1), // ResNet-8 stage 3: small image, many border pixels
  () => depthwise(9, 144, 1),
  () => depthwise(5, 336, 1),
];

/**
 * Runs each graph through the executor repeatedly for about `seconds`, in 20 batches, and reports MACs, the median
 * batch's ms per run and GMAC/s (the median keeps other processes on a shared machine from skewing the figure).
 */
export async function benchKernels(seconds = 0.5): Promise<KernelBenchRow[]> {
  const machine = await Machine.create({ ...findDevice('stm32h743'), name: 'bench', sramBytes: 4 << 20, flashBytes: 4 << 20 }, kernelsModule());
  const rows: KernelBenchRow[] = [];
  for (const make of KERNEL_BENCH_GRAPHS) {
    const g = make();
    const s = buildSchedule(g);
    const inputs = [int8s(g.tensors[g.inputs[0]].shape.reduce((a, b) => a * b, 1))];
    const run = () => runSchedule(s, machine, inputs);
    let start = performance.now();
    let warm = 0;
    while (performance.now() - start < 50 || warm < 5) { run(); warm++; } // tier-up to optimised code
    const perBatch = Math.max(1, Math.round((warm * seconds * 1000) / 20 / (performance.now() - start)));
    const batches: number[] = [];
    for (let b = 0; b < 20; b++) {
      start = performance.now();
      for (let i = 0; i < perBatch; i++) run();
      batches.push((performance.now() - start) / perBatch);
    }
    batches.sort((a, b) => a - b);
    const ms = batches[10];
    rows.push({ name: g.name, kernel: s.steps[0].kernel, macs: s.macs, ms, gmacs: s.macs / (ms * 1e6) });
  }
  return rows;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`kernel throughput through the executor (single thread, Node ${process.version}, median of 20 batches)`);
  for (const r of await benchKernels()) {
    console.log(`${r.name.padEnd(34)} ${r.kernel.padEnd(22)} ${(r.macs / 1e6).toFixed(2).padStart(6)} MMAC ${r.ms.toFixed(3).padStart(8)} ms ${r.gmacs.toFixed(2).padStart(6)} GMAC/s`);
  }
}
