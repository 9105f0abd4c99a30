// C twins of the weight kernels: conv2d (and its conv2d_simd, conv2d_narrow and conv2d_1x1 fast paths),
// depthwise_conv2d (and depthwise_conv2d_3x3, depthwise_conv2d_mult, depthwise_conv2d_inplace), fully_connected and
// transpose_conv.
// Every case runs in WebAssembly and in C (sanitizer and -O3 builds) on the same memory image; all bytes must agree.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Padding, Tensor } from '../../models/ir.ts';
import { ACTIVATIONS, graphInputs, int8Data, jobsFor, oneOp, q8 } from '../helpers/c-cases.ts';
import { expectKernel, loadKernelsJson, once, runBatch, scheduleJob, type Job } from '../helpers/c-kernels.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { Rng } from '../helpers/rng.ts';

const CASES = 220;

function weights(r: Rng, shape: number[], channels: number, axis: number, perChannel: boolean): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const scales = Array.from({ length: perChannel ? channels : 1 }, () => r.scale(1e-4, 0.05));
  return { name: 'w', shape, dtype: 'int8', data: int8Data(r, n), quant: { scale: scales, zeroPoint: scales.map(() => 0), axis } };
}

/** Bias: usually moderate, sometimes near the int32 limits so that the sums wrap exactly as WebAssembly's do. */
function bias(r: Rng, n: number): Tensor {
  const big = r.next() < 0.1;
  return { name: 'b', shape: [n], dtype: 'int32', data: Int32Array.from({ length: n }, () => (big ? r.pick([-1, 1]) * r.int(2 ** 30, 2 ** 31 - 1) : r.int(-30000, 30000))) };
}

/** Output scale from tiny (saturates both ends; right shifts up to 31) to large (left shifts). */
function outScale(r: Rng, inScale: number, wScale: number, taps: number): number {
  const tiny = r.next() < 0.05;
  return Math.fround(Math.max(inScale * wScale * (tiny ? 2 ** r.int(29, 32) : (128 * 128 * taps) ** r.next() * r.pick([0.01, 0.1, 1, 4])), 1e-7));
}

function convCase(r: Rng, pointwise: boolean) {
  const kH = pointwise ? 1 : r.int(1, 5);
  const kW = pointwise ? 1 : r.int(1, 5);
  const C = pointwise ? r.pick([1, 3, 7, 8, 9, 15, 16, 17, 24, 33, 48]) : r.pick([1, 2, 3, 4, 7, 8, 15, 16, 17, 32]);
  const O = pointwise ? r.pick([1, 3, 4, 5, 7, 8, 9, 16, 30, 33]) : r.int(1, 20);
  const dil = pointwise ? 1 : r.pick([1, 1, 2, 3]);
  const stride = pointwise ? 1 : r.int(1, 3);
  const padding: Padding = r.pick(['SAME', 'VALID']);
  const minSize = (Math.max(kH, kW) - 1) * dil + 1;
  const H = r.int(minSize, minSize + (pointwise ? 11 : 7));
  const W = r.int(minSize, minSize + (pointwise ? 11 : 7));
  const inScale = r.scale(1e-3, 0.5);
  const w = weights(r, [O, kH, kW, C], O, 0, r.next() < 0.8);
  const hasBias = r.next() < 0.85;
  const tensors = [q8('x', [1, H, W, C], inScale, r.int(-128, 127)), w, ...(hasBias ? [bias(r, O)] : [])];
  const graph = oneOp('CONV_2D', tensors, [0, 1, hasBias ? 2 : -1], {
    strideH: stride, strideW: r.next() < 0.8 ? stride : r.int(1, 3), dilationH: dil, dilationW: r.pick([dil, 1]), padding, activation: r.pick(ACTIVATIONS),
  }, { scale: outScale(r, inScale, w.quant!.scale[0], kH * kW * C), zp: r.int(-128, 127) });
  return { graph, what: `${H}x${W}x${C} -> ${O}, ${kH}x${kW} ${padding}` };
}

