// Random one-operator graphs for the C twin tests (tests/c/): each case is lowered through the real op table and
// schedule, so the kernel, its arguments and its fast-path choice are exactly what a model run would use.
import type { Activation, DType, Graph, Op, OpKind, OpOptions, Tensor } from '../../models/ir.ts';
import { opDef } from '../../runtime/ops/index.ts';
import { buildSchedule, type Schedule, type ScheduleOptions } from '../../runtime/schedule.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { scheduleJob, type Job } from './c-kernels.ts';
import type { Rng } from './rng.ts';

export const ACTIVATIONS: Activation[] = ['NONE', 'NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1'];

export function q8(name: string, shape: number[], scale: number, zp: number, data?: Int8Array): Tensor {
  return { name, shape, dtype: 'int8', quant: { scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 }, ...(data ? { data } : {}) };
}

/** Random int8 values; a quarter of the time crowded at one end so that sums and clamps reach the limits. */
export function int8Data(r: Rng, n: number): Int8Array {
  const a = r.int8s(n);
  const crowd = r.next();
  if (crowd < 0.12) a.forEach((_, i) => (a[i] = r.int(-128, -120)));
  else if (crowd < 0.25) a.forEach((_, i) => (a[i] = r.int(119, 127)));
  return a;
}

/**
 * A graph of one operator whose output shapes come from the op table; `inputs` are the non-constant input
 * tensor indices in order, the last tensor is the output (typed `outDType`, quantised `outQuant`).
 */
export function oneOp<K extends OpKind>(kind: K, tensors: Tensor[], opInputs: number[], options: OpOptions[K], out: { dtype?: DType; scale?: number; zp?: number } = {}): Graph {
  const y: Tensor = { name: 'y', shape: [], dtype: out.dtype ?? 'int8', ...(out.dtype === 'float32' || out.dtype === 'int32' ? {} : { quant: { scale: [Math.fround(out.scale ?? 0.05)], zeroPoint: [out.zp ?? 0], axis: 0 } }) };
  const all = [...tensors, y];
  const op: Op<K> = { kind, name: kind.toLowerCase(), inputs: opInputs, outputs: [all.length - 1], options };
  const g: Graph = { name: `${kind.toLowerCase()}-c-case`, tensors: all, ops: [op as unknown as Op], inputs: opInputs.filter((i) => i >= 0 && !all[i].data), outputs: [all.length - 1] };
  y.shape = opDef(kind, 'case').outputShapes(g, op as unknown as Op, 'case')[0];
  return g;
}

/** Input data for a graph's inputs: random int8 (crowded sometimes), int32 or float32 as typed. */
export function graphInputs(r: Rng, g: Graph): ArrayBufferView[] {
  return g.inputs.map((t) => {
    const x = g.tensors[t];
    const n = x.shape.reduce((a, b) => a * b, 1);
    if (x.dtype === 'int8') return int8Data(r, n);
    if (x.dtype === 'int32') return Int32Array.from({ length: n }, () => r.int(-(2 ** 31), 2 ** 31 - 1));
    return Float32Array.from({ length: n }, () => Math.fround((r.next() - 0.5) * 10 ** r.int(-2, 4)));
  });
}

/** A generated case: a graph, optionally its input data, a description and schedule options. */
export interface GraphCase { graph: Graph; inputs?: ArrayBufferView[]; what?: string; options?: ScheduleOptions }

/**
 * Jobs from a case generator: keeps generating until every kernel in `want` has `count` cases (giving up after
 * `count * 20` tries). A job runs every step of the case's schedule; it counts for (and is labelled
 * "<kernel> #<n> <description>" after) the first wanted kernel among its steps, as the schedule chose them.
 */
export async function jobsFor(r: Rng, want: readonly string[], count: number, generate: (r: Rng, i: number) => GraphCase | undefined): Promise<Job[]> {
  const jobs: Job[] = [];
  const have = new Map<string, number>(want.map((k) => [k, 0]));
  for (let i = 0; i < count * 20 && want.some((k) => have.get(k)! < count); i++) {
    let c: ReturnType<typeof generate>;
    let s: Schedule;
    try {
      c = generate(r, i);
      if (!c) continue;
      s = buildSchedule(c.graph, c.options);
    } catch (e) {
      if (e instanceof ModelError || e instanceof UnsupportedError) continue; // a combination the operator refuses
      throw e;
    }
    const kernel = s.steps.map((st) => st.kernel).find((k) => have.has(k));
    if (kernel === undefined || have.get(kernel)! >= count) continue;
    have.set(kernel, have.get(kernel)! + 1);
    jobs.push(await scheduleJob(`${kernel} #${i} ${c.what ?? ''}`, s, c.inputs ?? graphInputs(r, c.graph), r));
  }
  return jobs;
}
