// CONV_2D fast path for 1x1 kernels with stride 1 (pointwise): a GEMM output[p][o] = sum_c w[o][c] * x[p][c].
// Same arguments as conv2d; the spatial ones are unused since every output pixel reads the same input pixel.
// Bit-identical to conv2d: the input offset moves out of the inner loop as
//   sum_c w*(x + off) = sum_c w*x + off * sum_c w
// (all int32, wrapping, so the order of additions cannot change a bit).
// 8, 16 or 32 input channels (and out_c >= 8): the lanes are output channels. Per group of 8 output channels the
// weights are transposed once into channel-pair vectors (w[o0][c], w[o0][c+1], w[o1][c], w[o1][c+1], ...), and each
// pixel's channel pair is broadcast against them with i32x4.dot_i16x8_s: no horizontal sums; 2 pixels per step.
// Other channel counts (>= 8): 2 pixels x 4 output channels x 8 input channels per step with i16x8 dot products
// along the channels, reduced across lanes at the end; a channel count that is not a multiple of 8 ends with one
// overlapping 8-lane step whose already-counted lanes are masked to zero (done first: it starts the sums).
// Requantisation is 4 lanes at a time (requant4: its fast form when requantFast says so) and needs every shift
// >= -30 (runtime/ops/conv2d.ts picks this kernel only then). A last output-channel group overlaps the previous
// one when out_c is not a multiple of 4 (8 in the narrow form), and a last pixel block overlaps its predecessor
// (recomputed outputs get the same bytes again). Loops are do-while with branch-free bodies so that V8 keeps the
// loop-invariant vectors out of them.
import {
  clampI32, hsum4, multiplyByQuantizedMultiplier, packClamp16, requant4, requantFast, requantStore2x4, rqHi, rqLo, rqNeg, rqRound, rqScale,
} from './requantize';

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
  const fast = requantFast(multipliers, shifts, outC);
  if (outC >= 8 && inC == 8) {
    if (fast) narrowGemm(true, 8, input, filter, bias, multipliers, shifts, output, pixels, outC, inputOffset, outputOffset, actMin, actMax);
    else narrowGemm(false, 8, input, filter, bias, multipliers, shifts, output, pixels, outC, inputOffset, outputOffset, actMin, actMax);
  } else if (outC >= 8 && inC == 16) {
    if (fast) narrowGemm(true, 16, input, filter, bias, multipliers, shifts, output, pixels, outC, inputOffset, outputOffset, actMin, actMax);
    else narrowGemm(false, 16, input, filter, bias, multipliers, shifts, output, pixels, outC, inputOffset, outputOffset, actMin, actMax);
  } else if (outC >= 8 && inC == 32) {
    if (fast) narrowGemm(true, 32, input, filter, bias, multipliers, shifts, output, pixels, outC, inputOffset, outputOffset, actMin, actMax);
    else narrowGemm(false, 32, input, filter, bias, multipliers, shifts, output, pixels, outC, inputOffset, outputOffset, actMin, actMax);
  } else if (fast) {
    gemm(true, input, inC, filter, bias, multipliers, shifts, output, pixels, outC, inputOffset, outputOffset, actMin, actMax);
  } else {
    gemm(false, input, inC, filter, bias, multipliers, shifts, output, pixels, outC, inputOffset, outputOffset, actMin, actMax);
  }
}

/** Transposes four rows of 4 int32 units (r0..r3) so that t[j] = (r0[j], r1[j], r2[j], r3[j]); returns t[J]. */
@inline
function transpose4(r0: v128, r1: v128, r2: v128, r3: v128, J: i32): v128 {
  const a = J < 2 ? i32x4.shuffle(r0, r1, 0, 4, 1, 5) : i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const b = J < 2 ? i32x4.shuffle(r2, r3, 0, 4, 1, 5) : i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  return (J & 1) == 0 ? i32x4.shuffle(a, b, 0, 1, 4, 5) : i32x4.shuffle(a, b, 2, 3, 6, 7);
}

