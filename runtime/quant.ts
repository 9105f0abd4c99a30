// Host-side quantisation arithmetic, exactly as TensorFlow Lite computes it in double precision.
import type { Activation, Tensor } from '../models/ir.ts';
import { ModelError } from './errors.ts';

export interface QuantizedMultiplier { multiplier: number; shift: number }

/** TFLite QuantizeMultiplier: m = multiplier * 2^(shift - 31), multiplier a Q31 value in [2^30, 2^31). */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (real === 0) return { multiplier: 0, shift: 0 };
  if (!(real > 0) || !Number.isFinite(real)) throw new ModelError(`cannot quantise multiplier ${real}: must be positive and finite`);
  let [q, shift] = frexp(real);
  let qFixed = roundHalfAwayFromZero(q * 2 ** 31);
  if (qFixed === 2 ** 31) {
    qFixed /= 2;
    shift += 1;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  if (shift > 30) throw new ModelError(`multiplier ${real} is too large for int32 fixed point (shift ${shift})`);
  return { multiplier: qFixed, shift };
}

/** C's frexp: real = q * 2^exp with q in [0.5, 1). Exact for doubles. */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let exp = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1);
  let q = x * 2 ** -exp;
  while (Math.abs(q) < 0.5) { q *= 2; exp -= 1; }
  while (Math.abs(q) >= 1) { q /= 2; exp += 1; }
  return [q, exp];
}

/** std::round: halves go away from zero. */
export function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** The int8 clamp range a fused activation implies (TFLite CalculateActivationRangeQuantized). */
export function activationRange(act: Activation, out: Tensor): [number, number] {
  const scale = out.quant?.scale[0] ?? 1;
  const zp = out.quant?.zeroPoint[0] ?? 0;
  // TFLite divides in float32 before rounding.
  const q = (v: number) => zp + roundHalfAwayFromZero(Math.fround(v / scale));
  let lo = -128;
  let hi = 127;
  if (act === 'RELU') lo = Math.max(lo, q(0));
  else if (act === 'RELU6') { lo = Math.max(lo, q(0)); hi = Math.min(hi, q(6)); }
  else if (act === 'RELU_N1_TO_1') { lo = Math.max(lo, q(-1)); hi = Math.min(hi, q(1)); }
  return [lo, hi];
}
