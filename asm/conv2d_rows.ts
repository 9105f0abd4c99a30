// The row-dot engines shared by conv2d_simd and conv2d_narrow (CONV_2D with dilation_w 1, out_c >= 4, every shift
// >= -30). With dilation_w 1 the used taps of one kernel row are one contiguous run of L = (kxHi - kxLo) * in_c
// input bytes, and the matching weights are contiguous too (OHWI). Products are taken with i32x4.dot_i16x8_s on
// int16 lanes with the input offset added before multiplying, so each one is exactly the reference's
// w * (x + input_offset) (|w * (x + off)| <= 128 * 255 fits, a lane pair sums in int32); lanes whose weight is zero
// add nothing, and int32 sums wrap, so their order cannot change a bit. Block: 2 pixels of one output row x 4 output
// channels, requantised 4 lanes at a time (requant4's fast form when requantFast says so). The last channel group
// overlaps the previous one when out_c is not a multiple of 4 (recomputed outputs get the same bytes again).
// The forms (compile-time flags of conv2dRows):
//   NARROW false (conv2d_simd): one kernel row per step, 8 lanes at a time (rowSteps).
//   NARROW, not PAIRS (conv2d_narrow, k_w * in_c <= 4): two kernel rows share one 8-lane step (rowSteps).
//   NARROW and PAIRS (conv2d_narrow, k_w * in_c <= 4, k_h <= 10): the row pairs of 2 pixels built once and used by
//   every output-channel group (pixelPairs).
import { hsum4, requantFast, requantStore2x4, rqHi, rqLo, rqNeg, rqRound, rqScale } from './requantize';

/**
 * The engine chosen by NARROW and PAIRS (pass literals: AssemblyScript specialises an @inline callee only for
 * literal or forwarded constant arguments), with requant4's fast form when requantFast allows it for every channel,
 * else the general one.
 */
@inline
export function conv2dRows(
  NARROW: bool, PAIRS: bool, input: i32, inH: i32, inW: i32, inC: i32, filter: i32, kH: i32, kW: i32, bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, outC: i32, strideH: i32, strideW: i32, dilationH: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  const fastForm = requantFast(multipliers, shifts, outC);
  if (PAIRS) {
    if (fastForm) pixelPairs(true, input, inH, inW, inC, filter, kH, kW, bias, multipliers, shifts, output, outH, outW, outC,
      strideH, strideW, dilationH, padTop, padLeft, inputOffset, outputOffset, actMin, actMax);
    else pixelPairs(false, input, inH, inW, inC, filter, kH, kW, bias, multipliers, shifts, output, outH, outW, outC,
      strideH, strideW, dilationH, padTop, padLeft, inputOffset, outputOffset, actMin, actMax);
  } else if (fastForm) {
    rowSteps(NARROW, true, input, inH, inW, inC, filter, kH, kW, bias, multipliers, shifts, output, outH, outW, outC,
      strideH, strideW, dilationH, padTop, padLeft, inputOffset, outputOffset, actMin, actMax);
  } else {
    rowSteps(NARROW, false, input, inH, inW, inC, filter, kH, kW, bias, multipliers, shifts, output, outH, outW, outC,
      strideH, strideW, dilationH, padTop, padLeft, inputOffset, outputOffset, actMin, actMax);
  }
}

/** acc + the int32 pair sums of x * w (int16 lanes). */
@inline
function mac(acc: v128, x: v128, w: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(x, w));
}

/**
 * NARROW false (conv2d_simd) and true (conv2d_narrow, k_h > 10). Interior columns (all k_w taps inside) go in pairs, border columns one at a time (a
 * pair of the same pixel); only the kernel rows inside the input are counted, and exactly the run's bytes are read.
 * SIMD: a run with L >= 8 takes whole steps below L - 8 and one final step at L - 8 whose already-counted lanes are
 * masked to zero; a shorter run loads exactly L bytes (zero lanes above). NARROW: lanes 0..3 hold row ky's run,
 * lanes 4..7 row ky + 1's (lanes past L are zero in the weights); a last row alone loads exactly L bytes.
 */
