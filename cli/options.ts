// Options shared by the subcommands: model, device (name, JSON file, or flag overrides), output format.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../runtime/errors.ts';
import { customizeDevice, DEFAULT_DEVICE, resolveDevice, type Device } from '../simulator/devices.ts';

export const DEVICE_OPTIONS = {
  device: { type: 'string', default: DEFAULT_DEVICE },
  sram: { type: 'string' },
  flash: { type: 'string' },
  core: { type: 'string' },
  clock: { type: 'string' },
  reserve: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const satisfies ParseArgsConfig['options'];

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`mcusim ${command}: ${(e as Error).message}`);
  }
}

export function deviceFrom(v: { device?: string; sram?: string; flash?: string; core?: string; clock?: string; reserve?: string }): Device {
  return customizeDevice(resolveDevice(v.device ?? DEFAULT_DEVICE), v);
}

export function onePositional(command: string, positionals: string[], fallback: string): string {
  if (positionals.length > 1) throw new UsageError(`mcusim ${command}: expected one MODEL, got ${positionals.join(' ')}`);
  return positionals[0] ?? fallback;
}
