// Independent re-statement of TensorFlow Lite's integer arithmetic for the reference kernels.
// Written from the published definitions with BigInt, sharing no code with runtime/ or asm/.

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/** gemmlowp SaturatingRoundingDoublingHighMul. */
export function srdhm(a: number, b: number): number {
  if (a === I32_MIN && b === I32_MIN) return I32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, like C++
}

/** gemmlowp RoundingDivideByPOT: divide by 2^e, rounding half away from zero. */
export function rdbpot(x: number, e: number): number {
  const mask = (1 << e) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (remainder > threshold ? 1 : 0);
}

/** tflite::MultiplyByQuantizedMultiplier (double rounding). */
export function mbqm(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return rdbpot(srdhm(Math.imul(x, 2 ** left | 0) | 0, multiplier), right);
}

/** tflite::QuantizeMultiplier in double precision. */
export function quantizeMultiplier(m: number): [number, number] {
  if (m === 0) return [0, 0];
  let shift = 0;
  let q = m;
  while (q >= 1) { q /= 2; shift++; }
  while (q < 0.5) { q *= 2; shift--; }
  let fixed = Math.round(q * 2147483648); // q > 0, so Math.round is round-half-away here
  if (fixed === 2147483648) { fixed /= 2; shift++; }
  if (shift < -31) return [0, 0];
  return [fixed, shift];
}

export const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** std::round. */
export const roundAway = (x: number) => (x < 0 ? -Math.round(-x) : Math.round(x));

/** CalculateActivationRangeQuantized for int8 (float32 division before rounding). */
export function actRange(act: string, scale: number, zp: number): [number, number] {
  const q = (f: number) => zp + roundAway(Math.fround(f / scale));
  if (act === 'RELU') return [Math.max(-128, q(0)), 127];
  if (act === 'RELU6') return [Math.max(-128, q(0)), Math.min(127, q(6))];
  if (act === 'RELU_N1_TO_1') return [Math.max(-128, q(-1)), Math.min(127, q(1))];
  return [-128, 127];
}

/** Output size and leading pad for TFLite SAME/VALID padding. */
export function outSizeAndPad(n: number, k: number, stride: number, dil: number, padding: string): [number, number] {
  const eff = (k - 1) * dil + 1;
  const out = padding === 'SAME' ? Math.floor((n + stride - 1) / stride) : Math.floor((n - eff + stride) / stride);
  const pad = Math.max(0, Math.floor(((out - 1) * stride + eff - n) / 2));
  return [out, pad];
}
