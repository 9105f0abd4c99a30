// DEPTHWISE_CONV_2D with depth multiplier 1, written over its own input (TinyEngine's in-place depthwise).
// Same arguments as depthwise_conv2d plus `scratch` (in_h * in_w bytes). With NHWC and out_c == in_c, output
// element (p, c) lands on input element (p, c) for any stride and padding, so channels are independent and can be
// done a group at a time.
// Vector path (every shift >= -30): groups of G = 8 (or 4) channels, output pixels in raster order. Output pixel p
// overwrites input pixel p; output p' reads input pixels no lower than minRead(p') (its first tap inside the
// input). With d = max over p' of (p' - minRead(p')), a pixel's input is never read again once d more outputs
// are done, so each output waits d pixels in a ring in the scratch (d * G bytes) and is written back then; the
// last d are flushed at the end. With d <= 8 (small images) 8-channel outputs wait 8 pixels in registers instead.
// G is 8 when d <= 8 or d * 8 bytes fit the scratch, else 4 when d * 4 bytes do; per pixel the taps go in pairs
// for i32x4.dot_i16x8_s like depthwise_conv2d's vector path, padded taps skipped by clamping the tap ranges.
// Channels left over (fewer than G), or every channel when neither ring fits or a shift is -31: the scalar path,
// one channel at a time (copy it to the scratch plane, then compute the channel from the plane into the buffer).
// Arithmetic is TFLite's reference_integer_ops::DepthwiseConvPerChannel (int32 sums wrap, so tap order is free).
// The scratch is left zeroed.
import { clampI32, multiplyByQuantizedMultiplier, requantize4, requantLeft, requantMask, requantPow } from './requantize';

export function depthwise_conv2d_inplace(
  input: i32, inH: i32, inW: i32, inC: i32,
  filter: i32, kH: i32, kW: i32,
  bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, outC: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  depthMultiplier: i32, inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
  scratch: i32,
): void {
  const C = inC;
  let c = 0;
  let minShift = 0;
  for (let i = 0; i < C; i++) minShift = min(minShift, load<i32>(shifts + (i << 2)));
  if (minShift >= -30 && C >= 4) {
    const d = writeBackDelay(inH, inW, kH, kW, outH, outW, strideH, strideW, dilationH, dilationW, padTop, padLeft);
    const room = inH * inW;
    const ring = d == 0 || d * 8 <= room; // outputs wait in the scratch (or not at all)
    const G = (ring || d <= 8) && C >= 8 ? 8 : d * 4 <= room ? 4 : 0;
    const is3x3 = kH == 3 && kW == 3 && dilationH == 1 && dilationW == 1 && strideH <= 2 && strideW <= 2;
    if (G == 8) {
      for (; c + 8 <= C; c += 8) {
        if (ring && is3x3) {
          group8x3x3(input, inH, inW, C, filter, bias, multipliers, shifts, output, outH, outW,
            strideH, strideW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax, scratch, d, c);
        } else if (ring) {
          group8(input, inH, inW, C, filter, kH, kW, bias, multipliers, shifts, output, outH, outW,
            strideH, strideW, dilationH, dilationW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax, scratch, d, c);
        } else if (is3x3 && inH >= 5 && inW >= 5) { // on smaller images nearly every pixel is a border one
          group8x3x3Near(input, inH, inW, C, filter, bias, multipliers, shifts, output, outH, outW,
            strideH, strideW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax, d, c);
        } else {
          group8Near(input, inH, inW, C, filter, kH, kW, bias, multipliers, shifts, output, outH, outW,
            strideH, strideW, dilationH, dilationW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax, d, c);
        }
      }
    }
    if (G != 0 && (d == 0 || d * 4 <= room)) {
      for (; c + 4 <= C; c += 4) {
        group4(input, inH, inW, C, filter, kH, kW, bias, multipliers, shifts, output, outH, outW,
          strideH, strideW, dilationH, dilationW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax, scratch, d, c);
      }
    }
  }
  for (; c < C; c++) {
    planeChannel(input, inH, inW, C, filter, kH, kW, bias, multipliers, shifts, output, outH, outW,
      strideH, strideW, dilationH, dilationW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax, scratch, c);
  }
  // What the scratch holds afterwards does not depend on the path taken (the C twin leaves it so too).
  memory.fill(scratch, 0, inH * inW);
}

/**
 * max over output pixels p' of p' - minRead(p'), at least 0: minRead is the raster index of the first input pixel
 * p' reads (first kernel row inside the input, first column inside). Rows and columns add up independently.
 */
