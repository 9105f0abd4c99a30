// Reference TRANSPOSE_CONV (TFLite reference_integer_ops::TransposeConv as TFLite Micro prepares it), written
// plainly for tests: scatter every input value times every weight into an int32 buffer the size of the output,
// then bias, MultiplyByQuantizedMultiplier per channel, output zero point, activation clamp. Padding is TFLite's
// ComputePaddingHeightWidth with the OUTPUT size as the "input" size (transpose_conv.cc passes the output's
// height and width).
import { actRange, clamp, mbqm, quantizeMultiplier } from './tflite-math.ts';

export interface TransposeConvCase {
  input: Int8Array; inShape: [number, number, number, number]; inScale: number; inZp: number;
  filter: Int8Array; filterShape: [number, number, number, number]; filterScales: number[];
  bias: Int32Array | null;
  outShape: [number, number, number, number]; outScale: number; outZp: number;
  strideH: number; strideW: number; padding: 'SAME' | 'VALID'; activation: string;
}

/** padding.h: ComputeOutSize, then ComputePaddingWithOffset (C integer division truncates toward zero). */
export function tflitePadding(inSize: number, filter: number, stride: number, padding: string): number {
  const outSize = padding === 'SAME' ? Math.trunc((inSize + stride - 1) / stride) : Math.trunc((inSize + stride - filter) / stride);
  let total = (outSize - 1) * stride + filter - inSize;
  total = total > 0 ? total : 0;
  return Math.trunc(total / 2);
}

export function referenceTransposeConv(c: TransposeConvCase): Int8Array {
  const [, H, W, C] = c.inShape;
  const [O, KH, KW] = c.filterShape;
  const [, OH, OW] = c.outShape;
  const padH = tflitePadding(OH, KH, c.strideH, c.padding);
  const padW = tflitePadding(OW, KW, c.strideW, c.padding);
  const scratch = new Int32Array(OH * OW * O);
  for (let iy = 0; iy < H; iy++) for (let ix = 0; ix < W; ix++) for (let ic = 0; ic < C; ic++) {
    const oxOrigin = ix * c.strideW - padW;
    const oyOrigin = iy * c.strideH - padH;
    for (let fy = 0; fy < KH; fy++) for (let fx = 0; fx < KW; fx++) for (let oc = 0; oc < O; oc++) {
      const ox = oxOrigin + fx;
      const oy = oyOrigin + fy;
      if (ox >= 0 && ox < OW && oy >= 0 && oy < OH) {
        const k = (oy * OW + ox) * O + oc;
        scratch[k] = (scratch[k] + (c.input[(iy * W + ix) * C + ic] - c.inZp) * c.filter[((oc * KH + fy) * KW + fx) * C + ic]) | 0;
      }
    }
  }
  const [lo, hi] = actRange(c.activation, c.outScale, c.outZp);
  const requant = Array.from({ length: O }, (_, oc) => quantizeMultiplier((c.inScale * (c.filterScales.length === 1 ? c.filterScales[0] : c.filterScales[oc])) / c.outScale));
  const out = new Int8Array(scratch.length);
  for (let k = 0; k < scratch.length; k++) {
    const oc = k % O;
    let acc = scratch[k];
    if (c.bias) acc = (acc + c.bias[oc]) | 0;
    out[k] = clamp(mbqm(acc, requant[oc][0], requant[oc][1]) + c.outZp, lo, hi);
  }
  return out;
}
