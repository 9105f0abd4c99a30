import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Activation, Graph, Padding } from '../../models/ir.ts';
import { referenceConv2d, type ConvCase } from '../reference/conv2d.ts';
import { outSizeAndPad, quantizeMultiplier } from '../reference/tflite-math.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph, testMachine } from '../helpers/single-op.ts';
import { runSchedule } from '../../runtime/executor.ts';
import { buildSchedule, type Schedule } from '../../runtime/schedule.ts';

function convGraph(c: ConvCase, outShape: number[]): Graph {
  return {
    name: 'conv-case',
    tensors: [
      { name: 'x', shape: c.inShape, dtype: 'int8', quant: { scale: [c.inScale], zeroPoint: [c.inZp], axis: 0 } },
      { name: 'w', shape: c.filterShape, dtype: 'int8', data: c.filter, quant: { scale: c.filterScales, zeroPoint: c.filterScales.map(() => 0), axis: 0 } },
      ...(c.bias ? [{ name: 'b', shape: [c.filterShape[0]], dtype: 'int32' as const, data: c.bias }] : []),
      { name: 'y', shape: outShape, dtype: 'int8', quant: { scale: [c.outScale], zeroPoint: [c.outZp], axis: 0 } },
    ],
    ops: [{
      kind: 'CONV_2D', name: 'conv',
      inputs: c.bias ? [0, 1, 2] : [0, 1, -1], outputs: [c.bias ? 3 : 2],
      options: { strideH: c.strideH, strideW: c.strideW, dilationH: c.dilationH, dilationW: c.dilationW, padding: c.padding, activation: c.activation as Activation },
    }],
    inputs: [0],
    outputs: [c.bias ? 3 : 2],
  };
}

function randomCase(r: Rng): ConvCase {
  const pointwise = r.next() < 0.3;
  const kH = pointwise ? 1 : r.int(1, 5);
  const kW = pointwise ? 1 : r.int(1, 5);
  const C = r.pick([1, 2, 3, 4, 7, 8, 15, 16, 17, 32, 33]);
  const O = r.int(1, 20);
  const dil = pointwise ? 1 : r.pick([1, 1, 2, 3]);
  const stride = pointwise && r.next() < 0.7 ? 1 : r.int(1, 3);
  const padding: Padding = r.pick(['SAME', 'VALID']);
  const minSize = (Math.max(kH, kW) - 1) * dil + 1;
  const H = r.int(minSize, minSize + 8);
  const W = r.int(minSize, minSize + 8);
  const perChannel = r.next() < 0.8;
  const inScale = r.scale(1e-3, 0.5);
  const filterScales = Array.from({ length: perChannel ? O : 1 }, () => r.scale(1e-4, 0.05));
  const maxAcc = 128 * 128 * kH * kW * C;
  // Output scales from tiny (saturates both ends) to large (shifts of both signs).
  const outScale = Math.fround(inScale * filterScales[0] * maxAcc ** r.next() * r.pick([0.01, 0.1, 1, 4]));
  return {
    input: r.int8s(H * W * C), inShape: [1, H, W, C], inScale, inZp: r.int(-128, 127),
    filter: r.int8s(O * kH * kW * C), filterShape: [O, kH, kW, C], filterScales,
    bias: r.next() < 0.85 ? Int32Array.from({ length: O }, () => r.int(-20000, 20000)) : null,
    outScale: Math.fround(Math.max(outScale, 1e-6)), outZp: r.int(-128, 127),
    strideH: stride, strideW: r.next() < 0.8 ? stride : r.int(1, 3), dilationH: dil, dilationW: r.pick([dil, 1]),
    padding, activation: r.pick(['NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1']),
  };
}

test('CONV_2D equals the reference on 1000 random cases', async () => {
  const r = new Rng(2);
  let saturatedLow = 0;
  let saturatedHigh = 0;
  for (let i = 0; i < 1000; i++) {
    const c = randomCase(r);
    const [OH] = outSizeAndPad(c.inShape[1], c.filterShape[1], c.strideH, c.dilationH, c.padding);
    const [OW] = outSizeAndPad(c.inShape[2], c.filterShape[2], c.strideW, c.dilationW, c.padding);
    if (OH < 1 || OW < 1) continue;
    const ref = referenceConv2d(c);
    const [got] = await runGraph(convGraph(c, ref.shape), [c.input], i % 10 === 0);
    assert.is(firstDifference(got, ref.data), 'equal', `case ${i}: ${JSON.stringify({ ...c, input: undefined, filter: undefined, bias: undefined })}`);
    if (ref.data.includes(-128)) saturatedLow++;
    if (ref.data.includes(127)) saturatedHigh++;
  }
  // The generator must reach both int8 limits, or the clamps go untested.
  assert.ok(saturatedLow > 50 && saturatedHigh > 50, `saturation coverage ${saturatedLow}/${saturatedHigh}`);
});

