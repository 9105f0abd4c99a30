// mcusim devices / mcusim models.
import { writeFileSync } from 'node:fs';
import { inspectGraph } from '../models/tflite/inspect.ts';
import { writeTflite } from '../models/tflite/writer.ts';
import { zooFamilies } from '../models/zoo/index.ts';
import { loadModel, DEFAULT_MODEL } from '../models/load.ts';
import { McusimError, UsageError } from '../runtime/errors.ts';
import { DEVICES, DEFAULT_DEVICE } from '../simulator/devices.ts';
import { kib, table } from './format.ts';
import { onePositional, parse } from './options.ts';

export function devicesCommand(argv: string[]): number {
  const { values } = parse('devices', argv, { json: { type: 'boolean', default: false } });
  if (values.json) console.log(JSON.stringify(DEVICES, null, 2));
  else console.log(table(['device', 'core', 'MHz', 'SRAM', 'Flash', 'reserve', 'description'],
    DEVICES.map((d) => [d.name + (d.name === DEFAULT_DEVICE ? ' (default)' : ''), d.core, d.clockHz / 1e6, kib(d.sramBytes), kib(d.flashBytes), kib(d.runtimeReserveBytes), d.description])));
  return 0;
}

export function modelsCommand(argv: string[]): number {
  const { values } = parse('models', argv, { json: { type: 'boolean', default: false }, export: { type: 'string' }, out: { type: 'string' } });
  if (values.export !== undefined || values.out !== undefined) {
    if (!values.export || !values.out) throw new UsageError('mcusim models: --export NAME needs --out FILE.tflite (and the other way round)');
    const bytes = writeTflite(loadModel(values.export)); // a zoo name, or an architecture spec .json
    try {
      writeFileSync(values.out, bytes);
    } catch (e) {
      throw new McusimError(`cannot write ${values.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    console.log(`wrote ${values.export} to ${values.out} (${bytes.length} bytes)`);
    return 0;
  }
  const families = zooFamilies();
  if (values.json) console.log(JSON.stringify(families, null, 2));
  else console.log(table(['model', 'description', 'examples'], families.map((f) => [f.pattern, f.description, f.examples.join(', ')])));
  return 0;
}

export function inspectCommand(argv: string[]): number {
  const { positionals } = parse('inspect', argv, {});
  console.log(inspectGraph(loadModel(onePositional('inspect', positionals, DEFAULT_MODEL))));
  return 0;
}
