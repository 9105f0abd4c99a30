// Model inputs from files or a seed: raw int8 or float32 bytes of exactly the input tensor's size.
import { elementCount, type Graph, type Tensor } from '../models/ir.ts';
import { SeededRng } from '../models/rng.ts';
import { InputError } from './errors.ts';
import { roundHalfAwayFromZero } from './quant.ts';

/** Raw bytes for one input tensor: int8 bytes as they are, float32 values quantised as TFLite's QUANTIZE does. */
export function inputFromBytes(t: Tensor, bytes: Uint8Array, source: string): Int8Array | Float32Array {
  const n = elementCount(t.shape);
  const copy = new Uint8Array(bytes); // a fresh buffer of exactly this size (a Node Buffer may share a pooled one)
  if (t.dtype === 'float32') {
    if (bytes.length !== n * 4) throw new InputError(`${source}: input '${t.name}' needs ${n * 4} bytes (float32 [${t.shape}]), got ${bytes.length}`);
    return new Float32Array(copy.buffer);
  }
  if (t.dtype !== 'int8') throw new InputError(`input '${t.name}' has type ${t.dtype}; only int8 and float32 inputs are supported`);
  if (bytes.length === n) return new Int8Array(copy.buffer);
  if (bytes.length === n * 4) return quantizeInt8(t, new Float32Array(copy.buffer));
  throw new InputError(`${source}: input '${t.name}' needs ${n} bytes (int8 [${t.shape}]) or ${n * 4} bytes (float32 to quantise), got ${bytes.length}`);
}

function quantizeInt8(t: Tensor, values: Float32Array): Int8Array {
  const scale = t.quant!.scale[0];
  const zp = t.quant!.zeroPoint[0];
  return Int8Array.from(values, (v) => Math.min(127, Math.max(-128, zp + roundHalfAwayFromZero(Math.fround(v / scale)))));
}

/** A reproducible random input for every model input: uniform int8, or floats in [-1, 1). */
export function randomInputs(g: Graph, seed: number): (Int8Array | Float32Array)[] {
  const rng = new SeededRng(seed);
  return g.inputs.map((i) => {
    const t = g.tensors[i];
    const n = elementCount(t.shape);
    return t.dtype === 'float32' ? Float32Array.from({ length: n }, () => rng.uniform(-1, 1)) : Int8Array.from({ length: n }, () => Math.floor(rng.uniform(-128, 128)));
  });
}
