// The 3x3 depthwise engine shared by depthwise_conv2d_3x3 and depthwise_conv2d_inplace (depth multiplier 1,
// dilation 1, stride 1 or 2 per axis): one group of 8 channels over the whole image, output pixels in raster order,
// two horizontally adjacent outputs per step. Channels are the vector lanes, as int16.
// Taps go in pairs for i32x4.dot_i16x8_s with the lanes interleaved (tap a, tap b). Rows 0 and 1 of the window
// are paired vertically, (row 0, column k) with (row 1, column k), so one input column's pair serves every output
// whose window holds that column (3 outputs at stride 1, 2 at stride 2); row 2 pairs two of its columns and takes
// the third alone (paired with a zero weight), sharing a pair or a single between the step's two outputs. Input
// columns already loaded pass from one step to the next in registers.
// The input offset is out of the taps: sum w*(x + off) = sum w*x + off * sum w (int32, wrapping, so the same
// bits), and a tap in the padding reads as -off, which adds w * (-off + off) = 0 as TFLite's skipped tap does.
// So border outputs take the same arithmetic; only the loads of columns or rows outside the input differ (a
// clamped in-range address, then the padding value instead).
// Where each output goes is the caller's choice (`sink`): straight to the output, or (written in place over the
// input) through a ring of `d` 8-byte slots in the scratch, or through a queue of 8 pixels in registers
// (d <= 8): output p replaces input p only once every later output's reads are past it.
import { packClamp16, requant4, rqHi, rqLo, rqNeg, rqRound, rqScale } from './requantize';

/** Outputs go straight to `output` (not in place, or in place with a write-back delay of 0). */
export const SINK_DIRECT: i32 = 0;
/** In place: outputs wait `d` pixels in a ring of 8-byte slots in the scratch. */
export const SINK_RING: i32 = 1;
/** In place with d <= 8: outputs wait 8 pixels in registers. */
export const SINK_QUEUE: i32 = 2;

/** Lanes 0..3 of a and b interleaved as int16: (a0, b0, a1, b1, ...). */
@inline
export function il(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11);
}

/** Lanes 4..7 of a and b interleaved as int16. */
@inline
export function ih(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15);
}

/** 8 channels of input column `cx` of a row, or the padding value when the row or the column is outside. */
@inline
function column(rowPtr: i32, rowOk: bool, cx: i32, inW: i32, C: i32, pad: v128): v128 {
  const inside = rowOk && <u32>cx < <u32>inW;
  const x = v128.load8x8_s(rowPtr + min(max(cx, 0), inW - 1) * C); // always a valid address
  return v128.bitselect(x, pad, i16x8.splat(<i16>-<i32>inside));
}

@inline
function dot(a: v128, b: v128): v128 {
  return i32x4.dot_i16x8_s(a, b);
}

/**
 * Channels [c, c + 8) of a 3x3 depthwise convolution over the whole image (see the file comment). `fast` selects
 * requant4's form; `sink` is SINK_DIRECT, SINK_RING (needs d > 0 and d * 8 bytes of scratch) or SINK_QUEUE (d <= 8).
 */