test('CONV_2D hand-computed case from TFLite arithmetic', async () => {
  // 1x1 input, 1x1 kernel: acc = 3 * (10 - 2) + 5 = 29; real multiplier 0.5*0.25/0.25 = 0.5 -> 14.5 rounds to 15; + zp 1 = 16.
  const c: ConvCase = {
    input: Int8Array.of(10), inShape: [1, 1, 1, 1], inScale: 0.5, inZp: 2,
    filter: Int8Array.of(3), filterShape: [1, 1, 1, 1], filterScales: [0.25], bias: Int32Array.of(5),
    outScale: 0.25, outZp: 1, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'VALID', activation: 'NONE',
  };
  const [got] = await runGraph(convGraph(c, [1, 1, 1, 1]), [c.input]);
  assert.equal(Array.from(got), [16]);
});

/** Calls `kernel` directly with the schedule's own arguments and returns the output tensor's bytes. */
async function runKernel(s: Schedule, kernel: string): Promise<Int8Array> {
  const m = await testMachine();
  const out = s.placements[s.graph.outputs[0]]!;
  m.bytes.fill(0x5a, out.offset, out.offset + out.bytes); // stale bytes must not survive
  m.kernel(kernel)(...s.steps[0].args.map((a) => (a.space === 'flash' ? m.flashBase + a.value : a.value)));
  return new Int8Array(m.bytes.slice(out.offset, out.offset + out.bytes).buffer);
}

test('CONV_2D 1x1 fast path (conv2d_1x1) equals the general kernel and the reference on 150 pointwise cases', async () => {
  // Channel counts around the 8-lane steps and 4-channel groups, pixel counts across the 64-pixel blocks.
  const r = new Rng(3);
  for (let i = 0; i < 150; i++) {
    const C = r.pick([8, 9, 15, 16, 17, 23, 24, 33, 48, 96, 100, 144]);
    const O = r.pick([4, 5, 7, 8, 9, 16, 30, 33]);
    const H = r.int(1, 12);
    const W = r.int(1, 12);
    const inScale = r.scale(1e-3, 0.5);
    const filterScales = Array.from({ length: r.next() < 0.8 ? O : 1 }, () => r.scale(1e-4, 0.05));
    const c: ConvCase = {
      input: r.int8s(H * W * C), inShape: [1, H, W, C], inScale, inZp: r.int(-128, 127),
      filter: r.int8s(O * C), filterShape: [O, 1, 1, C], filterScales, bias: r.next() < 0.85 ? Int32Array.from({ length: O }, () => r.int(-20000, 20000)) : null,
      outScale: Math.fround(inScale * filterScales[0] * (128 * 255 * C) ** r.next() * r.pick([0.01, 0.1, 1, 4])), outZp: r.int(-128, 127),
      strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: r.pick(['SAME', 'VALID']), activation: r.pick(['NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1']),
    };
    const ref = referenceConv2d(c);
    const s = buildSchedule(convGraph(c, ref.shape));
    assert.is(s.steps[0].kernel, 'conv2d_1x1');
    runSchedule(s, await testMachine(), [c.input]);
    const what = `case ${i}: ${JSON.stringify({ ...c, input: undefined, filter: undefined, bias: undefined })}`;
    assert.is(firstDifference(await runKernel(s, 'conv2d_1x1'), ref.data), 'equal', `conv2d_1x1, ${what}`);
    assert.is(firstDifference(await runKernel(s, 'conv2d'), ref.data), 'equal', `conv2d, ${what}`);
  }
});

