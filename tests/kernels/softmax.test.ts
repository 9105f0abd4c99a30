import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph, Tensor } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { softmaxParams } from '../../runtime/ops/softmax.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { referenceSoftmax, referenceSoftmaxParams } from '../reference/softmax.ts';

const q = (scale: number, zp: number) => ({ scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 });
const OUT_SCALE = 1 / 256;

function softmaxGraph(shape: number[], inScale: number, inZp: number, beta: number, out: Partial<Tensor> = {}): Graph {
  return {
    name: 'softmax-case',
    tensors: [
      { name: 'x', shape, dtype: 'int8', quant: q(inScale, inZp) },
      { name: 'y', shape, dtype: 'int8', quant: q(OUT_SCALE, -128), ...out },
    ],
    ops: [{ kind: 'SOFTMAX', name: 'softmax', inputs: [0], outputs: [1], options: { beta } }],
    inputs: [0],
    outputs: [1],
  };
}

interface Case { shape: number[]; depth: number; inScale: number; inZp: number; beta: number; input: Int8Array }

function randomCase(r: Rng): Case {
  const depth = r.pick([1, 2, 3, 4, 5, 8, 10, 16, 31, 64, 100, 255, 300]);
  const outer = r.int(1, depth > 64 ? 3 : 6);
  const shape = r.pick([[outer, depth], [1, outer, depth], [1, 1, outer, depth], outer === 1 ? [depth] : [outer, depth]]);
  const beta = r.next() < 0.7 ? 1 : r.scale(0.05, 4);
  // Input scales from just above TFLite's lower limit (beta * scale * 2^26 > 1) to far past the multiplier cap (>= 32).
  const inScale = Math.fround(Math.max(r.scale(1e-8, 60), 2 / (beta * 2 ** 26)));
  const n = outer * depth;
  const pattern = r.int(0, 3);
  const top = r.int(-128, 127);
  const spread = r.pick([1, 3, 10, 40, 255]);
  const input = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    if (pattern === 0) input[i] = r.int(-128, 127); // uniform
    else if (pattern === 1) input[i] = Math.max(-128, top - r.int(0, spread)); // clustered below a maximum
    else if (pattern === 2) input[i] = r.next() < 0.5 ? top : Math.max(-128, top - r.int(0, spread)); // many ties at the max
    else input[i] = i % depth === r.int(0, depth - 1) ? 127 : r.int(-128, -100); // one dominant value
  }
  return { shape, depth, inScale, inZp: r.int(-128, 127), beta, input };
}

test('SOFTMAX equals the reference on 1000 random cases', async () => {
  const r = new Rng(31);
  let high = 0;
  let cutoff = 0;
  let roundedLow = 0;
  const shifts = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const c = randomCase(r);
    const p = referenceSoftmaxParams(Math.fround(c.beta), c.inScale)!;
    const ref = referenceSoftmax(c.input, c.depth, Math.fround(c.beta), c.inScale);
    const [got] = await runGraph(softmaxGraph(c.shape, c.inScale, c.inZp, c.beta), [c.input], i % 10 === 0);
    assert.is(firstDifference(got, ref), 'equal', `case ${i}: ${JSON.stringify({ ...c, input: Array.from(c.input) })}`);
    shifts.add(p.leftShift);
    if (ref.includes(127)) high++;
    // -128 from the diff_min cutoff, and -128 from rounding a small but counted probability.
    let sawCutoff = false;
    let sawRounded = false;
    for (let row = 0; row < c.input.length / c.depth; row++) {
      const vals = c.input.subarray(row * c.depth, (row + 1) * c.depth);
      const max = Math.max(...vals);
      vals.forEach((v, k) => {
        if (v - max < p.diffMin) sawCutoff = true;
        else if (ref[row * c.depth + k] === -128) sawRounded = true;
      });
    }
    if (sawCutoff) cutoff++;
    if (sawRounded) roundedLow++;
  }
  assert.ok(high > 100 && cutoff > 100 && roundedLow > 100, `coverage: saturated 127 in ${high}, diff_min cutoff in ${cutoff}, rounded to -128 in ${roundedLow}`);
  assert.ok(Math.min(...shifts) <= 3 && Math.max(...shifts) === 31, `left shifts seen: ${[...shifts].sort((a, b) => a - b)}`);
});

