// HARD_SWISH, int8 (TFLite Micro reference_ops::HardSwish<int8_t>): x * relu6(x + 3) / 6 in 16-bit fixed point.
// The input (less its zero point, times 128) is rescaled twice: by the output multiplier onto the pre-shift output
// scale, and by the "reluish" multiplier onto a scale where 3.0 is 32768, then mapped from [-1, 1] to [0, 1]; their
// SaturatingDoublingHighMul (truncating) product is shifted right onto the output scale. Every intermediate is an
// int16_t in TFLite, so each step here truncates to 16 bits the way the C++ conversions do. The multipliers are
// int16 (DownScaleInt32ToInt16Multiplier) with exponents: output_exponent in [-31, 0], reluish_exponent in [-31, 31].

/** gemmlowp SaturatingRoundingDoublingHighMul<int16_t>. */
@inline
function srdhm16(a: i32, b: i32): i32 {
  if (a == b && a == -32768) return 32767;
  const ab = a * b;
  const nudge: i32 = ab >= 0 ? 1 << 14 : 1 - (1 << 14);
  return <i32><i16>((ab + nudge) / 32768); // C division truncates toward zero, as i32.div_s does
}

/** TFLite's SaturatingDoublingHighMul (int16): like srdhm16 but truncating instead of rounding. */
@inline
function sdhm16(a: i32, b: i32): i32 {
  if (a == b && a == -32768) return 32767;
  return <i32><i16>((a * b) / 32768);
}

/** TFLite's SaturatingLeftShift (int16), amount in [0, 30]. */
@inline
function saturatingLeftShift16(value: i32, amount: i32): i32 {
  const result: i64 = <i64>value * <i64>(1 << amount);
  return result > 32767 ? 32767 : result < -32768 ? -32768 : <i32>result;
}

/**
 * gemmlowp RoundingDivideByPOT<int16_t>, exponent in [0, 31]. The mask (2^e - 1) is converted to int16_t, so for
 * e >= 16 it is -1; the formula then gives 1 for x >= 0 and -1 for x < 0, as the C++ does.
 */
@inline
function roundingDivideByPOT16(x: i32, exponent: i32): i32 {
  const mask = <i32><i16>((<i64>1 << exponent) - 1);
  const remainder = <i32><i16>(x & mask);
  const threshold = <i32><i16>((mask >> 1) + (x < 0 ? 1 : 0));
  return <i32><i16>((x >> exponent) + (remainder > threshold ? 1 : 0));
}

export function hard_swish(
  input: i32, output: i32, size: i32,
  inputZeroPoint: i32, outputZeroPoint: i32,
  outputMultiplier: i32, outputExponent: i32,
  reluishMultiplier: i32, reluishExponent: i32,
): void {
  for (let i: i32 = 0; i < size; i++) {
    const inputValue = <i32><i16>(<i32>load<i8>(input + i) - inputZeroPoint);
    const hires = <i32><i16>(inputValue * 128);
    const preshiftOutputScale = srdhm16(hires, outputMultiplier);
    let reluish = hires;
    if (reluishExponent > 0) reluish = saturatingLeftShift16(reluish, reluishExponent - 1);
    reluish = srdhm16(reluish, reluishMultiplier);
    if (reluishExponent > 0) reluish = saturatingLeftShift16(reluish, 1);
    if (reluishExponent < 0) reluish = roundingDivideByPOT16(reluish, -reluishExponent);
    reluish = (reluish + 32768) >> 1; // [-1, 1] -> [0, 1]
    const preshiftOutput = sdhm16(reluish, preshiftOutputScale);
    let out = <i32><i16>(roundingDivideByPOT16(preshiftOutput, -outputExponent) + outputZeroPoint);
    out = out > 127 ? 127 : out < -128 ? -128 : out;
    store<i8>(output + i, <i8>out);
  }
}
