// mcusim run MODEL: one inference in the simulated MCU's WebAssembly memory.
import { readFileSync } from 'node:fs';
import { elementCount, type ConstData, type Graph } from '../models/ir.ts';
import { DEFAULT_MODEL, loadModel } from '../models/load.ts';
import { InputError, UsageError } from '../runtime/errors.ts';
import { runSchedule } from '../runtime/executor.ts';
import { fitReport, type FitReport } from '../runtime/fit.ts';
import { inputFromBytes, randomInputs } from '../runtime/inputs.ts';
import { kernelsModule } from '../runtime/kernels-node.ts';
import { Machine } from '../runtime/machine.ts';
import { FIT_SCHEDULE_OPTIONS, scheduleFor } from './fit.ts';
import { kib, table } from './format.ts';
import { CYCLE_OPTIONS, cycleSection } from './cycles.ts';
import { DEVICE_OPTIONS, deviceFrom, onePositional, parse } from './options.ts';

export interface RunOutput { name: string; shape: number[]; dtype: string; scale: number; zeroPoint: number; data: number[]; dequantized: number[] }
export interface RunReport extends FitReport { inputs: { name: string; source: string }[]; outputs: RunOutput[]; wallMs: number; checked: boolean }

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('run', argv, {
    ...DEVICE_OPTIONS,
    input: { type: 'string', multiple: true },
    seed: { type: 'string', default: '1' },
    checked: { type: 'boolean', default: false },
    ...FIT_SCHEDULE_OPTIONS,
    ...CYCLE_OPTIONS,
  });
  const device = deviceFrom(values);
  const graph = loadModel(onePositional('run', positionals, DEFAULT_MODEL));
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`mcusim run: --seed must be a non-negative integer (got '${values.seed}')`);
  const { inputs, sources } = modelInputs(graph, values.input ?? [], seed);
  const schedule = scheduleFor('run', graph, values);
  const machine = await Machine.create(device, kernelsModule());
  const start = performance.now();
  const outputs = runSchedule(schedule, machine, inputs, { checked: values.checked });
  const wallMs = performance.now() - start;
  const report: RunReport = {
    ...fitReport(schedule, device),
    inputs: graph.inputs.map((t, i) => ({ name: graph.tensors[t].name, source: sources[i] })),
    outputs: graph.outputs.map((t, i) => describeOutput(graph, t, outputs[i])),
    wallMs,
    checked: values.checked,
  };
  const cycles = cycleSection(schedule, device, values);
  console.log(values.json ? JSON.stringify({ ...report, ...cycles.json }, null, 2) : `${formatRun(report)}\n\n${cycles.text}`);
  return cycles.exitCode;
}

function modelInputs(graph: Graph, files: string[], seed: number) {
  if (files.length > graph.inputs.length) throw new InputError(`model '${graph.name}' has ${graph.inputs.length} input(s) but ${files.length} --input files were given`);
  const random = randomInputs(graph, seed);
  const sources: string[] = [];
  const inputs = graph.inputs.map((t, i) => {
    const file = files[i];
    if (file === undefined) {
      sources.push(`random (seed ${seed})`);
      return random[i];
    }
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      throw new InputError(`cannot read input file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    sources.push(file);
    return inputFromBytes(graph.tensors[t], bytes, file);
  });
  return { inputs, sources };
}

function describeOutput(graph: Graph, t: number, data: ConstData): RunOutput {
  const tensor = graph.tensors[t];
  const scale = tensor.quant?.scale[0] ?? 1;
  const zeroPoint = tensor.quant?.zeroPoint[0] ?? 0;
  const raw = Array.from(data);
  return {
    name: tensor.name, shape: tensor.shape, dtype: tensor.dtype, scale, zeroPoint, data: raw,
    dequantized: tensor.dtype === 'int8' ? raw.map((q) => Math.fround(scale * (q - zeroPoint))) : raw,
  };
}

export function formatRun(r: RunReport): string {
  const lines = [`model ${r.model} on ${r.device}: ${r.macs.toLocaleString('en-US')} MACs, arena ${kib(r.sram.peak)}, wall time ${r.wallMs.toFixed(2)} ms` +
    ` (${((r.macs / (r.wallMs / 1000)) / 1e9).toFixed(2)} GMAC/s in WebAssembly${r.checked ? ', checked mode' : ''})`];
  lines.push(`schedule: ${r.schedule.kind}` + (r.schedule.patches && r.schedule.split ? `, ${r.schedule.patches.join('x')} patches up to '${r.schedule.split.name}' (${(100 * r.schedule.overheadRatio).toFixed(1)}% extra MACs)` : '') + (r.schedule.reason ? ` (${r.schedule.reason})` : ''));
  for (const i of r.inputs) lines.push(`input '${i.name}': ${i.source}`);
  for (const o of r.outputs) {
    lines.push('', `output '${o.name}' ${o.dtype} [${o.shape}] scale ${o.scale} zero point ${o.zeroPoint}`);
    const n = elementCount(o.shape);
    if (n > 1 && n <= 1000 && o.shape.length <= 2) {
      const top = o.data.map((q, i) => ({ i, q, v: o.dequantized[i] })).sort((a, b) => b.q - a.q || a.i - b.i).slice(0, 5);
      lines.push(table(['top-5 class', 'raw', 'dequantised'], top.map((t) => [t.i, t.q, t.v.toFixed(4)])));
    }
    const shown = o.data.slice(0, 64);
    lines.push(`raw: [${shown.join(', ')}${n > shown.length ? `, … (${n} values)` : ''}]`);
    lines.push(`dequantised: [${o.dequantized.slice(0, 16).map((v) => +v.toFixed(4)).join(', ')}${n > 16 ? ', …' : ''}]`);
  }
  return lines.join('\n');
}
