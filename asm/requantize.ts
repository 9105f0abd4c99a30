// TensorFlow Lite's fixed-point requantisation, shared by every kernel that rescales int32 sums to int8.
// Double rounding: SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT (TFLite's default path).

@inline
export function saturatingRoundingDoublingHighMul(a: i32, b: i32): i32 {
  if (a == b && a == i32.MIN_VALUE) return i32.MAX_VALUE;
  const ab: i64 = <i64>a * <i64>b;
  const nudge: i64 = ab >= 0 ? 1 << 30 : 1 - (1 << 30);
  // Division (not a shift): C++ integer division truncates toward zero, and TFLite relies on that.
  return <i32>((ab + nudge) / (<i64>1 << 31));
}

@inline
export function roundingDivideByPOT(x: i32, exponent: i32): i32 {
  const mask: i32 = (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** MultiplyByQuantizedMultiplier: x * multiplier * 2^shift with TFLite's rounding. */
@inline
export function multiplyByQuantizedMultiplier(x: i32, multiplier: i32, shift: i32): i32 {
  const leftShift = shift > 0 ? shift : 0;
  const rightShift = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x * (1 << leftShift), multiplier), rightShift);
}

@inline
export function clampI32(x: i32, lo: i32, hi: i32): i32 {
  return x < lo ? lo : x > hi ? hi : x;
}

// SIMD requantisation of four int32 sums, lane for lane equal to multiplyByQuantizedMultiplier.
// Per-lane constants for channels c..c+3 come from requantLeft/requantPow/requantMask; requantVectorOk says
// whether the vector form applies (it needs every right shift <= 30; a shift of -31 takes requantize4Scalar).
// Why it is exact: with multiplier m > 0 never INT32_MIN, SaturatingRoundingDoublingHighMul(x, m) equals
// floor((x*m + 2^30) / 2^31) for both signs (the negative nudge 1 - 2^30 plus C's truncation works out to it),
// and floor(v / 2^k) is the high word of v * 2^(32-k). RoundingDivideByPOT keeps TFLite's mask/threshold form.

@inline
export function requantVectorOk(shifts: usize): bool {
  return min(min(load<i32>(shifts), load<i32>(shifts, 4)), min(load<i32>(shifts, 8), load<i32>(shifts, 12))) >= -30;
}

/** 1 << max(shift, 0) per lane. */
@inline
export function requantLeft(shifts: usize): v128 {
  let v = i32x4.splat(0);
  v = i32x4.replace_lane(v, 0, 1 << max(load<i32>(shifts), 0));
  v = i32x4.replace_lane(v, 1, 1 << max(load<i32>(shifts, 4), 0));
  v = i32x4.replace_lane(v, 2, 1 << max(load<i32>(shifts, 8), 0));
  v = i32x4.replace_lane(v, 3, 1 << max(load<i32>(shifts, 12), 0));
  return v;
}

/** 1 << (30 - e) per lane, e = max(-shift, 0) the right shift. */
@inline
export function requantPow(shifts: usize): v128 {
  let v = i32x4.splat(0);
  v = i32x4.replace_lane(v, 0, 1 << (30 - max(-load<i32>(shifts), 0)));
  v = i32x4.replace_lane(v, 1, 1 << (30 - max(-load<i32>(shifts, 4), 0)));
  v = i32x4.replace_lane(v, 2, 1 << (30 - max(-load<i32>(shifts, 8), 0)));
  v = i32x4.replace_lane(v, 3, 1 << (30 - max(-load<i32>(shifts, 12), 0)));
  return v;
}

/** (1 << e) - 1 per lane. */
@inline
export function requantMask(shifts: usize): v128 {
  let v = i32x4.splat(0);
  v = i32x4.replace_lane(v, 0, (1 << max(-load<i32>(shifts), 0)) - 1);
  v = i32x4.replace_lane(v, 1, (1 << max(-load<i32>(shifts, 4), 0)) - 1);
  v = i32x4.replace_lane(v, 2, (1 << max(-load<i32>(shifts, 8), 0)) - 1);
  v = i32x4.replace_lane(v, 3, (1 << max(-load<i32>(shifts, 12), 0)) - 1);
  return v;
}

