// Reference CONV_2D (TFLite reference_integer_ops::ConvPerChannel), written plainly for tests.
import { actRange, clamp, mbqm, outSizeAndPad, quantizeMultiplier } from './tflite-math.ts';

export interface ConvCase {
  input: Int8Array; inShape: [number, number, number, number]; inScale: number; inZp: number;
  filter: Int8Array; filterShape: [number, number, number, number]; filterScales: number[];
  bias: Int32Array | null;
  outScale: number; outZp: number;
  strideH: number; strideW: number; dilationH: number; dilationW: number; padding: 'SAME' | 'VALID'; activation: string;
}

export function referenceConv2d(c: ConvCase): { data: Int8Array; shape: number[] } {
  const [, H, W, C] = c.inShape;
  const [O, KH, KW] = c.filterShape;
  const [OH, padT] = outSizeAndPad(H, KH, c.strideH, c.dilationH, c.padding);
  const [OW, padL] = outSizeAndPad(W, KW, c.strideW, c.dilationW, c.padding);
  const [lo, hi] = actRange(c.activation, c.outScale, c.outZp);
  const out = new Int8Array(OH * OW * O);
  for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let o = 0; o < O; o++) {
    let acc = 0;
    for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
      const y = oy * c.strideH - padT + ky * c.dilationH;
      const x = ox * c.strideW - padL + kx * c.dilationW;
      if (y < 0 || y >= H || x < 0 || x >= W) continue;
      for (let i = 0; i < C; i++) acc += c.filter[((o * KH + ky) * KW + kx) * C + i] * (c.input[(y * W + x) * C + i] - c.inZp);
    }
    if (c.bias) acc += c.bias[o];
    const s = c.filterScales.length === 1 ? c.filterScales[0] : c.filterScales[o];
    const [m, sh] = quantizeMultiplier((c.inScale * s) / c.outScale);
    out[(oy * OW + ox) * O + o] = clamp(mbqm(acc, m, sh) + c.outZp, lo, hi);
  }
  return { data: out, shape: [1, OH, OW, O] };
}
