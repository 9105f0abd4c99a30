// A search worker thread: evaluates batches of candidates for the pool in pool.ts.
import { parentPort, workerData } from 'node:worker_threads';
import type { Device } from '../../simulator/devices.ts';
import { evaluateTask, type Budget, type Task } from './evaluate.ts';
import { cycleModelLatency } from './latency.ts';

const { budget, device, latency } = workerData as { budget: Budget; device: Device; latency: boolean };
const estimator = latency ? cycleModelLatency() : undefined;

parentPort!.on('message', (msg: { id: number; tasks: Task[] }) => {
  try {
    parentPort!.postMessage({ id: msg.id, results: msg.tasks.map((t) => evaluateTask(t, budget, device, estimator)) });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: { name: (e as Error).name, message: (e as Error).message } });
  }
});
