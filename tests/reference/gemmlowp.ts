// gemmlowp's fixed-point math (fixedpoint.h: exp_on_negative_values, logistic, tanh) written plainly for the LOGISTIC
// and TANH references. A FixedPoint<int32, IntegerBits> is modelled as { raw, ib } so that each operation follows the
// template's format bookkeeping (products add integer bits, Rescale shifts by the difference) rather than hand-derived
// shift amounts. Shares no code with asm/ or runtime/.
import { rdbpot, srdhm } from './tflite-math.ts';

const MAX = 2147483647;
const MIN = -2147483648;

interface Fp { raw: number; ib: number }
/** `| 0` wraps to int32 like the C++ additions do in practice. */
const fp = (raw: number, ib: number): Fp => ({ raw: raw | 0, ib });

function sameFormat(a: Fp, b: Fp): void {
  if (a.ib !== b.ib) throw new Error(`fixed-point formats differ: Q${a.ib} and Q${b.ib}`);
}
const plus = (a: Fp, b: Fp): Fp => { sameFormat(a, b); return fp(a.raw + b.raw, a.ib); };
const minus = (a: Fp, b: Fp): Fp => { sameFormat(a, b); return fp(a.raw - b.raw, a.ib); };
const times = (a: Fp, b: Fp): Fp => fp(srdhm(a.raw, b.raw), a.ib + b.ib);

/** SaturatingRoundingMultiplyByPOT<e>: saturating left shift for e > 0, rounding right shift for e < 0. */
function multiplyByPot(x: number, e: number): number {
  if (e < 0) return rdbpot(x, -e);
  const v = x * 2 ** e;
  return v > MAX ? MAX : v < MIN ? MIN : v;
}
const rescale = (a: Fp, ib: number): Fp => fp(multiplyByPot(a.raw, a.ib - ib), ib);
const one = (ib: number): Fp => fp(ib === 0 ? MAX : 2 ** (31 - ib), ib);
/** ConstantPOT<e> in format Q`ib`. */
const pot = (ib: number, e: number): Fp => fp(2 ** (31 - ib + e), ib);

function roundingHalfSum(a: number, b: number): number {
  const sum = a + b; // exact in a double
  return Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/** exp(a), a in [-1/4, 0) in Q0: Taylor series around -1/8. */
function expOnQuarter(a: Fp): Fp {
  const c = fp(1895147668, 0); // exp(-1/8)
  const third = fp(715827883, 0);
  const x = plus(a, pot(0, -3));
  const x2 = times(x, x);
  const x3 = times(x2, x);
  const x4 = times(x2, x2);
  const x4Over4 = fp(multiplyByPot(x4.raw, -2), 0);
  const tail = fp(multiplyByPot(plus(times(plus(x4Over4, x3), third), x2).raw, -1), 0);
  return plus(c, times(c, plus(x, tail)));
}

const EXP_OF_MINUS_POT: [number, number][] = [[-2, 1672461947], [-1, 1302514674], [0, 790015084], [1, 290630308], [2, 39332535], [3, 720401], [4, 242]];

/** exp(a) for a <= 0 in any format; the result is Q0. */
export function expOnNegativeValues(a: Fp): Fp {
  const quarter = pot(a.ib, -2);
  const aMod = minus(fp(a.raw & (quarter.raw - 1), a.ib), quarter);
  let result = expOnQuarter(rescale(aMod, 0));
  const remainder = minus(aMod, a).raw;
  for (const [k, multiplier] of EXP_OF_MINUS_POT) {
    if (a.ib > k && (remainder & (2 ** (31 - a.ib + k) | 0)) !== 0) result = times(result, fp(multiplier, 0));
  }
  if (a.ib > 5 && a.raw < -(2 ** (36 - a.ib))) result = fp(0, 0);
  return a.raw === 0 ? one(0) : result;
}

/** Newton-Raphson estimate of 1 / (1 + a) for a Q0 a in (0, 1), as a Q2 value. */
function reciprocalOfOnePlus(a: Fp): Fp {
  const halfDenominator = fp(roundingHalfSum(a.raw, MAX), 0);
  let x = plus(fp(1515870810, 2), times(halfDenominator, fp(-1010580540, 2)));
  for (let i = 0; i < 3; i++) x = plus(x, rescale(times(x, minus(one(2), times(halfDenominator, x))), 2));
  return x;
}

const oneOverOnePlusX = (a: Fp): Fp => rescale(fp(reciprocalOfOnePlus(a).raw, 1), 0); // ExactMulByPot<-1>, Rescale<0>
const oneMinusXOverOnePlusX = (a: Fp): Fp => rescale(minus(reciprocalOfOnePlus(a), one(2)), 0);

/** gemmlowp::logistic of a raw Q`ib` value; returns the raw Q0 result. */
export function logisticRaw(raw: number, ib: number): number {
  if (raw === 0) return 2 ** 30;
  const abs = raw > 0 ? raw : -raw;
  const positive = oneOverOnePlusX(expOnNegativeValues(fp(-abs, ib))).raw;
  return raw > 0 ? positive : MAX - positive;
}

/** gemmlowp::tanh of a raw Q`ib` value; returns the raw Q0 result. */
export function tanhRaw(raw: number, ib: number): number {
  if (raw === 0) return 0;
  const negativeAbs = raw < 0 ? raw : -raw;
  const t = oneMinusXOverOnePlusX(expOnNegativeValues(fp(negativeAbs, ib + 1))).raw; // ExactMulByPot<1>: exp(2x)
  return raw < 0 ? -t : t;
}
