// Device profiles: data (JSON under devices/), looked up by name, or built from a file or flags.
import { DeviceError, UsageError } from '../runtime/errors.ts';
import stm32f412 from './devices/stm32f412.json' with { type: 'json' };
import stm32f746 from './devices/stm32f746.json' with { type: 'json' };
import stm32h743 from './devices/stm32h743.json' with { type: 'json' };
import nrf52840 from './devices/nrf52840.json' with { type: 'json' };
import rp2040 from './devices/rp2040.json' with { type: 'json' };
import stm32l4r5 from './devices/stm32l4r5.json' with { type: 'json' };

export const CORES = ['cortex-m0plus', 'cortex-m3', 'cortex-m4', 'cortex-m7', 'cortex-m33'] as const;
export type Core = (typeof CORES)[number];

export interface Device {
  name: string;
  description: string;
  core: Core;
  clockHz: number;
  sramBytes: number;
  flashBytes: number;
  /** SRAM kept for the stack and runtime state; the arena budget is sramBytes minus this. */
  runtimeReserveBytes: number;
}

export const DEFAULT_DEVICE = 'stm32f412';
const DEFAULT_RESERVE = 4096;

export const DEVICES: readonly Device[] = [stm32f412, stm32f746, stm32h743, nrf52840, rp2040, stm32l4r5]
  .map((d) => validateDevice(d, `built-in profile ${d.name}`));

export function findDevice(name: string): Device {
  const d = DEVICES.find((x) => x.name === name);
  if (!d) throw new DeviceError(`unknown device '${name}'; known devices: ${DEVICES.map((x) => x.name).join(', ')} (or give a JSON profile path)`);
  return d;
}

export interface DeviceOverrides { sram?: string; flash?: string; core?: string; clock?: string; reserve?: string }

/** A device with some fields replaced from command-line flags; the name says it is custom. */
export function customizeDevice(base: Device, o: DeviceOverrides): Device {
  if (!o.sram && !o.flash && !o.core && !o.clock && !o.reserve) return base;
  return validateDevice({
    ...base,
    name: `custom(${base.name})`,
    description: `${base.name} with ${Object.entries(o).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join(', ')}`,
    sramBytes: o.sram ? parseSize(o.sram, '--sram') : base.sramBytes,
    flashBytes: o.flash ? parseSize(o.flash, '--flash') : base.flashBytes,
    runtimeReserveBytes: o.reserve ? parseSize(o.reserve, '--reserve') : base.runtimeReserveBytes,
    core: o.core ?? base.core,
    clockHz: o.clock ? parseFrequency(o.clock, '--clock') : base.clockHz,
  }, 'command-line device');
}

/** A device profile from parsed JSON (a file or the web page), checked field by field. */
export function validateDevice(raw: unknown, where: string): Device {
  if (typeof raw !== 'object' || raw === null) throw new DeviceError(`${where}: a device profile must be a JSON object`);
  const r = raw as Record<string, unknown>;
  const need = (field: string, ok: boolean, what: string) => {
    if (!ok) throw new DeviceError(`${where}: field '${field}' must be ${what} (got ${JSON.stringify(r[field])})`);
  };
  need('name', typeof r.name === 'string' && r.name.length > 0, 'a non-empty string');
  need('core', CORES.includes(r.core as Core), `one of ${CORES.join(', ')}`);
  for (const f of ['clockHz', 'sramBytes', 'flashBytes']) need(f, Number.isInteger(r[f]) && (r[f] as number) > 0, 'a positive integer');
  const reserve = r.runtimeReserveBytes ?? DEFAULT_RESERVE;
  need('runtimeReserveBytes', Number.isInteger(reserve) && (reserve as number) >= 0 && (reserve as number) < (r.sramBytes as number), 'a non-negative integer below sramBytes');
  // WebAssembly memory caps what we can simulate; real MCUs sit far below it.
  need('sramBytes', (r.sramBytes as number) <= 256 * 2 ** 20, 'at most 256 MiB');
  need('flashBytes', (r.flashBytes as number) <= 256 * 2 ** 20, 'at most 256 MiB');
  return {
    name: r.name as string,
    description: typeof r.description === 'string' ? r.description : '',
    core: r.core as Core,
    clockHz: r.clockHz as number,
    sramBytes: r.sramBytes as number,
    flashBytes: r.flashBytes as number,
    runtimeReserveBytes: reserve as number,
  };
}

/** "256K", "1M", "1.5M", "4096" -> bytes (binary units). */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]i?B?|B)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`${flag}: cannot read size '${text}' (examples: 320K, 1M, 65536)`);
  const unit = (m[2] ?? '').toUpperCase()[0];
  const mult = unit === 'K' ? 1024 : unit === 'M' ? 2 ** 20 : unit === 'G' ? 2 ** 30 : 1;
  const v = Math.round(Number(m[1]) * mult);
  if (v <= 0) throw new UsageError(`${flag}: size must be positive (got '${text}')`);
  return v;
}

/** "216M", "64MHz", "1e8" -> Hz (decimal units). */
export function parseFrequency(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)\s*([KMG])?(?:Hz)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`${flag}: cannot read frequency '${text}' (examples: 216M, 64MHz, 100000000)`);
  const unit = (m[2] ?? '').toUpperCase();
  const v = Math.round(Number(m[1]) * (unit === 'K' ? 1e3 : unit === 'M' ? 1e6 : unit === 'G' ? 1e9 : 1));
  if (v <= 0) throw new UsageError(`${flag}: frequency must be positive (got '${text}')`);
  return v;
}
