// Turning raw output tensors into what the page shows: dequantised values, top classes, person / no person.
import type { ConstData, Tensor } from '../models/ir.ts';
import type { OutputValues, TensorInfo } from './protocol.ts';

/** Raw values and their dequantised form, as `mcusim run --json` reports them. */
export function describeOutput(t: Tensor, data: ConstData): OutputValues {
  const scale = t.quant?.scale[0] ?? 1;
  const zeroPoint = t.quant?.zeroPoint[0] ?? 0;
  const raw = Array.from(data);
  return {
    name: t.name, shape: t.shape, dtype: t.dtype, scale, zeroPoint, data: raw,
    dequantized: t.dtype === 'int8' ? raw.map((q) => Math.fround(scale * (q - zeroPoint))) : raw,
  };
}

export interface ClassScore { index: number; label: string; raw: number; score: number }

/** Classifier-like output: one row of at most 1000 scores. */
export function isClassifierOutput(o: { shape: number[] }): boolean {
  const n = o.shape.reduce((a, b) => a * b, 1);
  return n >= 2 && n <= 1000 && o.shape.filter((d) => d > 1).length === 1;
}

/** An image model with two output classes is read as person detection: [no person, person] (VWW, person_detect). */
export function isPersonDetector(inputs: readonly TensorInfo[], output: { shape: number[] }): boolean {
  const n = output.shape.reduce((a, b) => a * b, 1);
  return n === 2 && inputs.length === 1 && isImageInput(inputs[0]);
}

/** Rank-4 NHWC input with 1 or 3 channels and at least 16x16 pixels: fed from pictures. */
export function isImageInput(t: { shape: number[]; dtype: string }): boolean {
  const s = t.shape;
  return s.length === 4 && s[0] === 1 && (s[3] === 1 || s[3] === 3) && s[1] >= 16 && s[2] >= 16 && (t.dtype === 'int8' || t.dtype === 'float32');
}

export function topClasses(o: OutputValues, k: number, labels?: readonly string[]): ClassScore[] {
  return o.data
    .map((raw, index) => ({ index, label: labels?.[index] ?? `class ${index}`, raw, score: o.dequantized[index] }))
    .sort((a, b) => b.raw - a.raw || a.index - b.index)
    .slice(0, k);
}

export const PERSON_LABELS = ['no person', 'person'] as const;