@inline
function rowSteps(
  NARROW: bool, fast: bool, input: i32, inH: i32, inW: i32, inC: i32, filter: i32, kH: i32, kW: i32, bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, outC: i32, strideH: i32, strideW: i32, dilationH: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  const rowBytes = inW * inC;
  const rowStep = dilationH * rowBytes;
  const lFull = kW * inC; // weight bytes per kernel row
  const K = kH * lFull; // weight bytes per output channel
  const pixStep = strideW * inC;
  const off16 = i16x8.splat(<i16>inputOffset);
  const lo8 = i8x16.splat(<i8>actMin);
  const hi8 = i8x16.splat(<i8>actMax);
  // Interior columns [oxA, oxB): ix0 >= 0 and ix0 + kW <= inW, with ix0 = ox * strideW - padLeft.
  const oxA = padLeft <= 0 ? 0 : min((padLeft + strideW - 1) / strideW, outW);
  const room = inW - kW + padLeft;
  const oxB = max(room < 0 ? 0 : min(room / strideW + 1, outW), oxA);
  let oy = 0;
  do {
    const iy0 = oy * strideH - padTop;
    // Kernel rows inside the input: [kyLo, kyHi).
    const kyLo = iy0 >= 0 ? 0 : (dilationH - 1 - iy0) / dilationH;
    const kyHi = iy0 < inH ? min(kH, (inH - 1 - iy0) / dilationH + 1) : 0;
    const outRow = output + oy * outW * outC;
    let g = 0;
    do {
      const oc = min(g, outC - 4);
      const cs = shifts + (oc << 2);
      const base = v128.load(bias + (oc << 2));
      const rHi = rqHi(fast, cs), rLo = rqLo(fast, rHi, cs), rScale = rqScale(fast, cs), rNeg = rqNeg(fast, rScale);
      const rRound = rqRound(fast, rScale, outputOffset);
      const rMul = v128.load(multipliers + (oc << 2));
      const wOc = filter + oc * K;
      let ox = 0;
      do {
        // The block's two pixels pa, pb (equal for a border column) and the next column.
        let pa = ox;
        let pb = ox;
        let next = ox + 1;
        if (ox >= oxA && ox < oxB) {
          pb = min(ox + 1, oxB - 1);
          pa = max(pb - 1, oxA);
          next = pb + 1;
        }
        const ix0 = pa * strideW - padLeft;
        const kxLo = max(-ix0, 0);
        const kxHi = min(kW, inW - ix0);
        const L = (kxHi - kxLo) * inC;
        const kyEnd = L > 0 ? kyHi : kyLo; // no column inside the input: no tap at all
        const lastC = L - 8;
        const tail = ((L - 1) & 7) + 1;
        const tailMask = i16x8.gt_s(i16x8(0, 1, 2, 3, 4, 5, 6, 7), i16x8.splat(<i16>(7 - tail)));
        const xPair = (pb - pa) * pixStep;
        let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
        let b0 = i32x4.splat(0), b1 = i32x4.splat(0), b2 = i32x4.splat(0), b3 = i32x4.splat(0);
        let xr = input + (iy0 + kyLo * dilationH) * rowBytes + (ix0 + kxLo) * inC;
        let wr = wOc + kyLo * lFull + kxLo * inC;
        if (NARROW) {
          const rows = max(kyEnd - kyLo, 0);
          const rowPairs = rows >> 1;
          if (L == 4) {
            // Whole rows (k_w * in_c == 4, kxLo == 0): a row pair's weights are 8 contiguous bytes.
            for (let i = 0; i < rowPairs; i++) {
              const x0 = i16x8.add(loadRows(xr, rowStep, 4), off16), x1 = i16x8.add(loadRows(xr + xPair, rowStep, 4), off16);
              let w = v128.load8x8_s(wr); a0 = mac(a0, x0, w); b0 = mac(b0, x1, w);
              w = v128.load8x8_s(wr + K); a1 = mac(a1, x0, w); b1 = mac(b1, x1, w);
              w = v128.load8x8_s(wr + 2 * K); a2 = mac(a2, x0, w); b2 = mac(b2, x1, w);
              w = v128.load8x8_s(wr + 3 * K); a3 = mac(a3, x0, w); b3 = mac(b3, x1, w);
              xr += 2 * rowStep;
              wr += 8;
            }
          } else for (let i = 0; i < rowPairs; i++) {
            const x0 = i16x8.add(loadRows(xr, rowStep, L), off16), x1 = i16x8.add(loadRows(xr + xPair, rowStep, L), off16);
            const v0 = loadRows(wr, lFull, L), v1 = loadRows(wr + K, lFull, L), v2 = loadRows(wr + 2 * K, lFull, L), v3 = loadRows(wr + 3 * K, lFull, L);
            a0 = mac(a0, x0, v0); a1 = mac(a1, x0, v1); a2 = mac(a2, x0, v2); a3 = mac(a3, x0, v3);
            b0 = mac(b0, x1, v0); b1 = mac(b1, x1, v1); b2 = mac(b2, x1, v2); b3 = mac(b3, x1, v3);
            xr += 2 * rowStep;
            wr += 2 * lFull;
          }
          if ((rows & 1) != 0) {
            // The last row alone: exactly L bytes, lanes 4..7 zero in the weights.
            const x0 = i16x8.add(loadRow(xr, L), off16), x1 = i16x8.add(loadRow(xr + xPair, L), off16);
            const v0 = loadRow(wr, L), v1 = loadRow(wr + K, L), v2 = loadRow(wr + 2 * K, L), v3 = loadRow(wr + 3 * K, L);
            a0 = mac(a0, x0, v0); a1 = mac(a1, x0, v1); a2 = mac(a2, x0, v2); a3 = mac(a3, x0, v3);
            b0 = mac(b0, x1, v0); b1 = mac(b1, x1, v1); b2 = mac(b2, x1, v2); b3 = mac(b3, x1, v3);
          }
        } else for (let ky = kyLo; ky < kyEnd; ky++) {
          let x0: v128, x1: v128, v0: v128, v1: v128, v2: v128, v3: v128;
          if (L >= 8) {
            for (let c = 0; c < lastC; c += 8) {
              const y0 = i16x8.add(v128.load8x8_s(xr + c), off16), y1 = i16x8.add(v128.load8x8_s(xr + xPair + c), off16);
              let w = v128.load8x8_s(wr + c); a0 = mac(a0, y0, w); b0 = mac(b0, y1, w);
              w = v128.load8x8_s(wr + K + c); a1 = mac(a1, y0, w); b1 = mac(b1, y1, w);
              w = v128.load8x8_s(wr + 2 * K + c); a2 = mac(a2, y0, w); b2 = mac(b2, y1, w);
              w = v128.load8x8_s(wr + 3 * K + c); a3 = mac(a3, y0, w); b3 = mac(b3, y1, w);
            }
            x0 = v128.and(i16x8.add(v128.load8x8_s(xr + lastC), off16), tailMask);
            x1 = v128.and(i16x8.add(v128.load8x8_s(xr + xPair + lastC), off16), tailMask);
            v0 = v128.load8x8_s(wr + lastC);
            v1 = v128.load8x8_s(wr + K + lastC);
            v2 = v128.load8x8_s(wr + 2 * K + lastC);
            v3 = v128.load8x8_s(wr + 3 * K + lastC);
          } else {
            // Exactly L bytes: the weights' upper lanes are zero, so the input's (offset only) add nothing.
            x0 = i16x8.add(loadShort(xr, L), off16);
            x1 = i16x8.add(loadShort(xr + xPair, L), off16);
            v0 = loadShort(wr, L);
            v1 = loadShort(wr + K, L);
            v2 = loadShort(wr + 2 * K, L);
            v3 = loadShort(wr + 3 * K, L);
          }
          a0 = mac(a0, x0, v0); a1 = mac(a1, x0, v1); a2 = mac(a2, x0, v2); a3 = mac(a3, x0, v3);
          b0 = mac(b0, x1, v0); b1 = mac(b1, x1, v1); b2 = mac(b2, x1, v2); b3 = mac(b3, x1, v3);
          xr += rowStep;
          wr += lFull;
        }
        requantStore2x4(fast, i32x4.add(hsum4(a0, a1, a2, a3), base), i32x4.add(hsum4(b0, b1, b2, b3), base), rLo, rHi, rScale, rMul, rNeg, rRound,
          lo8, hi8, outRow + pa * outC + oc, outRow + pb * outC + oc);
        ox = next;
      } while (ox < outW);
      g += 4;
    } while (g < outC);
    oy++;
  } while (oy < outH);
}

