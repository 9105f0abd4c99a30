// Reference DEPTHWISE_CONV_2D (TFLite reference_integer_ops::DepthwiseConvPerChannel), written plainly for tests.
import { actRange, clamp, mbqm, outSizeAndPad, quantizeMultiplier } from './tflite-math.ts';

export interface DepthwiseCase {
  input: Int8Array; inShape: [number, number, number, number]; inScale: number; inZp: number;
  /** [1, KH, KW, C * multiplier] */
  filter: Int8Array; filterShape: [number, number, number, number]; filterScales: number[];
  bias: Int32Array | null;
  outScale: number; outZp: number;
  strideH: number; strideW: number; dilationH: number; dilationW: number; padding: 'SAME' | 'VALID'; activation: string;
}

export function referenceDepthwiseConv2d(c: DepthwiseCase): { data: Int8Array; shape: number[] } {
  const [, H, W, C] = c.inShape;
  const [, KH, KW, OC] = c.filterShape;
  const M = OC / C; // depth multiplier, from the shapes as TFLite derives it
  const [OH, padT] = outSizeAndPad(H, KH, c.strideH, c.dilationH, c.padding);
  const [OW, padL] = outSizeAndPad(W, KW, c.strideW, c.dilationW, c.padding);
  const [lo, hi] = actRange(c.activation, c.outScale, c.outZp);
  const out = new Int8Array(OH * OW * OC);
  for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let ic = 0; ic < C; ic++) for (let m = 0; m < M; m++) {
    const oc = m + ic * M;
    let acc = 0;
    for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
      const y = oy * c.strideH - padT + ky * c.dilationH;
      const x = ox * c.strideW - padL + kx * c.dilationW;
      if (y < 0 || y >= H || x < 0 || x >= W) continue; // zero padding: the tap is omitted
      acc += c.filter[(ky * KW + kx) * OC + oc] * (c.input[(y * W + x) * C + ic] - c.inZp);
    }
    if (c.bias) acc += c.bias[oc];
    const s = c.filterScales.length === 1 ? c.filterScales[0] : c.filterScales[oc];
    const [mult, shift] = quantizeMultiplier((c.inScale * s) / c.outScale);
    out[(oy * OW + ox) * OC + oc] = clamp(mbqm(acc, mult, shift) + c.outZp, lo, hi);
  }
  return { data: out, shape: [1, OH, OW, OC] };
}
