// Reference MAX_POOL_2D (TFLite reference_integer_ops::MaxPool), written plainly for tests.
import { poolWindows, type PoolCase } from './average_pool2d.ts';
import { actRange, clamp } from './tflite-math.ts';

export function referenceMaxPool2d(c: PoolCase): { data: Int8Array; shape: number[] } {
  const [lo, hi] = actRange(c.activation, c.scale, c.zp);
  const outputs: [number, number][] = [];
  const shape = poolWindows(c, (i, taps) => outputs.push([i, clamp(Math.max(-128, ...taps), lo, hi)]));
  const out = new Int8Array(shape.reduce((n, d) => n * d, 1));
  for (const [i, v] of outputs) out[i] = v;
  return { data: out, shape };
}