/**
 * NARROW and PAIRS (k_h <= 10: at most 5 kernel row pairs): 2 pixels of an output row at a time, every column alike (taps
 * in the padding are zeroed in the input vectors, after the offset), their row-pair vectors built once and used by
 * every output-channel group of 4. Same arithmetic as rowSteps' NARROW form.
 */
@inline
function pixelPairs(
  fast: bool, input: i32, inH: i32, inW: i32, inC: i32, filter: i32, kH: i32, kW: i32, bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, outC: i32, strideH: i32, strideW: i32, dilationH: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  const L = kW * inC; // bytes per kernel row
  const K = kH * L; // weight bytes per output channel
  const vecs = (kH + 1) >> 1; // row pairs, the last maybe a single row
  const lo8 = i8x16.splat(<i8>actMin);
  const hi8 = i8x16.splat(<i8>actMax);
  let oy = 0;
  do {
    const iy0 = oy * strideH - padTop;
    const outRow = output + oy * outW * outC;
    let ox = 0;
    do {
      const pb = min(ox + 1, outW - 1);
      const ia = ox * strideW - padLeft;
      const ib = pb * strideW - padLeft;
      // Row pair k of pixels a and b; zero past the kernel's row pairs.
      const xa0 = rowPair(0, input, inH, inW, inC, kW, kH, dilationH, iy0, ia, inputOffset), xb0 = rowPair(0, input, inH, inW, inC, kW, kH, dilationH, iy0, ib, inputOffset);
      const xa1 = rowPair(1, input, inH, inW, inC, kW, kH, dilationH, iy0, ia, inputOffset), xb1 = rowPair(1, input, inH, inW, inC, kW, kH, dilationH, iy0, ib, inputOffset);
      const xa2 = rowPair(2, input, inH, inW, inC, kW, kH, dilationH, iy0, ia, inputOffset), xb2 = rowPair(2, input, inH, inW, inC, kW, kH, dilationH, iy0, ib, inputOffset);
      const xa3 = rowPair(3, input, inH, inW, inC, kW, kH, dilationH, iy0, ia, inputOffset), xb3 = rowPair(3, input, inH, inW, inC, kW, kH, dilationH, iy0, ib, inputOffset);
      const xa4 = rowPair(4, input, inH, inW, inC, kW, kH, dilationH, iy0, ia, inputOffset), xb4 = rowPair(4, input, inH, inW, inC, kW, kH, dilationH, iy0, ib, inputOffset);
      let g = 0;
      do {
        const oc = min(g, outC - 4);
        const w0 = filter + oc * K, w1 = w0 + K, w2 = w1 + K, w3 = w2 + K;
        let v0 = weightPair(w0, L, kH, 0), v1 = weightPair(w1, L, kH, 0), v2 = weightPair(w2, L, kH, 0), v3 = weightPair(w3, L, kH, 0);
        let a0 = i32x4.dot_i16x8_s(xa0, v0), a1 = i32x4.dot_i16x8_s(xa0, v1), a2 = i32x4.dot_i16x8_s(xa0, v2), a3 = i32x4.dot_i16x8_s(xa0, v3);
        let b0 = i32x4.dot_i16x8_s(xb0, v0), b1 = i32x4.dot_i16x8_s(xb0, v1), b2 = i32x4.dot_i16x8_s(xb0, v2), b3 = i32x4.dot_i16x8_s(xb0, v3);
        if (vecs > 1) {
          v0 = weightPair(w0, L, kH, 1); v1 = weightPair(w1, L, kH, 1); v2 = weightPair(w2, L, kH, 1); v3 = weightPair(w3, L, kH, 1);
          a0 = mac(a0, xa1, v0); a1 = mac(a1, xa1, v1); a2 = mac(a2, xa1, v2); a3 = mac(a3, xa1, v3);
          b0 = mac(b0, xb1, v0); b1 = mac(b1, xb1, v1); b2 = mac(b2, xb1, v2); b3 = mac(b3, xb1, v3);
        }
        if (vecs > 2) {
          v0 = weightPair(w0, L, kH, 2); v1 = weightPair(w1, L, kH, 2); v2 = weightPair(w2, L, kH, 2); v3 = weightPair(w3, L, kH, 2);
          a0 = mac(a0, xa2, v0); a1 = mac(a1, xa2, v1); a2 = mac(a2, xa2, v2); a3 = mac(a3, xa2, v3);
          b0 = mac(b0, xb2, v0); b1 = mac(b1, xb2, v1); b2 = mac(b2, xb2, v2); b3 = mac(b3, xb2, v3);
        }
        if (vecs > 3) {
          v0 = weightPair(w0, L, kH, 3); v1 = weightPair(w1, L, kH, 3); v2 = weightPair(w2, L, kH, 3); v3 = weightPair(w3, L, kH, 3);
          a0 = mac(a0, xa3, v0); a1 = mac(a1, xa3, v1); a2 = mac(a2, xa3, v2); a3 = mac(a3, xa3, v3);
          b0 = mac(b0, xb3, v0); b1 = mac(b1, xb3, v1); b2 = mac(b2, xb3, v2); b3 = mac(b3, xb3, v3);
        }
        if (vecs > 4) {
          v0 = weightPair(w0, L, kH, 4); v1 = weightPair(w1, L, kH, 4); v2 = weightPair(w2, L, kH, 4); v3 = weightPair(w3, L, kH, 4);
          a0 = mac(a0, xa4, v0); a1 = mac(a1, xa4, v1); a2 = mac(a2, xa4, v2); a3 = mac(a3, xa4, v3);
          b0 = mac(b0, xb4, v0); b1 = mac(b1, xb4, v1); b2 = mac(b2, xb4, v2); b3 = mac(b3, xb4, v3);
        }
        const cs = shifts + (oc << 2);
        const base = v128.load(bias + (oc << 2));
        const rHi = rqHi(fast, cs), rLo = rqLo(fast, rHi, cs), rScale = rqScale(fast, cs), rNeg = rqNeg(fast, rScale);
        requantStore2x4(fast, i32x4.add(hsum4(a0, a1, a2, a3), base), i32x4.add(hsum4(b0, b1, b2, b3), base),
          rLo, rHi, rScale, v128.load(multipliers + (oc << 2)), rNeg, rqRound(fast, rScale, outputOffset),
          lo8, hi8, outRow + ox * outC + oc, outRow + pb * outC + oc);
        g += 4;
      } while (g < outC);
      ox = pb + 1;
    } while (ox < outW);
    oy++;
  } while (oy < outH);
}