/**
 * Channel pair J of channel chunk K (channels 8K .. 8K + 7) for output channels o .. o + 3 (rows `inC` bytes apart
 * from f): (w[o][c], w[o][c + 1], w[o + 1][c], w[o + 1][c + 1], ...) with c = 8K + 2J, as int16.
 */
@inline
function pairWeights(f: i32, inC: i32, K: i32, J: i32): v128 {
  const b = f + 8 * K;
  return transpose4(v128.load8x8_s(b), v128.load8x8_s(b + inC), v128.load8x8_s(b + 2 * inC), v128.load8x8_s(b + 3 * inC), J);
}

/** sum over the 4 channel pairs of 8 channels `a` (int16) of pair * weights: 4 output channels. */
@inline
function pairDots(a: v128, w0: v128, w1: v128, w2: v128, w3: v128): v128 {
  return i32x4.add(
    i32x4.add(i32x4.dot_i16x8_s(i32x4.shuffle(a, a, 0, 0, 0, 0), w0), i32x4.dot_i16x8_s(i32x4.shuffle(a, a, 1, 1, 1, 1), w1)),
    i32x4.add(i32x4.dot_i16x8_s(i32x4.shuffle(a, a, 2, 2, 2, 2), w2), i32x4.dot_i16x8_s(i32x4.shuffle(a, a, 3, 3, 3, 3), w3)));
}

/** Per output channel (lane), the sum of the weights held in four pair vectors. */
@inline
function pairSums(w0: v128, w1: v128, w2: v128, w3: v128): v128 {
  const ones = i16x8.splat(1);
  return i32x4.add(i32x4.add(i32x4.dot_i16x8_s(w0, ones), i32x4.dot_i16x8_s(w1, ones)), i32x4.add(i32x4.dot_i16x8_s(w2, ones), i32x4.dot_i16x8_s(w3, ones)));
}

/**
 * IN = 8, 16 or 32 input channels, out_c >= 8: the lanes are output channels, 8 per group (two vectors), 2 pixels
 * per step. The group's weights stay transposed into channel-pair vectors (IN of them) for all pixels.
 */