function depthwiseCase(r: Rng, fast: boolean, multiplier?: number) {
  const k = fast ? 3 : 0;
  const kH = k || r.int(1, 5);
  const kW = k || r.int(1, 5);
  const C = fast ? r.pick([8, 9, 12, 16, 17, 24, 31, 32, 40]) : r.pick([1, 2, 3, 5, 8, 9, 16, 17, 24]);
  const M = multiplier ?? (fast ? 1 : r.pick([1, 1, 2, 3]));
  const dil = fast ? 1 : r.pick([1, 1, 2]);
  const stride = fast ? r.int(1, 2) : r.int(1, 3);
  const padding: Padding = r.pick(['SAME', 'VALID']);
  const minSize = (Math.max(kH, kW) - 1) * dil + 1;
  // Inputs down to 1x1 (SAME) so that every border case of the 3x3 path comes up.
  const H = padding === 'SAME' ? r.int(1, minSize + 8) : r.int(minSize, minSize + 8);
  const W = padding === 'SAME' ? r.int(1, minSize + 8) : r.int(minSize, minSize + 8);
  const inScale = r.scale(1e-3, 0.5);
  const w = weights(r, [1, kH, kW, C * M], C * M, 3, r.next() < 0.8);
  const hasBias = r.next() < 0.85;
  const tensors = [q8('x', [1, H, W, C], inScale, r.int(-128, 127)), w, ...(hasBias ? [bias(r, C * M)] : [])];
  const graph = oneOp('DEPTHWISE_CONV_2D', tensors, [0, 1, hasBias ? 2 : -1], {
    strideH: stride, strideW: r.next() < 0.8 ? stride : r.int(1, fast ? 2 : 3), dilationH: dil, dilationW: fast ? 1 : r.pick([dil, 1]),
    padding, activation: r.pick(ACTIVATIONS), depthMultiplier: M,
  }, { scale: outScale(r, inScale, w.quant!.scale[0], kH * kW), zp: r.int(-128, 127) });
  return { graph, what: `${H}x${W}x${C} x${M}, ${kH}x${kW} ${padding}`, options: { inPlace: false } };
}

/** Depth multipliers of 8 and more (depthwise_conv2d_mult): any kernel, stride, dilation, few input channels. */
function depthwiseMultCase(r: Rng) {
  const kH = r.int(1, 5);
  const kW = r.int(1, 5);
  const C = r.pick([1, 1, 2, 3]);
  const M = r.pick([8, 8, 9, 12, 16, 17]);
  const dil = r.pick([1, 1, 2]);
  const stride = r.int(1, 3);
  const padding: Padding = r.pick(['SAME', 'VALID']);
  const minSize = (Math.max(kH, kW) - 1) * dil + 1;
  const H = padding === 'SAME' ? r.int(1, minSize + 7) : r.int(minSize, minSize + 7);
  const W = padding === 'SAME' ? r.int(1, minSize + 7) : r.int(minSize, minSize + 7);
  const inScale = r.scale(1e-3, 0.5);
  const w = weights(r, [1, kH, kW, C * M], C * M, 3, r.next() < 0.8);
  const hasBias = r.next() < 0.85;
  const tensors = [q8('x', [1, H, W, C], inScale, r.int(-128, 127)), w, ...(hasBias ? [bias(r, C * M)] : [])];
  const graph = oneOp('DEPTHWISE_CONV_2D', tensors, [0, 1, hasBias ? 2 : -1], {
    strideH: stride, strideW: r.next() < 0.8 ? stride : r.int(1, 3), dilationH: dil, dilationW: r.pick([dil, 1]),
    padding, activation: r.pick(ACTIVATIONS), depthMultiplier: M,
  }, { scale: outScale(r, inScale, w.quant!.scale[0], kH * kW), zp: r.int(-128, 127) });
  return { graph, what: `${H}x${W}x${C} x${M}, ${kH}x${kW} ${padding}` };
}