/** Kernel row pair k of one output channel's weights (wOc): lanes 0..L-1 row 2k, 4..4+L-1 row 2k + 1, others 0. */
@inline
function weightPair(wOc: i32, L: i32, kH: i32, k: i32): v128 {
  const w = wOc + 2 * k * L;
  return 2 * k + 1 == kH ? loadRow(w, L) : weightRows(w, L, L);
}

/** Two kernel rows' n weights (rows `stride` bytes apart) as loadRows: 8 contiguous bytes when n is 4. */
@inline
function weightRows(p: i32, stride: i32, n: i32): v128 {
  return n == 4 ? v128.load8x8_s(p) : loadRows(p, stride, n);
}

/**
 * Kernel row pair k (rows 2k and 2k + 1, or row 2k alone when it is the last; zero past the last) of output pixel
 * column ix0 at input row iy0: x + input_offset in lanes 0..L-1 and 4..4+L-1 as int16, 0 for taps in the padding
 * (so they add nothing, as TFLite's skipped taps). Lanes past L hold anything: the weights are 0 there.
 */
@inline
function rowPair(
  k: i32, input: i32, inH: i32, inW: i32, inC: i32, kW: i32, kH: i32, dilationH: i32, iy0: i32, ix0: i32, inputOffset: i32,
): v128 {
  if (2 * k >= kH) return i32x4.splat(0);
  const L = kW * inC;
  const iyA = iy0 + 2 * k * dilationH;
  const single = 2 * k + 1 == kH;
  const iyB = single ? -1 : iyA + dilationH;
  const p = input + (iyA * inW + ix0) * inC;
  if (ix0 >= 0 && ix0 + kW <= inW && <u32>iyA < <u32>inH && (single || <u32>iyB < <u32>inH)) {
    return i16x8.add(single ? loadRow(p, L) : loadRows(p, dilationH * inW * inC, L), i16x8.splat(<i16>inputOffset));
  }
  return i64x2.replace_lane(i64x2.splat(rowBits(input, inH, inW, inC, L, iyA, ix0, inputOffset)), 1, rowBits(input, inH, inW, inC, L, iyB, ix0, inputOffset));
}