function writeBackDelay(
  inH: i32, inW: i32, kH: i32, kW: i32, outH: i32, outW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
): i32 {
  let maxY = i32.MIN_VALUE;
  for (let oy = 0; oy < outH; oy++) {
    const iy0 = oy * strideH - padTop;
    const kyLo = iy0 >= 0 ? 0 : (dilationH - 1 - iy0) / dilationH;
    const kyHi = iy0 < inH ? min(kH, (inH - 1 - iy0) / dilationH + 1) : 0;
    if (kyLo < kyHi) maxY = max(maxY, oy * outW - (iy0 + kyLo * dilationH) * inW);
  }
  let maxX = i32.MIN_VALUE;
  for (let ox = 0; ox < outW; ox++) {
    const ix0 = ox * strideW - padLeft;
    const kxLo = ix0 >= 0 ? 0 : (dilationW - 1 - ix0) / dilationW;
    const kxHi = ix0 < inW ? min(kW, (inW - 1 - ix0) / dilationW + 1) : 0;
    if (kxLo < kxHi) maxX = max(maxX, ox - (ix0 + kxLo * dilationW));
  }
  if (maxY == i32.MIN_VALUE || maxX == i32.MIN_VALUE) return 0; // no pixel reads anything
  return max(maxY + maxX, 0);
}

/**
 * The 3x3 case of group8 (dilation 1, stride 1 or 2), as in depthwise_conv2d_3x3: weights interleaved in tap pairs
 * once per group; interior pixels take the input offset out of the taps (sum w*(x + off) = sum w*x + off * sum w,
 * int32 wrapping, so the same bits), border pixels add it per tap and zero the padded taps (read at a clamped
 * address). Pixels still go in raster order through the ring (or straight to the buffer when d == 0).
 */
