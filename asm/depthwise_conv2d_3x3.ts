// DEPTHWISE_CONV_2D fast path: 3x3 kernel, depth multiplier 1, dilation 1, at least 8 channels, every shift >= -30
// (runtime/ops/depthwise_conv2d.ts picks it only then). Same arguments as depthwise_conv2d; k_h, k_w, the
// dilations and depth_multiplier are implied. Channels are the vector lanes, 8 at a time as int16.
// Interior pixels (3x3 window inside the input) pair taps for i32x4.dot_i16x8_s (lanes interleaved tap a / tap b)
// and move the input offset out of the tap sum: sum w*(x + off) = sum w*x + off * sum w (int32, wrapping, so
// bit-identical). Border pixels add the offset per tap and zero the taps that fall into the padding (TFLite
// skips them), reading a clamped in-range address instead. Every pixel loop is a do-while with a branch-free body,
// so V8 keeps the loop-invariant vectors (weights, requantisation constants) out of it.
// A channel count that is not a multiple of 8 ends with a group overlapping the previous one (the recomputed
// channels get the same bytes again). Requantisation runs 4 lanes at a time.
import { requantize4, requantLeft, requantMask, requantPow } from './requantize';

export function depthwise_conv2d_3x3(
  input: i32, inH: i32, inW: i32, inC: i32,
  filter: i32, kH: i32, kW: i32,
  bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, outC: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  depthMultiplier: i32, inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  const C = outC;
  const row = inW * C;
  const off16 = i16x8.splat(<i16>inputOffset);
  const off32 = i32x4.splat(inputOffset);
  const zero = i32x4.splat(0);
  const lo = i32x4.splat(actMin);
  const hi = i32x4.splat(actMax);
  const outOff = i32x4.splat(outputOffset);
  // Output columns whose window lies inside the input horizontally: [colLo, colHi).
  const colLo = min((padLeft + strideW - 1) / strideW, outW);
  const span = inW - 3 + padLeft;
  const colHi = span < 0 ? colLo : max(min(span / strideW + 1, outW), colLo);
  const stepX = strideW * C;
  // Channel groups outermost: each group's weights and requantisation constants are set up once per call.
  let g = 0;
  do {
    const c = min(g, C - 8);
    const f = filter + c;
    const w0 = v128.load8x8_s(f);
    const w1 = v128.load8x8_s(f + C);
    const w2 = v128.load8x8_s(f + 2 * C);
    const w3 = v128.load8x8_s(f + 3 * C);
    const w4 = v128.load8x8_s(f + 4 * C);
    const w5 = v128.load8x8_s(f + 5 * C);
    const w6 = v128.load8x8_s(f + 6 * C);
    const w7 = v128.load8x8_s(f + 7 * C);
    const w8 = v128.load8x8_s(f + 8 * C);
    const biasLo = v128.load(bias + (c << 2));
    const biasHi = v128.load(bias + (c << 2), 16);
    const sLo = shifts + (c << 2);
    const sHi = sLo + 16;
    const leftLo = requantLeft(sLo), leftHi = requantLeft(sHi);
    const multLo = v128.load(multipliers + (c << 2)), multHi = v128.load(multipliers + (c << 2), 16);
    const powLo = requantPow(sLo), powHi = requantPow(sHi);
    const maskLo = requantMask(sLo), maskHi = requantMask(sHi);
    // Tap pairs (0,1) (2,3) (4,5) (6,7) (8,-) with lanes interleaved, low and high four channels.
    const w01l = interleaveLo(w0, w1), w01h = interleaveHi(w0, w1);
    const w23l = interleaveLo(w2, w3), w23h = interleaveHi(w2, w3);
    const w45l = interleaveLo(w4, w5), w45h = interleaveHi(w4, w5);
    const w67l = interleaveLo(w6, w7), w67h = interleaveHi(w6, w7);
    const w8l = interleaveLo(w8, zero), w8h = interleaveHi(w8, zero);
    const wsum = i16x8.add(i16x8.add(i16x8.add(w0, w1), i16x8.add(w2, w3)), i16x8.add(i16x8.add(w4, w5), i16x8.add(i16x8.add(w6, w7), w8)));
    const baseLo = i32x4.add(biasLo, i32x4.mul(off32, i32x4.extend_low_i16x8_s(wsum)));
    const baseHi = i32x4.add(biasHi, i32x4.mul(off32, i32x4.extend_high_i16x8_s(wsum)));
    let oy = 0;
    do {
      const iy0 = oy * strideH - padTop;
      const rowsInside = iy0 >= 0 && iy0 + 2 < inH;
      const innerLo = rowsInside ? colLo : outW;
      const innerHi = rowsInside ? colHi : outW;
      const outRow = output + oy * outW * C;
      // Border pixels: clamped row pointers and per-row validity masks.
      const r0 = input + min(max(iy0, 0), inH - 1) * row + c;
      const r1 = input + min(max(iy0 + 1, 0), inH - 1) * row + c;
      const r2 = input + min(max(iy0 + 2, 0), inH - 1) * row + c;
      const m0 = i16x8.splat(<i16>-<i32>(<u32>iy0 < <u32>inH));
      const m1 = i16x8.splat(<i16>-<i32>(<u32>(iy0 + 1) < <u32>inH));
      const m2 = i16x8.splat(<i16>-<i32>(<u32>(iy0 + 2) < <u32>inH));
      if (innerLo > 0) {
        let ox = 0;
        do {
          edgePixel(r0, r1, r2, m0, m1, m2, ox * strideW - padLeft, inW, C, off16, outRow + ox * C + c, biasLo, biasHi,
            w01l, w01h, w23l, w23h, w45l, w45h, w67l, w67h, w8l, w8h,
            leftLo, multLo, powLo, maskLo, leftHi, multHi, powHi, maskHi, lo, hi, outOff);
          ox++;
        } while (ox < innerLo);
      }
      if (innerLo < innerHi) {
        let p = input + iy0 * row + (innerLo * strideW - padLeft) * C + c;
        let out = outRow + innerLo * C + c;
        let ox = innerLo;
        do {
          const x0 = v128.load8x8_s(p), x1 = v128.load8x8_s(p + C), x2 = v128.load8x8_s(p + 2 * C);
          const x3 = v128.load8x8_s(p + row), x4 = v128.load8x8_s(p + row + C), x5 = v128.load8x8_s(p + row + 2 * C);
          const q = p + 2 * row;
          const x6 = v128.load8x8_s(q), x7 = v128.load8x8_s(q + C), x8 = v128.load8x8_s(q + 2 * C);
          let accLo = i32x4.add(i32x4.dot_i16x8_s(interleaveLo(x0, x1), w01l), i32x4.dot_i16x8_s(interleaveLo(x2, x3), w23l));
          let accHi = i32x4.add(i32x4.dot_i16x8_s(interleaveHi(x0, x1), w01h), i32x4.dot_i16x8_s(interleaveHi(x2, x3), w23h));
          accLo = i32x4.add(accLo, i32x4.add(i32x4.dot_i16x8_s(interleaveLo(x4, x5), w45l), i32x4.dot_i16x8_s(interleaveLo(x6, x7), w67l)));
          accHi = i32x4.add(accHi, i32x4.add(i32x4.dot_i16x8_s(interleaveHi(x4, x5), w45h), i32x4.dot_i16x8_s(interleaveHi(x6, x7), w67h)));
          accLo = i32x4.add(accLo, i32x4.add(i32x4.dot_i16x8_s(interleaveLo(x8, x8), w8l), baseLo));
          accHi = i32x4.add(accHi, i32x4.add(i32x4.dot_i16x8_s(interleaveHi(x8, x8), w8h), baseHi));
          finish(out, accLo, accHi, leftLo, multLo, powLo, maskLo, leftHi, multHi, powHi, maskHi, lo, hi, outOff);
          p += stepX;
          out += C;
          ox++;
        } while (ox < innerHi);
      }
      if (innerHi < outW) {
        let ox = innerHi;
        do {
          edgePixel(r0, r1, r2, m0, m1, m2, ox * strideW - padLeft, inW, C, off16, outRow + ox * C + c, biasLo, biasHi,
            w01l, w01h, w23l, w23h, w45l, w45h, w67l, w67h, w8l, w8h,
            leftLo, multLo, powLo, maskLo, leftHi, multHi, powHi, maskHi, lo, hi, outOff);
          ox++;
        } while (ox < outW);
      }
      oy++;
    } while (oy < outH);
    g += 8;
  } while (g < C);
}

