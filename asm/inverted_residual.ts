// A MobileNetV2 inverted-residual body as one kernel: 1x1 expand conv -> depthwise conv (depth multiplier 1) ->
// 1x1 project conv, one expanded channel at a time, so the expanded map never exists whole (the layer-by-layer
// peak of such blocks is input + expansion). Per expanded channel e: plane_e = expand channel e over all input
// pixels, plane_d = depthwise channel e over plane_e, then acc[q, o] += w_project[o, e] * (plane_d[q] + offset).
// Every value equals the three-kernel result bit for bit: each int8 plane is computed exactly as TFLite computes
// that channel, and the projection's int32 sums wrap, so adding channel by channel (bias first) changes no bit.
// Scratch: acc (4 * out_h * out_w * out_c bytes), then plane_e (in_h * in_w), then plane_d (out_h * out_w).
import { clampI32, multiplyByQuantizedMultiplier } from './requantize';

export function inverted_residual(
  input: i32, inH: i32, inW: i32, inC: i32,
  expandFilter: i32, expandBias: i32, expandMultipliers: i32, expandShifts: i32, expandC: i32,
  expandInputOffset: i32, expandOutputOffset: i32, expandActMin: i32, expandActMax: i32,
  dwFilter: i32, dwBias: i32, dwMultipliers: i32, dwShifts: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
  dwInputOffset: i32, dwOutputOffset: i32, dwActMin: i32, dwActMax: i32,
  projectFilter: i32, projectBias: i32, projectMultipliers: i32, projectShifts: i32, outC: i32,
  projectInputOffset: i32, projectOutputOffset: i32, projectActMin: i32, projectActMax: i32,
  output: i32, scratch: i32,
): void {
  const inPixels = inH * inW;
  const outPixels = outH * outW;
  const acc = scratch;
  const planeE = scratch + ((outPixels * outC) << 2);
  const planeD = planeE + inPixels;
  // Projection sums start at the bias.
  for (let q = 0; q < outPixels; q++) {
    const row = acc + ((q * outC) << 2);
    for (let o = 0; o < outC; o++) store<i32>(row + (o << 2), load<i32>(projectBias + (o << 2)));
  }
  for (let e = 0; e < expandC; e++) {
    // Expand channel e: sum_c w[e, c] * (x[p, c] + offset) = sum_c w * x + offset * sum_c w (wrapping, exact).
    const we = expandFilter + e * inC;
    let wsum: i32 = 0;
    for (let c = 0; c < inC; c++) wsum += <i32>load<i8>(we + c);
    const eBase = wsum * expandInputOffset + load<i32>(expandBias + (e << 2));
    const em = load<i32>(expandMultipliers + (e << 2));
    const es = load<i32>(expandShifts + (e << 2));
    let px = input;
    for (let p = 0; p < inPixels; p++) {
      let s: i32 = 0;
      for (let c = 0; c < inC; c++) s += <i32>load<i8>(we + c) * <i32>load<i8>(px + c);
      const v = multiplyByQuantizedMultiplier(s + eBase, em, es);
      store<i8>(planeE + p, <i8>clampI32(v + expandOutputOffset, expandActMin, expandActMax));
      px += inC;
    }
    // Depthwise channel e over the plane.
    const db = load<i32>(dwBias + (e << 2));
    const dm = load<i32>(dwMultipliers + (e << 2));
    const ds = load<i32>(dwShifts + (e << 2));
    const wd = dwFilter + e;
    let q = 0;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - padTop;
      const kyLo = iy0 >= 0 ? 0 : (dilationH - 1 - iy0) / dilationH;
      const kyHi = iy0 < inH ? min(kH, (inH - 1 - iy0) / dilationH + 1) : 0;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - padLeft;
        const kxLo = ix0 >= 0 ? 0 : (dilationW - 1 - ix0) / dilationW;
        const kxHi = ix0 < inW ? min(kW, (inW - 1 - ix0) / dilationW + 1) : 0;
        let s: i32 = 0;
        for (let ky = kyLo; ky < kyHi; ky++) {
          const row = planeE + (iy0 + ky * dilationH) * inW + ix0;
          const wrow = wd + ky * kW * expandC;
          for (let kx = kxLo; kx < kxHi; kx++) {
            s += <i32>load<i8>(wrow + kx * expandC) * (<i32>load<i8>(row + kx * dilationW) + dwInputOffset);
          }
        }
        const v = multiplyByQuantizedMultiplier(s + db, dm, ds);
        store<i8>(planeD + q, <i8>clampI32(v + dwOutputOffset, dwActMin, dwActMax));
        q++;
      }
    }
    // Project: every output channel gains w[o, e] * (d + offset).
    const wp = projectFilter + e;
    for (let p = 0; p < outPixels; p++) {
      const d = <i32>load<i8>(planeD + p) + projectInputOffset;
      const row = acc + ((p * outC) << 2);
      for (let o = 0; o < outC; o++) {
        const a = row + (o << 2);
        store<i32>(a, load<i32>(a) + <i32>load<i8>(wp + o * expandC) * d);
      }
    }
  }
  // Requantise; output byte i never lies beyond acc[i], which is read first, so output may alias acc.
  for (let p = 0; p < outPixels; p++) {
    const row = acc + ((p * outC) << 2);
    const out = output + p * outC;
    for (let o = 0; o < outC; o++) {
      const v = multiplyByQuantizedMultiplier(load<i32>(row + (o << 2)), load<i32>(projectMultipliers + (o << 2)), load<i32>(projectShifts + (o << 2)));
      store<i8>(out + o, <i8>clampI32(v + projectOutputOffset, projectActMin, projectActMax));
    }
  }
}
