// Per-channel requantisation constants for the ops that accumulate weight x input products.
import type { Tensor } from '../../models/ir.ts';
import { quantizeMultiplier } from '../quant.ts';
import { fail } from './check.ts';

/** Q31 multipliers and shifts for input_scale * weight_scale[c] / output_scale, one per output channel. */
export function channelRequant(inputScale: number, weights: Tensor, outputScale: number, channels: number, where: string): { multipliers: Int32Array; shifts: Int32Array } {
  const scales = weights.quant!.scale;
  if (scales.length !== 1 && scales.length !== channels) fail(where, `weights '${weights.name}' have ${scales.length} scales for ${channels} output channels`);
  if (weights.quant!.zeroPoint.some((z) => z !== 0)) fail(where, `weights '${weights.name}' must be symmetric (zero point 0)`);
  const multipliers = new Int32Array(channels);
  const shifts = new Int32Array(channels);
  let lastScale = NaN;
  let q = { multiplier: 0, shift: 0 };
  for (let c = 0; c < channels; c++) {
    const ws = scales.length === 1 ? scales[0] : scales[c];
    if (!(ws > 0)) fail(where, `weights '${weights.name}' channel ${c} has scale ${ws}; scales must be positive`);
    // Equal neighbouring scales (per-tensor weights, shapes-only graphs) give equal constants: compute once.
    if (ws !== lastScale) q = quantizeMultiplier((inputScale * ws) / outputScale);
    lastScale = ws;
    multipliers[c] = q.multiplier;
    shifts[c] = q.shift;
  }
  return { multipliers, shifts };
}

/** The bias constant, or zeros when the operator has none, checked for type and length. */
export function biasOrZeros(bias: Tensor | undefined, channels: number, where: string): Int32Array {
  if (!bias) return new Int32Array(channels);
  if (bias.dtype !== 'int32' || !(bias.data instanceof Int32Array)) fail(where, `bias '${bias.name}' must be a constant int32 tensor`);
  if (bias.data.length !== channels) fail(where, `bias '${bias.name}' has ${bias.data.length} values for ${channels} output channels`);
  return bias.data;
}
