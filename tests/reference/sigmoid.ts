// Reference int8 LOGISTIC and TANH (TFLite Micro logistic_common.cc / tanh.cc Prepare and
// reference_integer_ops::Logistic / Tanh), written plainly for tests.
import { logisticRaw, tanhRaw } from './gemmlowp.ts';
import { clamp, mbqm, rdbpot } from './tflite-math.ts';

/** std::frexp for a positive finite double. */
function frexp(x: number): [number, number] {
  let e = 0;
  let m = x;
  while (m >= 1) { m /= 2; e++; }
  while (m < 0.5) { m *= 2; e--; }
  return [m, e];
}

/** Input multiplier, left shift and radius for kInputIntegerBits = 4; null where mcusim refuses the scale. */
export function sigmoidParams(inScale: number): { multiplier: number; shift: number; radius: number } | null {
  const [q, shift] = frexp(inScale * 2 ** 27);
  if (shift < 0 || shift > 62) return null;
  const multiplier = Math.round(q * 2 ** 31); // q > 0: std::round
  const radius = Math.floor((15 * 2 ** 27) / 2 ** shift);
  return { multiplier, shift, radius };
}

function run(input: Int8Array, inScale: number, inZp: number, f: (q4: number) => number): Int8Array {
  const p = sigmoidParams(inScale);
  if (!p) throw new Error(`scale ${inScale} not supported`);
  return input.map((v) => {
    const x = v - inZp;
    if (x <= -p.radius) return -128;
    if (x >= p.radius) return 127;
    return f(mbqm(x, p.multiplier, p.shift));
  });
}

export function referenceLogistic(input: Int8Array, inScale: number, inZp: number): Int8Array {
  return run(input, inScale, inZp, (q4) => clamp(rdbpot(logisticRaw(q4, 4), 23) - 128, -128, 127));
}

export function referenceTanh(input: Int8Array, inScale: number, inZp: number): Int8Array {
  return run(input, inScale, inZp, (q4) => clamp(rdbpot(tanhRaw(q4, 4), 24), -128, 127));
}