function group8x3x3(
  input: i32, inH: i32, inW: i32, C: i32, filter: i32, bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32, scratch: i32, d: i32, c: i32,
): void {
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
  const f = filter + c;
  const w0 = v128.load8x8_s(f), w1 = v128.load8x8_s(f + C), w2 = v128.load8x8_s(f + 2 * C);
  const w3 = v128.load8x8_s(f + 3 * C), w4 = v128.load8x8_s(f + 4 * C), w5 = v128.load8x8_s(f + 5 * C);
  const w6 = v128.load8x8_s(f + 6 * C), w7 = v128.load8x8_s(f + 7 * C), w8 = v128.load8x8_s(f + 8 * C);
  const biasLo = v128.load(bias + (c << 2));
  const biasHi = v128.load(bias + (c << 2), 16);
  const sLo = shifts + (c << 2);
  const sHi = sLo + 16;
  const leftLo = requantLeft(sLo), leftHi = requantLeft(sHi);
  const multLo = v128.load(multipliers + (c << 2)), multHi = v128.load(multipliers + (c << 2), 16);
  const powLo = requantPow(sLo), powHi = requantPow(sHi);
  const maskLo = requantMask(sLo), maskHi = requantMask(sHi);
  const w01l = interleaveLo(w0, w1), w01h = interleaveHi(w0, w1);
  const w23l = interleaveLo(w2, w3), w23h = interleaveHi(w2, w3);
  const w45l = interleaveLo(w4, w5), w45h = interleaveHi(w4, w5);
  const w67l = interleaveLo(w6, w7), w67h = interleaveHi(w6, w7);
  const w8l = interleaveLo(w8, zero), w8h = interleaveHi(w8, zero);
  const wsum = i16x8.add(i16x8.add(i16x8.add(w0, w1), i16x8.add(w2, w3)), i16x8.add(i16x8.add(w4, w5), i16x8.add(i16x8.add(w6, w7), w8)));
  const baseLo = i32x4.add(biasLo, i32x4.mul(off32, i32x4.extend_low_i16x8_s(wsum)));
  const baseHi = i32x4.add(biasHi, i32x4.mul(off32, i32x4.extend_high_i16x8_s(wsum)));
  const ringEnd = scratch + (d << 3);
  let slot = scratch;
  let back = output + c; // where the oldest waiting output goes
  let direct = output + c; // d == 0: where output p goes
  let p = 0;
  let oy = 0;
  do {
    const iy0 = oy * strideH - padTop;
    const rowsInside = iy0 >= 0 && iy0 + 2 < inH;
    const innerLo = rowsInside ? colLo : outW;
    const innerHi = rowsInside ? colHi : outW;
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
        const bytes = edge3x3(r0, r1, r2, m0, m1, m2, ox * strideW - padLeft, inW, C, off16, biasLo, biasHi,
          w01l, w01h, w23l, w23h, w45l, w45h, w67l, w67h, w8l, w8h, leftLo, multLo, powLo, maskLo, leftHi, multHi, powHi, maskHi, lo, hi, outOff);
        if (d == 0) {
          v128.store64_lane(direct, bytes, 0);
          direct += C;
        } else {
          // Output p - d may now replace its input: every later output reads pixels >= p + 1 - d.
          if (p >= d) {
            store<i64>(back, load<i64>(slot));
            back += C;
          }
          v128.store64_lane(slot, bytes, 0);
          slot += 8;
          if (slot == ringEnd) slot = scratch;
        }
        p++;
        ox++;
      } while (ox < innerLo);
    }
    if (innerLo < innerHi) {
      let q = input + iy0 * row + (innerLo * strideW - padLeft) * C + c;
      let ox = innerLo;
      do {
        const x0 = v128.load8x8_s(q), x1 = v128.load8x8_s(q + C), x2 = v128.load8x8_s(q + 2 * C);
        const x3 = v128.load8x8_s(q + row), x4 = v128.load8x8_s(q + row + C), x5 = v128.load8x8_s(q + row + 2 * C);
        const q2 = q + 2 * row;
        const x6 = v128.load8x8_s(q2), x7 = v128.load8x8_s(q2 + C), x8 = v128.load8x8_s(q2 + 2 * C);
        const bytes = taps3x3(x0, x1, x2, x3, x4, x5, x6, x7, x8, baseLo, baseHi, w01l, w01h, w23l, w23h, w45l, w45h, w67l, w67h, w8l, w8h,
          leftLo, multLo, powLo, maskLo, leftHi, multHi, powHi, maskHi, lo, hi, outOff);
        if (d == 0) {
          v128.store64_lane(direct, bytes, 0);
          direct += C;
        } else {
          // Output p - d may now replace its input: every later output reads pixels >= p + 1 - d.
          if (p >= d) {
            store<i64>(back, load<i64>(slot));
            back += C;
          }
          v128.store64_lane(slot, bytes, 0);
          slot += 8;
          if (slot == ringEnd) slot = scratch;
        }
        p++;
        q += stepX;
        ox++;
      } while (ox < innerHi);
    }
    if (innerHi < outW) {
      let ox = innerHi;
      do {
        const bytes = edge3x3(r0, r1, r2, m0, m1, m2, ox * strideW - padLeft, inW, C, off16, biasLo, biasHi,
          w01l, w01h, w23l, w23h, w45l, w45h, w67l, w67h, w8l, w8h, leftLo, multLo, powLo, maskLo, leftHi, multHi, powHi, maskHi, lo, hi, outOff);
        if (d == 0) {
          v128.store64_lane(direct, bytes, 0);
          direct += C;
        } else {
          // Output p - d may now replace its input: every later output reads pixels >= p + 1 - d.
          if (p >= d) {
            store<i64>(back, load<i64>(slot));
            back += C;
          }
          v128.store64_lane(slot, bytes, 0);
          slot += 8;
          if (slot == ringEnd) slot = scratch;
        }
        p++;
        ox++;
      } while (ox < outW);
    }
    oy++;
  } while (oy < outH);
  if (d == 0) return;
  const waiting = min(d, p);
  if (waiting < d) slot = scratch;
  for (let i = 0; i < waiting; i++) {
    store<i64>(back, load<i64>(slot));
    back += C;
    slot += 8;
    if (slot == ringEnd) slot = scratch;
  }
}

