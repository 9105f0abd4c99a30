// CONV_2D fast path for any kernel size and stride with dilation_w 1 (SIMD). Same arguments as conv2d, same bytes.
// With dilation_w 1 the used taps of one kernel row are one contiguous run of L = (kxHi - kxLo) * inC input bytes,
// and the matching weights are contiguous too (OHWI), so each kernel row is one dot product of L bytes, 8 lanes
// at a time with i32x4.dot_i16x8_s. The input offset is added in the int16 lanes before multiplying, so every
// product is exactly the reference's w * (x + input_offset) (|w * (x + off)| <= 128 * 255 fits, a lane pair sums
// in int32) and only taps actually used are counted; int32 sums wrap, so their order cannot change a bit.
// A run with L >= 8 takes whole steps below L - 8 and one final step at L - 8 whose already-counted lanes are
// masked to zero; a run shorter than 8 loads exactly L bytes (zero lanes above). No byte outside a run is read.
// Block: 2 pixels of one output row x 4 output channels. Interior columns (all kW taps inside) go in pairs; border
// columns go one at a time (computed as a pair of the same pixel). The last channel group overlaps the previous
// one when outC is not a multiple of 4. Preconditions (runtime/ops/conv2d.ts selects this kernel only then):
// dilation_w == 1, outC >= 4, every shift >= -30 (vector requantisation). Any padding (also negative) works.
import { hsum4, requantize4, requantLeft, requantMask, requantPow } from './requantize';

export function conv2d_simd(
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
        const lastC = L - 8;
        const tail = ((L - 1) & 7) + 1;
        const tailMask = i16x8.gt_s(i16x8(0, 1, 2, 3, 4, 5, 6, 7), i16x8.splat(<i16>(7 - tail)));
        const xPair = (pb - pa) * pixStep;
        let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
        let b0 = i32x4.splat(0), b1 = i32x4.splat(0), b2 = i32x4.splat(0), b3 = i32x4.splat(0);
        let xr = input + (iy0 + kyLo * dilationH) * rowBytes + (ix0 + kxLo) * inC;
        let wr = wOc + kyLo * lFull + kxLo * inC;
        for (let ky = kyLo; ky < kyHi; ky++) {
          let x0: v128, x1: v128, v0: v128, v1: v128, v2: v128, v3: v128;
          if (L >= 8) {
            for (let c = 0; c < lastC; c += 8) {
              x0 = i16x8.add(v128.load8x8_s(xr + c), off16);
              x1 = i16x8.add(v128.load8x8_s(xr + xPair + c), off16);
              let w = v128.load8x8_s(wr + c);
              a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, w));
              b0 = i32x4.add(b0, i32x4.dot_i16x8_s(x1, w));
              w = v128.load8x8_s(wr + K + c);
              a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x0, w));
              b1 = i32x4.add(b1, i32x4.dot_i16x8_s(x1, w));
              w = v128.load8x8_s(wr + 2 * K + c);
              a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x0, w));
              b2 = i32x4.add(b2, i32x4.dot_i16x8_s(x1, w));
              w = v128.load8x8_s(wr + 3 * K + c);
              a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x0, w));
              b3 = i32x4.add(b3, i32x4.dot_i16x8_s(x1, w));
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
          a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, v0));
          b0 = i32x4.add(b0, i32x4.dot_i16x8_s(x1, v0));
          a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x0, v1));
          b1 = i32x4.add(b1, i32x4.dot_i16x8_s(x1, v1));
          a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x0, v2));
          b2 = i32x4.add(b2, i32x4.dot_i16x8_s(x1, v2));
          a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x0, v3));
          b3 = i32x4.add(b3, i32x4.dot_i16x8_s(x1, v3));
          xr += rowStep;
          wr += lFull;
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
