// Options shared by the subcommands: model, device (name, JSON file, or flag overrides), output format.
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DeviceError, UsageError } from '../runtime/errors.ts';
import { customizeDevice, DEFAULT_DEVICE, findDevice, validateDevice, type Device } from '../simulator/devices.ts';

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

/** A profile name, or a path to a JSON profile with the same fields. */
export function resolveDevice(nameOrPath: string): Device {
  if (!nameOrPath.endsWith('.json')) return findDevice(nameOrPath);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(nameOrPath, 'utf8'));
  } catch (e) {
    throw new DeviceError(`cannot read device profile ${nameOrPath}: ${(e as Error).message}`);
  }
  return validateDevice(raw, nameOrPath);
}
