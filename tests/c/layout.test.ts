// C twins of the data-movement and reduction kernels: concatenation, copy, copy_2d (patch schedules), pad,
// transpose, strided_slice, resize_nearest_neighbor, average_pool2d, max_pool2d, mean.
// Every case runs in WebAssembly and in C (sanitizer and -O3 builds) on the same memory image; all bytes must agree.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DType, Tensor } from '../../models/ir.ts';
import { jobsFor, oneOp, q8 } from '../helpers/c-cases.ts';
import { cMachine, expectKernel, makeJob, once, randomBytes, runBatch, type Job } from '../helpers/c-kernels.ts';
import { convChain } from '../helpers/graphs.ts';
import { poolGraph, randomPoolCase } from '../helpers/pool-cases.ts';
import { Rng } from '../helpers/rng.ts';
import { opDef } from '../../runtime/ops/index.ts';

const CASES = 220;

function concatenationCase(r: Rng) {
  const dtype: DType = r.next() < 0.7 ? 'int8' : r.pick(['int32', 'float32']);
  const rank = r.int(1, 4);
  const base = Array.from({ length: rank }, () => r.int(1, 5));
  const axis = r.int(0, rank - 1);
  const n = r.int(1, 10);
  const scale = r.scale(1e-3, 1);
  const zp = r.int(-128, 127);
  const tensors: Tensor[] = Array.from({ length: n }, (_, i) => {
    const shape = base.map((d, k) => (k === axis ? r.int(1, 4) : d));
    const count = shape.reduce((a, b) => a * b, 1);
    // A few constant inputs (read from Flash), never all of them: a graph needs an input.
    const data = i > 0 && r.next() < 0.2
      ? dtype === 'int8' ? r.int8s(count) : dtype === 'int32' ? Int32Array.from({ length: count }, () => r.int(-(2 ** 31), 2 ** 31 - 1)) : Float32Array.from({ length: count }, () => r.next())
      : undefined;
    return { name: `x${i}`, shape, dtype, ...(dtype === 'int8' ? { quant: { scale: [scale], zeroPoint: [zp], axis: 0 } } : {}), ...(data ? { data } : {}) };
  });
  const graph = oneOp('CONCATENATION', tensors, tensors.map((_, i) => i), { axis: r.next() < 0.2 ? axis - rank : axis, activation: 'NONE' }, { dtype, scale, zp });
  return { graph, what: `${n} x ${dtype} [${base}] axis ${axis}` };
}

function padCase(r: Rng) {
  const rank = r.int(1, 4);
  const shape = Array.from({ length: rank }, () => r.int(1, 6));
  const paddings = shape.map(() => [r.pick([0, 0, 1, 2, 3]), r.pick([0, 0, 1, 2, 3])] as [number, number]);
  const graph = oneOp('PAD', [q8('x', shape, r.scale(1e-3, 1), r.int(-128, 127))], [0], { paddings }, { scale: r.scale(1e-3, 1), zp: r.int(-128, 127) });
  return { graph, what: `[${shape}] pad ${JSON.stringify(paddings)}` };
}

function poolCase(kind: 'AVERAGE_POOL_2D' | 'MAX_POOL_2D', r: Rng) {
  const c = randomPoolCase(r);
  const g = poolGraph(kind, c, []);
  g.tensors[1].shape = opDef(kind, 'case').outputShapes(g, g.ops[0], 'case')[0];
  return { graph: g, inputs: [c.input], what: `[${c.inShape}] ${c.filterH}x${c.filterW}/${c.strideH},${c.strideW} ${c.padding}` };
}

function meanCase(r: Rng) {
  const H = r.pick([1, 2, 3, 4, 5, 7, 8, 12, 15]);
  const W = r.next() < 0.6 ? H : r.int(1, 15);
  const C = r.int(1, 40);
  const inScale = r.scale(1e-3, 1);
  const inZp = r.int(-128, 127);
  const kind = r.next();
  // Identical quantisation (truncating division) or a rescale over a wide range, tiny ratios included.
  const outScale = kind < 0.4 ? inScale : Math.fround(inScale * 10 ** (r.next() < 0.15 ? 2.5 * r.next() + 7 : 2.5 * r.next() - 1.5));
  const outZp = kind < 0.4 ? inZp : r.int(-128, 127);
  const keepDims = r.next() < 0.5;
  const graph = oneOp('MEAN', [q8('x', [1, H, W, C], inScale, inZp)], [0], { axes: [1, 2], keepDims }, { scale: outScale, zp: outZp });
  return { graph, what: `${H}x${W}x${C}${kind < 0.4 ? ' same quantisation' : ''}` };
}

