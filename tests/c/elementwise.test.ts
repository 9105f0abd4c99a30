// C twins of the elementwise kernels: add, mul, quantize, quantize_int8, dequantize, softmax.
// Every case runs in WebAssembly and in C (sanitizer and -O3 builds) on the same memory image; all bytes must agree.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { binaryGraph, binaryInputs, randomBinaryCase } from '../helpers/binary-cases.ts';
import { jobsFor, oneOp, q8 } from '../helpers/c-cases.ts';
import { expectKernel, once, runBatch } from '../helpers/c-kernels.ts';
import { Rng } from '../helpers/rng.ts';
import { opDef } from '../../runtime/ops/index.ts';
import type { Graph } from '../../models/ir.ts';

const CASES = 220;

function shape(r: Rng): number[] {
  const rank = r.int(1, 4);
  return Array.from({ length: rank }, () => r.int(1, rank > 2 ? 6 : 24));
}

function binaryCase(kind: 'ADD' | 'MUL', r: Rng) {
  const c = randomBinaryCase(r, kind === 'ADD'
    ? (a, b) => Math.fround(Math.max(a, b) * 10 ** (4 * r.next() - 2.5))
    : (a, b) => Math.fround((a * b) / 10 ** (6.5 * r.next() - 5)));
  const g = binaryGraph(kind, c, []);
  g.tensors[2].shape = opDef(kind, 'case').outputShapes(g, g.ops[0], 'case')[0];
  return { graph: g, inputs: binaryInputs(c), what: `[${c.aShape}] ${kind} [${c.bShape}]` };
}

/** A float that is awkward to round: halfway points, their neighbours, huge values, NaN and infinities. */
function awkwardFloat(r: Rng, scale: number): number {
  const kind = r.int(0, 9);
  const f = new Float32Array(1);
  const bits = new Int32Array(f.buffer);
  if (kind <= 3) return Math.fround((r.next() - 0.5) * 400 * scale);
  if (kind <= 6) {
    f[0] = (r.int(-140, 140) + 0.5) * scale;
    if (kind > 4 && f[0] !== 0) bits[0] += kind === 5 ? 1 : -1;
    return f[0];
  }
  if (kind === 7) return r.pick([0, -0, Infinity, -Infinity, NaN, 1e30, -1e30, 3e9, -3e9, 1e-40, 8388607.5, -8388608.5]);
  return Math.fround((r.next() - 0.5) * 10 ** r.int(-6, 8));
}

function quantizeCase(r: Rng) {
  const s = shape(r);
  const n = s.reduce((a, b) => a * b, 1);
  const scale = r.scale(1e-4, 10);
  const graph = oneOp('QUANTIZE', [{ name: 'x', shape: s, dtype: 'float32' }], [0], {}, { scale, zp: r.int(-128, 127) });
  return { graph, inputs: [Float32Array.from({ length: n }, () => awkwardFloat(r, scale))], what: `[${s}] scale ${scale}` };
}

function requantizeCase(r: Rng) {
  const s = shape(r);
  const inScale = r.scale(1e-3, 1);
  const graph = oneOp('QUANTIZE', [q8('x', s, inScale, r.int(-128, 127))], [0], {}, { scale: Math.fround(inScale * 10 ** (6 * r.next() - 3)), zp: r.int(-128, 127) });
  return { graph, what: `[${s}]` };
}

function dequantizeCase(r: Rng) {
  const s = shape(r);
  const graph = oneOp('DEQUANTIZE', [q8('x', s, r.scale(1e-6, 100), r.int(-128, 127))], [0], {}, { dtype: 'float32' });
  return { graph, what: `[${s}]` };
}

function softmaxCase(r: Rng) {
  const depth = r.pick([1, 2, 3, 4, 5, 8, 10, 16, 31, 64, 100, 255, 300, 1000]);
  const outer = r.int(1, depth > 64 ? 2 : 6);
  const beta = r.next() < 0.7 ? 1 : r.scale(0.05, 4);
  // From just above TFLite's lower limit (beta * scale * 2^26 > 1) to past the multiplier cap (left shift 31).
  const inScale = Math.fround(Math.max(r.scale(1e-8, 60), 2 / (beta * 2 ** 26)));
  const input = new Int8Array(outer * depth);
  const pattern = r.int(0, 3);
  const top = r.int(-128, 127);
  const spread = r.pick([1, 3, 10, 40, 255]);
  for (let i = 0; i < input.length; i++) {
    if (pattern === 0) input[i] = r.int(-128, 127);
    else if (pattern === 1) input[i] = Math.max(-128, top - r.int(0, spread));
    else if (pattern === 2) input[i] = r.next() < 0.5 ? top : Math.max(-128, top - r.int(0, spread));
    else input[i] = i % depth === 0 ? 127 : r.int(-128, -100);
  }
  const graph: Graph = oneOp('SOFTMAX', [q8('x', [outer, depth], inScale, r.int(-128, 127))], [0], { beta }, { scale: 1 / 256, zp: -128 });
  return { graph, inputs: [input], what: `${outer}x${depth} scale ${inScale} beta ${beta}` };
}

const batch = once(async () => {
  const r = new Rng(20240502);
  const jobs = [
    ...(await jobsFor(r, ['add'], CASES, (rr) => binaryCase('ADD', rr))),
    ...(await jobsFor(r, ['mul'], CASES, (rr) => binaryCase('MUL', rr))),
    ...(await jobsFor(r, ['quantize'], CASES, quantizeCase)),
    ...(await jobsFor(r, ['quantize_int8'], CASES, requantizeCase)),
    ...(await jobsFor(r, ['dequantize'], CASES, dequantizeCase)),
    ...(await jobsFor(r, ['softmax'], CASES, softmaxCase)),
  ];
  return runBatch(jobs);
});

for (const kernel of ['add', 'mul', 'quantize', 'quantize_int8', 'dequantize', 'softmax']) {
  test(`${kernel}: C equals WebAssembly byte for byte on ${CASES} random cases`, async () => {
    expectKernel(await batch(), kernel, CASES, assert);
  });
}

test.run();