@inline
export function depthwise3x3Group(
  fast: bool, sink: i32,
  input: i32, inH: i32, inW: i32, C: i32, filter: i32, bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32, scratch: i32, d: i32, c: i32,
): void {
  const zero = i32x4.splat(0);
  const f = filter + c;
  const w0 = v128.load8x8_s(f), w1 = v128.load8x8_s(f + C), w2 = v128.load8x8_s(f + 2 * C);
  const w3 = v128.load8x8_s(f + 3 * C), w4 = v128.load8x8_s(f + 4 * C), w5 = v128.load8x8_s(f + 5 * C);
  const w6 = v128.load8x8_s(f + 6 * C), w7 = v128.load8x8_s(f + 7 * C), w8 = v128.load8x8_s(f + 8 * C);
  // Rows 0 and 1 paired per column k; row 2 as pairs (6, 7) and (7, 8). A single tap 6 (or 8) meets pair (6, 7)
  // (or (7, 8)) with a zero in the other input lane.
  const k0l = il(w0, w3), k0h = ih(w0, w3), k1l = il(w1, w4), k1h = ih(w1, w4), k2l = il(w2, w5), k2h = ih(w2, w5);
  const t67l = il(w6, w7), t67h = ih(w6, w7), t78l = il(w7, w8), t78h = ih(w7, w8);
  const wsum = i16x8.add(i16x8.add(i16x8.add(w0, w1), i16x8.add(w2, w3)), i16x8.add(i16x8.add(w4, w5), i16x8.add(i16x8.add(w6, w7), w8)));
  const off32 = i32x4.splat(inputOffset);
  const baseL = i32x4.add(v128.load(bias + (c << 2)), i32x4.mul(off32, i32x4.extend_low_i16x8_s(wsum)));
  const baseH = i32x4.add(v128.load(bias + (c << 2), 16), i32x4.mul(off32, i32x4.extend_high_i16x8_s(wsum)));
  const sL = shifts + (c << 2);
  const sH = sL + 16;
  const hiL = rqHi(fast, sL), loL = rqLo(fast, hiL, sL), scaleL = rqScale(fast, sL), negL = rqNeg(fast, scaleL), roundL = rqRound(fast, scaleL, outputOffset);
  const hiH = rqHi(fast, sH), loH = rqLo(fast, hiH, sH), scaleH = rqScale(fast, sH), negH = rqNeg(fast, scaleH), roundH = rqRound(fast, scaleH, outputOffset);
  const mulL = v128.load(multipliers + (c << 2)), mulH = v128.load(multipliers + (c << 2), 16);
  const lo8 = i8x16.splat(<i8>actMin);
  const hi8 = i8x16.splat(<i8>actMax);
  const pad = i16x8.splat(<i16>-inputOffset);
  const row = inW * C;
  // Sinks: the ring (oldest waiting output at `slot` once it has wrapped) or the register queue (q7 oldest).
  const ringEnd = scratch + (d << 3);
  let slot = scratch;
  let back = output + c; // where the oldest waiting output goes
  let q0 = zero, q1 = zero, q2 = zero, q3 = zero, q4 = zero, q5 = zero, q6 = zero, q7 = zero;
  let p = 0; // outputs emitted
  let oy = 0;
  do {
    const iy0 = oy * strideH - padTop;
    const ok0 = <u32>iy0 < <u32>inH, ok1 = <u32>(iy0 + 1) < <u32>inH, ok2 = <u32>(iy0 + 2) < <u32>inH;
    const rowsOk = ok0 && ok1 && ok2;
    const r0 = input + min(max(iy0, 0), inH - 1) * row + c;
    const r1 = input + min(max(iy0 + 1, 0), inH - 1) * row + c;
    const r2 = input + min(max(iy0 + 2, 0), inH - 1) * row + c;
    const outRow = output + oy * outW * C + c;
    // The step's first column cx (window of output x starts there), its rows-0/1 pair and its row-2 vector.
    let cx = -padLeft;
    let a = column(r0, ok0, cx, inW, C, pad);
    let b = column(r1, ok1, cx, inW, C, pad);
    let e0 = column(r2, ok2, cx, inW, C, pad);
    let p0l = il(a, b), p0h = ih(a, b);
    let e1 = zero, p1l = zero, p1h = zero;
    if (strideW == 1) {
      a = column(r0, ok0, cx + 1, inW, C, pad);
      b = column(r1, ok1, cx + 1, inW, C, pad);
      e1 = column(r2, ok2, cx + 1, inW, C, pad);
      p1l = il(a, b); p1h = ih(a, b);
    }
    let x = 0;
    do {
      let accAl: v128, accAh: v128, accBl: v128, accBh: v128;
      if (strideW == 1) {
        // Outputs x, x + 1 read columns cx .. cx + 3; cx + 2 and cx + 3 are new.
        let a2: v128, b2: v128, e2: v128, a3: v128, b3: v128, e3: v128;
        if (rowsOk && cx + 2 >= 0 && cx + 3 < inW) {
          const q = r0 + (cx + 2) * C;
          a2 = v128.load8x8_s(q); b2 = v128.load8x8_s(q + row); e2 = v128.load8x8_s(q + 2 * row);
          a3 = v128.load8x8_s(q + C); b3 = v128.load8x8_s(q + row + C); e3 = v128.load8x8_s(q + 2 * row + C);
        } else {
          a2 = column(r0, ok0, cx + 2, inW, C, pad); b2 = column(r1, ok1, cx + 2, inW, C, pad); e2 = column(r2, ok2, cx + 2, inW, C, pad);
          a3 = column(r0, ok0, cx + 3, inW, C, pad); b3 = column(r1, ok1, cx + 3, inW, C, pad); e3 = column(r2, ok2, cx + 3, inW, C, pad);
        }
        const p2l = il(a2, b2), p2h = ih(a2, b2), p3l = il(a3, b3), p3h = ih(a3, b3);
        const ql = il(e1, e2), qh = ih(e1, e2); // row 2, columns cx + 1, cx + 2: shared
        accAl = i32x4.add(i32x4.add(i32x4.add(dot(p0l, k0l), dot(p1l, k1l)), i32x4.add(dot(p2l, k2l), dot(il(e0, zero), t67l))), i32x4.add(dot(ql, t78l), baseL));
        accAh = i32x4.add(i32x4.add(i32x4.add(dot(p0h, k0h), dot(p1h, k1h)), i32x4.add(dot(p2h, k2h), dot(ih(e0, zero), t67h))), i32x4.add(dot(qh, t78h), baseH));
        accBl = i32x4.add(i32x4.add(i32x4.add(dot(p1l, k0l), dot(p2l, k1l)), i32x4.add(dot(p3l, k2l), dot(ql, t67l))), i32x4.add(dot(il(zero, e3), t78l), baseL));
        accBh = i32x4.add(i32x4.add(i32x4.add(dot(p1h, k0h), dot(p2h, k1h)), i32x4.add(dot(p3h, k2h), dot(qh, t67h))), i32x4.add(dot(ih(zero, e3), t78h), baseH));
        p0l = p2l; p0h = p2h; p1l = p3l; p1h = p3h; e0 = e2; e1 = e3;
        cx += 2;
      } else {
        // Outputs x, x + 1 read columns cx .. cx + 4; cx + 1 .. cx + 4 are new, cx + 2 is shared.
        let a1: v128, b1: v128, f1: v128, a2: v128, b2: v128, f2: v128, a3: v128, b3: v128, f3: v128, a4: v128, b4: v128, f4: v128;
        if (rowsOk && cx + 1 >= 0 && cx + 4 < inW) {
          const q = r0 + (cx + 1) * C;
          a1 = v128.load8x8_s(q); b1 = v128.load8x8_s(q + row); f1 = v128.load8x8_s(q + 2 * row);
          a2 = v128.load8x8_s(q + C); b2 = v128.load8x8_s(q + row + C); f2 = v128.load8x8_s(q + 2 * row + C);
          a3 = v128.load8x8_s(q + 2 * C); b3 = v128.load8x8_s(q + row + 2 * C); f3 = v128.load8x8_s(q + 2 * row + 2 * C);
          a4 = v128.load8x8_s(q + 3 * C); b4 = v128.load8x8_s(q + row + 3 * C); f4 = v128.load8x8_s(q + 2 * row + 3 * C);
        } else {
          a1 = column(r0, ok0, cx + 1, inW, C, pad); b1 = column(r1, ok1, cx + 1, inW, C, pad); f1 = column(r2, ok2, cx + 1, inW, C, pad);
          a2 = column(r0, ok0, cx + 2, inW, C, pad); b2 = column(r1, ok1, cx + 2, inW, C, pad); f2 = column(r2, ok2, cx + 2, inW, C, pad);
          a3 = column(r0, ok0, cx + 3, inW, C, pad); b3 = column(r1, ok1, cx + 3, inW, C, pad); f3 = column(r2, ok2, cx + 3, inW, C, pad);
          a4 = column(r0, ok0, cx + 4, inW, C, pad); b4 = column(r1, ok1, cx + 4, inW, C, pad); f4 = column(r2, ok2, cx + 4, inW, C, pad);
        }
        const p2l = il(a2, b2), p2h = ih(a2, b2), p4l = il(a4, b4), p4h = ih(a4, b4);
        const z2l = il(f2, zero), z2h = ih(f2, zero), y2l = il(zero, f2), y2h = ih(zero, f2); // row 2, column cx + 2 alone
        accAl = i32x4.add(i32x4.add(i32x4.add(dot(p0l, k0l), dot(il(a1, b1), k1l)), i32x4.add(dot(p2l, k2l), dot(il(e0, f1), t67l))), i32x4.add(dot(y2l, t78l), baseL));
        accAh = i32x4.add(i32x4.add(i32x4.add(dot(p0h, k0h), dot(ih(a1, b1), k1h)), i32x4.add(dot(p2h, k2h), dot(ih(e0, f1), t67h))), i32x4.add(dot(y2h, t78h), baseH));
        accBl = i32x4.add(i32x4.add(i32x4.add(dot(p2l, k0l), dot(il(a3, b3), k1l)), i32x4.add(dot(p4l, k2l), dot(z2l, t67l))), i32x4.add(dot(il(f3, f4), t78l), baseL));
        accBh = i32x4.add(i32x4.add(i32x4.add(dot(p2h, k0h), dot(ih(a3, b3), k1h)), i32x4.add(dot(p4h, k2h), dot(z2h, t67h))), i32x4.add(dot(ih(f3, f4), t78h), baseH));
        p0l = p4l; p0h = p4h; e0 = f4;
        cx += 4;
      }
      // Output x in bytes 0..7, output x + 1 in bytes 8..15.
      const bytes = packClamp16(
        requant4(fast, accAl, loL, hiL, scaleL, mulL, negL, roundL), requant4(fast, accAh, loH, hiH, scaleH, mulH, negH, roundH),
        requant4(fast, accBl, loL, hiL, scaleL, mulL, negL, roundL), requant4(fast, accBh, loH, hiH, scaleH, mulH, negH, roundH), lo8, hi8);
      const two = x + 1 < outW;
      if (sink == SINK_DIRECT) {
        const out = outRow + x * C;
        v128.store64_lane(out, bytes, 0);
        if (two) v128.store64_lane(out + C, bytes, 1);
      } else if (sink == SINK_RING) {
        // Output p - d may now replace its input: every later output reads pixels >= p + 1 - d.
        if (p >= d) { store<i64>(back, load<i64>(slot)); back += C; }
        v128.store64_lane(slot, bytes, 0);
        slot += 8;
        if (slot == ringEnd) slot = scratch;
        p++;
        if (two) {
          if (p >= d) { store<i64>(back, load<i64>(slot)); back += C; }
          v128.store64_lane(slot, bytes, 1);
          slot += 8;
          if (slot == ringEnd) slot = scratch;
          p++;
        }
      } else {
        // Output p - 8 may now replace its input (a delay of 8 >= d is as safe).
        if (p >= 8) { v128.store64_lane(back, q7, 0); back += C; }
        q7 = q6; q6 = q5; q5 = q4; q4 = q3; q3 = q2; q2 = q1; q1 = q0; q0 = bytes;
        p++;
        if (two) {
          if (p >= 8) { v128.store64_lane(back, q7, 0); back += C; }
          q7 = q6; q6 = q5; q5 = q4; q4 = q3; q3 = q2; q2 = q1; q1 = q0; q0 = i8x16.shuffle(bytes, bytes, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
          p++;
        }
      }
      x += 2;
    } while (x < outW);
    oy++;
  } while (oy < outH);
  if (sink == SINK_RING) flushRing8(scratch, d, p, slot, back, C);
  else if (sink == SINK_QUEUE) flushQueue8(p, back, C, q0, q1, q2, q3, q4, q5, q6, q7);
}

/**
 * In place, after the last output: writes back the last min(d, p) of the p outputs waiting in the ring of d 8-byte
 * slots at `scratch`, oldest first (it sits at `slot` once the ring has wrapped), to `back`, `back + C`, ...
 */
@inline
export function flushRing8(scratch: i32, d: i32, p: i32, slot: i32, back: i32, C: i32): void {
  const ringEnd = scratch + (d << 3);
  const waiting = min(d, p);
  let s = waiting < d ? scratch : slot;
  let b = back;
  for (let i = 0; i < waiting; i++) {
    store<i64>(b, load<i64>(s));
    b += C;
    s += 8;
    if (s == ringEnd) s = scratch;
  }
}

/** In place, after the last output: the last min(8, p) outputs of an 8-register queue (q7 output p - 8, q0 output p - 1). */
@inline
export function flushQueue8(p: i32, back: i32, C: i32, q0: v128, q1: v128, q2: v128, q3: v128, q4: v128, q5: v128, q6: v128, q7: v128): void {
  let b = back;
  if (p >= 8) { v128.store64_lane(b, q7, 0); b += C; }
  if (p >= 7) { v128.store64_lane(b, q6, 0); b += C; }
  if (p >= 6) { v128.store64_lane(b, q5, 0); b += C; }
  if (p >= 5) { v128.store64_lane(b, q4, 0); b += C; }
  if (p >= 4) { v128.store64_lane(b, q3, 0); b += C; }
  if (p >= 3) { v128.store64_lane(b, q2, 0); b += C; }
  if (p >= 2) { v128.store64_lane(b, q1, 0); b += C; }
  v128.store64_lane(b, q0, 0);
}
