// CONV_2D fast path for narrow kernel rows: k_w * in_c <= 4 and dilation_w 1 (e.g. kws_ref_model's first layer,
// a 10x4 kernel over one input channel). Same arguments as conv2d, same bytes. Like conv2d_simd, the used taps of
// one kernel row are one contiguous run of L = (kxHi - kxLo) * in_c <= 4 input bytes with contiguous weights, but
// here two kernel rows share one 8-lane i32x4.dot_i16x8_s: lanes 0..3 hold row ky's run, lanes 4..7 row ky + 1's
// (lanes past L are zero in both the inputs and the weights). The input offset is added in the int16 lanes, so each
// product is the reference's w * (x + input_offset) and a zero weight lane adds nothing; int32 sums wrap, so
// their order cannot change a bit. Exactly the run's bytes are read.
// Both forms are in the shared engine (conv2d_rows.ts). k_h <= 10 (PAIRS): 2 pixels of one output row x 4 output
// channels per block, the pixels' row-pair vectors built once (taps in the padding zeroed there, after the offset)
// and used by every channel group; otherwise: interior columns (all k_w taps inside) go in pairs, border columns
// one at a time (a pair of the same pixel), only the kernel rows inside the input counted. The last channel group
// overlaps the previous one when out_c is not a multiple of 4. Preconditions (runtime/ops/conv2d.ts selects this kernel only then):
// k_w * in_c <= 4, dilation_w == 1, out_c >= 4, every shift >= -30 (vector requantisation).
import { conv2dRows } from './conv2d_rows';

export function conv2d_narrow(
  input: i32, inH: i32, inW: i32, inC: i32,
  filter: i32, kH: i32, kW: i32,
  bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, outC: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  if (kH <= 10) {
    conv2dRows(true, true, input, inH, inW, inC, filter, kH, kW, bias, multipliers, shifts, output, outH, outW, outC,
      strideH, strideW, dilationH, padTop, padLeft, inputOffset, outputOffset, actMin, actMax);
  } else {
    conv2dRows(true, false, input, inH, inW, inC, filter, kH, kW, bias, multipliers, shifts, output, outH, outW, outC,
      strideH, strideW, dilationH, padTop, padLeft, inputOffset, outputOffset, actMin, actMax);
  }
}
