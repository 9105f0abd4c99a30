// Estimated Thumb-2 code bytes per kernel, for the Flash figure before any C is built.
// Each is the .o text of runtime/c/<kernel>.c at -Os (ARM_FLAGS), the largest over Cortex-M0+/M4/M7, rounded up
// to 50 B; M0+ builds of the DSP kernels are smaller, so the figure is an upper bound there. Kernels sharing a file
// split its size. The C/QEMU path measures the real ELF with arm-none-eabi-size; validate-qemu checks the two agree.
import { McusimError } from '../runtime/errors.ts';

export const RUNTIME_CODE_BYTES = 2048;

const KERNEL_CODE_BYTES: Record<string, number> = {
  conv2d: 550,
  conv2d_1x1: 2200,
  conv2d_simd: 5700,
  conv2d_narrow: 3550,
  depthwise_conv2d: 1300,
  depthwise_conv2d_3x3: 1850,
  depthwise_conv2d_inplace: 5650,
  inverted_residual: 2150,
  depthwise_conv2d_mult: 0, // served by depthwise_conv2d's C function (kernels.json "function")
  fully_connected: 1700,
  add: 250,
  mul: 250,
  sub: 250,
  logistic: 600,
  tanh: 600,
  hard_swish: 500,
  leaky_relu: 250,
  maximum: 100,
  minimum: 100,
  average_pool2d: 1000,
  max_pool2d: 350,
  mean: 1100,
  copy: 50,
  copy_2d: 50,
  pad: 300,
  transpose: 250,
  strided_slice: 300,
  resize_nearest_neighbor: 350,
  transpose_conv: 600,
  concatenation: 350,
  softmax: 750,
  quantize: 250,
  quantize_int8: 200,
  dequantize: 50,
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
