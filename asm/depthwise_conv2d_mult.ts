// DEPTHWISE_CONV_2D fast path for depth multipliers of 8 or more (e.g. the first layer of person_detect: one input
// channel, multiplier 8). Same arguments as depthwise_conv2d, same bytes. Any kernel size, stride, dilation and
// padding. The lanes are 8 consecutive outputs of one input channel (oc = ic * M + m): each tap's input byte is
// broadcast, the taps' weight rows are contiguous (1HWC), and taps go in pairs for i32x4.dot_i16x8_s with the
// lanes interleaved (tap a, tap b). The input offset is added to the input byte before multiplying, so every
// product is the reference's w * (x + input_offset); padded taps are skipped by clamping each pixel's tap ranges.
// A multiplier that is not a multiple of 8 ends with a group overlapping the previous one (recomputed outputs get
// the same bytes again). A 3x3 kernel with dilation 1 keeps its weights in registers and, for pixels whose window
// is inside the input, takes the input offset out of the tap sum (as depthwise_conv2d_3x3 does).
// Preconditions (runtime/ops/depthwise_conv2d.ts selects this kernel only then):
// depth_multiplier >= 8, every shift >= -30 (vector requantisation).
import { il, ih } from './depthwise_3x3_rows';
import { packClamp8, requant4, requantFast, rqHi, rqLo, rqNeg, rqRound, rqScale } from './requantize';

export function depthwise_conv2d_mult(
  input: i32, inH: i32, inW: i32, inC: i32,
  filter: i32, kH: i32, kW: i32,
  bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, outC: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  depthMultiplier: i32, inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  const fast = requantFast(multipliers, shifts, outC);
  if (fast) {
    multGroups(true, input, inH, inW, inC, filter, kH, kW, bias, multipliers, shifts, output, outH, outW, outC,
      strideH, strideW, dilationH, dilationW, padTop, padLeft, depthMultiplier, inputOffset, outputOffset, actMin, actMax);
  } else {
    multGroups(false, input, inH, inW, inC, filter, kH, kW, bias, multipliers, shifts, output, outH, outW, outC,
      strideH, strideW, dilationH, dilationW, padTop, padLeft, depthMultiplier, inputOffset, outputOffset, actMin, actMax);
  }
}

