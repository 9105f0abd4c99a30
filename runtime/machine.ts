// The simulated MCU: one WebAssembly memory of fixed size holding the SRAM arena, then the Flash image.
// The kernels module imports that memory and has no data of its own (a test checks it), so nothing else
// lives in it. The memory's maximum equals its initial size: it cannot grow.
import type { Device } from '../simulator/devices.ts';
import { McusimError } from './errors.ts';

const PAGE = 65536;

export type KernelFn = (...args: number[]) => void;

export class Machine {
  readonly memory: WebAssembly.Memory;
  readonly kernels: ReadonlyMap<string, KernelFn>;
  /** The Flash image currently loaded, so that repeated runs of one schedule do not copy it again. */
  loadedFlash: Uint8Array | null = null;

  private constructor(readonly device: Device, memory: WebAssembly.Memory, instance: WebAssembly.Instance) {
    this.memory = memory;
    const kernels = new Map<string, KernelFn>();
    for (const [name, value] of Object.entries(instance.exports)) if (typeof value === 'function') kernels.set(name, value as KernelFn);
    this.kernels = kernels;
  }

  static async create(device: Device, module: WebAssembly.Module): Promise<Machine> {
    const pages = Math.ceil((device.sramBytes + device.flashBytes) / PAGE);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    return new Machine(device, memory, instance);
  }

  /** Flash starts right after SRAM, as in the device's address map. */
  get flashBase(): number {
    return this.device.sramBytes;
  }

  get bytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  kernel(name: string): KernelFn {
    const k = this.kernels.get(name);
    if (!k) throw new McusimError(`kernel '${name}' is not in the WebAssembly module; rebuild it with 'npm run build:asm'`);
    return k;
  }
}