@inline
export function requantize4(acc: v128, left: v128, multiplier: v128, pow: v128, mask: v128): v128 {
  const x = i32x4.mul(acc, left); // wraps like the scalar x * (1 << left)
  const half = i64x2.splat(1 << 30);
  const lo = i64x2.shl(i64x2.add(i64x2.extmul_low_i32x4_s(x, multiplier), half), 1);
  const hi = i64x2.shl(i64x2.add(i64x2.extmul_high_i32x4_s(x, multiplier), half), 1);
  const s = i32x4.shuffle(lo, hi, 1, 3, 5, 7);
  const qlo = i64x2.shl(i64x2.extmul_low_i32x4_s(s, pow), 2);
  const qhi = i64x2.shl(i64x2.extmul_high_i32x4_s(s, pow), 2);
  const q = i32x4.shuffle(qlo, qhi, 1, 3, 5, 7); // s >> e
  const threshold = i32x4.sub(i32x4.shr_s(mask, 1), i32x4.shr_s(s, 31));
  return i32x4.sub(q, i32x4.gt_s(v128.and(s, mask), threshold));
}

/** The same four lanes through the scalar path (for right shifts of 31). */
@inline
export function requantize4Scalar(acc: v128, multipliers: usize, shifts: usize): v128 {
  let v = acc;
  v = i32x4.replace_lane(v, 0, multiplyByQuantizedMultiplier(i32x4.extract_lane(acc, 0), load<i32>(multipliers), load<i32>(shifts)));
  v = i32x4.replace_lane(v, 1, multiplyByQuantizedMultiplier(i32x4.extract_lane(acc, 1), load<i32>(multipliers, 4), load<i32>(shifts, 4)));
  v = i32x4.replace_lane(v, 2, multiplyByQuantizedMultiplier(i32x4.extract_lane(acc, 2), load<i32>(multipliers, 8), load<i32>(shifts, 8)));
  v = i32x4.replace_lane(v, 3, multiplyByQuantizedMultiplier(i32x4.extract_lane(acc, 3), load<i32>(multipliers, 12), load<i32>(shifts, 12)));
  return v;
}

// Faster vector requantisation for the common case, chosen once per kernel call by requantFast(): every shift in
// [-18, -1] (a right shift e = -shift of 1..18, no left shift) and every multiplier 0 or normalised (2^30 <= m < 2^31,
// as QuantizeMultiplier makes them). With e >= 1 the double rounding folds into one 64-bit value:
//   q = RoundingDivideByPOT(SRDHM(x, m), e) = floor((x*m + 2^30 + 2^31 * (2^(e-1) - [s < 0])) / 2^(31 + e))
// (s = SRDHM(x, m); [s < 0] may be read as [x < 0], since x < 0 <= s forces s = 0 and then q = 0 either way).
// Scaling x by 2^(20 - e) makes the final shift the same for every lane, 20 + 31, and with e <= 18 every rounding
// term is a whole multiple of 2^32, so it joins after the high word of the product (one i64 extmul per two lanes):
//   q + out_off = (hi32(x' * m) + 2^(18 - e) + 2^18 + out_off * 2^19 - [x < 0] * 2^(19 - e)) >> 19, x' = x * 2^(20 - e).
// x is first clamped to +-2^(10 + e): x' then fits int32 (|x'| <= 2^30), and any x beyond that bound gives
// |q| >= 2^9, as the bound itself does, so the int8 result (after the activation clamp) cannot change.
// The general form (requantize4 above, any shift >= -30) uses the same six vectors: lo = requantLeft, hi =
// requantMask, scale = requantPow, neg unused, round = the output offset.

/** Whether requant4's fast form applies to channels [0, n): shifts in [-18, -1], multipliers 0 or in [2^30, 2^31). */
export function requantFast(multipliers: usize, shifts: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    const s = load<i32>(shifts + (<usize>i << 2));
    const m = load<i32>(multipliers + (<usize>i << 2));
    if (s > -1 || s < -18 || (m != 0 && m < (1 << 30))) return false;
  }
  return true;
}

/** Fast: the clamp bound 2^(10 + e); general: the rounding mask. */
@inline
export function rqHi(fast: bool, shifts: usize): v128 {
  if (!fast) return requantMask(shifts);
  let v = i32x4.splat(1 << (10 - load<i32>(shifts)));
  v = i32x4.replace_lane(v, 1, 1 << (10 - load<i32>(shifts, 4)));
  v = i32x4.replace_lane(v, 2, 1 << (10 - load<i32>(shifts, 8)));
  return i32x4.replace_lane(v, 3, 1 << (10 - load<i32>(shifts, 12)));
}

/** Fast: the clamp bound -2^(10 + e) (from rqHi's `hi`); general: 1 << left shift. */
@inline
export function rqLo(fast: bool, hi: v128, shifts: usize): v128 {
  return fast ? i32x4.sub(i32x4.splat(0), hi) : requantLeft(shifts);
}

