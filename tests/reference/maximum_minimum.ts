// Reference MAXIMUM / MINIMUM (TFLite Micro maximum_minimum.cc, MaximumMinimumBroadcastSlow): the larger or smaller
// raw int8 value, with numpy broadcasting.
import { broadcastBinary } from './broadcast.ts';

export function referenceMaximum(a: Int8Array, aShape: number[], b: Int8Array, bShape: number[]) {
  return broadcastBinary(a, aShape, b, bShape, (x, y) => (x > y ? x : y));
}

export function referenceMinimum(a: Int8Array, aShape: number[], b: Int8Array, bShape: number[]) {
  return broadcastBinary(a, aShape, b, bShape, (x, y) => (x < y ? x : y));
}
