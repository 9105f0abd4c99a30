// TRANSPOSE_CONV, int8 NHWC input, per-channel int8 OHWI weights, int32 bias (TFLite
// reference_integer_ops::TransposeConv, as TFLM runs it). Scatter form: every input pixel adds
// (input + input_offset) * weight into the int32 accumulators of the output pixels it reaches (out-of-range
// ones are skipped); the accumulators live in the step's scratch buffer (out_h * out_w * out_c int32s), which
// is cleared first. Then each accumulator gets its bias, is requantised per channel
// (MultiplyByQuantizedMultiplier), offset by the output zero point and clamped to the activation range.
// int32 sums wrap exactly as TFLite's do on a 32-bit core.
import { multiplyByQuantizedMultiplier, clampI32 } from './requantize';

export function transpose_conv(
  input: i32, inH: i32, inW: i32, inC: i32,
  filter: i32, kH: i32, kW: i32,
  bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, outC: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
  scratch: i32,
): void {
  const count = outH * outW * outC;
  memory.fill(scratch, 0, count << 2);
  const filterRow = kW * inC; // bytes between filter rows (ky) of one output channel
  const filterChannel = kH * filterRow; // bytes between output channels
  for (let iy: i32 = 0; iy < inH; iy++) {
    const oy0 = iy * strideH - padTop;
    for (let ix: i32 = 0; ix < inW; ix++) {
      const ox0 = ix * strideW - padLeft;
      const inPixel = input + (iy * inW + ix) * inC;
      for (let ic: i32 = 0; ic < inC; ic++) {
        const v: i32 = <i32>load<i8>(inPixel + ic) + inputOffset;
        for (let ky: i32 = 0; ky < kH; ky++) {
          const oy = oy0 + ky;
          if (<u32>oy >= <u32>outH) continue;
          for (let kx: i32 = 0; kx < kW; kx++) {
            const ox = ox0 + kx;
            if (<u32>ox >= <u32>outW) continue;
            let acc = scratch + ((oy * outW + ox) * outC << 2);
            let w = filter + ky * filterRow + kx * inC + ic;
            for (let oc: i32 = 0; oc < outC; oc++) {
              store<i32>(acc, load<i32>(acc) + v * <i32>load<i8>(w));
              acc += 4;
              w += filterChannel;
            }
          }
        }
      }
    }
  }
  for (let i: i32 = 0; i < count; i += outC) {
    for (let oc: i32 = 0; oc < outC; oc++) {
      let acc = load<i32>(scratch + ((i + oc) << 2)) + load<i32>(bias + (oc << 2));
      acc = multiplyByQuantizedMultiplier(acc, load<i32>(multipliers + (oc << 2)), load<i32>(shifts + (oc << 2)));
      store<i8>(output + i + oc, <i8>clampI32(acc + outputOffset, actMin, actMax));
    }
  }
}