function transposeCase(r: Rng) {
  const rank = r.int(1, 5);
  const shape = Array.from({ length: rank }, () => r.int(1, rank > 3 ? 4 : 7));
  const perm = shape.map((_, i) => i);
  for (let i = rank - 1; i > 0; i--) {
    const j = r.int(0, i);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const scale = r.scale(1e-3, 1);
  const zp = r.int(-128, 127);
  const graph = oneOp('TRANSPOSE', [q8('x', shape, scale, zp)], [0], { perm }, { scale, zp });
  return { graph, what: `[${shape}] perm [${perm}]` };
}

function stridedSliceCase(r: Rng) {
  const rank = r.int(1, 5);
  const shape = Array.from({ length: rank }, () => r.int(1, rank > 3 ? 5 : 8));
  const begin: number[] = [];
  const end: number[] = [];
  const strides: number[] = [];
  let shrinkAxisMask = 0;
  shape.forEach((size, d) => {
    const b = r.int(0, size - 1);
    if (r.next() < 0.15) {
      shrinkAxisMask |= 1 << d;
      begin.push(b); end.push(b + 1); strides.push(1);
    } else if (r.next() < 0.3 && b > 0) {
      begin.push(b); strides.push(-r.int(1, 3)); end.push(r.int(-1, b - 1));
    } else {
      begin.push(b); strides.push(r.pick([1, 1, 2, 3])); end.push(r.int(b + 1, size));
    }
  });
  if (shrinkAxisMask === 2 ** rank - 1) shrinkAxisMask = 0; // keep at least one dimension
  const scale = r.scale(1e-3, 1);
  const zp = r.int(-128, 127);
  const graph = oneOp('STRIDED_SLICE', [q8('x', shape, scale, zp)], [0], { begin, end, strides, shrinkAxisMask }, { scale, zp });
  return { graph, what: `[${shape}] begin [${begin}] end [${end}] strides [${strides}]` };
}

function resizeCase(r: Rng) {
  const shape = [r.int(1, 2), r.int(1, 7), r.int(1, 7), r.int(1, 5)];
  const alignCorners = r.next() < 0.3;
  const halfPixelCenters = !alignCorners && r.next() < 0.5;
  const outH = r.int(1, 16);
  const outW = r.next() < 0.5 ? outH : r.int(1, 16);
  const scale = r.scale(1e-3, 1);
  const zp = r.int(-128, 127);
  const graph = oneOp('RESIZE_NEAREST_NEIGHBOR', [q8('x', shape, scale, zp)], [0], { outH, outW, alignCorners, halfPixelCenters }, { scale, zp });
  return { graph, what: `[${shape}] -> ${outH}x${outW}${alignCorners ? ' align' : ''}${halfPixelCenters ? ' half' : ''}` };
}

/** A chain of convolutions run patch by patch: tiles are cropped and pasted with copy_2d. */
function patchCase(r: Rng) {
  const channels = Array.from({ length: r.int(3, 4) }, () => r.int(1, 8));
  const graph = convChain(r.int(6, 14), channels, r.int(1, 1000));
  return { graph, what: `conv chain [${channels}]`, options: { schedule: 'patch' as const, patches: r.int(2, 3) } };
}

/** copy with source and destination apart, overlapping either way, or equal (memmove semantics), plus a few
 * RESHAPE steps as the op table lowers them (output aliased onto the input: nothing moves). */
async function copyJobs(r: Rng): Promise<Job[]> {
  const m = await cMachine();
  const jobs: Job[] = [];
  for (let i = 0; i < CASES; i++) {
    const size = r.int(16, 2048);
    const bytes = r.int(0, size >> 1);
    const src = r.int(0, size - bytes);
    const dst = r.next() < 0.03 ? src : r.next() < 0.4 ? Math.max(0, Math.min(size - bytes, src + r.int(-bytes, bytes))) : r.int(0, size - bytes);
    const fromFlash = r.next() < 0.2;
    const flash = randomBytes(r, size);
    const segments = [{ name: 'arena', base: 0, bytes: randomBytes(r, size) }, { name: 'flash', base: m.flashBase, bytes: flash }];
    jobs.push(await makeJob(`copy #${i} ${bytes} bytes ${fromFlash ? 'flash' : 'arena'} ${src} -> ${dst}`, segments,
      [{ kernel: 'copy', args: [{ value: fromFlash ? m.flashBase + src : src }, { value: dst }, { value: bytes }] }]));
  }
  return jobs;
}

const batch = once(async () => {
  const r = new Rng(20240503);
  const jobs = [
    ...(await jobsFor(r, ['concatenation'], CASES, concatenationCase)),
    ...(await jobsFor(r, ['pad'], CASES, padCase)),
    ...(await jobsFor(r, ['average_pool2d'], CASES, (rr) => poolCase('AVERAGE_POOL_2D', rr))),
    ...(await jobsFor(r, ['max_pool2d'], CASES, (rr) => poolCase('MAX_POOL_2D', rr))),
    ...(await jobsFor(r, ['mean'], CASES, meanCase)),
    ...(await copyJobs(r)),
    ...(await jobsFor(r, ['transpose'], CASES, transposeCase)),
    ...(await jobsFor(r, ['strided_slice'], CASES, stridedSliceCase)),
    ...(await jobsFor(r, ['resize_nearest_neighbor'], CASES, resizeCase)),
    ...(await jobsFor(r, ['copy_2d'], CASES, patchCase)),
    // RESHAPE through the op table: checks copy's argument names against kernels.json (the output aliases the input).
    ...(await jobsFor(r, ['copy'], 5, (rr) => ({ graph: oneOp('RESHAPE', [q8('x', [2, 3, 4], 0.1, 0), { name: 's', shape: [2], dtype: 'int32', data: Int32Array.of(6, -1) }], [0, 1], {}, { scale: 0.1 }), inputs: [rr.int8s(24)] })))
      .map((j) => ({ ...j, label: j.label.replace('copy #', 'reshape #') })),
  ];
  return runBatch(jobs);
});

for (const kernel of ['concatenation', 'pad', 'average_pool2d', 'max_pool2d', 'mean', 'copy', 'reshape', 'transpose', 'strided_slice', 'resize_nearest_neighbor', 'copy_2d']) {
  const min = kernel === 'reshape' ? 5 : CASES;
  test(`${kernel}: C equals WebAssembly byte for byte on ${min}+ random cases`, async () => {
    const result = await batch();
    if (kernel !== 'reshape') return expectKernel(result, kernel, min, assert);
    // Aliased RESHAPE moves nothing: only the agreement matters.
    if (result.skipped) return console.log(`\n  reshape: ${result.skipped}`);
    for (const kind of ['sanitize', 'optimize'] as const) assert.equal(result.failures[kind].filter((f) => f.startsWith('reshape #')), []);
  });
}

test.run();
