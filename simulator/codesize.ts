// Estimated Thumb-2 code bytes per kernel, for the Flash figure before any C is built.
// Rough sizes of plain C int8 kernels at -Os; the C/QEMU path measures the real ones with arm-none-eabi-size.
import { McusimError } from '../runtime/errors.ts';

export const RUNTIME_CODE_BYTES = 2048;

const KERNEL_CODE_BYTES: Record<string, number> = {
  conv2d: 1400,
  conv2d_1x1: 900,
  conv2d_simd: 1600,
  conv2d_narrow: 1300,
  depthwise_conv2d: 1300,
  depthwise_conv2d_3x3: 1100,
  depthwise_conv2d_inplace: 700,
  inverted_residual: 1500,
  depthwise_conv2d_mult: 1000,
  fully_connected: 600,
  add: 500,
  mul: 450,
  sub: 500,
  logistic: 700,
  tanh: 750,
  hard_swish: 450,
  leaky_relu: 250,
  maximum: 150,
  minimum: 150,
  average_pool2d: 500,
  max_pool2d: 400,
  mean: 500,
  copy: 100,
  copy_2d: 120,
  pad: 350,
  transpose: 300,
  strided_slice: 350,
  resize_nearest_neighbor: 300,
  transpose_conv: 900,
  concatenation: 300,
  softmax: 1000,
  quantize: 300,
  quantize_int8: 250,
  dequantize: 200,
};

/** Code bytes for the kernels a schedule calls, each counted once, plus the runtime. */
export function estimateCodeBytes(kernels: Iterable<string>): number {
  let total = RUNTIME_CODE_BYTES;
  for (const k of new Set(kernels)) {
    const bytes = KERNEL_CODE_BYTES[k];
    if (bytes === undefined) throw new McusimError(`no code size estimate for kernel '${k}' (add it to simulator/codesize.ts)`);
    total += bytes;
  }
  return total;
}
