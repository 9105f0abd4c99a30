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

/** [sum(a), sum(b), sum(c), sum(d)]: four int32x4 partial sums reduced to one vector. */
@inline
export function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = i32x4.add(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(a, b, 2, 6, 3, 7));
  const cd = i32x4.add(i32x4.shuffle(c, d, 0, 4, 1, 5), i32x4.shuffle(c, d, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(ab, cd, 0, 1, 4, 5), i32x4.shuffle(ab, cd, 2, 3, 6, 7));
}
