// Reference MUL (TFLite reference_integer_ops::MulElementwise with TFLM's CalculateOpDataMul), written plainly.
import type { BinaryCase } from './add.ts';
import { broadcastBinary } from './broadcast.ts';
import { actRange, clamp, mbqm, quantizeMultiplier } from './tflite-math.ts';

export function referenceMul(c: BinaryCase): { data: Int8Array; shape: number[] } {
  const [m, shift] = quantizeMultiplier((c.aScale * c.bScale) / c.outScale);
  const [lo, hi] = actRange(c.activation, c.outScale, c.outZp);
  return broadcastBinary(c.a, c.aShape, c.b, c.bShape, (x, y) => clamp(mbqm((x - c.aZp) * (y - c.bZp), m, shift) + c.outZp, lo, hi));
}