/** A CONV_2D case for the row dot-product path: dilation_w 1, >= 4 output channels, mostly small (border-heavy) images. */
function rowsCase(r: Rng): ConvCase {
  const C = r.pick([1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 12, 16, 17, 24]);
  const kH = r.pick([1, 2, 3, 3, 3, 4, 5, 7]);
  const kW = r.pick([1, 2, 3, 3, 3, 4, 5, 7]);
  const O = r.int(4, 20);
  const dilationH = r.pick([1, 1, 1, 2, 3]);
  const strideH = r.int(1, 3);
  const strideW = r.next() < 0.7 ? strideH : r.int(1, 3);
  const padding: Padding = r.pick(['SAME', 'VALID']);
  const minH = padding === 'VALID' ? (kH - 1) * dilationH + 1 : 1;
  const minW = padding === 'VALID' ? kW : 1;
  const H = r.int(minH, minH + (r.next() < 0.8 ? 4 : 12));
  const W = r.int(minW, minW + (r.next() < 0.8 ? 4 : 12));
  const inScale = r.scale(1e-3, 0.5);
  const filterScales = Array.from({ length: r.next() < 0.8 ? O : 1 }, () => r.scale(1e-4, 0.05));
  const extreme = r.next() < 0.05; // largest products: |w * (x - zp)| = 128 * 255
  const inZp = extreme ? r.pick([-128, 127]) : r.pick([-128, 127, 0, r.int(-128, 127), r.int(-128, 127)]);
  const maxAcc = 128 * 255 * kH * kW * C;
  return {
    input: extreme ? new Int8Array(H * W * C).fill(inZp < 0 ? 127 : -128) : r.int8s(H * W * C), inShape: [1, H, W, C], inScale, inZp,
    filter: extreme ? new Int8Array(O * kH * kW * C).fill(-128) : r.int8s(O * kH * kW * C), filterShape: [O, kH, kW, C], filterScales,
    bias: r.next() < 0.85 ? Int32Array.from({ length: O }, () => r.int(-20000, 20000)) : null,
    outScale: Math.fround(Math.max(inScale * filterScales[0] * maxAcc ** r.next() * r.pick([0.01, 0.1, 1, 4]), 1e-6)), outZp: r.int(-128, 127),
    strideH, strideW, dilationH, dilationW: 1, padding, activation: r.pick(['NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1']),
  };
}

test('CONV_2D row fast path (conv2d_simd) equals the reference and the general kernel on 1000 cases', async () => {
  const r = new Rng(5);
  const m = await testMachine();
  const spans = new Set<number>(); // kW * inC: one kernel row's bytes (border pixels use fewer)
  let hits = 0, saturatedLow = 0, saturatedHigh = 0, leftShifts = 0, rightShifts = 0;
  for (let i = 0; hits < 1000; i++) {
    const c = rowsCase(r);
    const [OH] = outSizeAndPad(c.inShape[1], c.filterShape[1], c.strideH, c.dilationH, c.padding);
    const [OW] = outSizeAndPad(c.inShape[2], c.filterShape[2], c.strideW, c.dilationW, c.padding);
    if (OH < 1 || OW < 1) continue;
    const ref = referenceConv2d(c);
    const s = buildSchedule(convGraph(c, ref.shape));
    const pointwise = c.filterShape[1] === 1 && c.filterShape[2] === 1 && c.strideH === 1 && c.strideW === 1 && c.dilationH === 1;
    if (s.steps[0].kernel !== 'conv2d_simd') {
      const narrow = c.filterShape[2] * c.inShape[3] <= 4;
      assert.ok(pointwise || s.steps[0].kernel === (narrow ? 'conv2d_narrow' : 'conv2d'), `case ${i} took ${s.steps[0].kernel}`);
      continue;
    }
    hits++;
    const what = `case ${i}: ${JSON.stringify({ ...c, input: undefined, filter: undefined, bias: undefined })}`;
    const [viaGraph] = runSchedule(s, m, [c.input], { checked: hits % 10 === 0 });
    assert.is(firstDifference(viaGraph, ref.data), 'equal', `schedule, ${what}`);
    assert.is(firstDifference(await runKernel(s, 'conv2d_simd'), ref.data), 'equal', `conv2d_simd, ${what}`);
    assert.is(firstDifference(await runKernel(s, 'conv2d'), ref.data), 'equal', `conv2d, ${what}`);
    spans.add(c.filterShape[2] * c.inShape[3]);
    if (ref.data.includes(-128)) saturatedLow++;
    if (ref.data.includes(127)) saturatedHigh++;
    const shift = quantizeMultiplier((c.inScale * c.filterScales[0]) / c.outScale)[1];
    if (shift > 0) leftShifts++;
    if (shift < 0) rightShifts++;
  }
  assert.ok(saturatedLow > 50 && saturatedHigh > 50, `saturation coverage ${saturatedLow}/${saturatedHigh}`);
  assert.ok(leftShifts > 20 && rightShifts > 20, `shift coverage ${leftShifts}/${rightShifts}`);
  // Runs shorter than 8 bytes (exact short loads; rows of 4 bytes or fewer take conv2d_narrow) and longer ones with
  // every final-step tail length.
  for (let n = 5; n < 8; n++) assert.ok(spans.has(n), `no case with a ${n}-byte kernel row`);
  for (let t = 1; t <= 8; t++) assert.ok([...spans].some((n) => n > 8 && (n - 1) % 8 + 1 === t), `no long row with a ${t}-lane tail`);
});

