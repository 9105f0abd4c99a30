// C twins of sub, maximum, minimum, logistic, tanh, hard_swish and leaky_relu.
// Every case runs in WebAssembly and in C (sanitizer and -O3 builds) on the same memory image; all bytes must agree.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph, OpKind } from '../../models/ir.ts';
import { opDef } from '../../runtime/ops/index.ts';
import { binaryGraph, binaryInputs, randomBinaryCase } from '../helpers/binary-cases.ts';
import { jobsFor, oneOp, q8 } from '../helpers/c-cases.ts';
import { expectKernel, once, runBatch } from '../helpers/c-kernels.ts';
import { Rng } from '../helpers/rng.ts';

const CASES = 220;

function shape(r: Rng): number[] {
  const rank = r.int(1, 4);
  return Array.from({ length: rank }, () => r.int(1, rank > 2 ? 6 : 24));
}

function binaryCase(kind: 'SUB' | 'MAXIMUM' | 'MINIMUM', r: Rng) {
  const c = randomBinaryCase(r, (a, b) => Math.fround(Math.max(a, b) * 10 ** (4 * r.next() - 2.5)));
  if (kind !== 'SUB') Object.assign(c, { bScale: c.aScale, bZp: c.aZp, outScale: c.aScale, outZp: c.aZp, activation: 'NONE' });
  const g = binaryGraph(kind as unknown as 'ADD', c, []);
  g.ops[0].kind = kind;
  g.tensors[2].shape = opDef(kind, 'case').outputShapes(g, g.ops[0], 'case')[0];
  return { graph: g, inputs: binaryInputs(c), what: `[${c.aShape}] ${kind} [${c.bShape}]` };
}

function unaryCase(kind: OpKind, r: Rng, options: object, out: { scale: number; zp: number }, inScale = r.scale(1e-3, 1)) {
  const s = shape(r);
  const graph: Graph = oneOp(kind, [q8('x', s, inScale, r.int(-128, 127))], [0], options as never, out);
  return { graph, what: `[${s}] input scale ${inScale}` };
}

/** Input scales across the range TFLite's fixed-point sigmoid handles (left shifts from 0 to beyond 31). */
const sigmoidScale = (r: Rng) => Math.fround(r.next() < 0.8 ? r.scale(1e-3, 1) : r.scale(2 ** -26, 2 ** 8));

const batch = once(async () => {
  const r = new Rng(20240504);
  const jobs = [
    ...(await jobsFor(r, ['sub'], CASES, (rr) => binaryCase('SUB', rr))),
    ...(await jobsFor(r, ['maximum'], CASES, (rr) => binaryCase('MAXIMUM', rr))),
    ...(await jobsFor(r, ['minimum'], CASES, (rr) => binaryCase('MINIMUM', rr))),
    ...(await jobsFor(r, ['logistic'], CASES, (rr) => unaryCase('LOGISTIC', rr, {}, { scale: 1 / 256, zp: -128 }, sigmoidScale(rr)))),
    ...(await jobsFor(r, ['tanh'], CASES, (rr) => unaryCase('TANH', rr, {}, { scale: 1 / 128, zp: 0 }, sigmoidScale(rr)))),
    ...(await jobsFor(r, ['hard_swish'], CASES, (rr) => {
      const inScale = rr.scale(1e-3, 1);
      return unaryCase('HARD_SWISH', rr, {}, { scale: Math.fround(inScale * 10 ** (3 * rr.next() - 1.5)), zp: rr.int(-128, 127) }, inScale);
    })),
    ...(await jobsFor(r, ['leaky_relu'], CASES, (rr) => {
      const inScale = rr.scale(1e-3, 1);
      const alpha = rr.pick([0.01, 0.1, 0.2, 0.5, 1, 2, -0.5, -1, 0]) * (rr.next() < 0.5 ? 1 : rr.next() * 2);
      return unaryCase('LEAKY_RELU', rr, { alpha }, { scale: Math.fround(inScale * 10 ** (2 * rr.next() - 1)), zp: rr.int(-128, 127) }, inScale);
    })),
  ];
  return runBatch(jobs);
});

for (const kernel of ['sub', 'maximum', 'minimum', 'logistic', 'tanh', 'hard_swish', 'leaky_relu']) {
  test(`${kernel}: C equals WebAssembly byte for byte on ${CASES} random cases`, async () => {
    expectKernel(await batch(), kernel, CASES, assert);
  });
}

test.run();
