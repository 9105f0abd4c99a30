import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Activation, Graph, Padding } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { runSchedule } from '../../runtime/executor.ts';
import { buildSchedule, type Schedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph, testMachine } from '../helpers/single-op.ts';
import { referenceDepthwiseConv2d, type DepthwiseCase } from '../reference/depthwise_conv2d.ts';
import { outSizeAndPad } from '../reference/tflite-math.ts';

const FAST = 'depthwise_conv2d_3x3';
const GENERAL = 'depthwise_conv2d';

function dwGraph(c: DepthwiseCase, outShape: number[]): Graph {
  const oc = c.filterShape[3];
  return {
    name: 'dw-case',
    tensors: [
      { name: 'x', shape: c.inShape, dtype: 'int8', quant: { scale: [c.inScale], zeroPoint: [c.inZp], axis: 0 } },
      { name: 'w', shape: c.filterShape, dtype: 'int8', data: c.filter, quant: { scale: c.filterScales, zeroPoint: c.filterScales.map(() => 0), axis: 3 } },
      ...(c.bias ? [{ name: 'b', shape: [oc], dtype: 'int32' as const, data: c.bias }] : []),
      { name: 'y', shape: outShape, dtype: 'int8', quant: { scale: [c.outScale], zeroPoint: [c.outZp], axis: 0 } },
    ],
    ops: [{
      kind: 'DEPTHWISE_CONV_2D', name: 'dw',
      inputs: c.bias ? [0, 1, 2] : [0, 1, -1], outputs: [c.bias ? 3 : 2],
      options: {
        strideH: c.strideH, strideW: c.strideW, dilationH: c.dilationH, dilationW: c.dilationW, padding: c.padding,
        activation: c.activation as Activation, depthMultiplier: oc / c.inShape[3],
      },
    }],
    inputs: [0],
    outputs: [c.bias ? 3 : 2],
  };
}

function randomCase(r: Rng): DepthwiseCase {
  // Half the cases have the fast path's shape (3x3, multiplier 1, no dilation, stride 1-2, >= 8 channels).
  const fastShape = r.next() < 0.5;
  const kH = fastShape ? 3 : r.int(1, 5);
  const kW = fastShape ? 3 : r.int(1, 5);
  const C = fastShape ? r.pick([8, 9, 12, 15, 16, 17, 24, 31, 32, 40]) : r.pick([1, 2, 3, 4, 7, 8, 9, 16, 17, 20, 33]);
  const mult = fastShape ? 1 : r.pick([1, 1, 2, 3]);
  const dil = fastShape ? 1 : r.pick([1, 1, 2, 3]);
  const strideH = fastShape ? r.int(1, 2) : r.int(1, 3);
  const strideW = r.next() < 0.8 ? strideH : (fastShape ? r.int(1, 2) : r.int(1, 3));
  const padding: Padding = r.pick(['SAME', 'VALID']);
  const minH = (kH - 1) * dil + 1;
  const minW = (kW - 1) * dil + 1;
  const H = r.int(padding === 'SAME' ? 1 : minH, minH + 9);
  const W = r.int(padding === 'SAME' ? 1 : minW, minW + 9);
  const OC = C * mult;
  const perChannel = r.next() < 0.8;
  const inScale = r.scale(1e-3, 0.5);
  const filterScales = Array.from({ length: perChannel ? OC : 1 }, () => r.scale(1e-4, 0.05));
  const maxAcc = 128 * 255 * kH * kW;
  // Output scales from tiny (saturates both ends, left shifts) to large (right shifts, few levels).
  const outScale = Math.fround(inScale * filterScales[0] * maxAcc ** r.next() * r.pick([0.01, 0.1, 1, 4]));
  return {
    input: r.int8s(H * W * C), inShape: [1, H, W, C], inScale, inZp: r.int(-128, 127),
    filter: r.int8s(kH * kW * OC), filterShape: [1, kH, kW, OC], filterScales,
    bias: r.next() < 0.85 ? Int32Array.from({ length: OC }, () => r.int(-30000, 30000)) : null,
    outScale: Math.fround(Math.max(outScale, 1e-6)), outZp: r.int(-128, 127),
    strideH, strideW, dilationH: dil, dilationW: r.pick([dil, 1]), padding, activation: r.pick(['NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1']),
  };
}