test('SOFTMAX equals the reference on every difference 0..255 at 300 input scales (2- and 3-wide rows)', async () => {
  // Large, mid-range probabilities make every fixed-point step visible in the int8 result: a one-bit change in
  // any exp or reciprocal constant shows up somewhere in this sweep.
  const r = new Rng(32);
  for (let s = 0; s < 300; s++) {
    const inScale = Math.fround(2 ** (-25 + (31 * s) / 299) * (1 + r.next() / 8));
    const beta = s % 3 === 0 ? r.scale(0.5, 2) : 1;
    const two = Int8Array.from({ length: 512 }, (_, i) => (i % 2 === 0 ? 127 : 127 - (i >> 1)));
    const three = Int8Array.from({ length: 768 }, (_, i) => [127, 127 - Math.floor(i / 3), 127 - ((Math.floor(i / 3) * 7) % 256)][i % 3]);
    for (const [input, depth] of [[two, 2], [three, 3]] as const) {
      const ref = referenceSoftmax(input, depth, Math.fround(beta), inScale);
      const [got] = await runGraph(softmaxGraph([input.length / depth, depth], inScale, 0, beta), [input], false);
      assert.is(firstDifference(got, ref), 'equal', `scale ${inScale}, beta ${beta}, depth ${depth}`);
    }
  }
});

test('SOFTMAX host parameters match hand-computed PreprocessSoftmaxScaling and CalculateInputRadius', () => {
  // scale 1, beta 1: 2^26 = 0.5 * 2^27 -> multiplier 2^30, shift 27; radius floor(31 * 2^26 / 2^27) = floor(15.5) = 15.
  assert.equal(softmaxParams(1, 1, 'test'), { inputMultiplier: 2 ** 30, inputLeftShift: 27, diffMin: -15 });
  // scale 0.5, beta 3: 1.5 * 2^26 = 0.75 * 2^27 -> multiplier 0.75 * 2^31 = 1610612736, shift 27; radius 15.
  assert.equal(softmaxParams(3, 0.5, 'test'), { inputMultiplier: 1610612736, inputLeftShift: 27, diffMin: -15 });
  // scale 64: 2^32 is capped at 2^31 - 1 -> multiplier 2^31 - 1, shift 31; radius floor(31/32) = 0.
  assert.equal(softmaxParams(1, 64, 'test'), { inputMultiplier: 2 ** 31 - 1, inputLeftShift: 31, diffMin: 0 });
  // scale 2^-20: 64 = 0.5 * 2^7 -> 2^30, shift 7; radius 31 * 2^19 = 16252928.
  assert.equal(softmaxParams(1, 2 ** -20, 'test'), { inputMultiplier: 2 ** 30, inputLeftShift: 7, diffMin: -16252928 });
});

