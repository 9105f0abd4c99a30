// Reference AVERAGE_POOL_2D (TFLite reference_integer_ops::AveragePool), written plainly for tests.
import { actRange, clamp, outSizeAndPad } from './tflite-math.ts';

export interface PoolCase {
  input: Int8Array; inShape: [number, number, number, number]; scale: number; zp: number;
  filterH: number; filterW: number; strideH: number; strideW: number; padding: 'SAME' | 'VALID'; activation: string;
}

/** Calls f(output index, values of the valid taps) for every output element; returns the output shape. */
export function poolWindows(c: PoolCase, f: (outIndex: number, taps: number[]) => void): number[] {
  const [, H, W, C] = c.inShape;
  const [OH, padT] = outSizeAndPad(H, c.filterH, c.strideH, 1, c.padding);
  const [OW, padL] = outSizeAndPad(W, c.filterW, c.strideW, 1, c.padding);
  for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let ch = 0; ch < C; ch++) {
    const taps: number[] = [];
    for (let ky = 0; ky < c.filterH; ky++) for (let kx = 0; kx < c.filterW; kx++) {
      const y = oy * c.strideH - padT + ky;
      const x = ox * c.strideW - padL + kx;
      if (y >= 0 && y < H && x >= 0 && x < W) taps.push(c.input[(y * W + x) * C + ch]);
    }
    f((oy * OW + ox) * C + ch, taps);
  }
  return [1, OH, OW, C];
}

export function referenceAveragePool2d(c: PoolCase): { data: Int8Array; shape: number[] } {
  const [lo, hi] = actRange(c.activation, c.scale, c.zp);
  const outputs: [number, number][] = [];
  const shape = poolWindows(c, (i, taps) => {
    const sum = taps.reduce((s, v) => s + v, 0);
    const n = taps.length;
    // C++ integer division truncates toward zero; +-n/2 first makes it round half away from zero.
    const avg = sum > 0 ? Math.trunc((sum + Math.trunc(n / 2)) / n) : Math.trunc((sum - Math.trunc(n / 2)) / n);
    outputs.push([i, clamp(avg, lo, hi)]);
  });
  const out = new Int8Array(shape.reduce((n, d) => n * d, 1));
  for (const [i, v] of outputs) out[i] = v;
  return { data: out, shape };
}
