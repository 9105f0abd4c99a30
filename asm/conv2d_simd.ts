// CONV_2D fast path for any kernel size and stride with dilation_w 1 (SIMD). Same arguments as conv2d, same bytes.
// With dilation_w 1 the used taps of one kernel row are one contiguous run of L = (kxHi - kxLo) * inC input bytes,
// and the matching weights are contiguous too (OHWI), so each kernel row is one dot product of L bytes, 8 lanes
// at a time with i32x4.dot_i16x8_s (the shared row engine, conv2d_rows.ts). The input offset is added in
// the int16 lanes before multiplying, so every product is exactly the reference's w * (x + input_offset).
// A run with L >= 8 takes whole steps below L - 8 and one final step at L - 8 whose already-counted lanes are
// masked to zero; a run shorter than 8 loads exactly L bytes (zero lanes above). No byte outside a run is read.
// Block: 2 pixels of one output row x 4 output channels. Interior columns (all kW taps inside) go in pairs; border
// columns go one at a time (computed as a pair of the same pixel). The last channel group overlaps the previous
// one when outC is not a multiple of 4. Preconditions (runtime/ops/conv2d.ts selects this kernel only then):
// dilation_w == 1, outC >= 4, every shift >= -30 (vector requantisation). Any padding (also negative) works.
import { conv2dRows } from './conv2d_rows';

export function conv2d_simd(
  input: i32, inH: i32, inW: i32, inC: i32,
  filter: i32, kH: i32, kW: i32,
  bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, outC: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  conv2dRows(false, false, input, inH, inW, inC, filter, kH, kW, bias, multipliers, shifts, output, outH, outW, outC,
    strideH, strideW, dilationH, padTop, padLeft, inputOffset, outputOffset, actMin, actMax);
}
