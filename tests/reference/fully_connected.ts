// Reference FULLY_CONNECTED (TFLite reference_integer_ops::FullyConnected with its filter offset for per-tensor
// weights, FullyConnectedPerChannel for per-channel weights), written plainly for tests.
import { actRange, clamp, mbqm, quantizeMultiplier } from './tflite-math.ts';

export interface FcCase {
  input: Int8Array; inShape: number[]; inScale: number; inZp: number;
  /** [units, depth] */
  filter: Int8Array; units: number; depth: number; filterScales: number[]; filterZp: number;
  bias: Int32Array | null;
  outScale: number; outZp: number; activation: string; keepNumDims: boolean;
}

export function referenceFullyConnected(c: FcCase): { data: Int8Array; shape: number[] } {
  const rows = c.input.length / c.depth;
  const [lo, hi] = actRange(c.activation, c.outScale, c.outZp);
  const perChannel = c.filterScales.length > 1;
  const filterOffset = perChannel ? 0 : -c.filterZp; // FullyConnectedPerChannel has no filter offset
  const out = new Int8Array(rows * c.units);
  for (let b = 0; b < rows; b++) for (let o = 0; o < c.units; o++) {
    let acc = 0;
    for (let d = 0; d < c.depth; d++) acc += (c.filter[o * c.depth + d] + filterOffset) * (c.input[b * c.depth + d] - c.inZp);
    if (c.bias) acc += c.bias[o];
    const [mult, shift] = quantizeMultiplier((c.inScale * (perChannel ? c.filterScales[o] : c.filterScales[0])) / c.outScale);
    out[b * c.units + o] = clamp(mbqm(acc, mult, shift) + c.outZp, lo, hi);
  }
  const shape = c.keepNumDims ? [...c.inShape.slice(0, -1), c.units] : [rows, c.units];
  return { data: out, shape };
}