/** The kernel, with requant4's fast form or its general one. */
@inline
function multGroups(
  fast: bool, input: i32, inH: i32, inW: i32, inC: i32, filter: i32, kH: i32, kW: i32, bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, outC: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  depthMultiplier: i32, inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  const M = depthMultiplier;
  const row = inW * inC;
  const tapX = dilationW * inC;
  const wRow = kW * outC;
  const lo8 = i8x16.splat(<i8>actMin);
  const hi8 = i8x16.splat(<i8>actMax);
  let ic = 0;
  do {
    let g = 0;
    do {
      const oc = ic * M + min(g, M - 8);
      const biasLo = v128.load(bias + (oc << 2));
      const biasHi = v128.load(bias + (oc << 2), 16);
      const sLo = shifts + (oc << 2);
      const sHi = sLo + 16;
      const hiL = rqHi(fast, sLo), loL = rqLo(fast, hiL, sLo), scaleL = rqScale(fast, sLo), negL = rqNeg(fast, scaleL), roundL = rqRound(fast, scaleL, outputOffset);
      const hiH = rqHi(fast, sHi), loH = rqLo(fast, hiH, sHi), scaleH = rqScale(fast, sHi), negH = rqNeg(fast, scaleH), roundH = rqRound(fast, scaleH, outputOffset);
      const mulL = v128.load(multipliers + (oc << 2)), mulH = v128.load(multipliers + (oc << 2), 16);
      const w0 = filter + oc;
      // 3x3, dilation 1: the taps' weights interleaved in pairs once per group; interior pixels take the input
      // offset out of the taps (sum w*(x + off) = sum w*x + off * sum w, int32 wrapping: the same bits).
      const k3 = kH == 3 && kW == 3 && dilationH == 1 && dilationW == 1;
      const zero = i32x4.splat(0);
      let w01l = zero, w01h = zero, w23l = zero, w23h = zero, w45l = zero, w45h = zero, w67l = zero, w67h = zero;
      let w8l = zero, w8h = zero, baseLo = biasLo, baseHi = biasHi;
      if (k3) {
        const t0 = v128.load8x8_s(w0), t1 = v128.load8x8_s(w0 + outC), t2 = v128.load8x8_s(w0 + 2 * outC);
        const t3 = v128.load8x8_s(w0 + wRow), t4 = v128.load8x8_s(w0 + wRow + outC), t5 = v128.load8x8_s(w0 + wRow + 2 * outC);
        const t6 = v128.load8x8_s(w0 + 2 * wRow), t7 = v128.load8x8_s(w0 + 2 * wRow + outC), t8 = v128.load8x8_s(w0 + 2 * wRow + 2 * outC);
        w01l = il(t0, t1); w01h = ih(t0, t1);
        w23l = il(t2, t3); w23h = ih(t2, t3);
        w45l = il(t4, t5); w45h = ih(t4, t5);
        w67l = il(t6, t7); w67h = ih(t6, t7);
        w8l = il(t8, zero); w8h = ih(t8, zero);
        const wsum = i16x8.add(i16x8.add(i16x8.add(t0, t1), i16x8.add(t2, t3)), i16x8.add(i16x8.add(t4, t5), i16x8.add(i16x8.add(t6, t7), t8)));
        const off32 = i32x4.splat(inputOffset);
        baseLo = i32x4.add(biasLo, i32x4.mul(off32, i32x4.extend_low_i16x8_s(wsum)));
        baseHi = i32x4.add(biasHi, i32x4.mul(off32, i32x4.extend_high_i16x8_s(wsum)));
      }
      // Output columns whose 3x3 window lies inside the input horizontally: [colLo, colHi).
      const colLo = min((padLeft + strideW - 1) / strideW, outW);
      const span = inW - 3 + padLeft;
      const colHi = !k3 || span < 0 ? colLo : max(min(span / strideW + 1, outW), colLo);
      const stepX = strideW * inC;
      let oy = 0;
      do {
        const iy0 = oy * strideH - padTop;
        // Kernel rows inside the input: [kyLo, kyHi).
        const kyLo = iy0 >= 0 ? 0 : (dilationH - 1 - iy0) / dilationH;
        const kyHi = iy0 < inH ? min(kH, (inH - 1 - iy0) / dilationH + 1) : 0;
        const rowsInside = iy0 >= 0 && iy0 + 2 < inH;
        const innerLo = rowsInside ? colLo : outW;
        const innerHi = rowsInside ? colHi : outW;
        let out = output + oy * outW * outC + oc;
        let ox = 0;
        while (ox < outW) {
          if (ox == innerLo && innerLo < innerHi) {
            // Interior pixels: three rows of three taps, each tap's byte broadcast, taps paired.
            let xr = input + iy0 * row + (ox * strideW - padLeft) * inC + ic;
            do {
              const r1 = xr + row;
              const r2 = r1 + row;
              const p01 = pair(load<i8>(xr), load<i8>(xr + inC));
              const p23 = pair(load<i8>(xr + 2 * inC), load<i8>(r1));
              const p45 = pair(load<i8>(r1 + inC), load<i8>(r1 + 2 * inC));
              const p67 = pair(load<i8>(r2), load<i8>(r2 + inC));
              const p8 = i32x4.splat(<i32>load<i8>(r2 + 2 * inC) & 0xffff);
              let accLo = i32x4.add(i32x4.dot_i16x8_s(p01, w01l), i32x4.dot_i16x8_s(p23, w23l));
              let accHi = i32x4.add(i32x4.dot_i16x8_s(p01, w01h), i32x4.dot_i16x8_s(p23, w23h));
              accLo = i32x4.add(accLo, i32x4.add(i32x4.dot_i16x8_s(p45, w45l), i32x4.dot_i16x8_s(p67, w67l)));
              accHi = i32x4.add(accHi, i32x4.add(i32x4.dot_i16x8_s(p45, w45h), i32x4.dot_i16x8_s(p67, w67h)));
              accLo = i32x4.add(accLo, i32x4.add(i32x4.dot_i16x8_s(p8, w8l), baseLo));
              accHi = i32x4.add(accHi, i32x4.add(i32x4.dot_i16x8_s(p8, w8h), baseHi));
              v128.store64_lane(out, packClamp8(requant4(fast, accLo, loL, hiL, scaleL, mulL, negL, roundL), requant4(fast, accHi, loH, hiH, scaleH, mulH, negH, roundH), lo8, hi8), 0);
              xr += stepX;
              out += outC;
              ox++;
            } while (ox < innerHi);
            continue;
          }
          const ix0 = ox * strideW - padLeft;
          const kxLo = ix0 >= 0 ? 0 : (dilationW - 1 - ix0) / dilationW;
          const kxHi = ix0 < inW ? min(kW, (inW - 1 - ix0) / dilationW + 1) : 0;
          let accLo = biasLo;
          let accHi = biasHi;
          for (let ky = kyLo; ky < kyHi; ky++) {
            const xr = input + (iy0 + ky * dilationH) * row + ix0 * inC + ic;
            const wr = w0 + ky * wRow;
            let kx = kxLo;
            // Two taps per step: lanes (tap a, tap b) of the broadcast inputs against interleaved weight rows.
            for (; kx + 1 < kxHi; kx += 2) {
              const xa = <i32>load<i8>(xr + kx * tapX) + inputOffset;
              const xb = <i32>load<i8>(xr + kx * tapX + tapX) + inputOffset;
              const xv = i32x4.splat((xa & 0xffff) | (xb << 16));
              const wa = v128.load8x8_s(wr + kx * outC);
              const wb = v128.load8x8_s(wr + kx * outC + outC);
              accLo = i32x4.add(accLo, i32x4.dot_i16x8_s(xv, il(wa, wb)));
              accHi = i32x4.add(accHi, i32x4.dot_i16x8_s(xv, ih(wa, wb)));
            }
            if (kx < kxHi) {
              const xv = i16x8.splat(<i16>(<i32>load<i8>(xr + kx * tapX) + inputOffset));
              const wa = v128.load8x8_s(wr + kx * outC);
              accLo = i32x4.add(accLo, i32x4.extmul_low_i16x8_s(xv, wa));
              accHi = i32x4.add(accHi, i32x4.extmul_high_i16x8_s(xv, wa));
            }
          }
          v128.store64_lane(out, packClamp8(requant4(fast, accLo, loL, hiL, scaleL, mulL, negL, roundL), requant4(fast, accHi, loH, hiH, scaleH, mulH, negH, roundH), lo8, hi8), 0);
          out += outC;
          ox++;
        }
        oy++;
      } while (oy < outH);
      g += 8;
    } while (g < M);
    ic++;
  } while (ic < inC);
}

/** Two int8 taps (a, b) broadcast as int16 lane pairs (a, b, a, b, ...). */
@inline
function pair(a: i8, b: i8): v128 {
  return i32x4.splat((<i32>a & 0xffff) | (<i32>b << 16));
}