/** group8x3x3 for 0 < d <= 8 when the ring does not fit the scratch: outputs wait 8 pixels in registers (as group8Near). */
function group8x3x3Near(
  input: i32, inH: i32, inW: i32, C: i32, filter: i32, bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32, d: i32, c: i32,
): void {
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
  const f = filter + c;
  const w0 = v128.load8x8_s(f), w1 = v128.load8x8_s(f + C), w2 = v128.load8x8_s(f + 2 * C);
  const w3 = v128.load8x8_s(f + 3 * C), w4 = v128.load8x8_s(f + 4 * C), w5 = v128.load8x8_s(f + 5 * C);
  const w6 = v128.load8x8_s(f + 6 * C), w7 = v128.load8x8_s(f + 7 * C), w8 = v128.load8x8_s(f + 8 * C);
  const biasLo = v128.load(bias + (c << 2));
  const biasHi = v128.load(bias + (c << 2), 16);
  const sLo = shifts + (c << 2);
  const sHi = sLo + 16;
  const leftLo = requantLeft(sLo), leftHi = requantLeft(sHi);
  const multLo = v128.load(multipliers + (c << 2)), multHi = v128.load(multipliers + (c << 2), 16);
  const powLo = requantPow(sLo), powHi = requantPow(sHi);
  const maskLo = requantMask(sLo), maskHi = requantMask(sHi);
  const w01l = interleaveLo(w0, w1), w01h = interleaveHi(w0, w1);
  const w23l = interleaveLo(w2, w3), w23h = interleaveHi(w2, w3);
  const w45l = interleaveLo(w4, w5), w45h = interleaveHi(w4, w5);
  const w67l = interleaveLo(w6, w7), w67h = interleaveHi(w6, w7);
  const w8l = interleaveLo(w8, zero), w8h = interleaveHi(w8, zero);
  const wsum = i16x8.add(i16x8.add(i16x8.add(w0, w1), i16x8.add(w2, w3)), i16x8.add(i16x8.add(w4, w5), i16x8.add(i16x8.add(w6, w7), w8)));
  const baseLo = i32x4.add(biasLo, i32x4.mul(off32, i32x4.extend_low_i16x8_s(wsum)));
  const baseHi = i32x4.add(biasHi, i32x4.mul(off32, i32x4.extend_high_i16x8_s(wsum)));
  let back = output + c; // where the oldest waiting output goes
  // The last 8 outputs, z7 the oldest.
  let z0 = i32x4.splat(0), z1 = z0, z2 = z0, z3 = z0, z4 = z0, z5 = z0, z6 = z0, z7 = z0;
  let p = 0;
  let oy = 0;
  do {
    const iy0 = oy * strideH - padTop;
    const rowsInside = iy0 >= 0 && iy0 + 2 < inH;
    const innerLo = rowsInside ? colLo : outW;
    const innerHi = rowsInside ? colHi : outW;
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
        const bytes = edge3x3(r0, r1, r2, m0, m1, m2, ox * strideW - padLeft, inW, C, off16, biasLo, biasHi,
          w01l, w01h, w23l, w23h, w45l, w45h, w67l, w67h, w8l, w8h, leftLo, multLo, powLo, maskLo, leftHi, multHi, powHi, maskHi, lo, hi, outOff);
        // Output p - 8 may now replace its input: every later output reads pixels >= p + 1 - d.
        if (p >= 8) {
          v128.store64_lane(back, z7, 0);
          back += C;
        }
        z7 = z6; z6 = z5; z5 = z4; z4 = z3; z3 = z2; z2 = z1; z1 = z0; z0 = bytes;
        p++;
        ox++;
      } while (ox < innerLo);
    }
    if (innerLo < innerHi) {
      let q = input + iy0 * row + (innerLo * strideW - padLeft) * C + c;
      let ox = innerLo;
      do {
        const x0 = v128.load8x8_s(q), x1 = v128.load8x8_s(q + C), x2 = v128.load8x8_s(q + 2 * C);
        const x3 = v128.load8x8_s(q + row), x4 = v128.load8x8_s(q + row + C), x5 = v128.load8x8_s(q + row + 2 * C);
        const q2 = q + 2 * row;
        const x6 = v128.load8x8_s(q2), x7 = v128.load8x8_s(q2 + C), x8 = v128.load8x8_s(q2 + 2 * C);
        const bytes = taps3x3(x0, x1, x2, x3, x4, x5, x6, x7, x8, baseLo, baseHi, w01l, w01h, w23l, w23h, w45l, w45h, w67l, w67h, w8l, w8h,
          leftLo, multLo, powLo, maskLo, leftHi, multHi, powHi, maskHi, lo, hi, outOff);
        // Output p - 8 may now replace its input: every later output reads pixels >= p + 1 - d.
        if (p >= 8) {
          v128.store64_lane(back, z7, 0);
          back += C;
        }
        z7 = z6; z6 = z5; z5 = z4; z4 = z3; z3 = z2; z2 = z1; z1 = z0; z0 = bytes;
        p++;
        q += stepX;
        ox++;
      } while (ox < innerHi);
    }
    if (innerHi < outW) {
      let ox = innerHi;
      do {
        const bytes = edge3x3(r0, r1, r2, m0, m1, m2, ox * strideW - padLeft, inW, C, off16, biasLo, biasHi,
          w01l, w01h, w23l, w23h, w45l, w45h, w67l, w67h, w8l, w8h, leftLo, multLo, powLo, maskLo, leftHi, multHi, powHi, maskHi, lo, hi, outOff);
        // Output p - 8 may now replace its input: every later output reads pixels >= p + 1 - d.
        if (p >= 8) {
          v128.store64_lane(back, z7, 0);
          back += C;
        }
        z7 = z6; z6 = z5; z5 = z4; z4 = z3; z3 = z2; z2 = z1; z1 = z0; z0 = bytes;
        p++;
        ox++;
      } while (ox < outW);
    }
    oy++;
  } while (oy < outH);
  // The last min(8, pixels) outputs, oldest first: z7 holds output p - 8, z0 output p - 1.
  if (p >= 8) { v128.store64_lane(back, z7, 0); back += C; }
  if (p >= 7) { v128.store64_lane(back, z6, 0); back += C; }
  if (p >= 6) { v128.store64_lane(back, z5, 0); back += C; }
  if (p >= 5) { v128.store64_lane(back, z4, 0); back += C; }
  if (p >= 4) { v128.store64_lane(back, z3, 0); back += C; }
  if (p >= 3) { v128.store64_lane(back, z2, 0); back += C; }
  if (p >= 2) { v128.store64_lane(back, z1, 0); back += C; }
  v128.store64_lane(back, z0, 0);
}

