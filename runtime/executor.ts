// Walks a Schedule on a Machine: loads Flash, writes inputs, calls each step's kernel, reads outputs.
// Checked mode compares all of memory around every step and names the step that wrote where it must not.
import { DTYPE_BYTES, tensorBytes, type ConstData, type Tensor } from '../models/ir.ts';
import { InputError, MemoryFault } from './errors.ts';
import type { KernelFn, Machine } from './machine.ts';
import type { Schedule, Step } from './schedule.ts';
import { assertFits } from './fit.ts';
import type { Device } from '../simulator/devices.ts';

export interface RunOptions { checked?: boolean }

export function runSchedule(schedule: Schedule, machine: Machine, inputs: readonly ArrayBufferView[], options: RunOptions = {}): ConstData[] {
  assertFitsCached(schedule, machine.device);
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
    const steps = schedule.steps;
    const calls = callsFor(schedule, machine);
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      const before = options.checked ? mem.slice() : null;
      callKernel(machine, step, calls, i);
      if (before) verifyStep(machine, step, before);
    }
  } catch (e) {
    machine.loadedFlash = null; // a failed step may have left Flash damaged: reload it next time
    throw e;
  }
  return graph.outputs.map((t) => readTensor(mem, graph.tensors[t], schedule.placements[t]!.offset));
}

// assertFits for a run: a passing verdict is kept per schedule together with everything it was computed from
// (the device's sizes, the arena and Flash image sizes, the kernels called), so a changed schedule or device is
// checked again and gets the same refusal.
interface FitKey { device: Device; sram: number; reserve: number; flash: number; arena: number; image: number; kernels: string[] }
const fitCache = new WeakMap<Schedule, FitKey>();

function assertFitsCached(schedule: Schedule, device: Device): void {
  const k = fitCache.get(schedule);
  const steps = schedule.steps;
  if (k && k.device === device && k.sram === device.sramBytes && k.reserve === device.runtimeReserveBytes && k.flash === device.flashBytes
    && k.arena === schedule.arenaBytes && k.image === schedule.flashImage.length && k.kernels.length === steps.length
    && steps.every((st, i) => st.kernel === k.kernels[i])) return;
  assertFits(schedule, device);
  fitCache.set(schedule, {
    device, sram: device.sramBytes, reserve: device.runtimeReserveBytes, flash: device.flashBytes,
    arena: schedule.arenaBytes, image: schedule.flashImage.length, kernels: steps.map((st) => st.kernel),
  });
}

// The hot path: per schedule and machine, one reusable argument array and the kernel function of every step.
// Both are refreshed from the step on every call (a schedule may be changed between runs), without allocating.
interface StepCall { kernel: string; fn: KernelFn; args: number[] }
const callCache = new WeakMap<Schedule, { machine: Machine; calls: (StepCall | undefined)[] }>();

function callsFor(schedule: Schedule, machine: Machine): (StepCall | undefined)[] {
  let entry = callCache.get(schedule);
  if (!entry || entry.machine !== machine) {
    entry = { machine, calls: [] };
    callCache.set(schedule, entry);
  }
  return entry.calls;
}

function callKernel(machine: Machine, step: Step, calls: (StepCall | undefined)[], i: number): void {
  const flashBase = machine.flashBase;
  let call = calls[i];
  if (call === undefined || call.kernel !== step.kernel) {
    call = { kernel: step.kernel, fn: machine.kernel(step.kernel), args: [] };
    calls[i] = call;
  }
  const src = step.args;
  const args = call.args;
  const n = src.length;
  if (args.length !== n) args.length = n;
  for (let j = 0; j < n; j++) {
    const a = src[j];
    args[j] = a.space === 'flash' ? flashBase + a.value : a.value;
  }
  invoke(call.fn, args);
}

/** fn(...a) with the common lengths spelled out: V8 calls WebAssembly exports fastest with a fixed argument count. */
function invoke(fn: KernelFn, a: number[]): void {
  switch (a.length) {
    case 3: fn(a[0], a[1], a[2]); return;
    case 24: fn(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21], a[22], a[23]); return;
    case 25: fn(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21], a[22], a[23], a[24]); return;
    case 26: fn(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21], a[22], a[23], a[24], a[25]); return;
    default: fn(...a);
  }
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
