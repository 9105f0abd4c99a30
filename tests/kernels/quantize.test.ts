import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DType, Graph, Tensor } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { referenceQuantizeFloat, referenceRequantize } from '../reference/quantize.ts';
import { quantizeMultiplier, roundAway } from '../reference/tflite-math.ts';

const q = (scale: number, zp: number) => ({ scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 });

function quantizeGraph(shape: number[], from: DType, inQuant: Tensor['quant'], outScale: number, outZp: number, out: Partial<Tensor> = {}): Graph {
  return {
    name: 'quantize-case',
    tensors: [
      { name: 'x', shape, dtype: from, ...(inQuant ? { quant: inQuant } : {}) },
      { name: 'y', shape, dtype: 'int8', quant: q(outScale, outZp), ...out },
    ],
    ops: [{ kind: 'QUANTIZE', name: 'quantize', inputs: [0], outputs: [1], options: {} }],
    inputs: [0],
    outputs: [1],
  };
}

/** Neighbouring float32 values (one unit in the last place up or down). */
function nextFloat(x: number, dir: 1 | -1): number {
  const f = new Float32Array([x]);
  const i = new Int32Array(f.buffer);
  if (x === 0) return dir * 2 ** -149;
  i[0] += (x > 0 ? dir : -dir);
  return f[0];
}

function randomShape(r: Rng): number[] {
  const rank = r.int(1, 4);
  return Array.from({ length: rank }, () => r.int(1, rank > 2 ? 6 : 20));
}

test('QUANTIZE float32 -> int8 equals the reference on 1000 random cases', async () => {
  const r = new Rng(61);
  let low = 0;
  let high = 0;
  let ties = 0;
  let floatVsDouble = 0;
  let specials = 0;
  for (let i = 0; i < 1000; i++) {
    const shape = randomShape(r);
    const n = shape.reduce((a, b) => a * b, 1);
    const scale = r.scale(1e-4, 10);
    const zp = r.int(-128, 127);
    const x = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      const kind = r.int(0, 9);
      if (kind <= 3) x[k] = (r.next() - 0.5) * 400 * scale; // covers both saturation ends
      else if (kind <= 7) {
        // Halfway points and their float32 neighbours: the rounding rule and the float32 quotient matter here.
        const half = Math.fround((r.int(-140, 140) + 0.5) * scale);
        x[k] = kind === 4 ? half : kind === 5 ? nextFloat(half, 1) : kind === 6 ? nextFloat(half, -1) : Math.fround(r.int(-140, 140) * scale);
      } else if (kind === 8) x[k] = r.pick([0, -0, Infinity, -Infinity, NaN, 1e30, -1e30, 3e9, -3e9, 1e-40]);
      else x[k] = Math.fround((r.next() - 0.5) * 10 ** r.int(-6, 6));
    }
    const ref = referenceQuantizeFloat(x, scale, zp);
    const [got] = await runGraph(quantizeGraph(shape, 'float32', undefined, scale, zp), [x], i % 10 === 0);
    assert.is(firstDifference(got, ref), 'equal', `case ${i}: scale ${scale} zp ${zp} input ${Array.from(x)}`);
    if (ref.includes(-128)) low++;
    if (ref.includes(127)) high++;
    for (const v of x) {
      const quotient = Math.fround(v / scale);
      if (Math.abs(quotient % 1) === 0.5) ties++;
      if (Number.isFinite(v) && roundAway(quotient) !== roundAway(v / scale)) floatVsDouble++;
      if (!Number.isFinite(v) || Math.abs(v / scale) > 2 ** 31) specials++;
    }
  }
  assert.ok(low > 300 && high > 300, `saturation coverage ${low}/${high}`);
  // The cases must tell a float32 quotient from a double one, and halves-away from other tie rules.
  assert.ok(ties > 1000 && floatVsDouble > 100 && specials > 100, `ties ${ties}, float32-vs-double differences ${floatVsDouble}, specials ${specials}`);
});

