// The scheduling kernels against the plain references in tests/reference/: depthwise_conv2d_inplace (output over
// its input, one channel of scratch), inverted_residual (expand -> depthwise -> project, one expanded channel at a
// time) and copy_2d. The in-place kernel is called directly on a buffer holding its input, with guard bytes
// around the scratch it was given.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Activation, Graph, Tensor } from '../../models/ir.ts';
import { runSchedule } from '../../runtime/executor.ts';
import { checkPlan } from '../../runtime/plan-check.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, testMachine } from '../helpers/single-op.ts';
import { referenceConv2d } from '../reference/conv2d.ts';
import { referenceDepthwiseConv2d, type DepthwiseCase } from '../reference/depthwise_conv2d.ts';

const ACTS = ['NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1'];

const q8 = (name: string, shape: number[], scale: number, zp: number, data?: Int8Array): Tensor =>
  ({ name, shape, dtype: 'int8', quant: { scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 }, ...(data ? { data } : {}) });

function dwCase(r: Rng): DepthwiseCase & { pads: [number, number, number, number] | null } {
  const kH = r.int(1, 5);
  const kW = r.next() < 0.7 ? kH : r.int(1, 5);
  const dil = r.pick([1, 1, 1, 2, 3]);
  const stride = r.int(1, 3);
  const C = r.pick([1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 24, 33, 40]);
  const pads = r.next() < 0.3 ? [r.int(0, 3), r.int(0, 3), r.int(0, 3), r.int(0, 3)] as [number, number, number, number] : null;
  const padding = pads ? 'VALID' : r.pick(['SAME', 'VALID'] as const);
  const minH = (kH - 1) * dil + 1;
  const minW = (kW - 1) * dil + 1;
  const extraH = pads ? pads[0] + pads[1] : 0;
  const extraW = pads ? pads[2] + pads[3] : 0;
  const H = r.int(Math.max(1, padding === 'SAME' ? 1 : minH - extraH), minH + 9);
  const W = r.int(Math.max(1, padding === 'SAME' ? 1 : minW - extraW), minW + 9);
  const inScale = r.scale(1e-3, 0.5);
  const filterScales = Array.from({ length: C }, () => r.scale(1e-4, 0.05));
  const outScale = Math.fround(Math.max(1e-6, inScale * filterScales[0] * (128 * 255 * kH * kW) ** r.next() * r.pick([0.01, 0.1, 1, 4])));
  return {
    input: r.int8s(H * W * C), inShape: [1, H, W, C], inScale, inZp: r.int(-128, 127),
    filter: r.int8s(kH * kW * C), filterShape: [1, kH, kW, C], filterScales,
    bias: r.next() < 0.85 ? Int32Array.from({ length: C }, () => r.int(-30000, 30000)) : null,
    outScale, outZp: r.int(-128, 127), strideH: stride, strideW: r.next() < 0.8 ? stride : r.int(1, 3),
    dilationH: dil, dilationW: r.pick([dil, 1]), padding, activation: r.pick(ACTS), pads,
  };
}

/** The case with explicit padding applied to the input (the zero point fills it), as a VALID convolution. */
function padded(c: DepthwiseCase & { pads: [number, number, number, number] | null }): DepthwiseCase {
  if (!c.pads) return c;
  const [, H, W, C] = c.inShape;
  const [t, b, l, rr] = c.pads;
  const h = H + t + b;
  const w = W + l + rr;
  const x = new Int8Array(h * w * C).fill(c.inZp);
  for (let y = 0; y < H; y++) x.set(c.input.subarray(y * W * C, (y + 1) * W * C), ((y + t) * w + l) * C);
  return { ...c, input: x, inShape: [1, h, w, C], padding: 'VALID' };
}

function dwGraph(c: DepthwiseCase): Graph {
  const C = c.inShape[3];
  const tensors: Tensor[] = [
    q8('x', c.inShape, c.inScale, c.inZp),
    { name: 'w', shape: c.filterShape, dtype: 'int8', data: c.filter, quant: { scale: c.filterScales, zeroPoint: c.filterScales.map(() => 0), axis: 3 } },
    { name: 'b', shape: [C], dtype: 'int32', data: c.bias ?? new Int32Array(C) },
    q8('y', [1, 1, 1, C], c.outScale, c.outZp),
  ];
  const ref = referenceDepthwiseConv2d(c);
  tensors[3].shape = ref.shape;
  return {
    name: 'dw', tensors, inputs: [0], outputs: [3],
    ops: [{ kind: 'DEPTHWISE_CONV_2D', name: 'dw', inputs: [0, 1, 2], outputs: [3], options: { strideH: c.strideH, strideW: c.strideW, dilationH: c.dilationH, dilationW: c.dilationW, padding: c.padding, activation: c.activation as Activation, depthMultiplier: 1 } }],
  };
}