test('CONV_2D conv2d_simd equals conv2d on the same args with any padding (fused PAD, patches: negative or large)', async () => {
  const r = new Rng(7);
  const m = await testMachine();
  let cases = 0;
  for (let i = 0; cases < 200; i++) {
    const c = rowsCase(r);
    const [OH] = outSizeAndPad(c.inShape[1], c.filterShape[1], c.strideH, c.dilationH, c.padding);
    const [OW] = outSizeAndPad(c.inShape[2], c.filterShape[2], c.strideW, c.dilationW, c.padding);
    if (OH < 1 || OW < 1) continue;
    const s = buildSchedule(convGraph(c, [1, OH, OW, c.filterShape[0]]));
    if (s.steps[0].kernel !== 'conv2d_simd') continue;
    cases++;
    runSchedule(s, m, [c.input]); // loads Flash and the input
    const padTop = r.int(-4, c.filterShape[1] + 3);
    const padLeft = r.int(-4, c.filterShape[2] + 3);
    const args = s.steps[0].args.map((a) => (a.name === 'pad_top' ? { ...a, value: padTop } : a.name === 'pad_left' ? { ...a, value: padLeft } : a));
    const padded: Schedule = { ...s, steps: [{ ...s.steps[0], args }] };
    assert.is(firstDifference(await runKernel(padded, 'conv2d_simd'), await runKernel(padded, 'conv2d')), 'equal',
      `case ${i}: pads ${padTop}/${padLeft}, ${JSON.stringify({ ...c, input: undefined, filter: undefined, bias: undefined })}`);
  }
});

/** A CONV_2D case for conv2d_narrow: kernel rows of at most 4 bytes (k_w * in_c <= 4), dilation_w 1, >= 4 outputs. */
function narrowCase(r: Rng): ConvCase {
  const c = rowsCase(r);
  const C = r.pick([1, 1, 1, 2, 2, 3, 4]);
  const kW = r.int(1, Math.floor(4 / C));
  const kH = r.pick([1, 2, 3, 4, 5, 8, 10]);
  const O = c.filterShape[0];
  const padding = c.padding;
  const minH = padding === 'VALID' ? (kH - 1) * c.dilationH + 1 : 1;
  const minW = padding === 'VALID' ? kW : 1;
  const H = r.int(minH, minH + (r.next() < 0.7 ? 5 : 14));
  const W = r.int(minW, minW + (r.next() < 0.7 ? 5 : 10));
  const extreme = r.next() < 0.05;
  return {
    ...c,
    input: extreme ? new Int8Array(H * W * C).fill(c.inZp < 0 ? 127 : -128) : r.int8s(H * W * C), inShape: [1, H, W, C],
    filter: extreme ? new Int8Array(O * kH * kW * C).fill(-128) : r.int8s(O * kH * kW * C), filterShape: [O, kH, kW, C],
    outScale: Math.fround(Math.max(c.inScale * c.filterScales[0] * (128 * 255 * kH * kW * C) ** r.next() * r.pick([0.01, 0.1, 1, 4]), 1e-6)),
  };
}

