// TANH, int8 (TFLite Micro reference_integer_ops::Tanh). The input, less its zero point, saturates to -128 or 127
// beyond +-input_range_radius; inside it is rescaled to Q4 (MultiplyByQuantizedMultiplier with the host's multiplier
// and left shift for input_scale * 2^27), put through gemmlowp::tanh, and the Q0 result is divided by 2^24
// (RoundingDivideByPOT) into 1/128 steps; TFLite adds no output zero point (the output is scale 1/128, zero point 0).
import { clampI32, expOnNegativeValues, multiplyByQuantizedMultiplier, oneMinusXOverOnePlusXForXIn01, roundingDivideByPOT } from './requantize';

/** gemmlowp::tanh on a Q4 value via neg_tanh_on_negative_values(-|a|); the result is Q0. */
@inline
function tanhQ4(a: i32): i32 {
  if (a == 0) return 0;
  const n = a < 0 ? a : -a;
  // ExactMulByPot<1>: the same raw value read as Q5, i.e. exp(2n).
  const t = oneMinusXOverOnePlusXForXIn01(expOnNegativeValues(n, 5));
  return a < 0 ? -t : t;
}

export function tanh(
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
      out = clampI32(roundingDivideByPOT(tanhQ4(q4), 24), -128, 127);
    }
    store<i8>(output + i, <i8>out);
  }
}
