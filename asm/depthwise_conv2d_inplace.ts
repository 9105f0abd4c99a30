// DEPTHWISE_CONV_2D with depth multiplier 1, written over its own input (TinyEngine's in-place depthwise).
// Same arguments as depthwise_conv2d plus `scratch` (in_h * in_w bytes). With NHWC and out_c == in_c, output
// element (p, c) lands on input element (p, c) for any stride and padding, so channels are independent and can be
// done a group at a time.
// Vector path (every shift >= -30): groups of G = 8 (or 4) channels, output pixels in raster order. Output pixel p
// overwrites input pixel p; output p' reads input pixels no lower than minRead(p') (its first tap inside the
// input). With d = max over p' of (p' - minRead(p')), a pixel's input is never read again once d more outputs
// are done, so each output waits d pixels in a ring in the scratch (d * G bytes) and is written back then; the
// last d are flushed at the end. With d <= 8 (small images) 8-channel outputs wait 8 pixels in registers instead.
// G is 8 when d <= 8 or d * 8 bytes fit the scratch, else 4 when d * 4 bytes do. 3x3 kernels (dilation 1, stride
// <= 2) in groups of 8 run the engine depthwise_conv2d_3x3 uses (depthwise_3x3_rows.ts) with one of its in-place
// sinks; other kernels go per pixel with the taps in pairs for i32x4.dot_i16x8_s like depthwise_conv2d's vector
// path, padded taps skipped by clamping the tap ranges.
// Channels left over (fewer than G), or every channel when neither ring fits or a shift is -31: the scalar path,
// one channel at a time (copy it to the scratch plane, then compute the channel from the plane into the buffer).
// Arithmetic is TFLite's reference_integer_ops::DepthwiseConvPerChannel (int32 sums wrap, so tap order is free).
// The scratch is left zeroed.
import { depthwise3x3Group, flushQueue8, flushRing8, SINK_DIRECT, SINK_QUEUE, SINK_RING } from './depthwise_3x3_rows';
import { clampI32, multiplyByQuantizedMultiplier, requantFast, requantize4, requantLeft, requantMask, requantPow } from './requantize';

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
    const fast = requantFast(multipliers, shifts, C);
    if (G == 8) {
      for (; c + 8 <= C; c += 8) {
        if (is3x3) {
          // The shared 3x3 engine: outputs straight back (d == 0), through the ring, or through 8 registers.
          const sink = d == 0 ? SINK_DIRECT : ring ? SINK_RING : SINK_QUEUE;
          group3x3(fast, input, inH, inW, C, filter, bias, multipliers, shifts, output, outH, outW,
            strideH, strideW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax, scratch, d, c, sink);
        } else if (ring) {
          group8(input, inH, inW, C, filter, kH, kW, bias, multipliers, shifts, output, outH, outW,
            strideH, strideW, dilationH, dilationW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax, scratch, d, c);
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

/** Channels [c, c + 8) of a 3x3 kernel (stride <= 2, dilation 1) through depthwise3x3Group and the given sink. */
function group3x3(
  fast: bool, input: i32, inH: i32, inW: i32, C: i32, filter: i32, bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32, scratch: i32, d: i32, c: i32, sink: i32,
): void {
  // Each (requantisation form, sink) pair is its own copy of the engine.
  if (fast && sink == SINK_DIRECT) {
    depthwise3x3Group(true, SINK_DIRECT, input, inH, inW, C, filter, bias, multipliers, shifts, output, outH, outW,
      strideH, strideW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax, scratch, d, c);
  } else if (fast && sink == SINK_RING) {
    depthwise3x3Group(true, SINK_RING, input, inH, inW, C, filter, bias, multipliers, shifts, output, outH, outW,
      strideH, strideW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax, scratch, d, c);
  } else if (fast) {
    depthwise3x3Group(true, SINK_QUEUE, input, inH, inW, C, filter, bias, multipliers, shifts, output, outH, outW,
      strideH, strideW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax, scratch, d, c);
  } else if (sink == SINK_DIRECT) {
    depthwise3x3Group(false, SINK_DIRECT, input, inH, inW, C, filter, bias, multipliers, shifts, output, outH, outW,
      strideH, strideW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax, scratch, d, c);
  } else if (sink == SINK_RING) {
    depthwise3x3Group(false, SINK_RING, input, inH, inW, C, filter, bias, multipliers, shifts, output, outH, outW,
      strideH, strideW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax, scratch, d, c);
  } else {
    depthwise3x3Group(false, SINK_QUEUE, input, inH, inW, C, filter, bias, multipliers, shifts, output, outH, outW,
      strideH, strideW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax, scratch, d, c);
  }
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
  if (d != 0) flushRing8(scratch, d, p, slot, back, C);
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
  flushQueue8(p, back, C, q0, q1, q2, q3, q4, q5, q6, q7);
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