/** Nine taps (int16 lanes, 8 channels) against the interleaved weights, plus `base`; requantised and clamped bytes. */
@inline
function taps3x3(
  x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, x6: v128, x7: v128, x8: v128, baseLo: v128, baseHi: v128,
  w01l: v128, w01h: v128, w23l: v128, w23h: v128, w45l: v128, w45h: v128, w67l: v128, w67h: v128, w8l: v128, w8h: v128,
  leftLo: v128, multLo: v128, powLo: v128, maskLo: v128, leftHi: v128, multHi: v128, powHi: v128, maskHi: v128,
  lo: v128, hi: v128, outOff: v128,
): v128 {
  let accLo = i32x4.add(i32x4.dot_i16x8_s(interleaveLo(x0, x1), w01l), i32x4.dot_i16x8_s(interleaveLo(x2, x3), w23l));
  let accHi = i32x4.add(i32x4.dot_i16x8_s(interleaveHi(x0, x1), w01h), i32x4.dot_i16x8_s(interleaveHi(x2, x3), w23h));
  accLo = i32x4.add(accLo, i32x4.add(i32x4.dot_i16x8_s(interleaveLo(x4, x5), w45l), i32x4.dot_i16x8_s(interleaveLo(x6, x7), w67l)));
  accHi = i32x4.add(accHi, i32x4.add(i32x4.dot_i16x8_s(interleaveHi(x4, x5), w45h), i32x4.dot_i16x8_s(interleaveHi(x6, x7), w67h)));
  accLo = i32x4.add(accLo, i32x4.add(i32x4.dot_i16x8_s(interleaveLo(x8, x8), w8l), baseLo));
  accHi = i32x4.add(accHi, i32x4.add(i32x4.dot_i16x8_s(interleaveHi(x8, x8), w8h), baseHi));
  const rLo = i32x4.min_s(i32x4.max_s(i32x4.add(requantize4(accLo, leftLo, multLo, powLo, maskLo), outOff), lo), hi);
  const rHi = i32x4.min_s(i32x4.max_s(i32x4.add(requantize4(accHi, leftHi, multHi, powHi, maskHi), outOff), lo), hi);
  const packed = i16x8.narrow_i32x4_s(rLo, rHi);
  return i8x16.narrow_i16x8_s(packed, packed);
}

