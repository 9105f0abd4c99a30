import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Activation, Graph, Padding } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { runSchedule } from '../../runtime/executor.ts';
import { buildSchedule, type Schedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph, testMachine } from '../helpers/single-op.ts';
import type { ScheduleOptions } from '../../runtime/schedule.ts';
import { referenceDepthwiseConv2d, type DepthwiseCase } from '../reference/depthwise_conv2d.ts';
import { outSizeAndPad } from '../reference/tflite-math.ts';

const FAST = 'depthwise_conv2d_3x3';
const GENERAL = 'depthwise_conv2d';
const MULT = 'depthwise_conv2d_mult';
const IN_PLACE = 'depthwise_conv2d_inplace';
/** Layer by layer without in-place depthwise: the op table's own kernel choice. */
const NOT_IN_PLACE: ScheduleOptions = { inPlace: false };

/** Runs a graph with the given schedule options (checked mode as asked) and returns its output bytes. */
async function runWith(g: Graph, input: Int8Array, options: ScheduleOptions, checked: boolean): Promise<Int8Array> {
  return runSchedule(buildSchedule(g, options), await testMachine(), [input], { checked })[0] as Int8Array;
}

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

/**
 * Calls depthwise_conv2d_inplace as an in-place schedule would: the schedule's (not in place) arguments with the
 * output over the input and a scratch plane after the arena. Checks that nothing outside the input's bytes and the
 * scratch changed and that the scratch is left zeroed; returns the output (the first out_h * out_w * out_c bytes of
 * the input's buffer).
 */
async function runInPlace(s: Schedule, input: Int8Array): Promise<Int8Array> {
  const m = await testMachine();
  const step = s.steps[0];
  const arg = (name: string) => step.args.find((a) => a.name === name)!.value;
  const inOff = s.placements[s.graph.inputs[0]]!.offset;
  const outBytes = arg('out_h') * arg('out_w') * arg('out_c');
  const scratch = Math.ceil((s.arenaBytes + 16) / 16) * 16;
  const pixels = arg('in_h') * arg('in_w');
  const mem = m.bytes;
  mem.set(s.flashImage, m.flashBase);
  m.loadedFlash = null;
  for (let i = 0; i < scratch + pixels + 64; i++) mem[i] = (i * 37 + 11) & 0xff;
  mem.set(new Uint8Array(input.buffer, input.byteOffset, input.byteLength), inOff);
  const before = mem.slice(0, scratch + pixels + 64);
  const args = step.args.map((a) => (a.name === 'output' ? inOff : a.space === 'flash' ? m.flashBase + a.value : a.value));
  m.kernel(IN_PLACE)(...args, scratch);
  for (let i = 0; i < before.length; i++) {
    const inInput = i >= inOff && i < inOff + input.length;
    const inScratch = i >= scratch && i < scratch + pixels;
    if (inScratch) assert.is(mem[i], 0, `scratch byte ${i - scratch} left non-zero`);
    else if (!inInput) assert.is(mem[i], before[i], `byte ${i} outside the input [${inOff}, ${inOff + input.length}) and the scratch [${scratch}, ${scratch + pixels}) changed; ${step.args.map((a) => `${a.name}=${a.value}`).join(" ")}`);
  }
  assert.ok(Buffer.compare(Buffer.from(mem.slice(m.flashBase, m.flashBase + s.flashImage.length)), Buffer.from(s.flashImage)) === 0, 'Flash changed');
  return new Int8Array(mem.slice(inOff, inOff + outBytes).buffer);
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
    const got = await runWith(g, c.input, NOT_IN_PLACE, i % 10 === 0);
    assert.is(firstDifference(got, ref.data), 'equal', what);
    const s = buildSchedule(g, NOT_IN_PLACE);
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
    const s = buildSchedule(dwGraph(c, ref.shape), NOT_IN_PLACE);
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
  assert.is(buildSchedule(g, NOT_IN_PLACE).steps[0].kernel, GENERAL);
  assert.ok(ref.data.some((v) => v !== 0), 'the case must produce non-zero outputs');
  assert.is(firstDifference(await runWith(g, c.input, NOT_IN_PLACE, true), ref.data), 'equal');
  // In place: the scalar channel-plane path (no vector requantisation for a shift of -31).
  assert.is(firstDifference(await runInPlace(buildSchedule(g, NOT_IN_PLACE), c.input), ref.data), 'equal', 'in place');
});

