// NAS candidate throughput: random subnets of MobileNet-sized spaces evaluated as `mcusim nas` stage 1 does
// (shapes-only graph, real lowering and planner with its deterministic orders, patch schedule when layer by layer
// does not fit), in this thread and with a worker pool on every core. Target: >= 200 candidates/s per core.
// Run alone: npx tsx bench/nas.ts
import { availableParallelism, loadavg } from 'node:os';
import { table } from '../cli/format.ts';
import { deviceBudget, evaluateTask, type Task } from '../models/nas/evaluate.ts';
import { createEvaluator } from '../models/nas/pool.ts';
import { genomeToSpec, MCUNET_SPACE, sampleGenome, SearchRng } from '../models/nas/space.ts';
import { findDevice } from '../simulator/devices.ts';

const CASES: { device: string; width: number; resolution: number }[] = [
  { device: 'stm32f412', width: 0.5, resolution: 160 },
  { device: 'stm32f746', width: 0.6, resolution: 176 },
  { device: 'stm32h743', width: 0.8, resolution: 208 },
];

function tasks(width: number, resolution: number, n: number, seed: number): Task[] {
  const rng = new SearchRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const g = sampleGenome(MCUNET_SPACE, width, resolution, rng);
    return { spec: genomeToSpec(MCUNET_SPACE, g, `bench${i}`), patch: g.patch, refine: false };
  });
}

export async function nasBenchTable(samples = 300): Promise<string> {
  const cores = availableParallelism();
  const rows: (string | number)[][] = [];
  for (const c of CASES) {
    const device = findDevice(c.device);
    const budget = deviceBudget(device);
    const warm = tasks(c.width, c.resolution, 60, 1);
    for (const t of warm) evaluateTask(t, budget, device);
    const work = tasks(c.width, c.resolution, samples, 2);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const results = work.map((t) => evaluateTask(t, budget, device));
    const wall1 = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpu1 = (cpu.user + cpu.system) / 1e6;
    const pool = createEvaluator({ budget, device, workers: cores });
    await pool.run(tasks(c.width, c.resolution, 30 * cores, 3)); // start and warm the workers
    const many = tasks(c.width, c.resolution, samples * cores, 4);
    const t1 = performance.now();
    await pool.run(many);
    const wallK = (performance.now() - t1) / 1000;
    await pool.close();
    const fits = results.filter((r) => r.fits).length;
    const patched = results.filter((r) => r.schedule?.kind === 'patch').length;
    const meanMacs = results.reduce((n, r) => n + r.macs, 0) / results.length;
    rows.push([
      device.name, `w${c.width} r${c.resolution}`, (meanMacs / 1e6).toFixed(1), `${Math.round((100 * fits) / samples)}%`, `${Math.round((100 * patched) / samples)}%`,
      Math.round(samples / wall1), Math.round(samples / cpu1), Math.round(many.length / wallK), Math.round(many.length / wallK / cores),
    ]);
    console.error(`  measured nas ${device.name} w${c.width} r${c.resolution}`);
  }
  return [
    `NAS candidate evaluation (${samples} random subnets per space; target >= 200 candidates/s per core; ${cores} cores)`,
    table(['device', 'space', 'mean MMACs', 'fit', 'patch-based', '1 worker cand/s', 'per CPU-second', `${cores} workers cand/s`, 'per core'], rows),
    `per CPU-second divides by this process's CPU time (user + system, GC threads included), so it holds up under load from other processes; ` +
      `wall-clock rates do not (1-minute load average during this run: ${loadavg()[0].toFixed(1)} on ${cores} cores).`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await nasBenchTable());