/** Calls `kernel` directly with the schedule's own arguments and returns the output tensor's bytes. */
async function runKernel(s: Schedule, kernel: string): Promise<Int8Array> {
  const m = await testMachine();
  const out = s.placements[s.graph.outputs[0]]!;
  m.bytes.fill(0x5a, out.offset, out.offset + out.bytes); // stale bytes must not survive
  m.kernel(kernel)(...s.steps[0].args.map((a) => (a.space === 'flash' ? m.flashBase + a.value : a.value)));
  return new Int8Array(m.bytes.slice(out.offset, out.offset + out.bytes).buffer);
}

test('DEPTHWISE_CONV_2D equals the reference on 1200 random cases; the 3x3 fast path equals the general kernel', async () => {
  const r = new Rng(31);
  let low = 0;
  let high = 0;
  let fast = 0;
  let generalVector = 0;
  let generalScalar = 0;
  let multipliers = 0;
  for (let i = 0; i < 1200; i++) {
    const c = randomCase(r);
    const [OH] = outSizeAndPad(c.inShape[1], c.filterShape[1], c.strideH, c.dilationH, c.padding);
    const [OW] = outSizeAndPad(c.inShape[2], c.filterShape[2], c.strideW, c.dilationW, c.padding);
    if (OH < 1 || OW < 1) continue;
    const ref = referenceDepthwiseConv2d(c);
    const g = dwGraph(c, ref.shape);
    const what = `case ${i}: ${JSON.stringify({ ...c, input: undefined, filter: undefined, bias: undefined })}`;
    const [got] = await runGraph(g, [c.input], i % 10 === 0);
    assert.is(firstDifference(got, ref.data), 'equal', what);
    const s = buildSchedule(g);
    if (s.steps[0].kernel === FAST) {
      fast++;
      // Same arguments through the general kernel: identical bytes.
      await runSchedule(s, await testMachine(), [c.input]);
      assert.is(firstDifference(await runKernel(s, GENERAL), ref.data), 'equal', `general kernel, ${what}`);
      assert.is(firstDifference(await runKernel(s, FAST), ref.data), 'equal', `fast kernel, ${what}`);
    } else if (c.filterShape[3] === c.inShape[3] && c.inShape[3] >= 8) {
      generalVector++; // the general kernel's 8-channel path
    } else {
      generalScalar++;
    }
    if (c.filterShape[3] > c.inShape[3]) multipliers++;
    if (ref.data.includes(-128)) low++;
    if (ref.data.includes(127)) high++;
  }
  assert.ok(low > 50 && high > 50, `saturation coverage ${low}/${high}`);
  assert.ok(fast > 400 && generalVector > 100 && generalScalar > 250, `kernel coverage: fast ${fast}, general ${generalVector} vector + ${generalScalar} scalar`);
  assert.ok(multipliers > 100, `depth multiplier > 1 cases: ${multipliers}`);
});

