// DEPTHWISE_CONV_2D, int8 NHWC input, 1HWC per-channel weights (C = in_c * depth_multiplier), int32 bias
// (TFLite reference_integer_ops::DepthwiseConvPerChannel). The general kernel: any kernel size, stride, dilation and
// depth multiplier. With depth multiplier 1, at least 8 channels and every shift >= -30 it runs 8 channels at a time
// (SIMD, taps paired for i32x4.dot_i16x8_s, padded taps skipped by clamping each pixel's tap ranges); otherwise plain
// loops in TFLite's order. depthwise_conv2d_3x3 is the unrolled 3x3 fast path with the same arguments.
import { clampI32, multiplyByQuantizedMultiplier, requantize4, requantLeft, requantMask, requantPow } from './requantize';

export function depthwise_conv2d(
  input: i32, inH: i32, inW: i32, inC: i32,
  filter: i32, kH: i32, kW: i32,
  bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, outC: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  depthMultiplier: i32, inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  if (depthMultiplier == 1 && outC >= 8 && minShift(shifts, outC) >= -30) {
    depthwiseVector(input, inH, inW, filter, kH, kW, bias, multipliers, shifts, output, outH, outW, outC,
      strideH, strideW, dilationH, dilationW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax);
    return;
  }
  for (let oy = 0; oy < outH; oy++) {
    const inY0 = oy * strideH - padTop;
    for (let ox = 0; ox < outW; ox++) {
      const inX0 = ox * strideW - padLeft;
      const outPixel = output + (oy * outW + ox) * outC;
      for (let ic = 0; ic < inC; ic++) {
        for (let m = 0; m < depthMultiplier; m++) {
          const oc = ic * depthMultiplier + m;
          let acc: i32 = 0;
          for (let ky = 0; ky < kH; ky++) {
            const iy = inY0 + ky * dilationH;
            if (<u32>iy >= <u32>inH) continue; // padded taps contribute nothing
            for (let kx = 0; kx < kW; kx++) {
              const ix = inX0 + kx * dilationW;
              if (<u32>ix >= <u32>inW) continue;
              const x = <i32>load<i8>(input + (iy * inW + ix) * inC + ic);
              const w = <i32>load<i8>(filter + (ky * kW + kx) * outC + oc);
              acc += w * (x + inputOffset);
            }
          }
          acc += load<i32>(bias + (oc << 2));
          acc = multiplyByQuantizedMultiplier(acc, load<i32>(multipliers + (oc << 2)), load<i32>(shifts + (oc << 2)));
          store<i8>(outPixel + oc, <i8>clampI32(acc + outputOffset, actMin, actMax));
        }
      }
    }
  }
}

function minShift(shifts: i32, n: i32): i32 {
  let m = 0;
  for (let i = 0; i < n; i++) m = min(m, load<i32>(shifts + (i << 2)));
  return m;
}

/** Depth multiplier 1: 8 channels per step; the last group overlaps the previous one when C is not a multiple of 8. */
function depthwiseVector(
  input: i32, inH: i32, inW: i32, filter: i32, kH: i32, kW: i32, bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, C: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  const row = inW * C;
  const tapX = dilationW * C;
  const off16 = i16x8.splat(<i16>inputOffset);
  const lo = i32x4.splat(actMin);
  const hi = i32x4.splat(actMax);
  const outOff = i32x4.splat(outputOffset);
  let g = 0;
  do {
    const c = min(g, C - 8);
    const biasLo = v128.load(bias + (c << 2));
    const biasHi = v128.load(bias + (c << 2), 16);
    const sLo = shifts + (c << 2);
    const sHi = sLo + 16;
    const leftLo = requantLeft(sLo), leftHi = requantLeft(sHi);
    const multLo = v128.load(multipliers + (c << 2)), multHi = v128.load(multipliers + (c << 2), 16);
    const powLo = requantPow(sLo), powHi = requantPow(sHi);
    const maskLo = requantMask(sLo), maskHi = requantMask(sHi);
    let oy = 0;
    do {
      const iy0 = oy * strideH - padTop;
      // Kernel rows inside the input: [kyLo, kyHi).
      const kyLo = iy0 >= 0 ? 0 : (dilationH - 1 - iy0) / dilationH;
      const kyHi = iy0 < inH ? min(kH, (inH - 1 - iy0) / dilationH + 1) : 0;
      let out = output + oy * outW * C + c;
      let ox = 0;
      do {
        const ix0 = ox * strideW - padLeft;
        const kxLo = ix0 >= 0 ? 0 : (dilationW - 1 - ix0) / dilationW;
        const kxHi = ix0 < inW ? min(kW, (inW - 1 - ix0) / dilationW + 1) : 0;
        let accLo = biasLo;
        let accHi = biasHi;
        for (let ky = kyLo; ky < kyHi; ky++) {
          const xr = input + (iy0 + ky * dilationH) * row + ix0 * C + c;
          const wr = filter + ky * kW * C + c;
          let kx = kxLo;
          // Two taps per step, lanes interleaved (tap a, tap b) so each dot product adds both.
          for (; kx + 1 < kxHi; kx += 2) {
            const xa = i16x8.add(v128.load8x8_s(xr + kx * tapX), off16);
            const xb = i16x8.add(v128.load8x8_s(xr + kx * tapX + tapX), off16);
            const wa = v128.load8x8_s(wr + kx * C);
            const wb = v128.load8x8_s(wr + kx * C + C);
            accLo = i32x4.add(accLo, i32x4.dot_i16x8_s(i16x8.shuffle(xa, xb, 0, 8, 1, 9, 2, 10, 3, 11), i16x8.shuffle(wa, wb, 0, 8, 1, 9, 2, 10, 3, 11)));
            accHi = i32x4.add(accHi, i32x4.dot_i16x8_s(i16x8.shuffle(xa, xb, 4, 12, 5, 13, 6, 14, 7, 15), i16x8.shuffle(wa, wb, 4, 12, 5, 13, 6, 14, 7, 15)));
          }
          if (kx < kxHi) {
            const xa = i16x8.add(v128.load8x8_s(xr + kx * tapX), off16);
            const wa = v128.load8x8_s(wr + kx * C);
            accLo = i32x4.add(accLo, i32x4.extmul_low_i16x8_s(xa, wa));
            accHi = i32x4.add(accHi, i32x4.extmul_high_i16x8_s(xa, wa));
          }
        }
        accLo = i32x4.min_s(i32x4.max_s(i32x4.add(requantize4(accLo, leftLo, multLo, powLo, maskLo), outOff), lo), hi);
        accHi = i32x4.min_s(i32x4.max_s(i32x4.add(requantize4(accHi, leftHi, multHi, powHi, maskHi), outOff), lo), hi);
        const packed = i16x8.narrow_i32x4_s(accLo, accHi);
        v128.store64_lane(out, i8x16.narrow_i16x8_s(packed, packed), 0);
        out += C;
        ox++;
      } while (ox < outW);
      oy++;
    } while (oy < outH);
    g += 8;
  } while (g < C);
}