test('depthwise_conv2d_inplace equals the reference on 1000 random cases, writing nothing beyond its output and scratch', async () => {
  const r = new Rng(9001);
  const m = await testMachine();
  const mem = m.bytes;
  let bigPads = 0;
  let smallerOut = 0;
  let largerOut = 0;
  let saturated = 0;
  for (let i = 0; i < 1000; i++) {
    const c = dwCase(r);
    const ref = referenceDepthwiseConv2d(padded(c));
    // The op table's arguments for the VALID/SAME case; explicit pads replace the padding and input size.
    const s = buildSchedule(dwGraph(padded(c)));
    mem.set(s.flashImage, m.flashBase);
    m.loadedFlash = null;
    const args = new Map(s.steps[0].args.map((a) => [a.name, a.space === 'flash' ? m.flashBase + a.value : a.value]));
    const [, H, W, C] = c.inShape;
    if (c.pads) {
      args.set('in_h', H); args.set('in_w', W);
      args.set('pad_top', c.pads[0]); args.set('pad_left', c.pads[2]);
      bigPads++;
    }
    const inBytes = H * W * C;
    const outBytes = ref.data.length;
    if (outBytes < inBytes) smallerOut++;
    if (outBytes > inBytes) largerOut++;
    if (ref.data.some((v) => v === 127 || v === -128)) saturated++;
    const base = 64;
    const span = Math.max(inBytes, outBytes);
    const scratch = base + span + 32;
    const guardEnd = scratch + H * W + 64;
    mem.fill(0xa5, 0, guardEnd);
    mem.set(new Uint8Array(c.input.buffer, c.input.byteOffset, inBytes), base);
    args.set('input', base);
    args.set('output', base);
    const names = s.steps[0].args.map((a) => a.name);
    m.kernel('depthwise_conv2d_inplace')(...names.map((n) => args.get(n)!), scratch);
    const what = `case ${i}: [${c.inShape}] k ${c.filterShape[1]}x${c.filterShape[2]} s ${c.strideH}/${c.strideW} d ${c.dilationH}/${c.dilationW} ${c.pads ? `pads ${c.pads}` : c.padding}`;
    assert.is(firstDifference(new Int8Array(mem.slice(base, base + outBytes).buffer), ref.data), 'equal', what);
    for (let k = 0; k < base; k++) assert.is(mem[k], 0xa5, `${what}: wrote before its buffer`);
    for (let k = base + span; k < scratch; k++) assert.is(mem[k], 0xa5, `${what}: wrote between its buffer and the scratch`);
    for (let k = scratch + H * W; k < guardEnd; k++) assert.is(mem[k], 0xa5, `${what}: wrote beyond its ${H * W} B of scratch (byte ${k - scratch})`);
  }
  assert.ok(bigPads > 150 && smallerOut > 200 && largerOut > 20 && saturated > 200, `coverage: pads ${bigPads}, smaller ${smallerOut}, larger ${largerOut}, saturated ${saturated}`);
});

interface BlockCase { graph: Graph; input: Int8Array; want: Int8Array; what: string }