/** Narrow kernel rows (conv2d_narrow): k_w * in_c <= 4, dilation_w 1, at least 4 output channels. */
function narrowCase(r: Rng) {
  const C = r.pick([1, 1, 1, 2, 3, 4]);
  const kW = r.int(1, Math.max(1, Math.floor(4 / C)));
  const kH = r.int(1, 10);
  const O = r.int(4, 20);
  const dil = r.pick([1, 1, 2]);
  const strideH = r.int(1, 3);
  const padding: Padding = r.pick(['SAME', 'VALID']);
  const H = r.int((kH - 1) * dil + 1, (kH - 1) * dil + 8);
  const W = r.int(kW, kW + 8);
  const inScale = r.scale(1e-3, 0.5);
  const w = weights(r, [O, kH, kW, C], O, 0, r.next() < 0.8);
  const hasBias = r.next() < 0.85;
  const tensors = [q8('x', [1, H, W, C], inScale, r.int(-128, 127)), w, ...(hasBias ? [bias(r, O)] : [])];
  const graph = oneOp('CONV_2D', tensors, [0, 1, hasBias ? 2 : -1], {
    strideH, strideW: r.next() < 0.7 ? strideH : r.int(1, 3), dilationH: dil, dilationW: 1, padding, activation: r.pick(ACTIVATIONS),
  }, { scale: outScale(r, inScale, w.quant!.scale[0], kH * kW * C), zp: r.int(-128, 127) });
  return { graph, what: `${H}x${W}x${C} -> ${O}, ${kH}x${kW} ${padding}` };
}

function fullyConnectedCase(r: Rng) {
  const depth = r.pick([1, 3, 7, 8, 9, 15, 16, 17, 24, 31, 64, 100]);
  const units = r.pick([1, 2, 3, 4, 5, 7, 8, 10, 16, 33]);
  const rows = r.int(1, 4);
  const perChannel = r.next() < 0.5;
  const inScale = r.scale(1e-3, 0.5);
  const w = weights(r, [units, depth], units, 0, perChannel);
  if (!perChannel) w.quant!.zeroPoint = [r.next() < 0.5 ? 0 : r.int(-128, 127)];
  const hasBias = r.next() < 0.85;
  const tensors = [q8('x', [rows, depth], inScale, r.int(-128, 127)), w, ...(hasBias ? [bias(r, units)] : [])];
  const graph = oneOp('FULLY_CONNECTED', tensors, [0, 1, hasBias ? 2 : -1], { activation: r.pick(ACTIVATIONS) },
    { scale: outScale(r, inScale, w.quant!.scale[0], depth * 2), zp: r.int(-128, 127) });
  return { graph, what: `${rows}x${depth} -> ${units}${perChannel ? ' per-channel' : ` zp ${w.quant!.zeroPoint[0]}`}` };
}

function transposeConvCase(r: Rng) {
  const kH = r.int(1, 5);
  const kW = r.int(1, 5);
  const C = r.pick([1, 2, 3, 4, 8, 9, 16]);
  const O = r.int(1, 12);
  const strideH = r.int(1, 3);
  const strideW = r.next() < 0.8 ? strideH : r.int(1, 3);
  const padding: Padding = r.pick(['SAME', 'VALID']);
  const H = r.int(1, 6);
  const W = r.int(1, 6);
  // The output size TFLite's converter would give (SAME: in * stride; VALID: (in - 1) * stride + k), sometimes a
  // little off so that taps fall outside the output.
  const size = (n: number, k: number, st: number) => Math.max(1, (padding === 'SAME' ? n * st : (n - 1) * st + k) + (r.next() < 0.2 ? r.int(-1, 1) : 0));
  const inScale = r.scale(1e-3, 0.5);
  const w = weights(r, [O, kH, kW, C], O, 0, r.next() < 0.8);
  const hasBias = r.next() < 0.85;
  const tensors = [w, q8('x', [1, H, W, C], inScale, r.int(-128, 127)), ...(hasBias ? [bias(r, O)] : [])];
  const outShape = [1, size(H, kH, strideH), size(W, kW, strideW), O];
  const graph = oneOp('TRANSPOSE_CONV', tensors, hasBias ? [0, 1, 2] : [0, 1], { strideH, strideW, padding, activation: r.pick(ACTIVATIONS), outputShape: outShape },
    { scale: outScale(r, inScale, w.quant!.scale[0], kH * kW * C), zp: r.int(-128, 127) });
  return { graph, what: `${H}x${W}x${C} -> [${outShape}], ${kH}x${kW}/${strideH},${strideW} ${padding}` };
}