test('CONV_2D narrow-row fast path (conv2d_narrow) equals the reference and the general kernel on 600 cases', async () => {
  const r = new Rng(8);
  const m = await testMachine();
  const spans = new Set<number>();
  let hits = 0, saturatedLow = 0, saturatedHigh = 0, oddRows = 0, evenRows = 0;
  for (let i = 0; hits < 600; i++) {
    const c = narrowCase(r);
    const [OH] = outSizeAndPad(c.inShape[1], c.filterShape[1], c.strideH, c.dilationH, c.padding);
    const [OW] = outSizeAndPad(c.inShape[2], c.filterShape[2], c.strideW, c.dilationW, c.padding);
    if (OH < 1 || OW < 1) continue;
    const ref = referenceConv2d(c);
    const s = buildSchedule(convGraph(c, ref.shape));
    const pointwise = c.filterShape[1] === 1 && c.filterShape[2] === 1 && c.strideH === 1 && c.strideW === 1 && c.dilationH === 1;
    if (s.steps[0].kernel !== 'conv2d_narrow') {
      assert.ok(pointwise, `case ${i} took ${s.steps[0].kernel}`);
      continue;
    }
    hits++;
    const what = `case ${i}: ${JSON.stringify({ ...c, input: undefined, filter: undefined, bias: undefined })}`;
    const [viaGraph] = runSchedule(s, m, [c.input], { checked: hits % 10 === 0 });
    assert.is(firstDifference(viaGraph, ref.data), 'equal', `schedule, ${what}`);
    assert.is(firstDifference(await runKernel(s, 'conv2d_narrow'), ref.data), 'equal', `conv2d_narrow, ${what}`);
    assert.is(firstDifference(await runKernel(s, 'conv2d'), ref.data), 'equal', `conv2d, ${what}`);
    spans.add(c.filterShape[2] * c.inShape[3]);
    if (c.filterShape[1] % 2) oddRows++; else evenRows++;
    if (ref.data.includes(-128)) saturatedLow++;
    if (ref.data.includes(127)) saturatedHigh++;
  }
  assert.ok(saturatedLow > 30 && saturatedHigh > 30, `saturation coverage ${saturatedLow}/${saturatedHigh}`);
  assert.ok(oddRows > 150 && evenRows > 150, `kernel heights: ${oddRows} odd, ${evenRows} even`);
  for (let n = 1; n <= 4; n++) assert.ok(spans.has(n), `no case with a ${n}-byte kernel row`);
});

test('CONV_2D conv2d_narrow equals conv2d on the same args with any padding (fused PAD, patches: negative or large)', async () => {
  const r = new Rng(9);
  const m = await testMachine();
  let cases = 0;
  for (let i = 0; cases < 150; i++) {
    const c = narrowCase(r);
    const [OH] = outSizeAndPad(c.inShape[1], c.filterShape[1], c.strideH, c.dilationH, c.padding);
    const [OW] = outSizeAndPad(c.inShape[2], c.filterShape[2], c.strideW, c.dilationW, c.padding);
    if (OH < 1 || OW < 1) continue;
    const s = buildSchedule(convGraph(c, [1, OH, OW, c.filterShape[0]]));
    if (s.steps[0].kernel !== 'conv2d_narrow') continue;
    cases++;
    runSchedule(s, m, [c.input]);
    const padTop = r.int(-4, c.filterShape[1] + 3);
    const padLeft = r.int(-4, c.filterShape[2] + 3);
    const args = s.steps[0].args.map((a) => (a.name === 'pad_top' ? { ...a, value: padTop } : a.name === 'pad_left' ? { ...a, value: padLeft } : a));
    const padded: Schedule = { ...s, steps: [{ ...s.steps[0], args }] };
    assert.is(firstDifference(await runKernel(padded, 'conv2d_narrow'), await runKernel(padded, 'conv2d')), 'equal',
      `case ${i}: pads ${padTop}/${padLeft}, ${JSON.stringify({ ...c, input: undefined, filter: undefined, bias: undefined })}`);
  }
});

test('CONV_2D first layer of kws_ref_model (49x10x1, 10x4 stride 2, 64 channels) takes conv2d_narrow', async () => {
  const r = new Rng(10);
  const c: ConvCase = {
    input: r.int8s(49 * 10), inShape: [1, 49, 10, 1], inScale: Math.fround(0.5), inZp: 83,
    filter: r.int8s(64 * 40), filterShape: [64, 10, 4, 1], filterScales: Array.from({ length: 64 }, () => r.scale(1e-3, 0.02)),
    bias: Int32Array.from({ length: 64 }, () => r.int(-5000, 5000)), outScale: Math.fround(0.3), outZp: -128,
    strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, padding: 'SAME', activation: 'RELU',
  };
  const ref = referenceConv2d(c);
  const s = buildSchedule(convGraph(c, ref.shape));
  assert.is(s.steps[0].kernel, 'conv2d_narrow');
  runSchedule(s, await testMachine(), [c.input], { checked: true });
  assert.is(firstDifference(await runKernel(s, 'conv2d_narrow'), ref.data), 'equal');
});