function blockCase(r: Rng): BlockCase {
  const H = r.int(1, 9);
  const W = r.int(1, 9);
  const Cin = r.int(1, 12);
  const E = Cin * r.pick([1, 2, 3, 6]);
  const Cout = r.int(1, 12);
  const k = r.pick([1, 3, 3, 5]);
  const stride = r.int(1, 2);
  const sx = r.scale(0.005, 0.2);
  const zx = r.int(-128, 127);
  const pw = (n: number) => Array.from({ length: n }, () => r.scale(1e-4, 0.05));
  const eScales = pw(E);
  const dScales = pw(E);
  const pScales = pw(Cout);
  const se = Math.fround(Math.max(1e-5, sx * eScales[0] * Math.sqrt(Cin) * 74 * 74 / 40 * r.pick([0.25, 1, 4])));
  const sd = Math.fround(Math.max(1e-5, se * dScales[0] * k * 74 * 74 / 40 * r.pick([0.25, 1, 4])));
  const sp = Math.fround(Math.max(1e-5, sd * pScales[0] * Math.sqrt(E) * 74 * 74 / 40 * r.pick([0.25, 1, 4])));
  const [ze, zd, zp] = [r.int(-128, 0), r.int(-128, 0), r.int(-50, 50)];
  const [ae, ad, ap] = [r.pick(ACTS), r.pick(ACTS), r.pick(ACTS)];
  const input = r.int8s(H * W * Cin);
  const we = r.int8s(E * Cin), wd = r.int8s(k * k * E), wp = r.int8s(Cout * E);
  const be = Int32Array.from({ length: E }, () => r.int(-5000, 5000));
  const bd = Int32Array.from({ length: E }, () => r.int(-5000, 5000));
  const bp = Int32Array.from({ length: Cout }, () => r.int(-5000, 5000));
  const e = referenceConv2d({ input, inShape: [1, H, W, Cin], inScale: sx, inZp: zx, filter: we, filterShape: [E, 1, 1, Cin], filterScales: eScales, bias: be, outScale: se, outZp: ze, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'SAME', activation: ae });
  const d = referenceDepthwiseConv2d({ input: e.data, inShape: [1, H, W, E], inScale: se, inZp: ze, filter: wd, filterShape: [1, k, k, E], filterScales: dScales, bias: bd, outScale: sd, outZp: zd, strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, padding: 'SAME', activation: ad });
  const p = referenceConv2d({ input: d.data, inShape: d.shape as [number, number, number, number], inScale: sd, inZp: zd, filter: wp, filterShape: [Cout, 1, 1, E], filterScales: pScales, bias: bp, outScale: sp, outZp: zp, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'SAME', activation: ap });
  const wq = (scales: number[], axis: number) => ({ scale: scales, zeroPoint: scales.map(() => 0), axis });
  const conv = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'SAME' as const };
  const graph: Graph = {
    name: 'block',
    tensors: [
      q8('x', [1, H, W, Cin], sx, zx),
      { name: 'we', shape: [E, 1, 1, Cin], dtype: 'int8', data: we, quant: wq(eScales, 0) }, { name: 'be', shape: [E], dtype: 'int32', data: be },
      q8('e', [1, H, W, E], se, ze),
      { name: 'wd', shape: [1, k, k, E], dtype: 'int8', data: wd, quant: wq(dScales, 3) }, { name: 'bd', shape: [E], dtype: 'int32', data: bd },
      q8('d', d.shape, sd, zd),
      { name: 'wp', shape: [Cout, 1, 1, E], dtype: 'int8', data: wp, quant: wq(pScales, 0) }, { name: 'bp', shape: [Cout], dtype: 'int32', data: bp },
      q8('p', p.shape, sp, zp),
    ],
    ops: [
      { kind: 'CONV_2D', name: 'blk/expand', inputs: [0, 1, 2], outputs: [3], options: { ...conv, activation: ae as Activation } },
      { kind: 'DEPTHWISE_CONV_2D', name: 'blk/depthwise', inputs: [3, 4, 5], outputs: [6], options: { ...conv, strideH: stride, strideW: stride, activation: ad as Activation, depthMultiplier: 1 } },
      { kind: 'CONV_2D', name: 'blk/project', inputs: [6, 7, 8], outputs: [9], options: { ...conv, activation: ap as Activation } },
    ],
    inputs: [0], outputs: [9],
  };
  return { graph, input, want: p.data, what: `[1,${H},${W},${Cin}] x${E / Cin} k${k} s${stride} -> ${Cout}` };
}

test('inverted_residual equals expand -> depthwise -> project by the references on 300 random blocks', async () => {
  const r = new Rng(77);
  const m = await testMachine();
  let varied = 0;
  for (let i = 0; i < 300; i++) {
    const c = blockCase(r);
    const s = buildSchedule(c.graph, { fuseBlocks: 'all' });
    assert.equal(s.steps.map((st) => st.kernel), ['inverted_residual'], c.what);
    assert.equal(s.summary.fused, ['blk/(expand+depthwise+project)']);
    if (i % 10 === 0) checkPlan(s);
    const [got] = runSchedule(s, m, [c.input], { checked: i % 10 === 0 });
    assert.is(firstDifference(got, c.want), 'equal', `case ${i}: ${c.what}`);
    if (new Set(c.want).size > 8) varied++;
  }
  assert.ok(varied > 150, `only ${varied} cases had varied outputs`);
});

test('copy_2d crops and pastes strided rows', async () => {
  const m = await testMachine();
  const mem = m.bytes;
  mem.fill(0, 0, 4096);
  for (let i = 0; i < 100; i++) mem[i] = i + 1;
  // Rows 2..4, bytes 3..7 of a 10 x 10 map, packed at 1000, then pasted at 2000 with stride 20.
  m.kernel('copy_2d')(2 * 10 + 3, 1000, 3, 5, 10, 5);
  assert.equal(Array.from(mem.slice(1000, 1015)), [24, 25, 26, 27, 28, 34, 35, 36, 37, 38, 44, 45, 46, 47, 48]);
  m.kernel('copy_2d')(1000, 2000, 3, 5, 5, 20);
  assert.equal(Array.from(mem.slice(2000, 2005)), [24, 25, 26, 27, 28]);
  assert.equal(Array.from(mem.slice(2005, 2020)), new Array(15).fill(0));
  assert.equal(Array.from(mem.slice(2040, 2045)), [44, 45, 46, 47, 48]);
});

test.run();
