// LOGISTIC, int8 (TFLite Micro reference_integer_ops::Logistic). The input, less its zero point, saturates to -128 or
// 127 beyond +-input_range_radius; inside it is rescaled to Q4 (MultiplyByQuantizedMultiplier with the host's
// multiplier and left shift for input_scale * 2^27), put through gemmlowp::logistic, and the Q0 result is divided by
// 2^23 (RoundingDivideByPOT) into 1/256 steps less 128: the output is always scale 1/256, zero point -128.
import { clampI32, expOnNegativeValues, multiplyByQuantizedMultiplier, oneOverOnePlusXForXIn01, roundingDivideByPOT } from './requantize';

/** gemmlowp::logistic on a Q4 value; the result is Q0 (0.5 is 1 << 30). */
@inline
function logisticQ4(a: i32): i32 {
  if (a == 0) return 1 << 30;
  if (a > 0) return oneOverOnePlusXForXIn01(expOnNegativeValues(-a, 4));
  return i32.MAX_VALUE - oneOverOnePlusXForXIn01(expOnNegativeValues(a, 4)); // One - logistic(|a|)
}

export function logistic(
  input: i32, output: i32, size: i32,
  inputZeroPoint: i32, inputRangeRadius: i32, inputMultiplier: i32, inputLeftShift: i32,
): void {
  for (let i: i32 = 0; i < size; i++) {
    const x = <i32>load<i8>(input + i) - inputZeroPoint;
    let out: i32;
    if (x <= -inputRangeRadius) out = -128;
    else if (x >= inputRangeRadius) out = 127;
    else {
      const q4 = multiplyByQuantizedMultiplier(x, inputMultiplier, inputLeftShift);
      out = clampI32(roundingDivideByPOT(logisticQ4(q4), 23) - 128, -128, 127);
    }
    store<i8>(output + i, <i8>out);
  }
}
