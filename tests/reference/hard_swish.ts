// Reference int8 HARD_SWISH (TFLite Micro hard_swish_common.cc HardSwishPrepare + reference_ops::HardSwish<int8_t>),
// written plainly for tests. Every intermediate is an int16_t in the C++; `i16` applies the C++ conversion to int16
// (keep the low 16 bits, two's complement) wherever a wider int is stored into one.
import { clamp, quantizeMultiplier } from './tflite-math.ts';

const f32 = Math.fround;
const i16 = (v: number): number => ((v & 0xffff) ^ 0x8000) - 0x8000;

/** gemmlowp SaturatingRoundingDoublingHighMul<int16_t>. */
function srdhm16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  const ab = a * b;
  const nudge = ab >= 0 ? 16384 : 1 - 16384;
  return i16(Math.trunc((ab + nudge) / 32768));
}

/** SaturatingDoublingHighMul (truncating). */
function sdhm16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  return i16(Math.trunc((a * b) / 32768));
}

const saturatingLeftShift16 = (v: number, amount: number): number => clamp(v * 2 ** amount, -32768, 32767);

/** gemmlowp RoundingDivideByPOT<int16_t>, with the int16_t mask (2^e - 1 truncated to 16 bits) of the C++. */
function rdbpot16(x: number, e: number): number {
  const mask = i16(Number((1n << BigInt(e)) - 1n) & 0xffff);
  const remainder = i16(x & mask);
  const threshold = i16((mask >> 1) + (x < 0 ? 1 : 0));
  const shifted = e >= 16 ? (x < 0 ? -1 : 0) : x >> e; // an int16 shifted right by 16 or more keeps only its sign
  return i16(shifted + (remainder > threshold ? 1 : 0));
}

/** DownScaleInt32ToInt16Multiplier. */
function downScale(m: number): number {
  if (m >= 2147483647 - 32768) return 32767;
  return Math.floor((m + 32768) / 65536);
}

export interface HardSwishParams { outputMultiplier: number; outputExponent: number; reluishMultiplier: number; reluishExponent: number }

/** Prepare; null where TFLite refuses (output exponent > 0). */
export function hardSwishParams(inScale: number, outScale: number): HardSwishParams | null {
  const hires = f32(inScale * f32(1 / 128));
  const [om, oe] = quantizeMultiplier(f32(hires / outScale));
  if (oe > 0) return null;
  const [rm, re] = quantizeMultiplier(f32(hires / f32(3 / 32768)));
  return { outputMultiplier: downScale(om), outputExponent: oe, reluishMultiplier: downScale(rm), reluishExponent: re };
}

export function referenceHardSwish(input: Int8Array, inScale: number, inZp: number, outScale: number, outZp: number): Int8Array {
  const p = hardSwishParams(inScale, outScale);
  if (!p) throw new Error('TFLite refuses these scales');
  return input.map((v) => {
    const value = i16(v - inZp);
    const hires = i16(value * 128);
    const preshiftScale = srdhm16(hires, p.outputMultiplier);
    let reluish = hires;
    if (p.reluishExponent > 0) reluish = saturatingLeftShift16(reluish, p.reluishExponent - 1);
    reluish = srdhm16(reluish, p.reluishMultiplier);
    if (p.reluishExponent > 0) reluish = saturatingLeftShift16(reluish, 1);
    if (p.reluishExponent < 0) reluish = rdbpot16(reluish, -p.reluishExponent);
    reluish = i16((reluish + 32768) >> 1);
    const preshiftOutput = sdhm16(reluish, preshiftScale);
    const out = i16(rdbpot16(preshiftOutput, -p.outputExponent) + outZp);
    return clamp(out, -128, 127);
  });
}
