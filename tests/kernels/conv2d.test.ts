import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Activation, Graph, Padding } from '../../models/ir.ts';
import { referenceConv2d, type ConvCase } from '../reference/conv2d.ts';
import { outSizeAndPad } from '../reference/tflite-math.ts';
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
