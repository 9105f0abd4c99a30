// AVERAGE_POOL_2D, int8 NHWC (TFLite reference_integer_ops::AveragePool). Input and output share one
// quantisation, so no rescale: the sum of the valid taps (padding is not counted) is divided by their count,
// rounding half away from zero, then clamped to the activation range. With 8 or more channels the sums run 8
// channels at a time (SIMD); the division stays per channel.
import { clampI32 } from './requantize';

export function average_pool2d(
  input: i32, inH: i32, inW: i32, channels: i32,
  output: i32, outH: i32, outW: i32,
  filterH: i32, filterW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
  actMin: i32, actMax: i32,
): void {
  for (let oy: i32 = 0; oy < outH; oy++) {
    const y0 = oy * strideH - padTop;
    const yStart = max(0, -y0);
    const yEnd = min(filterH, inH - y0);
    for (let ox: i32 = 0; ox < outW; ox++) {
      const x0 = ox * strideW - padLeft;
      const xStart = max(0, -x0);
      const xEnd = min(filterW, inW - x0);
      const count = (yEnd - yStart) * (xEnd - xStart);
      const half = count / 2;
      const outPixel = output + (oy * outW + ox) * channels;
      if (channels >= 8) {
        // 8 channels at a time, int32 sums (the last group overlaps the previous one: the same bytes again).
        let g = 0;
        do {
          const c = min(g, channels - 8);
          let lo = i32x4.splat(0);
          let hi = i32x4.splat(0);
          for (let ky = yStart; ky < yEnd; ky++) {
            let p = input + ((y0 + ky) * inW + x0 + xStart) * channels + c;
            for (let kx = xStart; kx < xEnd; kx++) {
              const v = v128.load8x8_s(p);
              lo = i32x4.add(lo, i32x4.extend_low_i16x8_s(v));
              hi = i32x4.add(hi, i32x4.extend_high_i16x8_s(v));
              p += channels;
            }
          }
          const o = outPixel + c;
          store<i8>(o, <i8>clampI32(roundedDiv(i32x4.extract_lane(lo, 0), half, count), actMin, actMax));
          store<i8>(o, <i8>clampI32(roundedDiv(i32x4.extract_lane(lo, 1), half, count), actMin, actMax), 1);
          store<i8>(o, <i8>clampI32(roundedDiv(i32x4.extract_lane(lo, 2), half, count), actMin, actMax), 2);
          store<i8>(o, <i8>clampI32(roundedDiv(i32x4.extract_lane(lo, 3), half, count), actMin, actMax), 3);
          store<i8>(o, <i8>clampI32(roundedDiv(i32x4.extract_lane(hi, 0), half, count), actMin, actMax), 4);
          store<i8>(o, <i8>clampI32(roundedDiv(i32x4.extract_lane(hi, 1), half, count), actMin, actMax), 5);
          store<i8>(o, <i8>clampI32(roundedDiv(i32x4.extract_lane(hi, 2), half, count), actMin, actMax), 6);
          store<i8>(o, <i8>clampI32(roundedDiv(i32x4.extract_lane(hi, 3), half, count), actMin, actMax), 7);
          g += 8;
        } while (g < channels);
        continue;
      }
      for (let c: i32 = 0; c < channels; c++) {
        let acc: i32 = 0;
        for (let ky = yStart; ky < yEnd; ky++) {
          const row = input + ((y0 + ky) * inW + x0) * channels + c;
          for (let kx = xStart; kx < xEnd; kx++) acc += <i32>load<i8>(row + kx * channels);
        }
        // Integer division truncates toward zero, so adding/subtracting half the count rounds half away from zero.
        acc = acc > 0 ? (acc + half) / count : (acc - half) / count;
        store<i8>(outPixel + c, <i8>clampI32(acc, actMin, actMax));
      }
    }
  }
}

/** acc / count rounded half away from zero (integer division truncates toward zero). */
@inline
function roundedDiv(acc: i32, half: i32, count: i32): i32 {
  return acc > 0 ? (acc + half) / count : (acc - half) / count;
}
