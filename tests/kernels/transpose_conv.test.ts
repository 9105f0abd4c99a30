import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Activation, Graph, OpOptions, Padding } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { quantizeMultiplier } from '../reference/tflite-math.ts';
import { referenceTransposeConv, tflitePadding, type TransposeConvCase } from '../reference/transpose_conv.ts';

/** IR inputs [weights, input, bias?]; TFLite's output_shape tensor is the outputShape option. */
function tconvGraph(c: TransposeConvCase): Graph {
  return {
    name: 'transpose-conv-case',
    tensors: [
      { name: 'w', shape: c.filterShape, dtype: 'int8', data: c.filter, quant: { scale: c.filterScales, zeroPoint: c.filterScales.map(() => 0), axis: 0 } },
      { name: 'x', shape: c.inShape, dtype: 'int8', quant: { scale: [c.inScale], zeroPoint: [c.inZp], axis: 0 } },
      { name: 'y', shape: c.outShape, dtype: 'int8', quant: { scale: [c.outScale], zeroPoint: [c.outZp], axis: 0 } },
      ...(c.bias ? [{ name: 'b', shape: [c.filterShape[0]], dtype: 'int32' as const, data: c.bias }] : []),
    ],
    ops: [{
      kind: 'TRANSPOSE_CONV', name: 'tconv', inputs: c.bias ? [0, 1, 3] : [0, 1], outputs: [2],
      options: { strideH: c.strideH, strideW: c.strideW, padding: c.padding, activation: c.activation as Activation, outputShape: [...c.outShape] },
    }],
    inputs: [1],
    outputs: [2],
  };
}

/** An output size TFLite's converter would give (conv of it yields the input size), or now and then any size. */
function outSize(r: Rng, inSize: number, k: number, s: number, padding: Padding): number {
  const roll = r.next();
  if (roll < 0.1) return r.int(1, inSize * s + k);
  const base = padding === 'SAME' ? inSize * s : (inSize - 1) * s + k;
  return roll < 0.75 ? base : Math.max(1, base - r.int(0, s - 1));
}

function randomCase(r: Rng): TransposeConvCase {
  const kH = r.int(1, 5);
  const kW = r.pick([kH, r.int(1, 5)]);
  const C = r.pick([1, 2, 3, 4, 8, 16]);
  const O = r.int(1, 12);
  const strideH = r.int(1, 3);
  const strideW = r.pick([strideH, r.int(1, 3)]);
  const padding: Padding = r.pick(['SAME', 'VALID']);
  const [H, W] = [r.int(1, 6), r.int(1, 6)];
  const perChannel = r.next() < 0.8;
  const inScale = r.scale(1e-3, 0.5);
  const filterScales = Array.from({ length: perChannel ? O : 1 }, () => r.scale(1e-4, 0.05));
  // Each output sums about kH * kW * C / (strideH * strideW) products; output scales from tiny (saturating both
  // ends) to large (shifts of both signs).
  const maxAcc = 128 * 128 * Math.max(1, (kH * kW * C) / (strideH * strideW));
  const outScale = Math.fround(Math.max(1e-6, inScale * filterScales[0] * maxAcc ** r.next() * r.pick([0.01, 0.1, 1, 4])));
  return {
    input: r.int8s(H * W * C), inShape: [1, H, W, C], inScale, inZp: r.int(-128, 127),
    filter: r.int8s(O * kH * kW * C), filterShape: [O, kH, kW, C], filterScales,
    bias: r.next() < 0.85 ? Int32Array.from({ length: O }, () => r.int(-20000, 20000)) : null,
    outShape: [1, outSize(r, H, kH, strideH, padding), outSize(r, W, kW, strideW, padding), O], outScale, outZp: r.int(-128, 127),
    strideH, strideW, padding, activation: r.pick(['NONE', 'NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1']),
  };
}