/** One pixel whose window crosses the border: padded taps read a clamped address and are masked to zero. */
@inline
function edgePixel(
  r0: i32, r1: i32, r2: i32, m0: v128, m1: v128, m2: v128, ix0: i32, inW: i32, C: i32, off16: v128, out: i32,
  biasLo: v128, biasHi: v128,
  w01l: v128, w01h: v128, w23l: v128, w23h: v128, w45l: v128, w45h: v128, w67l: v128, w67h: v128, w8l: v128, w8h: v128,
  leftLo: v128, multLo: v128, powLo: v128, maskLo: v128, leftHi: v128, multHi: v128, powHi: v128, maskHi: v128,
  lo: v128, hi: v128, outOff: v128,
): void {
  const last = inW - 1;
  const c0 = min(max(ix0, 0), last) * C;
  const c1 = min(max(ix0 + 1, 0), last) * C;
  const c2 = min(max(ix0 + 2, 0), last) * C;
  const n0 = i16x8.splat(<i16>-<i32>(<u32>ix0 < <u32>inW));
  const n1 = i16x8.splat(<i16>-<i32>(<u32>(ix0 + 1) < <u32>inW));
  const n2 = i16x8.splat(<i16>-<i32>(<u32>(ix0 + 2) < <u32>inW));
  const x0 = tap(r0 + c0, off16, m0, n0), x1 = tap(r0 + c1, off16, m0, n1), x2 = tap(r0 + c2, off16, m0, n2);
  const x3 = tap(r1 + c0, off16, m1, n0), x4 = tap(r1 + c1, off16, m1, n1), x5 = tap(r1 + c2, off16, m1, n2);
  const x6 = tap(r2 + c0, off16, m2, n0), x7 = tap(r2 + c1, off16, m2, n1), x8 = tap(r2 + c2, off16, m2, n2);
  let accLo = i32x4.add(i32x4.dot_i16x8_s(interleaveLo(x0, x1), w01l), i32x4.dot_i16x8_s(interleaveLo(x2, x3), w23l));
  let accHi = i32x4.add(i32x4.dot_i16x8_s(interleaveHi(x0, x1), w01h), i32x4.dot_i16x8_s(interleaveHi(x2, x3), w23h));
  accLo = i32x4.add(accLo, i32x4.add(i32x4.dot_i16x8_s(interleaveLo(x4, x5), w45l), i32x4.dot_i16x8_s(interleaveLo(x6, x7), w67l)));
  accHi = i32x4.add(accHi, i32x4.add(i32x4.dot_i16x8_s(interleaveHi(x4, x5), w45h), i32x4.dot_i16x8_s(interleaveHi(x6, x7), w67h)));
  accLo = i32x4.add(accLo, i32x4.add(i32x4.dot_i16x8_s(interleaveLo(x8, x8), w8l), biasLo));
  accHi = i32x4.add(accHi, i32x4.add(i32x4.dot_i16x8_s(interleaveHi(x8, x8), w8h), biasHi));
  finish(out, accLo, accHi, leftLo, multLo, powLo, maskLo, leftHi, multHi, powHi, maskHi, lo, hi, outOff);
}