test('DEPTHWISE_CONV_2D fast path on MobileNet-sized layers equals the general kernel and the reference', async () => {
  const r = new Rng(32);
  for (const [hw, C, stride, padding] of [[36, 96, 1, 'SAME'], [18, 144, 2, 'SAME'], [9, 57, 1, 'VALID'], [10, 200, 2, 'VALID'], [2, 8, 1, 'SAME'], [1, 16, 2, 'SAME']] as const) {
    const inScale = Math.fround(0.02);
    const c: DepthwiseCase = {
      input: r.int8s(hw * hw * C), inShape: [1, hw, hw, C], inScale, inZp: r.int(-128, 127),
      filter: r.int8s(9 * C), filterShape: [1, 3, 3, C], filterScales: Array.from({ length: C }, () => r.scale(1e-3, 0.02)),
      bias: Int32Array.from({ length: C }, () => r.int(-5000, 5000)), outScale: Math.fround(0.5), outZp: r.int(-20, 20),
      strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, padding, activation: 'RELU6',
    };
    const ref = referenceDepthwiseConv2d(c);
    const s = buildSchedule(dwGraph(c, ref.shape));
    assert.is(s.steps[0].kernel, FAST);
    await runSchedule(s, await testMachine(), [c.input]);
    assert.is(firstDifference(await runKernel(s, FAST), ref.data), 'equal', `fast ${hw}x${hw}x${C}/s${stride}`);
    assert.is(firstDifference(await runKernel(s, GENERAL), ref.data), 'equal', `general ${hw}x${hw}x${C}/s${stride}`);
  }
});

test('DEPTHWISE_CONV_2D with a right shift of 31 takes the general kernel and stays exact', async () => {
  // Real multiplier 0.01 * 1e-4 / 2400 = 4.17e-10 = 0.895 * 2^-31: shift -31, beyond the vector requantisation.
  // Biases near the int32 limits make some outputs round to +-1.
  const r = new Rng(33);
  const c: DepthwiseCase = {
    input: r.int8s(5 * 5 * 8), inShape: [1, 5, 5, 8], inScale: Math.fround(0.01), inZp: 3,
    filter: r.int8s(9 * 8), filterShape: [1, 3, 3, 8], filterScales: [Math.fround(1e-4)],
    bias: Int32Array.of(-(2 ** 31) + 2 ** 26, -1.5e9, -1e9, -6e8, 6e8, 1e9, 1.5e9, 2 ** 31 - 2 ** 26),
    outScale: Math.fround(2400), outZp: 0, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'SAME', activation: 'NONE',
  };
  const ref = referenceDepthwiseConv2d(c);
  const g = dwGraph(c, ref.shape);
  assert.is(buildSchedule(g).steps[0].kernel, GENERAL);
  assert.ok(ref.data.some((v) => v !== 0), 'the case must produce non-zero outputs');
  assert.is(firstDifference((await runGraph(g, [c.input]))[0], ref.data), 'equal');
});

test('DEPTHWISE_CONV_2D hand-computed case from TFLite arithmetic', async () => {
  // Input 1x2x2x1 = [1, 2, 3, 4] with zero point 1 -> [0, 1, 2, 3]; 2x2 VALID kernel, depth multiplier 2:
  // channel 0 weights [1, 2, 3, 4] -> 0 + 2 + 6 + 12 = 20, + bias 4 = 24; channel 1 weights [-1, 0, 0, 1] -> 3, + bias -1 = 2.
  // Multiplier 0.5 * 0.5 / 1 = 0.25 = 2^30 * 2^-31 * 2^-1: 24 -> 6, 2 -> 0.5 rounds away from zero to 1; + zp -3.
  const c: DepthwiseCase = {
    input: Int8Array.of(1, 2, 3, 4), inShape: [1, 2, 2, 1], inScale: 0.5, inZp: 1,
    filter: Int8Array.of(1, -1, 2, 0, 3, 0, 4, 1), filterShape: [1, 2, 2, 2], filterScales: [0.5, 0.5], bias: Int32Array.of(4, -1),
    outScale: 1, outZp: -3, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'VALID', activation: 'NONE',
  };
  assert.equal(Array.from((await runGraph(dwGraph(c, [1, 1, 1, 2]), [c.input]))[0]), [3, -2]);
  // SAME padding on a 1x1 input with a 3x3 kernel: only the centre tap counts. (5 - 1) * 7 = 28, * 0.25 = 7, RELU6 at
  // scale 1 clamps to 6.
  const d: DepthwiseCase = {
    input: Int8Array.of(5), inShape: [1, 1, 1, 1], inScale: 0.5, inZp: 1,
    filter: Int8Array.of(9, 9, 9, 9, 7, 9, 9, 9, 9), filterShape: [1, 3, 3, 1], filterScales: [0.5], bias: null,
    outScale: 1, outZp: 0, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'SAME', activation: 'RELU6',
  };
  assert.equal(Array.from((await runGraph(dwGraph(d, [1, 1, 1, 1]), [d.input]))[0]), [6]);
});