/**
 * depthwise_conv2d_inplace as a schedule with in-place depthwise calls it: a depthwise case's arguments with the
 * output placed over the input, plus a scratch plane (in_h * in_w bytes) after the arena.
 */
async function inPlaceJobs(r: Rng): Promise<Job[]> {
  const json = loadKernelsJson();
  const jobs: Job[] = [];
  for (let i = 0; jobs.length < CASES && i < 20 * CASES; i++) {
    const c = depthwiseCase(r, r.next() < 0.5, 1);
    const s = buildSchedule(c.graph, { inPlace: false });
    const step = s.steps[0];
    const arg = (name: string) => step.args.find((a) => a.name === name)!.value;
    if (arg('in_c') !== arg('out_c')) continue;
    const pixels = arg('in_h') * arg('in_w');
    const scratch = Math.ceil(s.arenaBytes / 4) * 4;
    const names = [...step.args.map((a) => a.name), 'scratch'].join(', ');
    assert.is(names, json.kernels.depthwise_conv2d_inplace.params.map((p) => p.name).join(', '));
    const input = step.args.findIndex((a) => a.name === 'input');
    const output = step.args.findIndex((a) => a.name === 'output');
    jobs.push(await scheduleJob(`depthwise_conv2d_inplace #${i} ${c.what}`, s, graphInputs(r, c.graph), r, {
      extraArenaBytes: scratch - s.arenaBytes + pixels,
      call: (call) => ({
        kernel: 'depthwise_conv2d_inplace',
        args: [...call.args.map((a, j) => (j === output ? call.args[input] : a)), { value: scratch }],
      }),
    }));
  }
  return jobs;
}

const batch = once(async () => {
  const r = new Rng(20240501);
  const jobs = [
    ...(await jobsFor(r, ['conv2d', 'conv2d_simd'], CASES, (rr) => convCase(rr, false))),
    ...(await jobsFor(r, ['conv2d_1x1'], CASES, (rr) => convCase(rr, true))),
    ...(await jobsFor(r, ['conv2d_narrow'], CASES, narrowCase)),
    ...(await jobsFor(r, ['depthwise_conv2d_mult'], CASES, depthwiseMultCase)),
    ...(await jobsFor(r, ['depthwise_conv2d'], CASES, (rr) => depthwiseCase(rr, false))),
    ...(await jobsFor(r, ['depthwise_conv2d_3x3'], CASES, (rr) => depthwiseCase(rr, true))),
    ...(await jobsFor(r, ['fully_connected'], CASES, fullyConnectedCase)),
    ...(await jobsFor(r, ['transpose_conv'], CASES, transposeConvCase)),
    ...(await inPlaceJobs(r)),
  ];
  return runBatch(jobs);
});

for (const kernel of ['conv2d', 'conv2d_simd', 'conv2d_1x1', 'conv2d_narrow', 'depthwise_conv2d', 'depthwise_conv2d_3x3', 'depthwise_conv2d_mult', 'depthwise_conv2d_inplace', 'fully_connected', 'transpose_conv']) {
  test(`${kernel}: C equals WebAssembly byte for byte on ${CASES} random cases`, async () => {
    expectKernel(await batch(), kernel, CASES, assert);
  });
}

test.run();