/** Fast: 2^(20 - e); general: requantPow. */
@inline
export function rqScale(fast: bool, shifts: usize): v128 {
  if (!fast) return requantPow(shifts);
  let v = i32x4.splat(1 << (20 + load<i32>(shifts)));
  v = i32x4.replace_lane(v, 1, 1 << (20 + load<i32>(shifts, 4)));
  v = i32x4.replace_lane(v, 2, 1 << (20 + load<i32>(shifts, 8)));
  return i32x4.replace_lane(v, 3, 1 << (20 + load<i32>(shifts, 12)));
}

/** Fast: 2^(19 - e) (from rqScale's `scale`), taken off for negative x; general: unused. */
@inline
export function rqNeg(fast: bool, scale: v128): v128 {
  return fast ? i32x4.shr_u(scale, 1) : i32x4.splat(0);
}

/** Fast: 2^(18 - e) + 2^18 + output_offset * 2^19 (from rqScale's `scale`); general: the output offset. */
@inline
export function rqRound(fast: bool, scale: v128, outputOffset: i32): v128 {
  return fast ? i32x4.add(i32x4.shr_u(scale, 2), i32x4.splat((1 << 18) + (outputOffset << 19))) : i32x4.splat(outputOffset);
}

/**
 * MultiplyByQuantizedMultiplier(acc, m, shift) + output_offset for 4 lanes (wrapping like the scalar form), with the
 * vectors from rqLo/rqHi/rqScale/rqNeg/rqRound and `multiplier` loaded from the multipliers.
 */
@inline
export function requant4(fast: bool, acc: v128, lo: v128, hi: v128, scale: v128, multiplier: v128, neg: v128, round: v128): v128 {
  if (!fast) return i32x4.add(requantize4(acc, lo, multiplier, scale, hi), round);
  const x = i32x4.mul(i32x4.min_s(i32x4.max_s(acc, lo), hi), scale);
  const h = i32x4.shuffle(i64x2.extmul_low_i32x4_s(x, multiplier), i64x2.extmul_high_i32x4_s(x, multiplier), 1, 3, 5, 7);
  return i32x4.shr_s(i32x4.sub(i32x4.add(h, round), v128.and(i32x4.shr_s(x, 31), neg)), 19);
}

/**
 * Two 4-channel sums (accA, accB) through requant4 (same constants), saturated to int8 and clamped to [lo8, hi8]:
 * 4 bytes stored at outA, 4 at outB.
 */
@inline
export function requantStore2x4(
  fast: bool, accA: v128, accB: v128, lo: v128, hi: v128, scale: v128, multiplier: v128, neg: v128, round: v128,
  lo8: v128, hi8: v128, outA: usize, outB: usize,
): void {
  const bytes = packClamp8(requant4(fast, accA, lo, hi, scale, multiplier, neg, round), requant4(fast, accB, lo, hi, scale, multiplier, neg, round), lo8, hi8);
  v128.store32_lane(outA, bytes, 0);
  v128.store32_lane(outB, bytes, 1);
}

/** Saturates 8 int32 lanes (a, then b) to int8 and clamps them to [lo, hi] (splatted int8 activation bounds): lanes 0..7. */
@inline
export function packClamp8(a: v128, b: v128, lo: v128, hi: v128): v128 {
  const w = i16x8.narrow_i32x4_s(a, b);
  return i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(w, w), lo), hi);
}

/** The same for 16 lanes (a, b, c, d). */
@inline
export function packClamp16(a: v128, b: v128, c: v128, d: v128, lo: v128, hi: v128): v128 {
  return i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d)), lo), hi);
}

/** [sum(a), sum(b), sum(c), sum(d)]: four int32x4 partial sums reduced to one vector. */
@inline
export function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = i32x4.add(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(a, b, 2, 6, 3, 7));
  const cd = i32x4.add(i32x4.shuffle(c, d, 0, 4, 1, 5), i32x4.shuffle(c, d, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(ab, cd, 0, 1, 4, 5), i32x4.shuffle(ab, cd, 2, 3, 6, 7));
}

// gemmlowp fixed-point functions (fixedpoint.h) on int32 raw values, shared by LOGISTIC and TANH.
// A value in format Qm has m integer bits and 31 - m fractional bits; products of Qa and Qb values are Q(a+b).

/** gemmlowp SaturatingRoundingMultiplyByPOT with a positive exponent: a left shift that saturates. */
@inline
export function saturatingShiftLeftPOT(x: i32, exponent: i32): i32 {
  const threshold: i32 = (1 << (31 - exponent)) - 1;
  return x > threshold ? i32.MAX_VALUE : x < -threshold ? i32.MIN_VALUE : x << exponent;
}