/** One kernel row's L taps of input row iy from column ix0, + input_offset, as 4 int16 lanes; 0 in the padding. */
function rowBits(input: i32, inH: i32, inW: i32, inC: i32, L: i32, iy: i32, ix0: i32, inputOffset: i32): i64 {
  let bits: i64 = 0;
  if (<u32>iy >= <u32>inH) return bits;
  const p = input + (iy * inW + ix0) * inC;
  for (let j = 0; j < L; j++) {
    if (<u32>(ix0 + j / inC) < <u32>inW) bits |= (<i64>((<i32>load<i8>(p + j) + inputOffset) & 0xffff)) << (<i64>(16 * j));
  }
  return bits;
}

/** n (1..4) int8 bytes at p into lanes 0..n-1 and n bytes at p + stride into lanes 4..4+n-1, as int16; other lanes 0. */
@inline
function loadRows(p: i32, stride: i32, n: i32): v128 {
  let v: v128;
  if (n == 4) {
    v = v128.load32_lane(p + stride, v128.load32_zero(p), 1);
  } else if (n == 3) {
    v = v128.load16_lane(p, i32x4.splat(0), 0);
    v = v128.load8_lane(p + 2, v, 2);
    v = v128.load16_lane(p + stride, v, 2);
    v = v128.load8_lane(p + stride + 2, v, 6);
  } else if (n == 2) {
    v = v128.load16_lane(p + stride, v128.load16_lane(p, i32x4.splat(0), 0), 2);
  } else {
    v = v128.load8_lane(p + stride, v128.load8_lane(p, i32x4.splat(0), 0), 4);
  }
  return i16x8.extend_low_i8x16_s(v);
}