/** A case with depth multiplier >= 8 (depthwise_conv2d_mult's shape): few input channels, any kernel. */
function multCase(r: Rng): DepthwiseCase {
  // Half the cases 3x3 without dilation (the kernel's unrolled path), the rest any kernel.
  const k3 = r.next() < 0.5;
  const kH = k3 ? 3 : r.int(1, 5);
  const kW = k3 ? 3 : r.int(1, 5);
  const C = r.pick([1, 1, 2, 3]);
  const mult = r.pick([8, 8, 9, 12, 16, 20]);
  const dil = k3 ? 1 : r.pick([1, 1, 2, 3]);
  const strideH = r.int(1, 3);
  const strideW = r.next() < 0.8 ? strideH : r.int(1, 3);
  const padding: Padding = r.pick(['SAME', 'VALID']);
  const minH = (kH - 1) * dil + 1;
  const minW = (kW - 1) * dil + 1;
  const H = r.int(padding === 'SAME' ? 1 : minH, minH + 9);
  const W = r.int(padding === 'SAME' ? 1 : minW, minW + 9);
  const OC = C * mult;
  const perChannel = r.next() < 0.8;
  const inScale = r.scale(1e-3, 0.5);
  const filterScales = Array.from({ length: perChannel ? OC : 1 }, () => r.scale(1e-4, 0.05));
  const outScale = Math.fround(inScale * filterScales[0] * (128 * 255 * kH * kW) ** r.next() * r.pick([0.01, 0.1, 1, 4]));
  return {
    input: r.int8s(H * W * C), inShape: [1, H, W, C], inScale, inZp: r.int(-128, 127),
    filter: r.int8s(kH * kW * OC), filterShape: [1, kH, kW, OC], filterScales,
    bias: r.next() < 0.85 ? Int32Array.from({ length: OC }, () => r.int(-30000, 30000)) : null,
    outScale: Math.fround(Math.max(outScale, 1e-6)), outZp: r.int(-128, 127),
    strideH, strideW, dilationH: dil, dilationW: k3 ? 1 : r.pick([dil, 1]), padding, activation: r.pick(['NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1']),
  };
}

test('DEPTHWISE_CONV_2D depth multiplier >= 8 (depthwise_conv2d_mult) equals the reference and the general kernel on 540 cases', async () => {
  const r = new Rng(34);
  let mult = 0;
  let low = 0;
  let high = 0;
  for (let i = 0; i < 540; i++) {
    const c = multCase(r);
    const [OH] = outSizeAndPad(c.inShape[1], c.filterShape[1], c.strideH, c.dilationH, c.padding);
    const [OW] = outSizeAndPad(c.inShape[2], c.filterShape[2], c.strideW, c.dilationW, c.padding);
    if (OH < 1 || OW < 1) continue;
    const ref = referenceDepthwiseConv2d(c);
    const g = dwGraph(c, ref.shape);
    const what = `case ${i}: ${JSON.stringify({ ...c, input: undefined, filter: undefined, bias: undefined })}`;
    assert.is(firstDifference(await runWith(g, c.input, {}, i % 10 === 0), ref.data), 'equal', what);
    const s = buildSchedule(g);
    if (s.steps[0].kernel === MULT) {
      mult++;
      await runSchedule(s, await testMachine(), [c.input]);
      assert.is(firstDifference(await runKernel(s, GENERAL), ref.data), 'equal', `general kernel, ${what}`);
      assert.is(firstDifference(await runKernel(s, MULT), ref.data), 'equal', `mult kernel, ${what}`);
    }
    if (ref.data.includes(-128)) low++;
    if (ref.data.includes(127)) high++;
  }
  assert.ok(mult >= 500, `depthwise_conv2d_mult cases: ${mult}`);
  assert.ok(low > 30 && high > 30, `saturation coverage ${low}/${high}`);
});

test('DEPTHWISE_CONV_2D first layer of person_detect (96x96x1, multiplier 8, 3x3 stride 2) takes depthwise_conv2d_mult', async () => {
  const r = new Rng(35);
  const c: DepthwiseCase = {
    input: r.int8s(96 * 96), inShape: [1, 96, 96, 1], inScale: Math.fround(0.0039), inZp: -128,
    filter: r.int8s(9 * 8), filterShape: [1, 3, 3, 8], filterScales: Array.from({ length: 8 }, () => r.scale(1e-3, 0.02)),
    bias: Int32Array.from({ length: 8 }, () => r.int(-5000, 5000)), outScale: Math.fround(0.02), outZp: -128,
    strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, padding: 'SAME', activation: 'RELU6',
  };
  const ref = referenceDepthwiseConv2d(c);
  const s = buildSchedule(dwGraph(c, ref.shape));
  assert.is(s.steps[0].kernel, MULT);
  await runSchedule(s, await testMachine(), [c.input]);
  assert.is(firstDifference(await runKernel(s, MULT), ref.data), 'equal');
});