const q = (scale: number, zp = 0) => ({ scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 });

function graphWith(over: (g: Graph) => void): Graph {
  const g: Graph = {
    name: 'bad-dw',
    tensors: [
      { name: 'x', shape: [1, 4, 4, 2], dtype: 'int8', quant: q(0.1) },
      { name: 'w', shape: [1, 3, 3, 4], dtype: 'int8', data: new Int8Array(36), quant: { scale: [0.1, 0.1, 0.1, 0.1].map(Math.fround), zeroPoint: [0, 0, 0, 0], axis: 3 } },
      { name: 'b', shape: [4], dtype: 'int32', data: new Int32Array(4) },
      { name: 'y', shape: [1, 4, 4, 4], dtype: 'int8', quant: q(0.2) },
    ],
    ops: [{ kind: 'DEPTHWISE_CONV_2D', name: 'dw', inputs: [0, 1, 2], outputs: [3], options: { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'SAME', activation: 'NONE', depthMultiplier: 2 } }],
    inputs: [0],
    outputs: [3],
  };
  over(g);
  return g;
}

test('DEPTHWISE_CONV_2D rejects bad operators with typed errors', () => {
  const modelError = (g: Graph, msg: RegExp) => assert.is(throwsError(() => buildSchedule(g), ModelError, msg).constructor, ModelError);
  buildSchedule(graphWith(() => {})); // the base graph is valid
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[0] = { name: 'x', shape: [1, 4, 4, 2], dtype: 'float32' }; })), UnsupportedError, /input 0.*float32/);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[3].quant = { scale: [0.2, 0.2, 0.2, 0.2].map(Math.fround), zeroPoint: [0, 0, 0, 0], axis: 3 }; })), UnsupportedError, /per channel/);
  modelError(graphWith((g) => { delete g.tensors[0].quant; }), /input 0.*no quantisation/);
  modelError(graphWith((g) => { delete g.tensors[1].data; g.inputs = [0, 1]; }), /must be a constant/);
  modelError(graphWith((g) => { g.tensors[1] = { ...g.tensors[1], shape: [2, 3, 3, 2], data: new Int8Array(36), quant: q(0.1) }; }), /\[1, kH, kW, channels\]/);
  modelError(graphWith((g) => { g.tensors[1] = { ...g.tensors[1], shape: [1, 3, 3, 3], data: new Int8Array(27), quant: q(0.1) }; }), /not a multiple of the input's 2/);
  modelError(graphWith((g) => { g.tensors[1].quant = { scale: [0.1, 0.1, 0.1].map(Math.fround), zeroPoint: [0, 0, 0], axis: 1 }; }), /axis 1/);
  modelError(graphWith((g) => { g.tensors[1].quant!.zeroPoint = [0, 1, 0, 0]; }), /symmetric/);
  modelError(graphWith((g) => { g.tensors[2] = { name: 'b', shape: [3], dtype: 'int32', data: new Int32Array(3) }; }), /bias 'b' has 3 values for 4/);
  modelError(graphWith((g) => { g.tensors[0].shape = [2, 4, 4, 2]; }), /batch 2/);
  modelError(graphWith((g) => { g.tensors[3].shape = [1, 4, 4, 2]; }), /output 'y' has shape \[1,4,4,2\], expected \[1,4,4,4\]/);
  modelError(graphWith((g) => { g.ops[0].options = { ...g.ops[0].options, strideH: 0 } as never; }), /strideH must be a positive integer/);
  modelError(graphWith((g) => { g.ops[0].options = { ...g.ops[0].options, padding: 'VALID' } as never; g.tensors[0].shape = [1, 2, 2, 2]; }), /does not fit/);
});

test.run();
