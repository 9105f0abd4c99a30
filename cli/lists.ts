// mcusim devices / mcusim models.
import { zooFamilies } from '../models/zoo/index.ts';
import { DEVICES, DEFAULT_DEVICE } from '../simulator/devices.ts';
import { kib, table } from './format.ts';
import { parse } from './options.ts';

export function devicesCommand(argv: string[]): number {
  const { values } = parse('devices', argv, { json: { type: 'boolean', default: false } });
  if (values.json) console.log(JSON.stringify(DEVICES, null, 2));
  else console.log(table(['device', 'core', 'MHz', 'SRAM', 'Flash', 'reserve', 'description'],
    DEVICES.map((d) => [d.name + (d.name === DEFAULT_DEVICE ? ' (default)' : ''), d.core, d.clockHz / 1e6, kib(d.sramBytes), kib(d.flashBytes), kib(d.runtimeReserveBytes), d.description])));
  return 0;
}

export function modelsCommand(argv: string[]): number {
  const { values } = parse('models', argv, { json: { type: 'boolean', default: false } });
  const families = zooFamilies();
  if (values.json) console.log(JSON.stringify(families, null, 2));
  else console.log(table(['model', 'description', 'examples'], families.map((f) => [f.pattern, f.description, f.examples.join(', ')])));
  return 0;
}
