// CONV_2D fast path for narrow kernel rows: k_w * in_c <= 4 and dilation_w 1 (e.g. kws_ref_model's first layer,
// a 10x4 kernel over one input channel). Same arguments as conv2d, same bytes. Like conv2d_simd, the used taps of
// one kernel row are one contiguous run of L = (kxHi - kxLo) * in_c <= 4 input bytes with contiguous weights, but
// here two kernel rows share one 8-lane i32x4.dot_i16x8_s: lanes 0..3 hold row ky's run, lanes 4..7 row ky + 1's
// (lanes past L are zero in both the inputs and the weights). The input offset is added in the int16 lanes, so each
// product is the reference's w * (x + input_offset) and a zero weight lane adds nothing; int32 sums wrap, so
// their order cannot change a bit. Exactly the run's bytes are read.
// Block: 2 pixels of one output row x 4 output channels; interior columns (all k_w taps inside) go in pairs,
// border columns one at a time (a pair of the same pixel). The last channel group overlaps the previous one when
// out_c is not a multiple of 4. Preconditions (runtime/ops/conv2d.ts selects this kernel only then):
// k_w * in_c <= 4, dilation_w == 1, out_c >= 4, every shift >= -30 (vector requantisation).
import { hsum4, requantize4, requantLeft, requantMask, requantPow } from './requantize';

export function conv2d_narrow(
  input: i32, inH: i32, inW: i32, inC: i32,
  filter: i32, kH: i32, kW: i32,
  bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, outC: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  const rowBytes = inW * inC;
  const rowStep = dilationH * rowBytes;
  const lFull = kW * inC; // weight bytes per kernel row
  const K = kH * lFull; // weight bytes per output channel
  const pixStep = strideW * inC;
  const off16 = i16x8.splat(<i16>inputOffset);
  const lo = i32x4.splat(actMin);
  const hi = i32x4.splat(actMax);
  const outOff = i32x4.splat(outputOffset);
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
    const pairs = max(kyHi - kyLo, 0) >> 1;
    const odd = max(kyHi - kyLo, 0) & 1;
    const outRow = output + oy * outW * outC;
    let g = 0;
    do {
      const oc = min(g, outC - 4);
      const cs = shifts + (oc << 2);
      const base = v128.load(bias + (oc << 2));
      const left = requantLeft(cs);
      const mult = v128.load(multipliers + (oc << 2));
      const pow = requantPow(cs);
      const mask = requantMask(cs);
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
        const xPair = (pb - pa) * pixStep;
        const rowPairs = L > 0 ? pairs : 0; // no column inside the input: no tap at all
        let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
        let b0 = i32x4.splat(0), b1 = i32x4.splat(0), b2 = i32x4.splat(0), b3 = i32x4.splat(0);
        let xr = input + (iy0 + kyLo * dilationH) * rowBytes + (ix0 + kxLo) * inC;
        let wr = wOc + kyLo * lFull + kxLo * inC;
        if (L == 4) {
          // Whole rows (k_w * in_c == 4, kxLo == 0): a row pair's weights are 8 contiguous bytes.
          for (let i = 0; i < rowPairs; i++) {
            const x0 = i16x8.add(i16x8.extend_low_i8x16_s(v128.load32_lane(xr + rowStep, v128.load32_zero(xr), 1)), off16);
            const x1 = i16x8.add(i16x8.extend_low_i8x16_s(v128.load32_lane(xr + xPair + rowStep, v128.load32_zero(xr + xPair), 1)), off16);
            let w = v128.load8x8_s(wr);
            a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, w));
            b0 = i32x4.add(b0, i32x4.dot_i16x8_s(x1, w));
            w = v128.load8x8_s(wr + K);
            a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x0, w));
            b1 = i32x4.add(b1, i32x4.dot_i16x8_s(x1, w));
            w = v128.load8x8_s(wr + 2 * K);
            a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x0, w));
            b2 = i32x4.add(b2, i32x4.dot_i16x8_s(x1, w));
            w = v128.load8x8_s(wr + 3 * K);
            a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x0, w));
            b3 = i32x4.add(b3, i32x4.dot_i16x8_s(x1, w));
            xr += 2 * rowStep;
            wr += 8;
          }
        } else for (let i = 0; i < rowPairs; i++) {
          const x0 = i16x8.add(loadRows(xr, rowStep, L), off16);
          const x1 = i16x8.add(loadRows(xr + xPair, rowStep, L), off16);
          let w = loadRows(wr, lFull, L);
          a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, w));
          b0 = i32x4.add(b0, i32x4.dot_i16x8_s(x1, w));
          w = loadRows(wr + K, lFull, L);
          a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x0, w));
          b1 = i32x4.add(b1, i32x4.dot_i16x8_s(x1, w));
          w = loadRows(wr + 2 * K, lFull, L);
          a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x0, w));
          b2 = i32x4.add(b2, i32x4.dot_i16x8_s(x1, w));
          w = loadRows(wr + 3 * K, lFull, L);
          a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x0, w));
          b3 = i32x4.add(b3, i32x4.dot_i16x8_s(x1, w));
          xr += 2 * rowStep;
          wr += 2 * lFull;
        }
        if (odd & <i32>(L > 0)) {
          // The last row alone: lanes 4..7 are zero in the weights.
          const x0 = i16x8.add(loadRow(xr, L), off16);
          const x1 = i16x8.add(loadRow(xr + xPair, L), off16);
          let w = loadRow(wr, L);
          a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, w));
          b0 = i32x4.add(b0, i32x4.dot_i16x8_s(x1, w));
          w = loadRow(wr + K, L);
          a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x0, w));
          b1 = i32x4.add(b1, i32x4.dot_i16x8_s(x1, w));
          w = loadRow(wr + 2 * K, L);
          a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x0, w));
          b2 = i32x4.add(b2, i32x4.dot_i16x8_s(x1, w));
          w = loadRow(wr + 3 * K, L);
          a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x0, w));
          b3 = i32x4.add(b3, i32x4.dot_i16x8_s(x1, w));
        }
        let ra = requantize4(i32x4.add(hsum4(a0, a1, a2, a3), base), left, mult, pow, mask);
        let rb = requantize4(i32x4.add(hsum4(b0, b1, b2, b3), base), left, mult, pow, mask);
        ra = i32x4.min_s(i32x4.max_s(i32x4.add(ra, outOff), lo), hi);
        rb = i32x4.min_s(i32x4.max_s(i32x4.add(rb, outOff), lo), hi);
        const packed = i16x8.narrow_i32x4_s(ra, rb);
        const bytes = i8x16.narrow_i16x8_s(packed, packed);
        v128.store32_lane(outRow + pa * outC + oc, bytes, 0);
        v128.store32_lane(outRow + pb * outC + oc, bytes, 1);
        ox = next;
      } while (ox < outW);
      g += 4;
    } while (g < outC);
    oy++;
  } while (oy < outH);
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

/** n (1..4) int8 bytes at p into lanes 0..n-1 as int16; other lanes 0. */
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