@inline
function narrowGemm(
  fast: bool, IN: i32, input: i32, filter: i32, bias: i32, multipliers: i32, shifts: i32,
  output: i32, pixels: i32, outC: i32, inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  const lo8 = i8x16.splat(<i8>actMin);
  const hi8 = i8x16.splat(<i8>actMax);
  const last = pixels - 1;
  const zero = i32x4.splat(0);
  let g = 0;
  do {
    const oc = min(g, outC - 8);
    const f = filter + oc * IN;
    const h = f + 4 * IN; // output channels oc + 4 .. oc + 7
    // Weight pairs: a = channels 0..7, b = 8..15, c = 16..23, d = 24..31; L for oc .. oc + 3, H for the next four.
    const aL0 = pairWeights(f, IN, 0, 0), aL1 = pairWeights(f, IN, 0, 1), aL2 = pairWeights(f, IN, 0, 2), aL3 = pairWeights(f, IN, 0, 3);
    const aH0 = pairWeights(h, IN, 0, 0), aH1 = pairWeights(h, IN, 0, 1), aH2 = pairWeights(h, IN, 0, 2), aH3 = pairWeights(h, IN, 0, 3);
    let sumL = pairSums(aL0, aL1, aL2, aL3), sumH = pairSums(aH0, aH1, aH2, aH3);
    let bL0 = zero, bL1 = zero, bL2 = zero, bL3 = zero, bH0 = zero, bH1 = zero, bH2 = zero, bH3 = zero;
    let cL0 = zero, cL1 = zero, cL2 = zero, cL3 = zero, cH0 = zero, cH1 = zero, cH2 = zero, cH3 = zero;
    let dL0 = zero, dL1 = zero, dL2 = zero, dL3 = zero, dH0 = zero, dH1 = zero, dH2 = zero, dH3 = zero;
    if (IN >= 16) {
      bL0 = pairWeights(f, IN, 1, 0); bL1 = pairWeights(f, IN, 1, 1); bL2 = pairWeights(f, IN, 1, 2); bL3 = pairWeights(f, IN, 1, 3);
      bH0 = pairWeights(h, IN, 1, 0); bH1 = pairWeights(h, IN, 1, 1); bH2 = pairWeights(h, IN, 1, 2); bH3 = pairWeights(h, IN, 1, 3);
      sumL = i32x4.add(sumL, pairSums(bL0, bL1, bL2, bL3)); sumH = i32x4.add(sumH, pairSums(bH0, bH1, bH2, bH3));
    }
    if (IN >= 32) {
      cL0 = pairWeights(f, IN, 2, 0); cL1 = pairWeights(f, IN, 2, 1); cL2 = pairWeights(f, IN, 2, 2); cL3 = pairWeights(f, IN, 2, 3);
      cH0 = pairWeights(h, IN, 2, 0); cH1 = pairWeights(h, IN, 2, 1); cH2 = pairWeights(h, IN, 2, 2); cH3 = pairWeights(h, IN, 2, 3);
      dL0 = pairWeights(f, IN, 3, 0); dL1 = pairWeights(f, IN, 3, 1); dL2 = pairWeights(f, IN, 3, 2); dL3 = pairWeights(f, IN, 3, 3);
      dH0 = pairWeights(h, IN, 3, 0); dH1 = pairWeights(h, IN, 3, 1); dH2 = pairWeights(h, IN, 3, 2); dH3 = pairWeights(h, IN, 3, 3);
      sumL = i32x4.add(sumL, i32x4.add(pairSums(cL0, cL1, cL2, cL3), pairSums(dL0, dL1, dL2, dL3)));
      sumH = i32x4.add(sumH, i32x4.add(pairSums(cH0, cH1, cH2, cH3), pairSums(dH0, dH1, dH2, dH3)));
    }
    // bias + input_offset * sum(w) per channel.
    const off = i32x4.splat(inputOffset);
    const baseL = i32x4.add(v128.load(bias + (oc << 2)), i32x4.mul(off, sumL));
    const baseH = i32x4.add(v128.load(bias + (oc << 2), 16), i32x4.mul(off, sumH));
    const sL = shifts + (oc << 2);
    const sH = sL + 16;
    const hiL = rqHi(fast, sL), loL = rqLo(fast, hiL, sL), scaleL = rqScale(fast, sL), negL = rqNeg(fast, scaleL), roundL = rqRound(fast, scaleL, outputOffset);
    const hiH = rqHi(fast, sH), loH = rqLo(fast, hiH, sH), scaleH = rqScale(fast, sH), negH = rqNeg(fast, scaleH), roundH = rqRound(fast, scaleH, outputOffset);
    const mulL = v128.load(multipliers + (oc << 2)), mulH = v128.load(multipliers + (oc << 2), 16);
    let p = 0;
    do {
      // Pixels p and q = p + 1 (the last pixel again past the end: the same bytes written twice).
      const q = min(p + 1, last);
      const xp = input + p * IN;
      const xq = input + q * IN;
      let a = v128.load8x8_s(xp), b = v128.load8x8_s(xq);
      let pL = pairDots(a, aL0, aL1, aL2, aL3), pH = pairDots(a, aH0, aH1, aH2, aH3);
      let qL = pairDots(b, aL0, aL1, aL2, aL3), qH = pairDots(b, aH0, aH1, aH2, aH3);
      if (IN >= 16) {
        a = v128.load8x8_s(xp, 8); b = v128.load8x8_s(xq, 8);
        pL = i32x4.add(pL, pairDots(a, bL0, bL1, bL2, bL3)); pH = i32x4.add(pH, pairDots(a, bH0, bH1, bH2, bH3));
        qL = i32x4.add(qL, pairDots(b, bL0, bL1, bL2, bL3)); qH = i32x4.add(qH, pairDots(b, bH0, bH1, bH2, bH3));
      }
      if (IN >= 32) {
        a = v128.load8x8_s(xp, 16); b = v128.load8x8_s(xq, 16);
        pL = i32x4.add(pL, pairDots(a, cL0, cL1, cL2, cL3)); pH = i32x4.add(pH, pairDots(a, cH0, cH1, cH2, cH3));
        qL = i32x4.add(qL, pairDots(b, cL0, cL1, cL2, cL3)); qH = i32x4.add(qH, pairDots(b, cH0, cH1, cH2, cH3));
        a = v128.load8x8_s(xp, 24); b = v128.load8x8_s(xq, 24);
        pL = i32x4.add(pL, pairDots(a, dL0, dL1, dL2, dL3)); pH = i32x4.add(pH, pairDots(a, dH0, dH1, dH2, dH3));
        qL = i32x4.add(qL, pairDots(b, dL0, dL1, dL2, dL3)); qH = i32x4.add(qH, pairDots(b, dH0, dH1, dH2, dH3));
      }
      const bytes = packClamp16(
        requant4(fast, i32x4.add(pL, baseL), loL, hiL, scaleL, mulL, negL, roundL), requant4(fast, i32x4.add(pH, baseH), loH, hiH, scaleH, mulH, negH, roundH),
        requant4(fast, i32x4.add(qL, baseL), loL, hiL, scaleL, mulL, negL, roundL), requant4(fast, i32x4.add(qH, baseH), loH, hiH, scaleH, mulH, negH, roundH), lo8, hi8);
      v128.store64_lane(output + p * outC + oc, bytes, 0);
      v128.store64_lane(output + q * outC + oc, bytes, 1);
      p += 2;
    } while (p < pixels);
    g += 8;
  } while (g < outC);
}