/** gemmlowp RoundingHalfSum for int32: (a + b) / 2 in 64 bits, halves away from zero. */
@inline
export function roundingHalfSum(a: i32, b: i32): i32 {
  const sum: i64 = <i64>a + <i64>b;
  return <i32>((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/** exp(a) for a in [-1/4, 0), Q0 in and out: Taylor expansion around -1/8. */
@inline
function expOnQuarterInterval(a: i32): i32 {
  const constantTerm: i32 = 1895147668; // exp(-1/8)
  const x = a + (1 << 28); // a + 1/8
  const x2 = saturatingRoundingDoublingHighMul(x, x);
  const x3 = saturatingRoundingDoublingHighMul(x2, x);
  const x4 = saturatingRoundingDoublingHighMul(x2, x2);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT(saturatingRoundingDoublingHighMul(x4Over4 + x3, 715827883) + x2, 1); // x^4/24 + x^3/6 + x^2/2
  return constantTerm + saturatingRoundingDoublingHighMul(constantTerm, x + poly);
}

/** gemmlowp exp_on_negative_values: exp(a) for a <= 0 given in Q`integerBits`; the result is Q0. */
@inline
export function expOnNegativeValues(a: i32, integerBits: i32): i32 {
  const fractionalBits = 31 - integerBits;
  const oneQuarter: i32 = 1 << (fractionalBits - 2);
  const aModQuarterMinusOneQuarter = (a & (oneQuarter - 1)) - oneQuarter; // in [-1/4, 0)
  let result = expOnQuarterInterval(saturatingShiftLeftPOT(aModQuarterMinusOneQuarter, integerBits)); // Rescale<0>
  const remainder = aModQuarterMinusOneQuarter - a; // the whole quarters of -a
  // Barrel shifter: multiply by exp(-2^k) for each set bit k of the remainder (k = -2 .. 4, below integerBits).
  if ((remainder & (1 << (fractionalBits - 2))) != 0) result = saturatingRoundingDoublingHighMul(result, 1672461947);
  if ((remainder & (1 << (fractionalBits - 1))) != 0) result = saturatingRoundingDoublingHighMul(result, 1302514674);
  if (integerBits > 0 && (remainder & (1 << fractionalBits)) != 0) result = saturatingRoundingDoublingHighMul(result, 790015084);
  if (integerBits > 1 && (remainder & (1 << (fractionalBits + 1))) != 0) result = saturatingRoundingDoublingHighMul(result, 290630308);
  if (integerBits > 2 && (remainder & (1 << (fractionalBits + 2))) != 0) result = saturatingRoundingDoublingHighMul(result, 39332535);
  if (integerBits > 3 && (remainder & (1 << (fractionalBits + 3))) != 0) result = saturatingRoundingDoublingHighMul(result, 720401);
  if (integerBits > 4 && (remainder & (1 << (fractionalBits + 4))) != 0) result = saturatingRoundingDoublingHighMul(result, 242);
  if (integerBits > 5 && a < -(1 << (36 - integerBits))) result = 0; // below -32
  return a == 0 ? i32.MAX_VALUE : result;
}

/** Newton-Raphson for 1 / (2 * halfDenominator) with a Q0 input: three steps from 48/17 - 32/17 d; the result is Q2. */
@inline
function newtonReciprocalQ2(halfDenominator: i32): i32 {
  let x: i32 = 1515870810 + saturatingRoundingDoublingHighMul(halfDenominator, -1010580540);
  for (let i = 0; i < 3; i++) {
    const oneMinusHalfDenominatorTimesX = (1 << 29) - saturatingRoundingDoublingHighMul(halfDenominator, x); // Q2
    x += saturatingShiftLeftPOT(saturatingRoundingDoublingHighMul(x, oneMinusHalfDenominatorTimesX), 2); // Q4 -> Q2
  }
  return x;
}

/** gemmlowp one_over_one_plus_x_for_x_in_0_1: Q0 in and out. */
@inline
export function oneOverOnePlusXForXIn01(a: i32): i32 {
  const x = newtonReciprocalQ2(roundingHalfSum(a, i32.MAX_VALUE));
  return saturatingShiftLeftPOT(x, 1); // ExactMulByPot<-1> (Q1), then Rescale<0>
}

/** gemmlowp one_minus_x_over_one_plus_x_for_x_in_0_1: Q0 in and out. */
@inline
export function oneMinusXOverOnePlusXForXIn01(a: i32): i32 {
  const x = newtonReciprocalQ2(roundingHalfSum(a, i32.MAX_VALUE));
  return saturatingShiftLeftPOT(x - (1 << 29), 2); // x - 1 in Q2, then Rescale<0>
}