test('TRANSPOSE_CONV equals the reference on 1000 random cases', async () => {
  const r = new Rng(701);
  let saturatedLow = 0;
  let saturatedHigh = 0;
  let padded = 0;
  let strided = 0;
  let leftShifts = 0;
  let rightShifts = 0;
  for (let i = 0; i < 1000; i++) {
    const c = randomCase(r);
    const ref = referenceTransposeConv(c);
    const [got] = await runGraph(tconvGraph(c), [c.input], i % 10 === 0);
    assert.is(firstDifference(got, ref), 'equal', `case ${i}: ${JSON.stringify({ ...c, input: undefined, filter: undefined, bias: undefined })}`);
    if (ref.includes(-128)) saturatedLow++;
    if (ref.includes(127)) saturatedHigh++;
    if (tflitePadding(c.outShape[1], c.filterShape[1], c.strideH, c.padding) > 0) padded++;
    if (c.strideH > 1) strided++;
    const [, shift] = quantizeMultiplier((c.inScale * c.filterScales[0]) / c.outScale);
    if (shift > 0) leftShifts++;
    if (shift < 0) rightShifts++;
  }
  assert.ok(saturatedLow > 50 && saturatedHigh > 50 && padded > 200 && strided > 300 && leftShifts > 50 && rightShifts > 300,
    `coverage: saturation ${saturatedLow}/${saturatedHigh}, padded ${padded}, strided ${strided}, shifts left ${leftShifts} / right ${rightShifts}`);
});

test('TRANSPOSE_CONV hand-computed cases from TFLite arithmetic', async () => {
  // One input value scattered through a 2x2 kernel: v = 10 - 2 = 8; accumulators 8 * [1, 2, 3, 4] + bias 5 =
  // [13, 21, 29, 37]; multiplier 0.5 * 0.25 / 0.25 = 0.5 rounds 6.5 -> 7, 10.5 -> 11, 14.5 -> 15, 18.5 -> 19; + zp 1.
  const one: TransposeConvCase = {
    input: Int8Array.of(10), inShape: [1, 1, 1, 1], inScale: 0.5, inZp: 2,
    filter: Int8Array.of(1, 2, 3, 4), filterShape: [1, 2, 2, 1], filterScales: [0.25], bias: Int32Array.of(5),
    outShape: [1, 2, 2, 1], outScale: 0.25, outZp: 1, strideH: 1, strideW: 1, padding: 'VALID', activation: 'NONE',
  };
  assert.equal(Array.from((await runGraph(tconvGraph(one), [one.input]))[0]), [8, 12, 16, 20]);
  // TFLite transpose_conv_test SimpleTest: input 1..16 (4x4), filter 1..9 (3x3), SAME, stride 1 gives
  // [29, 62, 83, 75, 99, 192, 237, 198, 207, 372, 417, 330, 263, 446, 485, 365]. With scales 1, 1 and output
  // scale 4 the multiplier is 0.25 (Q31 2^30, shift -1): SaturatingRoundingDoublingHighMul halves with rounding,
  // RoundingDivideByPOT halves again with rounding (29 -> 15 -> 8, 237 -> 119 -> 60, 485 -> 243 -> 122).
  const simple: TransposeConvCase = {
    input: Int8Array.from({ length: 16 }, (_, i) => i + 1), inShape: [1, 4, 4, 1], inScale: 1, inZp: 0,
    filter: Int8Array.from({ length: 9 }, (_, i) => i + 1), filterShape: [1, 3, 3, 1], filterScales: [1], bias: null,
    outShape: [1, 4, 4, 1], outScale: 4, outZp: 0, strideH: 1, strideW: 1, padding: 'SAME', activation: 'NONE',
  };
  const expected = [8, 16, 21, 19, 25, 48, 60, 50, 52, 93, 105, 83, 66, 112, 122, 92];
  assert.equal(Array.from(referenceTransposeConv(simple)), expected);
  assert.equal(Array.from((await runGraph(tconvGraph(simple), [simple.input]))[0]), expected);
  // Stride 2, SAME, 2x2 -> 4x4 with a 3x3 kernel: TFLite pads by ((2 - 1) * 2 + 3 - 4) / 2 = 0 (computed from the
  // output size), so input (0, 0) lands on outputs (0..2, 0..2) and input (1, 1) on (2..3, 2..3).
  assert.is(tflitePadding(4, 3, 2, 'SAME'), 0);
  const s2: TransposeConvCase = { ...simple, input: Int8Array.of(1, 0, 0, 2), inShape: [1, 2, 2, 1], strideH: 2, strideW: 2, outScale: 1 };
  assert.equal(Array.from((await runGraph(tconvGraph(s2), [s2.input]))[0]), [1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9 + 2, 4, 0, 0, 8, 10]);
});

