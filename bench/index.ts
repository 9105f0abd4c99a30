// npm run bench: per zoo model, planner figures, fit time and WASM inference speed, measured with benchmark.js.
import { table } from '../cli/format.ts';
import type { Graph } from '../models/ir.ts';
import { buildZooModel, zooNames } from '../models/zoo/index.ts';
import { runSchedule } from '../runtime/executor.ts';
import { fitReport } from '../runtime/fit.ts';
import { randomInputs } from '../runtime/inputs.ts';
import { kernelsModule } from '../runtime/kernels-node.ts';
import { Machine } from '../runtime/machine.ts';
import { buildSchedule } from '../runtime/schedule.ts';
import { DEVICES, findDevice, type Device } from '../simulator/devices.ts';
import { measure } from './measure.ts';
import { tfliteLoadTable } from './tflite.ts';
import { benchKernels } from './kernels.ts';

/** The first built-in device (smallest SRAM first) the model fits, else a roomy custom one for speed runs. */
function runDevice(g: Graph): Device {
  const s = buildSchedule(g);
  const bySram = [...DEVICES].sort((a, b) => a.sramBytes - b.sramBytes);
  return bySram.find((d) => fitReport(s, d).fits) ?? { ...findDevice('stm32h743'), name: 'custom 16M/16M', sramBytes: 16 << 20, flashBytes: 16 << 20 };
}

async function zooTable(names: string[]) {
  const rows: (string | number)[][] = [];
  for (const name of names) {
    const g = buildZooModel(name);
    const s = buildSchedule(g);
    const fitMs = measure(() => buildSchedule(g), 0.5) * 1000;
    const device = name === 'mbv2-w0.35-r144' ? findDevice('stm32h743') : runDevice(g);
    const machine = await Machine.create(device, kernelsModule());
    const inputs = randomInputs(g, 1);
    const runMs = measure(() => runSchedule(s, machine, inputs), 1) * 1000;
    rows.push([name, device.name, (s.macs / 1e6).toFixed(1), (s.lowerBound / 1024).toFixed(1), (s.arenaBytes / 1024).toFixed(1),
      (s.greedyArenaBytes / 1024).toFixed(1), fitMs.toFixed(2), runMs.toFixed(2), (s.macs / (runMs / 1000) / 1e9).toFixed(2)]);
    console.error(`  measured ${name}`);
  }
  return table(['model', 'run on', 'MMACs', 'lower bound KiB', 'planned peak KiB', 'greedy KiB', 'fit ms', 'inference ms', 'GMAC/s'], rows);
}

const only = process.argv.slice(2);
console.log('mcusim benchmarks (single thread, Node ' + process.version + ')\n');
console.log(await zooTable(only.length ? only : zooNames()));
if (!only.length) {
  console.log('\nKernels (single-operator graphs)\n' + table(['case', 'kernel', 'MACs', 'ms', 'GMAC/s'], (await benchKernels()).map((r) => [r.name, r.kernel, r.macs, r.ms.toFixed(3), r.gmacs.toFixed(2)])));
  console.log('\nTFLite load time\n' + tfliteLoadTable());
}
if (!only.length) console.log('\n' + (await (await import('./nas.ts')).nasBenchTable()));
if (!only.length) { const m = await import('./memory.ts'); console.log('\nMemory schedules vs published figures\n' + m.formatMemoryRows(m.memoryRows())); }
