// FULLY_CONNECTED, int8 input rows x int8 weights [out, depth] (TFLite reference_integer_ops::FullyConnected and
// FullyConnectedPerChannel). Per-channel multipliers and shifts always (a per-tensor model repeats one value);
// filter_offset is -weight zero point (non-zero only for per-tensor weights, as TFLite allows).
// Each output is a dot product over one weight row (rows read in memory order, 4 outputs per group); both
// offsets are added to the widened int16 values, so
// (w + w_off) * (x + x_off) is exact in each i32x4.dot_i16x8_s pair. A depth that is not a multiple of 8 ends with
// one overlapping step whose already-counted lanes are masked to zero; an output count that is not a multiple of 4
// ends with a group overlapping the previous one (those channels are written twice with the same bytes).
import {
  clampI32, hsum4, multiplyByQuantizedMultiplier, requantize4, requantize4Scalar, requantLeft, requantMask, requantPow, requantVectorOk,
} from './requantize';

export function fully_connected(
  input: i32, rows: i32, depth: i32,
  filter: i32, outC: i32,
  bias: i32, multipliers: i32, shifts: i32,
  output: i32,
  inputOffset: i32, filterOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  if (depth < 8 || outC < 4) {
    fullyConnectedScalar(input, rows, depth, filter, outC, bias, multipliers, shifts, output, inputOffset, filterOffset, outputOffset, actMin, actMax);
    return;
  }
  // Whole 8-value steps below `last`, then one final step at last = depth - 8 whose first 8 - tail lanes
  // (already counted) are masked off; tail is 8 when depth is a multiple of 8.
  const last = depth - 8;
  const tail = ((depth - 1) & 7) + 1;
  const tailMask = i16x8.gt_s(i16x8(0, 1, 2, 3, 4, 5, 6, 7), i16x8.splat(<i16>(7 - tail)));
  const xOff = i16x8.splat(<i16>inputOffset);
  const wOff = i16x8.splat(<i16>filterOffset);
  const lo = i32x4.splat(actMin);
  const hi = i32x4.splat(actMax);
  const outOff = i32x4.splat(outputOffset);
  for (let g = 0; g < outC; g += 4) {
    const oc = min(g, outC - 4);
    const w0 = filter + oc * depth;
    const cm = multipliers + (oc << 2);
    const cs = shifts + (oc << 2);
    const b = v128.load(bias + (oc << 2));
    const vectorOk = requantVectorOk(cs);
    const left = requantLeft(cs);
    const mult = v128.load(cm);
    const pow = requantPow(cs);
    const mask = requantMask(cs);
    for (let r = 0; r < rows; r++) {
      const xr = input + r * depth;
      // One weight row after another, so the weights stream through memory in order.
      const a0 = rowDot(xr, w0, last, tailMask, xOff, wOff);
      const a1 = rowDot(xr, w0 + depth, last, tailMask, xOff, wOff);
      const a2 = rowDot(xr, w0 + 2 * depth, last, tailMask, xOff, wOff);
      const a3 = rowDot(xr, w0 + 3 * depth, last, tailMask, xOff, wOff);
      let acc = i32x4.add(hsum4(a0, a1, a2, a3), b);
      acc = vectorOk ? requantize4(acc, left, mult, pow, mask) : requantize4Scalar(acc, cm, cs);
      acc = i32x4.min_s(i32x4.max_s(i32x4.add(acc, outOff), lo), hi);
      const packed = i16x8.narrow_i32x4_s(acc, acc);
      v128.store32_lane(output + r * outC + oc, i8x16.narrow_i16x8_s(packed, packed), 0);
    }
  }
}

/** sum (w + w_off) * (x + x_off) over one row as four partial sums. */
@inline
function rowDot(x: i32, w: i32, last: i32, tailMask: v128, xOff: v128, wOff: v128): v128 {
  let a = i32x4.splat(0);
  let b = i32x4.splat(0);
  let c = 0;
  for (; c + 8 < last; c += 16) {
    a = i32x4.add(a, i32x4.dot_i16x8_s(i16x8.add(v128.load8x8_s(x + c), xOff), i16x8.add(v128.load8x8_s(w + c), wOff)));
    b = i32x4.add(b, i32x4.dot_i16x8_s(i16x8.add(v128.load8x8_s(x + c, 8), xOff), i16x8.add(v128.load8x8_s(w + c, 8), wOff)));
  }
  if (c < last) a = i32x4.add(a, i32x4.dot_i16x8_s(i16x8.add(v128.load8x8_s(x + c), xOff), i16x8.add(v128.load8x8_s(w + c), wOff)));
  const xt = v128.and(i16x8.add(v128.load8x8_s(x + last), xOff), tailMask);
  return i32x4.add(i32x4.add(a, b), i32x4.dot_i16x8_s(xt, i16x8.add(v128.load8x8_s(w + last), wOff)));
}

/** Plain loops for sizes too small for the vector path. */
function fullyConnectedScalar(
  input: i32, rows: i32, depth: i32, filter: i32, outC: i32, bias: i32, multipliers: i32, shifts: i32, output: i32,
  inputOffset: i32, filterOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  for (let r = 0; r < rows; r++) {
    const x = input + r * depth;
    for (let oc = 0; oc < outC; oc++) {
      const w = filter + oc * depth;
      let acc: i32 = 0;
      for (let c = 0; c < depth; c++) acc += (<i32>load<i8>(w + c) + filterOffset) * (<i32>load<i8>(x + c) + inputOffset);
      acc += load<i32>(bias + (oc << 2));
      acc = multiplyByQuantizedMultiplier(acc, load<i32>(multipliers + (oc << 2)), load<i32>(shifts + (oc << 2)));
      store<i8>(output + r * outC + oc, <i8>clampI32(acc + outputOffset, actMin, actMax));
    }
  }
}