test('TRANSPOSE_CONV accumulates in a scratch buffer the planner counts', () => {
  const c = randomCase(new Rng(702));
  const s = buildSchedule(tconvGraph(c));
  const outBytes = c.outShape.reduce((a, b) => a * b, 1);
  assert.ok(s.steps[0].scratch !== null && s.steps[0].scratch.bytes >= outBytes * 4, 'scratch of out_h * out_w * out_c int32s');
  assert.ok(s.steps[0].liveBytes >= outBytes * 4 + outBytes + c.input.length, 'scratch counted in the live bytes');
  const scratchArg = s.steps[0].args.find((a) => a.name === 'scratch')!;
  assert.is(scratchArg.value, s.steps[0].scratch!.offset);
});

test('TRANSPOSE_CONV rejects bad operators with typed errors', () => {
  const r = new Rng(703);
  const base: TransposeConvCase = {
    input: r.int8s(2 * 2 * 3), inShape: [1, 2, 2, 3], inScale: Math.fround(0.1), inZp: 0, filter: r.int8s(4 * 9 * 3), filterShape: [4, 3, 3, 3], filterScales: [0.01, 0.02, 0.03, 0.04].map(Math.fround),
    bias: Int32Array.of(1, 2, 3, 4), outShape: [1, 4, 4, 4], outScale: 0.5, outZp: 0, strideH: 2, strideW: 2, padding: 'SAME', activation: 'RELU',
  };
  buildSchedule(tconvGraph(base));
  const modelError = (over: (g: Graph) => void, msg: RegExp) => { const g = tconvGraph(base); over(g); throwsError(() => buildSchedule(g), ModelError, msg); };
  const opts = (g: Graph) => g.ops[0].options as OpOptions['TRANSPOSE_CONV'];
  modelError((g) => { delete g.tensors[0].data; g.inputs.push(0); }, /input 0 .*'w'.* must be a constant/);
  modelError((g) => { g.tensors[0].shape = [4, 3, 3, 2]; g.tensors[0].data = new Int8Array(72); }, /weights 'w' have 2 input channels but the input has 3/);
  modelError((g) => { opts(g).outputShape = [1, 4, 4]; }, /option outputShape must be 4 positive integers/);
  modelError((g) => { opts(g).outputShape = [1, 4, 4, 5]; }, /outputShape \[1,4,4,5\] needs batch 1 and 4 channels/);
  modelError((g) => { g.tensors[2].shape = [1, 5, 4, 4]; }, /output 'y' has shape \[1,5,4,4\], expected \[1,4,4,4\]/);
  modelError((g) => { opts(g).strideH = 0; }, /option strideH must be a positive integer/);
  modelError((g) => { (opts(g) as { padding: unknown }).padding = 'FULL'; }, /option padding must be SAME or VALID/);
  modelError((g) => { (opts(g) as { activation: unknown }).activation = 'TANH'; }, /option activation must be NONE, RELU, RELU6 or RELU_N1_TO_1/);
  modelError((g) => { g.tensors[3].data = Int32Array.of(1, 2, 3); g.tensors[3].shape = [3]; }, /bias 'b' has 3 values for 4 output channels/);
  modelError((g) => { g.tensors[0].quant!.zeroPoint = [0, 1, 0, 0]; }, /must be symmetric/);
  modelError((g) => { g.tensors[0].quant!.scale = [0.01, 0.02].map(Math.fround); g.tensors[0].quant!.zeroPoint = [0, 0]; }, /has 2 per-channel scales|2 scales for 4 output channels/);
  modelError((g) => { delete g.tensors[1].quant; }, /no quantisation/);
  modelError((g) => { g.ops[0].inputs = [0]; }, /takes 2 or 3 inputs/);
  modelError((g) => { g.tensors.push({ name: 'shape', shape: [4], dtype: 'int32', data: Int32Array.of(1, 4, 4, 4) }); g.ops[0].inputs = [4, 0, 1, 3]; }, /takes 2 or 3 inputs/);
  const batch2 = tconvGraph({ ...base, input: r.int8s(24), inShape: [2, 2, 2, 3], outShape: [2, 4, 4, 4] });
  throwsError(() => buildSchedule(batch2), UnsupportedError, /batch 2 is not supported/);
  const floatInput = tconvGraph(base);
  floatInput.tensors[1] = { name: 'x', shape: [1, 2, 2, 3], dtype: 'float32' };
  throwsError(() => buildSchedule(floatInput), UnsupportedError, /float32; this operator needs int8/);
});

test.run();