test('SOFTMAX hand-computed cases', async () => {
  const run = async (shape: number[], input: number[], scale = 0.1) => Array.from((await runGraph(softmaxGraph(shape, scale, 0, 1), [Int8Array.from(input)]))[0]);
  // One value: probability 1.0 = 256/256, which saturates to 127.
  assert.equal(await run([1, 1], [42]), [127]);
  // Ties: the sum of exps is exactly 2.0 (4.0); 1/sum is computed as 2^31 - 1 and 0.5 * 256 - 128 = 0 (0.25 -> -64).
  assert.equal(await run([1, 2], [5, 5]), [0, 0]);
  assert.equal(await run([2, 4], [-7, -7, -7, -7, 100, 100, 100, 100]), [-64, -64, -64, -64, -64, -64, -64, -64]);
  // Scale 1, beta 1: diff_min = -15 (see above). A difference of -16 is skipped (-128), the max alone sums to 1.0 (127).
  // A difference of -15 is counted but exp(-15) * 256 = 8e-5 rounds to 0 (-128), and the max still rounds to 256 (127).
  assert.equal(await run([1, 2], [10, -6], 1), [127, -128]);
  assert.equal(await run([1, 2], [10, -5], 1), [127, -128]);
  // A row whose sum of exps reaches 512 (600 ties): TFLite Micro stops (exponent > 31); the exact value 256/600 rounds to 0.
  assert.equal(new Set(await run([1, 600], new Array(600).fill(3))), new Set([-128]));
});

test('SOFTMAX is within 1 of TFLite Micro softmax_test.cc goldens (input scale 0.1)', async () => {
  const input = [1, 2, 3, 4, 5, -1, -2, -3, -4, -5, 3, 6, -5, 4, -9, -10, -10, -8, 2, 2, 8, -5, -8, 5, -6, -8, 6, 1, -10, -8];
  const golden = [
    0.011656231, 0.031684921, 0.086128544, 0.234121657, 0.636408647, 0.636408647, 0.234121657, 0.086128544, 0.031684921, 0.011656231,
    0.042009463, 0.843782625, 0.000014093, 0.114193561, 0.000000258, 0.000003072, 0.000003072, 0.000022699, 0.499985578, 0.499985578,
    0.952571219, 0.000002153, 0.000000107, 0.047425728, 0.000000792, 0.000000826, 0.993305397, 0.006692839, 0.000000112, 0.000000826,
  ];
  const [got] = await runGraph(softmaxGraph([6, 5], 0.1, 0, 1), [Int8Array.from(input, (v) => v * 10)]);
  golden.forEach((g, i) => {
    const want = Math.min(127, Math.round(g * 256) - 128);
    assert.ok(Math.abs(got[i] - want) <= 1, `element ${i}: got ${got[i]}, golden ${want}`);
  });
});

test('SOFTMAX refuses bad operators with typed errors', () => {
  const build = (g: Graph) => () => buildSchedule(g);
  throwsError(build(softmaxGraph([1, 4], 0.1, 0, 1, { quant: q(OUT_SCALE, -127) })), ModelError, /output 'y'.*scale 1\/256 and zero point -128/);
  throwsError(build(softmaxGraph([1, 4], 0.1, 0, 1, { quant: q(1 / 255, -128) })), ModelError, /scale 1\/256 and zero point -128/);
  throwsError(build(softmaxGraph([1, 4], 0.1, 0, 1, { shape: [1, 5] })), ModelError, /output 'y' has shape \[1,5\]/);
  throwsError(build(softmaxGraph([1, 4], 0.1, 0, 1, { quant: { scale: [OUT_SCALE, OUT_SCALE], zeroPoint: [-128, -128], axis: 0 }, shape: [2, 4] })), ModelError);
  throwsError(build(softmaxGraph([1, 4], 1e-9, 0, 1)), ModelError, /too small/);
  const floatIn = softmaxGraph([1, 4], 0.1, 0, 1);
  floatIn.tensors[0] = { name: 'x', shape: [1, 4], dtype: 'float32' };
  throwsError(build(floatIn), UnsupportedError, /input 0 .*'x'.* float32/);
  const noQuant = softmaxGraph([1, 4], 0.1, 0, 1);
  delete noQuant.tensors[0].quant;
  throwsError(build(noQuant), ModelError, /no quantisation/);
  const perChannelOut = softmaxGraph([1, 2], 0.1, 0, 1, { quant: { scale: [OUT_SCALE, OUT_SCALE], zeroPoint: [-128, -128], axis: 1 } });
  throwsError(build(perChannelOut), UnsupportedError, /per channel/);
});

test.run();
