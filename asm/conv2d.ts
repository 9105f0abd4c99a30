// CONV_2D, int8 NHWC input, OHWI per-channel weights, int32 bias (TFLite reference_integer_ops::ConvPerChannel).
import { multiplyByQuantizedMultiplier, clampI32 } from './requantize';

export function conv2d(
  input: i32, inH: i32, inW: i32, inC: i32,
  filter: i32, kH: i32, kW: i32,
  bias: i32, multipliers: i32, shifts: i32,
  output: i32, outH: i32, outW: i32, outC: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputOffset: i32, actMin: i32, actMax: i32,
): void {
  for (let oy = 0; oy < outH; oy++) {
    const inY0 = oy * strideH - padTop;
    for (let ox = 0; ox < outW; ox++) {
      const inX0 = ox * strideW - padLeft;
      const outPixel = output + (oy * outW + ox) * outC;
      for (let oc = 0; oc < outC; oc++) {
        let acc: i32 = 0;
        for (let ky = 0; ky < kH; ky++) {
          const iy = inY0 + ky * dilationH;
          if (<u32>iy >= <u32>inH) continue; // padded taps contribute nothing
          for (let kx = 0; kx < kW; kx++) {
            const ix = inX0 + kx * dilationW;
            if (<u32>ix >= <u32>inW) continue;
            const inPtr = input + (iy * inW + ix) * inC;
            const wPtr = filter + ((oc * kH + ky) * kW + kx) * inC;
            for (let ic = 0; ic < inC; ic++) {
              acc += (<i32>load<i8>(wPtr + ic)) * (<i32>load<i8>(inPtr + ic) + inputOffset);
            }
          }
        }
        acc += load<i32>(bias + (oc << 2));
        acc = multiplyByQuantizedMultiplier(acc, load<i32>(multipliers + (oc << 2)), load<i32>(shifts + (oc << 2)));
        store<i8>(outPixel + oc, <i8>clampI32(acc + outputOffset, actMin, actMax));
      }
    }
  }
}
