// Shared by the emitted-C tests: which tools are installed (tests skip with a printed reason when they are not),
// seeded input records, and roomy device profiles for models that do not fit a real part.
import type { Graph } from '../../models/ir.ts';
import { randomInputs } from '../../runtime/inputs.ts';
import { findDevice, type Device } from '../../simulator/devices.ts';
import { requireTools, type Target } from '../../simulator/qemu/toolchain.ts';

/** Undefined when the targets' tools are installed, else the reason the tests skip. */
export async function missingTools(targets: Target[]): Promise<string | undefined> {
  try {
    await requireTools(targets);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export function records(g: Graph, count: number, seed = 1) {
  return Array.from({ length: count }, (_, k) => ({ source: `random (seed ${seed + k})`, inputs: randomInputs(g, seed + k) }));
}

/** A host-only profile big enough for the largest zoo models (they fit no real MCU layer by layer). */
export const BIG_HOST_DEVICE: Device = { ...findDevice('stm32h743'), name: 'host-big', sramBytes: 4 << 20, flashBytes: 8 << 20 };

export function deviceFor(arenaBytes: number, flashBytes: number): Device {
  const d = findDevice('stm32f412');
  return arenaBytes + d.runtimeReserveBytes <= d.sramBytes && flashBytes + 64 * 1024 <= d.flashBytes ? d : BIG_HOST_DEVICE;
}