/**
 * Which path depthwise_conv2d_inplace takes for a group of 8 channels (mirrors the kernel's choice): its outputs wait
 * d pixels (the largest distance from an output pixel back to the first input pixel it reads), in a ring in the
 * scratch when d * 8 bytes fit it, else in registers when d <= 8 (the unrolled 3x3 loops for 3x3 kernels; in
 * registers only on images of at least 5x5), else groups of 4 channels when d * 4 bytes fit, else channel planes.
 */
function inPlacePath(s: Schedule): string {
  const a = (name: string) => s.steps[0].args.find((x) => x.name === name)!.value;
  const [inH, inW, C, kH, kW, outH, outW] = ['in_h', 'in_w', 'in_c', 'k_h', 'k_w', 'out_h', 'out_w'].map(a);
  const [sH, sW, dH, dW, pT, pL] = ['stride_h', 'stride_w', 'dilation_h', 'dilation_w', 'pad_top', 'pad_left'].map(a);
  const shifts = new Int32Array(s.flashImage.slice(a('shifts'), a('shifts') + 4 * C).buffer);
  if (Math.min(0, ...shifts) < -30 || C < 4) return 'plane';
  const first = (o: number, st: number, pad: number, dil: number, n: number, k: number) => {
    for (let t = 0; t < k; t++) { const i = o * st - pad + t * dil; if (i >= 0 && i < n) return i; }
    return null;
  };
  let maxY = -Infinity;
  for (let oy = 0; oy < outH; oy++) { const y = first(oy, sH, pT, dH, inH, kH); if (y !== null) maxY = Math.max(maxY, oy * outW - y * inW); }
  let maxX = -Infinity;
  for (let ox = 0; ox < outW; ox++) { const x = first(ox, sW, pL, dW, inW, kW); if (x !== null) maxX = Math.max(maxX, ox - x); }
  const d = maxY === -Infinity || maxX === -Infinity ? 0 : Math.max(0, maxY + maxX);
  const ring = d === 0 || d * 8 <= inH * inW;
  const is3x3 = kH === 3 && kW === 3 && dH === 1 && dW === 1 && sH <= 2 && sW <= 2;
  if ((ring || d <= 8) && C >= 8) return ring ? (is3x3 ? 'ring 3x3' : 'ring') : is3x3 && inH >= 5 && inW >= 5 ? 'registers 3x3' : 'registers';
  return d * 4 <= inH * inW ? 'groups of 4' : 'plane';
}

test('DEPTHWISE_CONV_2D in place (depthwise_conv2d_inplace) equals the reference on 560 cases, every path', async () => {
  const r = new Rng(36);
  const paths = new Map<string, number>();
  for (let i = 0; i < 560; i++) {
    const c = randomCase(r);
    // In place needs depth multiplier 1; sizes from 1x1 to 20x20, channels from 1 to 40 (tails of 8 and 4 included).
    c.filterShape = [1, c.filterShape[1], c.filterShape[2], c.inShape[3]];
    const C = r.pick([1, 3, 4, 5, 8, 9, 12, 13, 16, 20, 24, 36, 40]);
    const pad = c.padding === 'SAME';
    const minH = (c.filterShape[1] - 1) * c.dilationH + 1;
    const minW = (c.filterShape[2] - 1) * c.dilationW + 1;
    let H = r.int(pad ? 1 : minH, minH + r.pick([2, 6, 12]));
    let W = r.int(pad ? 1 : minW, minW + r.pick([2, 6, 12]));
    if (i % 6 === 0) {
      // Small 3x3 stride-1 layers (5..9 x 5..7): outputs wait in registers, the unrolled 3x3 loop.
      c.filterShape = [1, 3, 3, C];
      Object.assign(c, { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'SAME' });
      H = r.int(5, 9);
      W = r.int(5, 7);
    }
    c.inShape = [1, H, W, C];
    c.input = r.int8s(H * W * C);
    c.filterShape = [1, c.filterShape[1], c.filterShape[2], C];
    c.filter = r.int8s(c.filterShape[1] * c.filterShape[2] * C);
    c.filterScales = c.filterScales.length === 1 ? c.filterScales : Array.from({ length: C }, () => r.scale(1e-4, 0.05));
    c.bias = c.bias ? Int32Array.from({ length: C }, () => r.int(-30000, 30000)) : null;
    const [OH] = outSizeAndPad(H, c.filterShape[1], c.strideH, c.dilationH, c.padding);
    const [OW] = outSizeAndPad(W, c.filterShape[2], c.strideW, c.dilationW, c.padding);
    if (OH < 1 || OW < 1) continue;
    const ref = referenceDepthwiseConv2d(c);
    const s = buildSchedule(dwGraph(c, ref.shape), NOT_IN_PLACE);
    const what = `case ${i}: ${JSON.stringify({ ...c, input: undefined, filter: undefined, bias: undefined })}`;
    assert.is(firstDifference(await runInPlace(s, c.input), ref.data), 'equal', what);
    const path = inPlacePath(s);
    paths.set(path, (paths.get(path) ?? 0) + 1);
  }
  const count = (p: string) => paths.get(p) ?? 0;
  const total = [...paths.values()].reduce((a, b) => a + b, 0);
  assert.ok(total >= 500, `in-place cases: ${total}`);
  for (const p of ['ring 3x3', 'ring', 'registers 3x3', 'registers', 'groups of 4', 'plane']) assert.ok(count(p) >= 10, `path '${p}': ${count(p)} cases (${JSON.stringify([...paths])})`);
});