/** One pixel whose window crosses the border: padded taps read a clamped address and are masked to zero. */
@inline
function edge3x3(
  r0: i32, r1: i32, r2: i32, m0: v128, m1: v128, m2: v128, ix0: i32, inW: i32, C: i32, off16: v128, biasLo: v128, biasHi: v128,
  w01l: v128, w01h: v128, w23l: v128, w23h: v128, w45l: v128, w45h: v128, w67l: v128, w67h: v128, w8l: v128, w8h: v128,
  leftLo: v128, multLo: v128, powLo: v128, maskLo: v128, leftHi: v128, multHi: v128, powHi: v128, maskHi: v128,
  lo: v128, hi: v128, outOff: v128,
): v128 {
  const last = inW - 1;
  const c0 = min(max(ix0, 0), last) * C;
  const c1 = min(max(ix0 + 1, 0), last) * C;
  const c2 = min(max(ix0 + 2, 0), last) * C;
  const n0 = i16x8.splat(<i16>-<i32>(<u32>ix0 < <u32>inW));
  const n1 = i16x8.splat(<i16>-<i32>(<u32>(ix0 + 1) < <u32>inW));
  const n2 = i16x8.splat(<i16>-<i32>(<u32>(ix0 + 2) < <u32>inW));
  return taps3x3(
    tap(r0 + c0, off16, m0, n0), tap(r0 + c1, off16, m0, n1), tap(r0 + c2, off16, m0, n2),
    tap(r1 + c0, off16, m1, n0), tap(r1 + c1, off16, m1, n1), tap(r1 + c2, off16, m1, n2),
    tap(r2 + c0, off16, m2, n0), tap(r2 + c1, off16, m2, n1), tap(r2 + c2, off16, m2, n2),
    biasLo, biasHi, w01l, w01h, w23l, w23h, w45l, w45h, w67l, w67h, w8l, w8h,
    leftLo, multLo, powLo, maskLo, leftHi, multHi, powHi, maskHi, lo, hi, outOff);
}

/** (x + input offset) for one tap, zeroed unless both its row and its column are inside the input. */
@inline
function tap(ptr: i32, off16: v128, rowMask: v128, colMask: v128): v128 {
  return v128.and(v128.and(i16x8.add(v128.load8x8_s(ptr), off16), rowMask), colMask);
}

@inline
function interleaveLo(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11);
}

@inline
function interleaveHi(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15);
}

/** Channels [c, c + 8): outputs through a ring of d 8-byte slots in the scratch (written directly when d == 0). */
function group8(
  input: i32, inH: i32, inW: i32, C: i32, filter: i32, kH: i32, kW: i32, bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32, scratch: i32, d: i32, c: i32,
): void {
  const row = inW * C;
  const tapX = dilationW * C;
  const off16 = i16x8.splat(<i16>inputOffset);
  const lo = i32x4.splat(actMin);
  const hi = i32x4.splat(actMax);
  const outOff = i32x4.splat(outputOffset);
  const biasLo = v128.load(bias + (c << 2));
  const biasHi = v128.load(bias + (c << 2), 16);
  const sLo = shifts + (c << 2);
  const sHi = sLo + 16;
  const leftLo = requantLeft(sLo), leftHi = requantLeft(sHi);
  const multLo = v128.load(multipliers + (c << 2)), multHi = v128.load(multipliers + (c << 2), 16);
  const powLo = requantPow(sLo), powHi = requantPow(sHi);
  const maskLo = requantMask(sLo), maskHi = requantMask(sHi);
  const ringEnd = scratch + (d << 3);
  let slot = scratch;
  let back = output + c; // where the oldest waiting output goes
  let p = 0;
  let oy = 0;
  do {
    const iy0 = oy * strideH - padTop;
    const kyLo = iy0 >= 0 ? 0 : (dilationH - 1 - iy0) / dilationH;
    const kyHi = iy0 < inH ? min(kH, (inH - 1 - iy0) / dilationH + 1) : 0;
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
      const bytes = i8x16.narrow_i16x8_s(packed, packed);
      if (d == 0) {
        v128.store64_lane(output + p * C + c, bytes, 0);
      } else {
        // Output p - d may now replace its input: every later output reads pixels >= p + 1 - d.
        if (p >= d) {
          store<i64>(back, load<i64>(slot));
          back += C;
        }
        v128.store64_lane(slot, bytes, 0);
        slot += 8;
        if (slot == ringEnd) slot = scratch;
      }
      p++;
      ox++;
    } while (ox < outW);
    oy++;
  } while (oy < outH);
  if (d == 0) return;
  // The last min(d, pixels) outputs, oldest first (the oldest sits at `slot` once the ring has wrapped).
  const waiting = min(d, p);
  if (waiting < d) slot = scratch;
  for (let i = 0; i < waiting; i++) {
    store<i64>(back, load<i64>(slot));
    back += C;
    slot += 8;
    if (slot == ringEnd) slot = scratch;
  }
}