/** n (1..4) int8 bytes at p into lanes 0..n-1 as int16; other lanes 0 (loadShort's first cases, for the narrow forms). */
@inline
function loadRow(p: i32, n: i32): v128 {
  let v: v128;
  if (n == 4) {
    v = v128.load32_zero(p);
  } else if (n == 3) {
    v = v128.load8_lane(p + 2, v128.load16_lane(p, i32x4.splat(0), 0), 2);
  } else if (n == 2) {
    v = v128.load16_lane(p, i32x4.splat(0), 0);
  } else {
    v = v128.load8_lane(p, i32x4.splat(0), 0);
  }
  return i16x8.extend_low_i8x16_s(v);
}

/** Exactly n (0..7) int8 bytes at p, sign-extended to int16 lanes 0..n-1; lanes n..7 are zero. */
@inline
function loadShort(p: i32, n: i32): v128 {
  let v = i32x4.splat(0);
  switch (n) {
    case 1: v = v128.load8_lane(p, v, 0); break;
    case 2: v = v128.load16_lane(p, v, 0); break;
    case 3: v = v128.load8_lane(p + 2, v128.load16_lane(p, v, 0), 2); break;
    case 4: v = v128.load32_zero(p); break;
    case 5: v = v128.load8_lane(p + 4, v128.load32_zero(p), 4); break;
    case 6: v = v128.load16_lane(p + 4, v128.load32_zero(p), 2); break;
    case 7: v = v128.load8_lane(p + 6, v128.load16_lane(p + 4, v128.load32_zero(p), 2), 6); break;
  }
  return i16x8.extend_low_i8x16_s(v);
}
