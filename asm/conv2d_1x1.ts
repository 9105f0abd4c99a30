// CONV_2D fast path for 1x1 kernels with stride 1 (pointwise): a GEMM output[p][o] = sum_c w[o][c] * x[p][c].
// Same arguments as conv2d; the spatial ones are unused since every output pixel reads the same input pixel.
// Bit-identical to conv2d: the input offset moves out of the inner loop as
//   sum_c w*(x + off) = sum_c w*x + off * sum_c w
// (all int32, wrapping, so the order of additions cannot change a bit). Inner step: 2 pixels x 4 output channels
// x 8 input channels with i16x8 dot products; a channel count that is not a multiple of 8 ends with one
// overlapping 8-lane step whose already-counted lanes are masked to zero. Requantisation is 4 lanes at a time and
// needs every shift >= -30 (runtime/ops/conv2d.ts picks this kernel only then). Loops are do-while with
// branch-free bodies so that V8 hoists the loop-invariant vector constants.
import { clampI32, hsum4, multiplyByQuantizedMultiplier, requantize4, requantLeft, requantMask, requantPow } from './requantize';

// Pixels per block: the block's input rows stay in L1 while every output-channel group walks them.
const PIXEL_BLOCK: i32 = 64;

export function conv2d_1x1(
  input: i32, inH: i32, inW: i32, inC: i32,
  filter: i32, kH: i32, kW: i32,
  bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, outC: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  const pixels = outH * outW;
  if (inC < 8 || outC < 4) {
    pointwiseScalar(input, inC, filter, bias, multipliers, shifts, output, pixels, outC, inputOffset, outputOffset, actMin, actMax);
    return;
  }
  // The channel loop runs whole steps below lastC, then one final step at lastC = inC - 8 whose first
  // 8 - tail lanes (already counted) are masked off; tail is 8 when inC is a multiple of 8.
  const lastC = inC - 8;
  const tail = ((inC - 1) & 7) + 1;
  const tailMask = i16x8.gt_s(i16x8(0, 1, 2, 3, 4, 5, 6, 7), i16x8.splat(<i16>(7 - tail)));
  const lo = i32x4.splat(actMin);
  const hi = i32x4.splat(actMax);
  const outOff = i32x4.splat(outputOffset);
  let p0 = 0;
  do {
    const p1 = min(p0 + PIXEL_BLOCK, pixels);
    // Output channel groups of 4; the last group overlaps the previous one when outC is not a multiple of 4
    // (recomputing a channel writes the same byte again).
    let g = 0;
    do {
      const oc = min(g, outC - 4);
      const w0 = filter + oc * inC;
      const w1 = w0 + inC;
      const w2 = w1 + inC;
      const w3 = w2 + inC;
      const cs = shifts + (oc << 2);
      // bias + input_offset * sum(w) per channel.
      const base = i32x4.add(v128.load(bias + (oc << 2)),
        i32x4.mul(i32x4.splat(inputOffset), hsum4(rowSum(w0, lastC, tailMask), rowSum(w1, lastC, tailMask), rowSum(w2, lastC, tailMask), rowSum(w3, lastC, tailMask))));
      const left = requantLeft(cs);
      const mult = v128.load(multipliers + (oc << 2));
      const pow = requantPow(cs);
      const mask = requantMask(cs);
      // Two pixels per step; an odd last pixel is paired with its predecessor (or with itself in a 1-pixel block).
      let p = p0;
      do {
        const pa = select(p, max(p1 - 2, p0), p + 1 < p1);
        const pb = min(pa + 1, p1 - 1);
        const xa = input + pa * inC;
        const xb = input + pb * inC;
        let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
        let b0 = i32x4.splat(0), b1 = i32x4.splat(0), b2 = i32x4.splat(0), b3 = i32x4.splat(0);
        for (let c = 0; c < lastC; c += 8) {
          const x0 = v128.load8x8_s(xa + c);
          const x1 = v128.load8x8_s(xb + c);
          let w = v128.load8x8_s(w0 + c);
          a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, w));
          b0 = i32x4.add(b0, i32x4.dot_i16x8_s(x1, w));
          w = v128.load8x8_s(w1 + c);
          a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x0, w));
          b1 = i32x4.add(b1, i32x4.dot_i16x8_s(x1, w));
          w = v128.load8x8_s(w2 + c);
          a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x0, w));
          b2 = i32x4.add(b2, i32x4.dot_i16x8_s(x1, w));
          w = v128.load8x8_s(w3 + c);
          a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x0, w));
          b3 = i32x4.add(b3, i32x4.dot_i16x8_s(x1, w));
        }
        const x0 = v128.and(v128.load8x8_s(xa + lastC), tailMask);
        const x1 = v128.and(v128.load8x8_s(xb + lastC), tailMask);
        let w = v128.load8x8_s(w0 + lastC);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, w));
        b0 = i32x4.add(b0, i32x4.dot_i16x8_s(x1, w));
        w = v128.load8x8_s(w1 + lastC);
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x0, w));
        b1 = i32x4.add(b1, i32x4.dot_i16x8_s(x1, w));
        w = v128.load8x8_s(w2 + lastC);
        a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x0, w));
        b2 = i32x4.add(b2, i32x4.dot_i16x8_s(x1, w));
        w = v128.load8x8_s(w3 + lastC);
        a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x0, w));
        b3 = i32x4.add(b3, i32x4.dot_i16x8_s(x1, w));
        let ra = requantize4(i32x4.add(hsum4(a0, a1, a2, a3), base), left, mult, pow, mask);
        let rb = requantize4(i32x4.add(hsum4(b0, b1, b2, b3), base), left, mult, pow, mask);
        ra = i32x4.min_s(i32x4.max_s(i32x4.add(ra, outOff), lo), hi);
        rb = i32x4.min_s(i32x4.max_s(i32x4.add(rb, outOff), lo), hi);
        const packed = i16x8.narrow_i32x4_s(ra, rb);
        const bytes = i8x16.narrow_i16x8_s(packed, packed);
        v128.store32_lane(output + pa * outC + oc, bytes, 0);
        v128.store32_lane(output + pb * outC + oc, bytes, 1);
        p += 2;
      } while (p < p1);
      g += 4;
    } while (g < outC);
    p0 += PIXEL_BLOCK;
  } while (p0 < pixels);
}