/** Channels [c, c + 8) for d <= 8: written directly (d == 0) or after 8 pixels in registers (a delay of 8 >= d is as safe). */
function group8Near(
  input: i32, inH: i32, inW: i32, C: i32, filter: i32, kH: i32, kW: i32, bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32, d: i32, c: i32,
): void {
  const row = inW * C;
  const tapX = dilationW * C;
  const off16 = i16x8.splat(<i16>inputOffset);
  const lo = i32x4.splat(actMin);
  const hi = i32x4.splat(actMax);
  const outOff = i32x4.splat(outputOffset);
  const biasLo = v128.load(bias + (c << 2));
  const biasHi = v128.load(bias + (c << 2), 16);
  const sLo = shifts + (c << 2);
  const sHi = sLo + 16;
  const leftLo = requantLeft(sLo), leftHi = requantLeft(sHi);
  const multLo = v128.load(multipliers + (c << 2)), multHi = v128.load(multipliers + (c << 2), 16);
  const powLo = requantPow(sLo), powHi = requantPow(sHi);
  const maskLo = requantMask(sLo), maskHi = requantMask(sHi);
  let back = output + c; // where the oldest waiting output goes
  // The last 8 outputs, q7 the oldest.
  let q0 = i32x4.splat(0), q1 = q0, q2 = q0, q3 = q0, q4 = q0, q5 = q0, q6 = q0, q7 = q0;
  let p = 0;
  let oy = 0;
  do {
    const iy0 = oy * strideH - padTop;
    const kyLo = iy0 >= 0 ? 0 : (dilationH - 1 - iy0) / dilationH;
    const kyHi = iy0 < inH ? min(kH, (inH - 1 - iy0) / dilationH + 1) : 0;
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
      const bytes = i8x16.narrow_i16x8_s(packed, packed);
      if (d == 0) {
        v128.store64_lane(output + p * C + c, bytes, 0);
      } else {
        // Output p - 8 may now replace its input: every later output reads pixels >= p + 1 - d.
        if (p >= 8) {
          v128.store64_lane(back, q7, 0);
          back += C;
        }
        q7 = q6; q6 = q5; q5 = q4; q4 = q3; q3 = q2; q2 = q1; q1 = q0; q0 = bytes;
      }
      p++;
      ox++;
    } while (ox < outW);
    oy++;
  } while (oy < outH);
  if (d == 0) return;
  // The last min(8, pixels) outputs, oldest first: q7 holds output p - 8, q0 output p - 1.
  if (p >= 8) { v128.store64_lane(back, q7, 0); back += C; }
  if (p >= 7) { v128.store64_lane(back, q6, 0); back += C; }
  if (p >= 6) { v128.store64_lane(back, q5, 0); back += C; }
  if (p >= 5) { v128.store64_lane(back, q4, 0); back += C; }
  if (p >= 4) { v128.store64_lane(back, q3, 0); back += C; }
  if (p >= 3) { v128.store64_lane(back, q2, 0); back += C; }
  if (p >= 2) { v128.store64_lane(back, q1, 0); back += C; }
  v128.store64_lane(back, q0, 0);
}

