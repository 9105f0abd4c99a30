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