/** Any channel count >= 8: 2 pixels x 4 output channels, dot products along the channels. */
@inline
function gemm(
  fast: bool, input: i32, inC: i32, filter: i32, bias: i32, multipliers: i32, shifts: i32,
  output: i32, pixels: i32, outC: i32, inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  // The channel loop runs whole steps below lastC, then one final step at lastC = inC - 8 whose first
  // 8 - tail lanes (already counted) are masked off; tail is 8 when inC is a multiple of 8.
  const lastC = inC - 8;
  const tail = ((inC - 1) & 7) + 1;
  const tailMask = i16x8.gt_s(i16x8(0, 1, 2, 3, 4, 5, 6, 7), i16x8.splat(<i16>(7 - tail)));
  const lo8 = i8x16.splat(<i8>actMin);
  const hi8 = i8x16.splat(<i8>actMax);
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
      const rHi = rqHi(fast, cs), rLo = rqLo(fast, rHi, cs), rScale = rqScale(fast, cs), rNeg = rqNeg(fast, rScale);
      const rRound = rqRound(fast, rScale, outputOffset);
      const rMul = v128.load(multipliers + (oc << 2));
      // Two pixels per step; an odd last pixel is paired with its predecessor (or with itself in a 1-pixel block).
      let p = p0;
      do {
        const pa = select(p, max(p1 - 2, p0), p + 1 < p1);
        const pb = min(pa + 1, p1 - 1);
        const xa = input + pa * inC;
        const xb = input + pb * inC;
        // The final (masked) step first: it starts the sums.
        const t0 = v128.and(v128.load8x8_s(xa + lastC), tailMask);
        const t1 = v128.and(v128.load8x8_s(xb + lastC), tailMask);
        let v = v128.load8x8_s(w0 + lastC);
        let a0 = i32x4.dot_i16x8_s(t0, v), b0 = i32x4.dot_i16x8_s(t1, v);
        v = v128.load8x8_s(w1 + lastC);
        let a1 = i32x4.dot_i16x8_s(t0, v), b1 = i32x4.dot_i16x8_s(t1, v);
        v = v128.load8x8_s(w2 + lastC);
        let a2 = i32x4.dot_i16x8_s(t0, v), b2 = i32x4.dot_i16x8_s(t1, v);
        v = v128.load8x8_s(w3 + lastC);
        let a3 = i32x4.dot_i16x8_s(t0, v), b3 = i32x4.dot_i16x8_s(t1, v);
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
        requantStore2x4(fast, i32x4.add(hsum4(a0, a1, a2, a3), base), i32x4.add(hsum4(b0, b1, b2, b3), base), rLo, rHi, rScale, rMul, rNeg, rRound,
          lo8, hi8, output + pa * outC + oc, output + pb * outC + oc);
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
