// Reference SUB (TFLite Micro sub_common.cc CalculateOpDataSub + reference_ops::SubElementwise /
// BroadcastQuantSubSlow), written plainly for tests. Unlike ADD, the multipliers are computed in float32.
import type { BinaryCase } from './add.ts';
import { broadcastBinary } from './broadcast.ts';
import { actRange, clamp, quantizeMultiplier, rdbpot, srdhm } from './tflite-math.ts';

const f32 = Math.fround;

function smallerThanOne(m: number): [number, number] {
  if (!(m > 0 && m < 1)) throw new Error(`multiplier ${m} not in (0, 1)`);
  const [q, shift] = quantizeMultiplier(m);
  if (shift > 0) throw new Error(`multiplier ${m} rounded to 1`);
  return [q, shift];
}

const scaleDown = (x: number, q: number, shift: number) => rdbpot(srdhm(x, q), -shift);

/** The three multipliers, or null where TFLite refuses the scales. */
export function subMultipliers(aScale: number, bScale: number, outScale: number): [number, number][] | null {
  const twiceMax = f32(2 * Math.max(aScale, bScale));
  try {
    return [
      smallerThanOne(f32(aScale / twiceMax)),
      smallerThanOne(f32(bScale / twiceMax)),
      smallerThanOne(f32(twiceMax / f32(2 ** 20 * outScale))),
    ];
  } catch {
    return null;
  }
}

export function referenceSub(c: BinaryCase): { data: Int8Array; shape: number[] } {
  const m = subMultipliers(c.aScale, c.bScale, c.outScale);
  if (!m) throw new Error('TFLite refuses these scales');
  const [[m1, s1], [m2, s2], [mo, so]] = m;
  const [lo, hi] = actRange(c.activation, c.outScale, c.outZp);
  return broadcastBinary(c.a, c.aShape, c.b, c.bShape, (x, y) => {
    const d = scaleDown((x - c.aZp) * 2 ** 20, m1, s1) - scaleDown((y - c.bZp) * 2 ** 20, m2, s2);
    return clamp(scaleDown(d, mo, so) + c.outZp, lo, hi);
  });
}
