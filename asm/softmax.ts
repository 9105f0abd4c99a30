// SOFTMAX int8 -> int8 (TFLite Micro: reference_ops::Softmax, the gemmlowp fixed-point path), row by row over the
// last dimension. The host computes input_multiplier / input_left_shift (PreprocessSoftmaxScaling with 5 integer
// bits) and diff_min (-CalculateInputRadius); everything below follows gemmlowp's fixedpoint.h on int32 raw values.
// Fixed-point formats are noted as Qm (m integer bits, 31 - m fractional bits).
import { roundingDivideByPOT, saturatingRoundingDoublingHighMul as srdhm } from './requantize';

/** gemmlowp SaturatingRoundingMultiplyByPOT with a positive exponent: a left shift that saturates. */
@inline
function saturatingShiftLeft(x: i32, exponent: i32): i32 {
  const threshold: i32 = (1 << (31 - exponent)) - 1;
  return x > threshold ? i32.MAX_VALUE : x < -threshold ? i32.MIN_VALUE : x << exponent;
}

/** gemmlowp RoundingHalfSum: (a + b) / 2 rounded half away from zero, in 64 bits. */
@inline
function roundingHalfSum(a: i32, b: i32): i32 {
  const sum: i64 = <i64>a + <i64>b;
  return <i32>((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/** exp(a) for a in [-1/4, 0), Q0 in and out: Taylor expansion around -1/8. */
@inline
function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: i32): i32 {
  const constantTerm: i32 = 1895147668; // exp(-1/8)
  const oneThird: i32 = 715827883;
  const x = a + (1 << 28); // a + 1/8
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT(srdhm(x4Over4 + x3, oneThird) + x2, 1); // x^4/24 + x^3/6 + x^2/2
  return constantTerm + srdhm(constantTerm, x + poly);
}

/** gemmlowp exp_on_negative_values for a Q5 input (a <= 0); returns Q0. */
@inline
function expOnNegativeValuesQ5(a: i32): i32 {
  const oneQuarter: i32 = 1 << 24; // 1/4 in Q5
  const aModQuarterMinusOneQuarter = (a & (oneQuarter - 1)) - oneQuarter; // in [-1/4, 0)
  // Rescale<0> from Q5: a saturating left shift by 5, which cannot saturate for values in [-1/4, 0).
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(aModQuarterMinusOneQuarter << 5);
  const remainder = aModQuarterMinusOneQuarter - a; // the whole quarters of -a
  // Barrel shifter: multiply by exp(-2^k) for every set bit of the remainder, k = -2 .. 4 (bits 24 .. 30).
  if (remainder & (1 << 24)) result = srdhm(result, 1672461947);
  if (remainder & (1 << 25)) result = srdhm(result, 1302514674);
  if (remainder & (1 << 26)) result = srdhm(result, 790015084);
  if (remainder & (1 << 27)) result = srdhm(result, 290630308);
  if (remainder & (1 << 28)) result = srdhm(result, 39332535);
  if (remainder & (1 << 29)) result = srdhm(result, 720401);
  if (remainder & (1 << 30)) result = srdhm(result, 242);
  // (gemmlowp's clamp below -32 applies only to formats with more than 5 integer bits.)
  return a == 0 ? i32.MAX_VALUE : result;
}

/** gemmlowp one_over_one_plus_x_for_x_in_0_1: Q0 in and out, Newton-Raphson on a Q2 estimate. */
@inline
function oneOverOnePlusX(a: i32): i32 {
  const halfDenominator = roundingHalfSum(a, i32.MAX_VALUE); // Q0
  let x: i32 = 1515870810 + srdhm(halfDenominator, -1010580540); // 48/17 - 32/17 * d, Q2
  for (let i = 0; i < 3; i++) {
    const oneMinusHalfDenominatorTimesX = (1 << 29) - srdhm(halfDenominator, x); // Q2
    x += saturatingShiftLeft(srdhm(x, oneMinusHalfDenominatorTimesX), 2); // Q4 product rescaled to Q2
  }
  return saturatingShiftLeft(x, 1); // ExactMulByPot<-1> makes it Q1; Rescale<0> shifts left by 1
}

export function softmax(input: i32, output: i32, outer: i32, depth: i32, inputMultiplier: i32, inputLeftShift: i32, diffMin: i32): void {
  for (let row = 0; row < outer; row++) {
    const inRow = input + row * depth;
    const outRow = output + row * depth;
    let maxInRow: i32 = -128;
    for (let c = 0; c < depth; c++) {
      const v = <i32>load<i8>(inRow + c);
      if (v > maxInRow) maxInRow = v;
    }

    // Sum of exp(diff) in Q12 (kAccumulationIntegerBits); int32 addition wraps as in C.
    let sumOfExps: i32 = 0;
    for (let c = 0; c < depth; c++) {
      const diff = <i32>load<i8>(inRow + c) - maxInRow;
      if (diff >= diffMin) {
        const scaled = srdhm(diff * (1 << inputLeftShift), inputMultiplier); // MultiplyByQuantizedMultiplierGreaterThanOne, Q5
        sumOfExps += roundingDivideByPOT(expOnNegativeValuesQ5(scaled), 12); // Rescale<12> from Q0
      }
    }

    // GetReciprocal(sum, 12): 1 / sum as a Q0 value in [0.5, 1) times 2^-numBitsOverUnit.
    const headroomPlusOne = <i32>clz<i32>(sumOfExps);
    const numBitsOverUnit = 12 - headroomPlusOne;
    const shiftedScale = oneOverOnePlusX((sumOfExps << headroomPlusOne) - i32.MIN_VALUE);
    // TFLite rounds by 2^exponent to get 1/256 units. It stops (TFLITE_CHECK) when exponent > 31, which needs a
    // row sum of exps >= 512; the exact rounded quotient there is 0 (the product is below 2^31), so write that.
    const exponent = numBitsOverUnit + 31 - 8;

    for (let c = 0; c < depth; c++) {
      const diff = <i32>load<i8>(inRow + c) - maxInRow;
      let out: i32 = -128;
      if (diff >= diffMin) {
        const scaled = srdhm(diff * (1 << inputLeftShift), inputMultiplier);
        const unsat = exponent > 31 ? 0 : roundingDivideByPOT(srdhm(shiftedScale, expOnNegativeValuesQ5(scaled)), exponent);
        out = unsat - 128;
        if (out > 127) out = 127;
        if (out < -128) out = -128;
      }
      store<i8>(outRow + c, <i8>out);
    }
  }
}
