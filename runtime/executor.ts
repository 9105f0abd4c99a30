// Walks a Schedule on a Machine: loads Flash, writes inputs, calls each step's kernel, reads outputs.
// Checked mode compares all of memory around every step and names the step that wrote where it must not.
import { DTYPE_BYTES, tensorBytes, type ConstData, type Tensor } from '../models/ir.ts';
import { InputError, MemoryFault } from './errors.ts';
import type { Machine } from './machine.ts';
import type { Schedule, Step } from './schedule.ts';
import { assertFits } from './fit.ts';

export interface RunOptions { checked?: boolean }

export function runSchedule(schedule: Schedule, machine: Machine, inputs: readonly ArrayBufferView[], options: RunOptions = {}): ConstData[] {
  assertFits(schedule, machine.device);
  const { graph } = schedule;
  if (inputs.length !== graph.inputs.length) throw new InputError(`model '${graph.name}' takes ${graph.inputs.length} input(s), got ${inputs.length}`);
  const mem = machine.bytes;
  if (machine.loadedFlash !== schedule.flashImage) {
    mem.set(schedule.flashImage, machine.flashBase);
    machine.loadedFlash = schedule.flashImage;
  }
  graph.inputs.forEach((t, i) => {
    const tensor = graph.tensors[t];
    const data = inputs[i];
    const want = tensorBytes(tensor);
    if (data.byteLength !== want) throw new InputError(`input ${i} '${tensor.name}' needs ${want} bytes (${tensor.dtype} [${tensor.shape}]), got ${data.byteLength}`);
    mem.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), schedule.placements[t]!.offset);
  });
  try {
    for (const step of schedule.steps) {
      const before = options.checked ? mem.slice() : null;
      callKernel(machine, step);
      if (before) verifyStep(machine, step, before);
    }
  } catch (e) {
    machine.loadedFlash = null; // a failed step may have left Flash damaged: reload it next time
    throw e;
  }
  return graph.outputs.map((t) => readTensor(mem, graph.tensors[t], schedule.placements[t]!.offset));
}

function callKernel(machine: Machine, step: Step): void {
  const flashBase = machine.flashBase;
  const args = step.args.map((a) => (a.space === 'flash' ? flashBase + a.value : a.value));
  machine.kernel(step.kernel)(...args);
}

/** Every byte outside the step's write regions must be unchanged, Flash included. */
function verifyStep(machine: Machine, step: Step, before: Uint8Array): void {
  const after = machine.bytes;
  const allowed = [...step.writes].sort((a, b) => a.offset - b.offset);
  let pos = 0;
  const check = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      if (after[i] !== before[i]) {
        const where = i >= machine.flashBase ? `Flash offset ${i - machine.flashBase}` : `arena offset ${i}`;
        throw new MemoryFault(`step ${step.index} (${step.op} '${step.name}', kernel ${step.kernel}) wrote ${where}, outside its output regions [${allowed.map((r) => `${r.offset}..${r.offset + r.bytes}`).join(', ')}]`);
      }
    }
  };
  for (const r of allowed) {
    check(pos, r.offset);
    pos = Math.max(pos, r.offset + r.bytes);
  }
  check(pos, after.length);
}

function readTensor(mem: Uint8Array, t: Tensor, offset: number): ConstData {
  const bytes = mem.slice(offset, offset + tensorBytes(t));
  if (t.dtype === 'int8') return new Int8Array(bytes.buffer);
  if (t.dtype === 'int32') return new Int32Array(bytes.buffer, 0, bytes.length / DTYPE_BYTES.int32);
  return new Float32Array(bytes.buffer, 0, bytes.length / DTYPE_BYTES.float32);
}
