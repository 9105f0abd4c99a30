// Runs a one-operator graph through the real pipeline (op table -> schedule -> WASM machine), checked mode on.
import type { ConstData, Graph } from '../../models/ir.ts';
import { runSchedule } from '../../runtime/executor.ts';
import { kernelsModule } from '../../runtime/kernels-node.ts';
import { Machine } from '../../runtime/machine.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { findDevice } from '../../simulator/devices.ts';

let machine: Machine | undefined;

/** A roomy simulated device, shared by all single-op tests. */
export async function testMachine(): Promise<Machine> {
  machine ??= await Machine.create({ ...findDevice('stm32h743'), name: 'test', sramBytes: 1 << 20, flashBytes: 2 << 20 }, kernelsModule());
  return machine;
}

export async function runGraph(g: Graph, inputs: ArrayBufferView[], checked = true): Promise<ConstData[]> {
  return runSchedule(buildSchedule(g), await testMachine(), inputs, { checked });
}

/** First index where two byte arrays differ, for readable failures. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string {
  if (a.length !== b.length) return `lengths differ: ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `first difference at ${i}: got ${a[i]}, expected ${b[i]}`;
  return 'equal';
}