/** Sum of one weight row (inC >= 8) as four partial sums, with the same step pattern as the main loop. */
@inline
function rowSum(w: i32, lastC: i32, tailMask: v128): v128 {
  const ones = i16x8.splat(1);
  let s = i32x4.splat(0);
  for (let c = 0; c < lastC; c += 8) s = i32x4.add(s, i32x4.dot_i16x8_s(v128.load8x8_s(w + c), ones));
  return i32x4.add(s, i32x4.dot_i16x8_s(v128.and(v128.load8x8_s(w + lastC), tailMask), ones));
}

/** Plain loops for channel counts too small for the vector path. */
function pointwiseScalar(
  input: i32, inC: i32, filter: i32, bias: i32, multipliers: i32, shifts: i32,
  output: i32, pixels: i32, outC: i32, inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  for (let p = 0; p < pixels; p++) {
    const x = input + p * inC;
    for (let oc = 0; oc < outC; oc++) {
      const w = filter + oc * inC;
      let acc: i32 = 0;
      for (let c = 0; c < inC; c++) acc += (<i32>load<i8>(w + c)) * (<i32>load<i8>(x + c) + inputOffset);
      acc += load<i32>(bias + (oc << 2));
      acc = multiplyByQuantizedMultiplier(acc, load<i32>(multipliers + (oc << 2)), load<i32>(shifts + (oc << 2)));
      store<i8>(output + p * outC + oc, <i8>clampI32(acc + outputOffset, actMin, actMax));
    }
  }
}

