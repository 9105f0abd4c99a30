// mcusim emit-c MODEL --out DIR: the model's schedule as a self-contained C99 folder for a firmware project.
import { loadModel, DEFAULT_MODEL } from '../models/load.ts';
import { emitC, writeEmitted } from '../runtime/emit-c.ts';
import { UsageError } from '../runtime/errors.ts';
import { assertFits } from '../runtime/fit.ts';
import { buildSchedule, type Schedule, type ScheduleChoice } from '../runtime/schedule.ts';
import { DEVICE_OPTIONS, deviceFrom, onePositional, parse } from './options.ts';

export const SCHEDULE_CLI_OPTIONS = {
  schedule: { type: 'string', default: 'auto' },
  'max-overhead': { type: 'string' },
} as const;

/** The schedule the C is emitted from; fallbacks and auto choices are reported on stderr. */
export function scheduleFromFlags(command: string, graph: Parameters<typeof buildSchedule>[0], v: { schedule?: string; 'max-overhead'?: string }): Schedule {
  const maxOverhead = v['max-overhead'] === undefined ? undefined : Number(v['max-overhead']);
  if (maxOverhead !== undefined && Number.isNaN(maxOverhead)) throw new UsageError(`mcusim ${command}: --max-overhead must be a number (got '${v['max-overhead']}')`);
  return buildSchedule(graph, {
    schedule: (v.schedule ?? 'auto') as ScheduleChoice,
    ...(maxOverhead !== undefined ? { maxOverhead } : {}),
    onFallback: (reason) => console.error(`mcusim ${command}: --schedule patch falls back to layer by layer: ${reason}`),
  });
}

export function emitCCommand(argv: string[]): number {
  const { values, positionals } = parse('emit-c', argv, {
    ...DEVICE_OPTIONS,
    ...SCHEDULE_CLI_OPTIONS,
    out: { type: 'string' },
    force: { type: 'boolean', default: false },
    kernels: { type: 'string' },
  });
  if (!values.out) throw new UsageError('mcusim emit-c: --out DIR is required (the folder to write the C sources into)');
  const device = deviceFrom(values);
  const graph = loadModel(onePositional('emit-c', positionals, DEFAULT_MODEL));
  const schedule = scheduleFromFlags('emit-c', graph, values);
  assertFits(schedule, device);
  const kind = schedule.kind;
  const emitted = emitC(schedule, { device, kernelDir: values.kernels });
  writeEmitted(values.out, emitted, { model: graph.name, device: device.name, schedule: kind }, values.force);
  const summary = {
    model: graph.name, device: device.name, schedule: kind, out: values.out, files: [...emitted.files.keys()], kernels: emitted.kernels,
    arenaBytes: schedule.arenaBytes, flashImageBytes: schedule.flashImage.length, steps: schedule.steps.length,
  };
  if (values.json) console.log(JSON.stringify(summary, null, 2));
  else {
    console.log(`wrote ${summary.files.length} files for ${graph.name} (${kind} schedule, ${device.name}) to ${values.out}: ${summary.files.join(', ')}`);
    console.log(`arena ${summary.arenaBytes} B (static, 16-byte aligned), Flash image ${summary.flashImageBytes} B (const), ${summary.steps} steps, kernels: ${emitted.kernels.join(', ')}`);
    console.log(`build: make -C ${values.out} host | cortex-m4 | cortex-m7 (static library), or add_subdirectory() it with CMake; API in model.h`);
  }
  return 0;
}
