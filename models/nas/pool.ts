// Evaluators: in this thread (one worker), or a pool of worker threads running TypeScript through tsx. Results
// come back in task order whatever the timing, and an evaluation depends only on its task, so the search is
// the same for every worker count.
import { Worker } from 'node:worker_threads';
import { McusimError } from '../../runtime/errors.ts';
import type { Device } from '../../simulator/devices.ts';
import { evaluateTask, type Budget, type Evaluation, type LatencyEstimator, type Task } from './evaluate.ts';

export interface Evaluator {
  readonly workers: number;
  /** Evaluates tasks; onProgress gets the number finished so far. */
  run(tasks: Task[], onProgress?: (done: number) => void): Promise<Evaluation[]>;
  close(): Promise<void>;
}

export interface EvaluatorOptions {
  budget: Budget;
  device: Device;
  workers: number;
  /** A latency estimator: the in-thread evaluator calls it; worker threads load the cycle model themselves. */
  latency?: LatencyEstimator;
}

export function createEvaluator(o: EvaluatorOptions): Evaluator {
  return o.workers <= 1 ? inlineEvaluator(o) : new WorkerPool(o);
}

function inlineEvaluator(o: EvaluatorOptions): Evaluator {
  return {
    workers: 1,
    async run(tasks, onProgress) {
      const out: Evaluation[] = [];
      for (const t of tasks) {
        out.push(evaluateTask(t, o.budget, o.device, o.latency));
        if (out.length % 16 === 0 || out.length === tasks.length) {
          onProgress?.(out.length);
          await new Promise((r) => setImmediate(r)); // let the progress bar and signals through
        }
      }
      return out;
    },
    async close() {},
  };
}

const WORKER_URL = new URL('./worker.ts', import.meta.url).href;

/** Worker threads run TypeScript: each boots tsx's loader from this package, then imports worker.ts. */
function spawn(workerData: unknown): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL)}); });`;
  return new Worker(boot, { eval: true, execArgv: [], workerData });
}

class WorkerPool implements Evaluator {
  readonly workers: number;
  private readonly pool: Worker[];
  private nextId = 0;
  private failure: Error | null = null;

  constructor(o: EvaluatorOptions) {
    this.workers = o.workers;
    const data = { budget: o.budget, device: o.device, latency: o.latency !== undefined };
    this.pool = Array.from({ length: o.workers }, () => spawn(data));
    for (const w of this.pool) w.on('error', (e) => { this.failure ??= e; });
  }

  run(tasks: Task[], onProgress?: (done: number) => void): Promise<Evaluation[]> {
    const results = new Array<Evaluation>(tasks.length);
    // Small chunks keep every worker busy until the end; large ones cost fewer messages.
    const size = Math.max(1, Math.min(32, Math.ceil(tasks.length / (this.workers * 4))));
    const chunks: { start: number; tasks: Task[] }[] = [];
    for (let i = 0; i < tasks.length; i += size) chunks.push({ start: i, tasks: tasks.slice(i, i + size) });
    let done = 0;
    let next = 0;
    return new Promise((resolve, reject) => {
      if (!tasks.length) return resolve(results);
      let active = 0;
      let failed = false;
      const feed = (w: Worker) => {
        if (failed) return;
        if (next >= chunks.length) {
          if (active === 0) resolve(results);
          return;
        }
        const chunk = chunks[next++];
        const id = this.nextId++;
        active++;
        const onMessage = (msg: { id: number; results?: Evaluation[]; error?: { name: string; message: string } }) => {
          if (msg.id !== id) return;
          w.off('message', onMessage);
          w.off('error', onError);
          active--;
          if (msg.error) {
            failed = true;
            return reject(msg.error.name === 'Error' ? new Error(msg.error.message) : new McusimError(msg.error.message));
          }
          msg.results!.forEach((r, k) => { results[chunk.start + k] = r; });
          done += chunk.tasks.length;
          onProgress?.(done);
          feed(w);
        };
        const onError = (e: Error) => { failed = true; reject(e); };
        w.on('message', onMessage);
        w.on('error', onError);
        w.postMessage({ id, tasks: chunk.tasks });
      };
      if (this.failure) return reject(this.failure);
      for (const w of this.pool) feed(w);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.pool.map((w) => w.terminate()));
  }
}
