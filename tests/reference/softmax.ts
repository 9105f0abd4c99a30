// Reference int8 SOFTMAX (TFLite Micro: softmax_common.cc Prepare + reference_ops::Softmax), written plainly for
// tests. gemmlowp's FixedPoint<int32, IntegerBits> is modelled as { raw, ib } so that formats, rescales and
// products follow the template arithmetic instead of hand-derived shift amounts. Shares no code with asm/ or runtime/.
import { quantizeMultiplier, srdhm } from './tflite-math.ts';

const MAX = 2147483647;
const MIN = -2147483648;

interface Fx { raw: number; ib: number }
const fx = (raw: number, ib: number): Fx => ({ raw: raw | 0, ib });

/** Division by 2^e rounded to nearest, halves away from zero (gemmlowp RoundingDivideByPOT, any e >= 0). */
function roundDiv(x: number, e: number): number {
  const q = x / 2 ** e; // exact: x is an int32, 2^e a power of two
  return q < 0 ? -Math.floor(-q + 0.5) : Math.floor(q + 0.5);
}

/** gemmlowp SaturatingRoundingMultiplyByPOT<e>. */
function mulByPot(x: number, e: number): number {
  if (e === 0) return x;
  if (e < 0) return roundDiv(x, -e);
  const threshold = 2 ** (31 - e) - 1;
  if (x > threshold) return MAX;
  if (x < -threshold) return MIN;
  return x * 2 ** e;
}

const mul = (a: Fx, b: Fx): Fx => fx(srdhm(a.raw, b.raw), a.ib + b.ib);
const add = (a: Fx, b: Fx): Fx => fx(a.raw + b.raw, a.ib);
const sub = (a: Fx, b: Fx): Fx => fx(a.raw - b.raw, a.ib);
const rescale = (a: Fx, ib: number): Fx => fx(mulByPot(a.raw, a.ib - ib), ib);
const one = (ib: number): Fx => fx(ib === 0 ? MAX : 2 ** (31 - ib), ib);
const constantPot = (ib: number, e: number): Fx => fx(2 ** (31 - ib + e), ib);

function expQuarter(a: Fx): Fx {
  const x = add(a, constantPot(0, -3));
  const x2 = mul(x, x);
  const x3 = mul(x2, x);
  const x4 = mul(x2, x2);
  const x4Over4 = fx(mulByPot(x4.raw, -2), 0);
  const inner = fx(mulByPot(add(mul(add(x4Over4, x3), fx(715827883, 0)), x2).raw, -1), 0);
  const c = fx(1895147668, 0);
  return add(c, mul(c, add(x, inner)));
}

const BARREL: [number, number][] = [[-2, 1672461947], [-1, 1302514674], [0, 790015084], [1, 290630308], [2, 39332535], [3, 720401], [4, 242]];

function expOnNegativeValues(a: Fx): Fx {
  const fb = 31 - a.ib;
  const quarter = constantPot(a.ib, -2);
  const mask = sub(quarter, fx(1, a.ib));
  const aMod = sub(fx(a.raw & mask.raw, a.ib), quarter);
  let result = expQuarter(rescale(aMod, 0));
  const remainder = sub(aMod, a).raw;
  for (const [k, m] of BARREL) {
    if (a.ib > k && (remainder & (2 ** (fb + k) | 0)) !== 0) result = mul(result, fx(m, 0));
  }
  if (a.ib > 5 && a.raw < -(2 ** (36 - a.ib))) result = fx(0, 0);
  return a.raw === 0 ? one(0) : result;
}

function oneOverOnePlusX(a: Fx): Fx {
  const sum = a.raw + MAX;
  const half = fx(Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2), 0); // RoundingHalfSum(a, One)
  let x = add(fx(1515870810, 2), mul(half, fx(-1010580540, 2)));
  for (let i = 0; i < 3; i++) {
    const oneMinus = sub(one(2), mul(half, x));
    x = add(x, rescale(mul(x, oneMinus), 2));
  }
  return rescale(fx(x.raw, 1), 0); // ExactMulByPot<-1>, then Rescale<0>
}

export interface SoftmaxRefParams { multiplier: number; leftShift: number; diffMin: number }

/** PreprocessSoftmaxScaling(beta, scale, 5) + CalculateInputRadius(5, shift, 31); null where TFLite refuses. */
export function referenceSoftmaxParams(beta: number, inputScale: number): SoftmaxRefParams | null {
  const real = Math.min(beta * inputScale * 2 ** 26, 2 ** 31 - 1);
  if (!(real > 1)) return null;
  const [multiplier, leftShift] = quantizeMultiplier(real);
  return { multiplier, leftShift, diffMin: -Math.floor((31 * 2 ** 26) / 2 ** leftShift) };
}

/** Softmax over the last `depth` values of each row; output scale 1/256, zero point -128. */
export function referenceSoftmax(input: Int8Array, depth: number, beta: number, inputScale: number): Int8Array {
  const p = referenceSoftmaxParams(beta, inputScale);
  if (!p) throw new Error('reference: beta * input scale too small');
  const out = new Int8Array(input.length);
  const expOf = (diff: number) => expOnNegativeValues(fx(srdhm(Math.imul(diff, 2 ** p.leftShift | 0), p.multiplier), 5));
  for (let r = 0; r < input.length / depth; r++) {
    const row = input.subarray(r * depth, (r + 1) * depth);
    const max = Math.max(...row);
    let sum = fx(0, 12);
    for (const v of row) if (v - max >= p.diffMin) sum = add(sum, rescale(expOf(v - max), 12));
    const headroomPlusOne = Math.clz32(sum.raw);
    const bitsOverUnit = 12 - headroomPlusOne;
    const scale = oneOverOnePlusX(fx(((sum.raw << headroomPlusOne) >>> 0) - 2 ** 31, 0));
    for (let c = 0; c < depth; c++) {
      const diff = row[c] - max;
      if (diff < p.diffMin) { out[r * depth + c] = -128; continue; }
      const unsat = roundDiv(mul(scale, expOf(diff)).raw, bitsOverUnit + 31 - 8);
      out[r * depth + c] = Math.max(-128, Math.min(127, unsat - 128));
    }
  }
  return out;
}