/** (x + input offset) for one tap, zeroed unless both its row and its column are inside the input. */
@inline
function tap(ptr: i32, off16: v128, rowMask: v128, colMask: v128): v128 {
  return v128.and(v128.and(i16x8.add(v128.load8x8_s(ptr), off16), rowMask), colMask);
}

/** Requantise 8 channels, add the output offset, clamp and store 8 bytes. */
@inline
function finish(
  out: i32, accLo: v128, accHi: v128,
  leftLo: v128, multLo: v128, powLo: v128, maskLo: v128, leftHi: v128, multHi: v128, powHi: v128, maskHi: v128,
  lo: v128, hi: v128, outOff: v128,
): void {
  const rLo = i32x4.min_s(i32x4.max_s(i32x4.add(requantize4(accLo, leftLo, multLo, powLo, maskLo), outOff), lo), hi);
  const rHi = i32x4.min_s(i32x4.max_s(i32x4.add(requantize4(accHi, leftHi, multHi, powHi, maskHi), outOff), lo), hi);
  const packed = i16x8.narrow_i32x4_s(rLo, rHi);
  v128.store64_lane(out, i8x16.narrow_i16x8_s(packed, packed), 0);
}

@inline
function interleaveLo(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11);
}

@inline
function interleaveHi(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15);
}
