// Reference ADD (TFLite reference_integer_ops::AddFunc with TFLM's CalculateOpDataAdd), written plainly for tests.
import { broadcastBinary } from './broadcast.ts';
import { actRange, clamp, quantizeMultiplier, rdbpot, srdhm } from './tflite-math.ts';

export interface BinaryCase {
  a: Int8Array; aShape: number[]; aScale: number; aZp: number;
  b: Int8Array; bShape: number[]; bScale: number; bZp: number;
  outScale: number; outZp: number; activation: string;
}

/** QuantizeMultiplierSmallerThanOneExp (TFLite aborts on anything outside (0, 1) or a positive shift). */
function smallerThanOne(m: number): [number, number] {
  if (!(m > 0 && m < 1)) throw new Error(`multiplier ${m} not in (0, 1)`);
  const [q, shift] = quantizeMultiplier(m);
  if (shift > 0) throw new Error(`multiplier ${m} rounded to 1`);
  return [q, shift];
}

/** MultiplyByQuantizedMultiplierSmallerThanOneExp. */
const scaleDown = (x: number, q: number, shift: number) => rdbpot(srdhm(x, q), -shift);

export function referenceAdd(c: BinaryCase): { data: Int8Array; shape: number[] } {
  const leftShift = 20;
  const twiceMax = 2 * Math.max(c.aScale, c.bScale);
  const [m1, s1] = smallerThanOne(c.aScale / twiceMax);
  const [m2, s2] = smallerThanOne(c.bScale / twiceMax);
  const [mo, so] = smallerThanOne(twiceMax / ((1 << leftShift) * c.outScale));
  const [lo, hi] = actRange(c.activation, c.outScale, c.outZp);
  return broadcastBinary(c.a, c.aShape, c.b, c.bShape, (x, y) => {
    const shifted1 = (x - c.aZp) * (1 << leftShift);
    const shifted2 = (y - c.bZp) * (1 << leftShift);
    const sum = scaleDown(shifted1, m1, s1) + scaleDown(shifted2, m2, s2);
    return clamp(scaleDown(sum, mo, so) + c.outZp, lo, hi);
  });
}
