// Graph -> Schedule: lower every operator through the op table, plan the arena, pack the Flash image,
// and resolve every kernel argument to a number. The executor and the C emitter only walk this.
import { tensorBytes, type Graph, type OpKind } from '../models/ir.ts';
import { validateGraph } from '../models/validate.ts';
import { FlashImageBuilder } from './flash.ts';
import { opDef } from './ops/index.ts';
import type { LoweredOp } from './ops/types.ts';
import { alignUp, ARENA_ALIGN, greedyBySize, liveBytesPerStep, lowerBound, planArena, type Buffer } from './planner.ts';

export interface Region { offset: number; bytes: number }

export interface ResolvedArg {
  name: string;
  /** arena and flash values are offsets from that region's base; value ones are plain numbers. */
  space: 'arena' | 'flash' | 'value';
  value: number;
  f32?: boolean;
}

export interface Step {
  index: number;
  op: OpKind;
  name: string;
  kernel: string;
  args: ResolvedArg[];
  inputs: number[];
  outputs: number[];
  /** Arena regions this step may write: its outputs and its scratch buffer. */
  writes: Region[];
  scratch: Region | null;
  macs: number;
  /** Bytes of every buffer live during this step, scratch included. */
  liveBytes: number;
  /** Highest arena byte in use during this step. */
  arenaHighWater: number;
}

export interface Schedule {
  graph: Graph;
  steps: Step[];
  /** Arena region of every non-constant tensor (undefined for constants). */
  placements: (Region | undefined)[];
  /** First and last step (inclusive) each non-constant tensor's buffer is live. */
  lifetimes: ([number, number] | undefined)[];
  arenaBytes: number;
  lowerBound: number;
  /** What TFLite Micro's greedy-by-size planner needs for the same buffers. */
  greedyArenaBytes: number;
  flashImage: Uint8Array;
  macs: number;
}

export function buildSchedule(graph: Graph): Schedule {
  validateGraph(graph);
  const lowered: LoweredOp[] = graph.ops.map((op, i) => opDef(op.kind, `operator ${i} (${op.kind} '${op.name}')`).lower(graph, op, `operator ${i} (${op.kind} '${op.name}')`));
  const steps = graph.ops.length;

  // One buffer per tensor, except that an aliasing output shares its input's buffer.
  const bufferOf = new Array<number>(graph.tensors.length).fill(-1);
  const buffers: Buffer[] = [];
  const newBuffer = (bytes: number, first: number, last: number) => {
    buffers.push({ id: buffers.length, bytes: alignUp(bytes, ARENA_ALIGN), first, last });
    return buffers.length - 1;
  };
  const touch = (tensor: number, step: number) => {
    const b = buffers[bufferOf[tensor]];
    b.first = Math.min(b.first, step);
    b.last = Math.max(b.last, step);
  };
  for (const i of graph.inputs) bufferOf[i] = newBuffer(tensorBytes(graph.tensors[i]), 0, 0);
  const scratchBuffer: number[] = [];
  graph.ops.forEach((op, s) => {
    for (const i of op.inputs) if (i >= 0 && !graph.tensors[i].data) touch(i, s);
    const alias = lowered[s].aliasInput;
    for (const o of op.outputs) {
      if (alias !== undefined && bufferOf[alias] >= 0 && tensorBytes(graph.tensors[o]) === tensorBytes(graph.tensors[alias])) {
        bufferOf[o] = bufferOf[alias];
        touch(o, s);
      } else {
        bufferOf[o] = newBuffer(tensorBytes(graph.tensors[o]), s, s);
      }
    }
    scratchBuffer[s] = lowered[s].scratchBytes > 0 ? newBuffer(lowered[s].scratchBytes, s, s) : -1;
  });
  for (const o of graph.outputs) touch(o, steps - 1);

  const placement = planArena(buffers, steps);
  const regionOfBuffer = (b: number): Region => ({ offset: placement.offsets[b], bytes: buffers[b].bytes });
  const placements = graph.tensors.map((t, i) => (bufferOf[i] >= 0 ? { offset: placement.offsets[bufferOf[i]], bytes: tensorBytes(t) } : undefined));
  const lifetimes = graph.tensors.map((_, i): [number, number] | undefined => (bufferOf[i] >= 0 ? [buffers[bufferOf[i]].first, buffers[bufferOf[i]].last] : undefined));
  const live = liveBytesPerStep(buffers, steps);

  const flash = new FlashImageBuilder();
  const scheduleSteps: Step[] = graph.ops.map((op, s) => {
    const low = lowered[s];
    const scratch = scratchBuffer[s] >= 0 ? regionOfBuffer(scratchBuffer[s]) : null;
    const args: ResolvedArg[] = low.args.map((a) => {
      if ('tensor' in a) return { name: a.name, space: 'arena', value: placements[a.tensor]!.offset };
      if ('constant' in a) return { name: a.name, space: 'flash', value: flash.add(a.constant) };
      if ('scratch' in a) return { name: a.name, space: 'arena', value: scratch!.offset };
      return { name: a.name, space: 'value', value: a.value, ...(a.f32 ? { f32: true } : {}) };
    });
    let highWater = 0;
    for (const b of buffers) if (b.first <= s && s <= b.last) highWater = Math.max(highWater, placement.offsets[b.id] + b.bytes);
    return {
      index: s,
      op: op.kind,
      name: op.name,
      kernel: low.kernel,
      args,
      inputs: op.inputs.filter((i) => i >= 0),
      outputs: op.outputs,
      writes: [...op.outputs.map((o) => placements[o]!), ...(scratch ? [scratch] : [])],
      scratch,
      macs: low.macs,
      liveBytes: live[s],
      arenaHighWater: highWater,
    };
  });

  return {
    graph,
    steps: scheduleSteps,
    placements,
    lifetimes,
    arenaBytes: placement.arenaBytes,
    lowerBound: lowerBound(buffers, steps),
    greedyArenaBytes: greedyBySize(buffers).arenaBytes,
    flashImage: flash.build(),
    macs: scheduleSteps.reduce((n, st) => n + st.macs, 0),
  };
}