test('QUANTIZE int8 -> int8 equals the reference on 1000 random cases', async () => {
  const r = new Rng(62);
  let low = 0;
  let high = 0;
  const shiftSigns = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const shape = randomShape(r);
    const n = shape.reduce((a, b) => a * b, 1);
    const inScale = r.scale(1e-3, 1);
    const outScale = Math.fround(inScale * 10 ** (6 * r.next() - 3));
    const inZp = r.int(-128, 127);
    const outZp = r.int(-128, 127);
    const x = r.int8s(n);
    const ref = referenceRequantize(x, inScale, inZp, outScale, outZp);
    const [got] = await runGraph(quantizeGraph(shape, 'int8', q(inScale, inZp), outScale, outZp), [x], i % 10 === 0);
    assert.is(firstDifference(got, ref), 'equal', `case ${i}: ${JSON.stringify({ inScale, inZp, outScale, outZp, x: Array.from(x) })}`);
    if (ref.includes(-128)) low++;
    if (ref.includes(127)) high++;
    shiftSigns.add(Math.sign(quantizeMultiplier(inScale / outScale)[1]));
  }
  assert.ok(low > 300 && high > 300, `saturation coverage ${low}/${high}`);
  assert.equal([...shiftSigns].sort(), [-1, 0, 1]);
});

test('QUANTIZE hand-computed cases', async () => {
  const runF = async (values: number[], scale: number, zp: number) => Array.from((await runGraph(quantizeGraph([values.length], 'float32', undefined, scale, zp), [Float32Array.from(values)]))[0]);
  // std::round: halves go away from zero (0.25 / 0.5 = 0.5 -> 1, -0.5 -> -1); 0.74 / 0.5 = 1.48 -> 1.
  assert.equal(await runF([0.25, -0.25, 0.74, 1, -1, 1.25, -1.25], 0.5, 0), [1, -1, 1, 2, -2, 3, -3]);
  // Zero point added after rounding, then the int8 clamp: 30 / 0.25 = 120, + 10 = 130 -> 127; -300 -> -128.
  assert.equal(await runF([30, -300, 0], 0.25, 10), [127, -128, 10]);
  // The division is float32: 1.5 / 0.2f = 7.4999998882 exactly, which is 7.5 as a float32, so TFLite gets 8 (a
  // double division would give 7).
  assert.equal(await runF([1.5, -1.5], Math.fround(0.2), 0), [8, -8]);
  // Where TFLite's int cast is undefined, mcusim saturates and maps NaN to the zero point.
  assert.equal(await runF([Infinity, -Infinity, NaN, 1e20, -1e20], 1, -5), [127, -128, -5, 127, -128]);

  const runQ = async (values: number[], inScale: number, inZp: number, outScale: number, outZp: number) =>
    Array.from((await runGraph(quantizeGraph([values.length], 'int8', q(inScale, inZp), outScale, outZp), [Int8Array.from(values)]))[0]);
  // Ratio 2 (multiplier 2^30, shift 2): (3 - 1) * 2 - 5 = -1; (127 - 1) * 2 - 5 = 247 -> 127.
  assert.equal(await runQ([3, 127, -128], 0.5, 1, 0.25, -5), [-1, 127, -128]);
  // Ratio 1/4 (multiplier 2^30, shift -1): +-6 * 0.25 = +-1.5, which RoundingDivideByPOT rounds away to +-2.
  assert.equal(await runQ([6, -6, 2, -2], 0.25, 0, 1, 0), [2, -2, 1, -1]);
});

test('QUANTIZE refuses bad operators with typed errors', () => {
  const build = (g: Graph) => () => buildSchedule(g);
  throwsError(build(quantizeGraph([4], 'int32', undefined, 0.1, 0)), UnsupportedError, /input 'x' has type int32; QUANTIZE takes float32 or int8/);
  throwsError(build(quantizeGraph([4], 'float32', undefined, 0.1, 0, { dtype: 'float32' })), UnsupportedError, /output 0 .*'y'.* float32; this operator needs int8/);
  throwsError(build(quantizeGraph([2], 'float32', undefined, 0.1, 0, { quant: { scale: [0.1, 0.2].map(Math.fround), zeroPoint: [0, 0], axis: 0 } })), UnsupportedError, /per channel/);
  throwsError(build(quantizeGraph([4], 'float32', undefined, 0.1, 0, { shape: [2, 2] })), ModelError, /output 'y' has shape \[2,2\], expected \[4\]/);
  const noQuant = quantizeGraph([4], 'float32', undefined, 0.1, 0);
  delete noQuant.tensors[1].quant;
  throwsError(build(noQuant), ModelError, /no quantisation/);
  throwsError(build(quantizeGraph([4], 'int8', undefined, 0.1, 0)), ModelError, /input 0 .*'x'.* no quantisation/);
});

test.run();