/** Channels [c, c + 4): the same with 4 lanes and 4-byte ring slots. */
function group4(
  input: i32, inH: i32, inW: i32, C: i32, filter: i32, kH: i32, kW: i32, bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32, scratch: i32, d: i32, c: i32,
): void {
  const row = inW * C;
  const tapX = dilationW * C;
  const off16 = i16x8.splat(<i16>inputOffset);
  const lo = i32x4.splat(actMin);
  const hi = i32x4.splat(actMax);
  const outOff = i32x4.splat(outputOffset);
  const b4 = v128.load(bias + (c << 2));
  const s4 = shifts + (c << 2);
  const left = requantLeft(s4);
  const mult = v128.load(multipliers + (c << 2));
  const pow = requantPow(s4);
  const mask = requantMask(s4);
  const ringEnd = scratch + (d << 2);
  let slot = scratch;
  let back = output + c;
  let p = 0;
  let oy = 0;
  do {
    const iy0 = oy * strideH - padTop;
    const kyLo = iy0 >= 0 ? 0 : (dilationH - 1 - iy0) / dilationH;
    const kyHi = iy0 < inH ? min(kH, (inH - 1 - iy0) / dilationH + 1) : 0;
    let ox = 0;
    do {
      const ix0 = ox * strideW - padLeft;
      const kxLo = ix0 >= 0 ? 0 : (dilationW - 1 - ix0) / dilationW;
      const kxHi = ix0 < inW ? min(kW, (inW - 1 - ix0) / dilationW + 1) : 0;
      let acc = b4;
      for (let ky = kyLo; ky < kyHi; ky++) {
        const xr = input + (iy0 + ky * dilationH) * row + ix0 * C + c;
        const wr = filter + ky * kW * C + c;
        let kx = kxLo;
        // Lanes 0..3 tap a, 4..7 tap b after the interleave: (x_a0, x_b0, x_a1, x_b1, ...).
        for (; kx + 1 < kxHi; kx += 2) {
          const xa = i16x8.add(load4(xr + kx * tapX), off16);
          const xb = i16x8.add(load4(xr + kx * tapX + tapX), off16);
          const wa = load4(wr + kx * C);
          const wb = load4(wr + kx * C + C);
          acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.shuffle(xa, xb, 0, 8, 1, 9, 2, 10, 3, 11), i16x8.shuffle(wa, wb, 0, 8, 1, 9, 2, 10, 3, 11)));
        }
        if (kx < kxHi) {
          const xa = i16x8.add(load4(xr + kx * tapX), off16);
          acc = i32x4.add(acc, i32x4.extmul_low_i16x8_s(xa, load4(wr + kx * C)));
        }
      }
      const r = i32x4.min_s(i32x4.max_s(i32x4.add(requantize4(acc, left, mult, pow, mask), outOff), lo), hi);
      const packed = i16x8.narrow_i32x4_s(r, r);
      const bytes = i8x16.narrow_i16x8_s(packed, packed);
      if (d == 0) {
        v128.store32_lane(output + p * C + c, bytes, 0);
      } else {
        if (p >= d) {
          store<i32>(back, load<i32>(slot));
          back += C;
        }
        v128.store32_lane(slot, bytes, 0);
        slot += 4;
        if (slot == ringEnd) slot = scratch;
      }
      p++;
      ox++;
    } while (ox < outW);
    oy++;
  } while (oy < outH);
  const waiting = min(d, p);
  if (waiting < d) slot = scratch;
  for (let i = 0; i < waiting; i++) {
    store<i32>(back, load<i32>(slot));
    back += C;
    slot += 4;
    if (slot == ringEnd) slot = scratch;
  }
}

/** Exactly 4 int8 bytes at p, sign-extended to int16 lanes 0..3; lanes 4..7 zero. */
@inline
function load4(p: i32): v128 {
  return i16x8.extend_low_i8x16_s(v128.load32_zero(p));
}

/** One channel through the scratch plane: copy channel c there, then compute it into the shared buffer. */
function planeChannel(
  input: i32, inH: i32, inW: i32, C: i32, filter: i32, kH: i32, kW: i32, bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32, scratch: i32, c: i32,
): void {
  const pixels = inH * inW;
  let src = input + c;
  for (let i = 0; i < pixels; i++) {
    store<i8>(scratch + i, load<i8>(src));
    src += C;
  }
  const b = load<i32>(bias + (c << 2));
  const m = load<i32>(multipliers + (c << 2));
  const sh = load<i32>(shifts + (c << 2));
  const w0 = filter + c;
  for (let oy = 0; oy < outH; oy++) {
    const iy0 = oy * strideH - padTop;
    // Kernel rows inside the input: [kyLo, kyHi).
    const kyLo = iy0 >= 0 ? 0 : (dilationH - 1 - iy0) / dilationH;
    const kyHi = iy0 < inH ? min(kH, (inH - 1 - iy0) / dilationH + 1) : 0;
    let out = output + oy * outW * C + c;
    for (let ox = 0; ox < outW; ox++) {
      const ix0 = ox * strideW - padLeft;
      const kxLo = ix0 >= 0 ? 0 : (dilationW - 1 - ix0) / dilationW;
      const kxHi = ix0 < inW ? min(kW, (inW - 1 - ix0) / dilationW + 1) : 0;
      let acc: i32 = 0;
      for (let ky = kyLo; ky < kyHi; ky++) {
        const rowp = scratch + (iy0 + ky * dilationH) * inW + ix0;
        const wrow = w0 + ky * kW * C;
        for (let kx = kxLo; kx < kxHi; kx++) {
          acc += <i32>load<i8>(wrow + kx * C) * (<i32>load<i8>(rowp + kx * dilationW) + inputOffset);
        }
      }
      acc = multiplyByQuantizedMultiplier(acc + b, m, sh);
      store<i8>(out, <i8>clampI32(acc + outputOffset, actMin, actMax));
      out += C;
    }
  }
}