test('CONV_2D hand-computed border case: padded taps add no input-offset term', async () => {
  // 3x3 image 1..9, zero point 5, 3x3 kernel of all (k + 1) for output channel k, SAME padding, multiplier exactly 1
  // (0.5 * 0.5 / 0.25). Channel 0 sums (x - 5) over the taps inside the image: corner (0,0) = 1+2+4+5 - 4*5 = -8,
  // edge (0,1) = 1+2+3+4+5+6 - 6*5 = -9, centre = 45 - 45 = 0, ...; channel k is (k + 1) times that.
  const c: ConvCase = {
    input: Int8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9), inShape: [1, 3, 3, 1], inScale: 0.5, inZp: 5,
    filter: Int8Array.from({ length: 36 }, (_, i) => Math.floor(i / 9) + 1), filterShape: [4, 3, 3, 1], filterScales: [0.5], bias: null,
    outScale: 0.25, outZp: 0, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'SAME', activation: 'NONE',
  };
  const g = convGraph(c, [1, 3, 3, 4]);
  const s = buildSchedule(g);
  assert.is(s.steps[0].kernel, 'conv2d_narrow'); // 3-byte kernel rows
  const sums = [-8, -9, -4, -3, 0, 3, 4, 9, 8];
  const want = sums.flatMap((v) => [v, 2 * v, 3 * v, 4 * v]);
  const [got] = await runGraph(g, [c.input]);
  assert.equal(Array.from(got), want);
  for (const kernel of ['conv2d_simd', 'conv2d']) assert.equal(Array.from(await runKernel(s, kernel)), want, kernel);
});

test('CONV_2D keeps the general kernel where the row fast path does not apply', () => {
  const r = new Rng(6);
  const base: ConvCase = {
    input: r.int8s(6 * 6 * 3), inShape: [1, 6, 6, 3], inScale: Math.fround(0.05), inZp: 1,
    filter: r.int8s(8 * 3 * 3 * 3), filterShape: [8, 3, 3, 3], filterScales: [Math.fround(0.01)], bias: null,
    outScale: Math.fround(0.2), outZp: 0, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'SAME', activation: 'NONE',
  };
  const kernelOf = (c: ConvCase) => {
    const [OH] = outSizeAndPad(c.inShape[1], c.filterShape[1], c.strideH, c.dilationH, c.padding);
    const [OW] = outSizeAndPad(c.inShape[2], c.filterShape[2], c.strideW, c.dilationW, c.padding);
    return buildSchedule(convGraph(c, [1, OH, OW, c.filterShape[0]])).steps[0].kernel;
  };
  assert.is(kernelOf(base), 'conv2d_simd');
  assert.is(kernelOf({ ...base, dilationW: 2 }), 'conv2d');
  assert.is(kernelOf({ ...base, filter: base.filter.slice(0, 3 * 27), filterShape: [3, 3, 3, 3] }), 'conv2d');
  // Real multiplier 0.01 * 1e-4 / 2400 = 0.895 * 2^-31: a right shift of 31, beyond the vector requantisation.
  assert.is(kernelOf({ ...base, inScale: Math.fround(0.01), filterScales: [Math.fround(1e-4)], outScale: Math.fround(2400) }), 'conv2d');
});

test('CONV_2D 1x1 with a right shift of 31 takes the general kernel and stays exact', async () => {
  // Real multiplier 0.01 * 1e-4 / 2400 = 0.895 * 2^-31 (shift -31), beyond conv2d_1x1's vector requantisation.
  const r = new Rng(4);
  const c: ConvCase = {
    input: r.int8s(3 * 3 * 16), inShape: [1, 3, 3, 16], inScale: Math.fround(0.01), inZp: 0,
    filter: r.int8s(8 * 16), filterShape: [8, 1, 1, 16], filterScales: [Math.fround(1e-4)],
    bias: Int32Array.of(-(2 ** 31) + 2 ** 26, -1.5e9, -1e9, -6e8, 6e8, 1e9, 1.5e9, 2 ** 31 - 2 ** 26),
    outScale: Math.fround(2400), outZp: 0, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'SAME', activation: 'NONE',
  };
  const ref = referenceConv2d(c);
  const g = convGraph(c, ref.shape);
  assert.is(buildSchedule(g).steps[0].kernel, 'conv2d');
  assert.ok(ref.data.some((v) => v !== 0), 'the case must produce non-zero outputs');
  assert.is(firstDifference((await runGraph(g, [c.input]))[0], ref.data), 'equal');
});

test.run();