test('DEPTHWISE_CONV_2D in place on person_detect and MobileNet-sized layers equals the reference', async () => {
  const paths = new Set<string>();
  const r = new Rng(37);
  for (const [hw, C, stride] of [[48, 8, 1], [48, 16, 2], [24, 32, 1], [12, 64, 1], [6, 128, 1], [3, 256, 1], [8, 24, 1], [25, 64, 1]] as const) {
    const H = hw === 25 ? 25 : hw;
    const W = hw === 25 ? 5 : hw;
    const c: DepthwiseCase = {
      input: r.int8s(H * W * C), inShape: [1, H, W, C], inScale: Math.fround(0.02), inZp: r.int(-128, 127),
      filter: r.int8s(9 * C), filterShape: [1, 3, 3, C], filterScales: Array.from({ length: C }, () => r.scale(1e-3, 0.02)),
      bias: Int32Array.from({ length: C }, () => r.int(-5000, 5000)), outScale: Math.fround(0.5), outZp: r.int(-20, 20),
      strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, padding: 'SAME', activation: 'RELU6',
    };
    const ref = referenceDepthwiseConv2d(c);
    const s = buildSchedule(dwGraph(c, ref.shape), NOT_IN_PLACE);
    assert.is(firstDifference(await runInPlace(s, c.input), ref.data), 'equal', `${H}x${W}x${C}/s${stride} (${inPlacePath(s)})`);
    paths.add(inPlacePath(s));
  }
  assert.equal([...paths].sort(), ['groups of 4', 'registers', 'registers 3x3', 'ring 3x3']);
});

test('DEPTHWISE_CONV_2D in place inside a model: a schedule overwrites an intermediate tensor and stays exact', async () => {
  // conv 1x1 -> depthwise 3x3: the depthwise input is the conv's output, dead after it, so it runs in place.
  const r = new Rng(38);
  const C = 16;
  const H = 10;
  const x = r.int8s(H * H * 3);
  const g: Graph = {
    name: 'pw-dw',
    tensors: [
      { name: 'x', shape: [1, H, H, 3], dtype: 'int8', quant: { scale: [Math.fround(0.02)], zeroPoint: [3], axis: 0 } },
      { name: 'pw', shape: [C, 1, 1, 3], dtype: 'int8', data: r.int8s(3 * C), quant: { scale: Array(C).fill(Math.fround(0.01)), zeroPoint: Array(C).fill(0), axis: 0 } },
      { name: 'h', shape: [1, H, H, C], dtype: 'int8', quant: { scale: [Math.fround(0.05)], zeroPoint: [-7], axis: 0 } },
      { name: 'dw', shape: [1, 3, 3, C], dtype: 'int8', data: r.int8s(9 * C), quant: { scale: Array.from({ length: C }, () => r.scale(1e-3, 0.02)), zeroPoint: Array(C).fill(0), axis: 3 } },
      { name: 'y', shape: [1, H, H, C], dtype: 'int8', quant: { scale: [Math.fround(0.1)], zeroPoint: [5], axis: 0 } },
    ],
    ops: [
      { kind: 'CONV_2D', name: 'pw', inputs: [0, 1, -1], outputs: [2], options: { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'SAME', activation: 'RELU6' } },
      { kind: 'DEPTHWISE_CONV_2D', name: 'dw', inputs: [2, 3, -1], outputs: [4], options: { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'SAME', activation: 'NONE', depthMultiplier: 1 } },
    ],
    inputs: [0],
    outputs: [4],
  };
  const inPlace = buildSchedule(g);
  const plain = buildSchedule(g, NOT_IN_PLACE);
  assert.ok(inPlace.steps.some((st) => st.kernel === IN_PLACE), `kernels: ${inPlace.steps.map((st) => st.kernel)}`);
  const m = await testMachine();
  const a = runSchedule(inPlace, m, [x], { checked: true })[0];
  const b = runSchedule(plain, m, [x], { checked: true })[0];
  assert.is(firstDifference(a, b), 'equal');
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
