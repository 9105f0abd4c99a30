// DEPTHWISE_CONV_2D fast path: 3x3 kernel, depth multiplier 1, dilation 1, stride 1 or 2, at least 8 channels,
// every shift >= -30 (runtime/ops/depthwise_conv2d.ts picks it only then). Same arguments as depthwise_conv2d; k_h,
// k_w, the dilations and depth_multiplier are implied. Channel groups of 8 go one after another through the shared
// engine (depthwise_3x3_rows.ts), outputs straight to the output tensor. A channel count that is not a multiple of
// 8 ends with a group overlapping the previous one (the recomputed channels get the same bytes again).
import { depthwise3x3Group, SINK_DIRECT } from './depthwise_3x3_rows';
import { requantFast } from './requantize';

export function depthwise_conv2d_3x3(
  input: i32, inH: i32, inW: i32, inC: i32,
  filter: i32, kH: i32, kW: i32,
  bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, outC: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  depthMultiplier: i32, inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  const C = outC;
  const fast = requantFast(multipliers, shifts, C);
  let g = 0;
  do {
    const c = min(g, C - 8);
    if (fast) {
      depthwise3x3Group(true, SINK_DIRECT, input, inH, inW, C, filter, bias, multipliers, shifts, output, outH, outW,
        strideH, strideW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax, 0, 0, c);
    } else {
      depthwise3x3Group(false, SINK_DIRECT, input, inH, inW, C, filter, bias, multipliers, shifts, output, outH, outW,
        strideH, strideW, padTop, padLeft, inputOffset, outputOffset, actMin, actMax, 0, 0, c);
    }
    g += 8;
  } while (g < C);
}
