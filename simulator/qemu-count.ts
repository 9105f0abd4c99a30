// Ground truth for the cycle model: exact per-step executed-instruction counts of the emitted C on QEMU's
// mps2-an386 (Cortex-M4), mps2-an500 (Cortex-M7) and, for the Cortex-M0+, mps2-an385 (Cortex-M3) running the C
// compiled with -mcpu=cortex-m0plus (ARMv6-M Thumb code, plain C: no DSP path). QEMU has no Cortex-M0+ board (its
// MPS2 boards accept only their own CPU); ARMv6-M code runs unchanged on an ARMv7-M core, only the executed
// instruction stream is used (cycles come from the M0+ timing table), and the instruction log is checked to hold
// ARMv6-M instructions only. QEMU runs with `-icount shift=10`: every guest instruction advances virtual time by
// exactly 1024 ns, and the CMSDK timer (25 MHz) the counting harness reads at every step boundary (through model.c's
// MODEL_TRACE hook) ticks 25.6 times per instruction, so counts are exact and repeat from run to run. These are
// MEASURED instruction counts (QEMU models no cycles); cycles are derived from them by simulator/cycles/classify.ts
// and estimated by simulator/cycle-model.ts.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitC, writeEmitted, C_COMMON_FLAGS, CORE_FLAGS } from '../runtime/emit-c.ts';
import type { Schedule, Step } from '../runtime/schedule.ts';
import { McusimError } from '../runtime/errors.ts';
import { randomInputs } from '../runtime/inputs.ts';
import type { Device } from './devices.ts';
import { HarnessError, linkerScript, requireTools, run } from './qemu/toolchain.ts';
import { classifyLog, emptyCounts, instructionsOf, weigh, type ClassCounts, type TimingTable } from './cycles/classify.ts';
import m4Costs from './costs/cortex-m4.json' with { type: 'json' };
import m7Costs from './costs/cortex-m7.json' with { type: 'json' };
import m0plusCosts from './costs/cortex-m0plus.json' with { type: 'json' };

export const TIMING: Record<CountTarget, TimingTable> = { m4: m4Costs.timing as TimingTable, m7: m7Costs.timing as TimingTable, m0plus: m0plusCosts.timing as TimingTable };

export type CountTarget = 'm4' | 'm7' | 'm0plus';
export const COUNT_TARGETS: readonly CountTarget[] = ['m4', 'm7', 'm0plus'];
/** The QEMU machine each counting target runs on, and the core the C is compiled for. */
export const COUNT_BOARDS: Record<CountTarget, { machine: string; core: string; description: string }> = {
  m4: { machine: 'mps2-an386', core: 'cortex-m4', description: 'QEMU mps2-an386 (Cortex-M4)' },
  m7: { machine: 'mps2-an500', core: 'cortex-m7', description: 'QEMU mps2-an500 (Cortex-M7)' },
  m0plus: { machine: 'mps2-an385', core: 'cortex-m0plus', description: 'QEMU mps2-an385 (Cortex-M3) running -mcpu=cortex-m0plus (ARMv6-M) code' },
};
const CYCLES_DIR = fileURLToPath(new URL('./cycles/', import.meta.url));
/** -icount shift: 2^10 ns per instruction; the CMSDK timer runs at 25 MHz. */
export const ICOUNT_SHIFT = 10;
const TICKS_PER_INSN = (2 ** ICOUNT_SHIFT) * 25e6 / 1e9;
/** Optimisation level of the counted build (the level the emitted Makefile users are expected to ship). */
export const COUNT_OPT = ['-O2'];

/** Links into the whole board memory: counts do not depend on the device's sizes. */
const COUNT_DEVICE: Device = { name: 'qemu-count', description: 'QEMU MPS2 board memory', core: 'cortex-m4', clockHz: 25_000_000, sramBytes: 4 << 20, flashBytes: 4 << 20, runtimeReserveBytes: 4096 };

export interface StepCount {
  index: number; kernel: string; op: string; name: string; macs: number;
  /** MEASURED: executed instructions (exact). */
  instructions: number;
  /** DERIVED (classes weighted by the core's timing table); present when counted with `classes: true`. */
  classes?: ClassCounts;
  cycles?: number;
}
export interface CountResult { target: CountTarget; model: string; steps: StepCount[]; total: number; elf: string; dir: string }

export interface CountOptions {
  target: CountTarget;
  /** Build here (kept); otherwise a temporary folder removed afterwards (elf path then invalid). */
  outDir?: string;
  inputs?: ArrayBufferView[];
  timeoutMs?: number;
  kernelDir?: string;
  /** Extra compiler flags (e.g. -DMCUSIM_NO_DSP). */
  cflags?: string[];
  /** Also log every executed block to classify instructions and derive cycles (slower: about 10x). */
  classes?: boolean;
}

/** Per-step instruction counts of one inference of the emitted C on QEMU. */
export async function countInstructions(s: Schedule, o: CountOptions): Promise<CountResult> {
  await requireTools(['m4']);
  const dir = o.outDir ?? mkdtempSync(join(tmpdir(), 'mcusim-count-'));
  try {
    const { elf } = await buildCounting(s, dir, o);
    const inputs = o.inputs ?? randomInputs(s.graph, 1);
    writeFileSync(join(dir, 'inputs.bin'), Buffer.concat(inputs.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength))));
    const r = await run('qemu-system-arm', qemuArgs(o.target, elf), { cwd: dir, timeoutMs: o.timeoutMs ?? defaultTimeout(s) });
    if (r.timedOut) throw new HarnessError(`QEMU counting run of '${s.graph.name}' on ${COUNT_BOARDS[o.target].description} did not finish in time`);
    if (r.code !== 0) throw new HarnessError(`QEMU counting run of '${s.graph.name}' failed (exit ${r.code}): ${(r.stdout + r.stderr).trim().slice(0, 500)}`);
    const steps = parseCounts(s, readFileSync(join(dir, 'counts.bin')));
    if (o.classes) await addClasses(o.target, dir, elf, steps, o.timeoutMs ?? defaultTimeout(s) * 10);
    return { target: o.target, model: s.graph.name, steps, total: steps.reduce((n, x) => n + x.instructions, 0), elf, dir };
  } finally {
    if (o.outDir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

export function qemuArgs(target: CountTarget, elf: string): string[] {
  return ['-M', COUNT_BOARDS[target].machine, '-display', 'none', '-serial', 'null', '-monitor', 'none',
    '-icount', `shift=${ICOUNT_SHIFT},align=off,sleep=off`, '-semihosting-config', 'enable=on,target=native', '-kernel', elf];
}

function defaultTimeout(s: Schedule): number {
  return Math.ceil(60_000 + s.macs / 2e4);
}

export async function buildCounting(s: Schedule, dir: string, o: { target: CountTarget; kernelDir?: string; cflags?: string[] }): Promise<{ elf: string }> {
  const e = emitC(s, { device: COUNT_DEVICE, kernelDir: o.kernelDir });
  writeEmitted(dir, e, { model: s.graph.name, device: COUNT_DEVICE.name, schedule: s.kind }, true);
  const core = CORE_FLAGS[COUNT_BOARDS[o.target].core];
  const flags = [...C_COMMON_FLAGS, ...core, ...COUNT_OPT, '-ffunction-sections', '-fdata-sections', '-DMODEL_TRACE', ...(o.cflags ?? []), `-I${dir}`];
  const script = join(dir, 'count.ld');
  // The MPS2 boards share the memory map (4 MiB code at 0, 4 MiB SRAM at 0x20000000); the script names the board.
  writeFileSync(script, linkerScript(COUNT_DEVICE, 'm4').replace(/QEMU mps2-an386 \(Cortex-M4\)/, COUNT_BOARDS[o.target].description));
  const sources = [...e.sources.map((f) => join(dir, f)), join(CYCLES_DIR, 'count-harness.c'), fileURLToPath(new URL('./qemu/startup.c', import.meta.url))];
  const objects = sources.map((f) => join(dir, `${o.target}-${f.replace(/^.*\//, '').replace(/\.c$/, '.o')}`));
  const results = await Promise.all(sources.map((f, i) => run('arm-none-eabi-gcc', [...flags, '-c', f, '-o', objects[i]], { timeoutMs: 600_000 })));
  results.forEach((r, i) => {
    if (r.code !== 0) throw new HarnessError(`arm-none-eabi-gcc -c ${sources[i]} failed:\n${r.stderr.trim().slice(0, 2000)}`);
  });
  const elf = join(dir, `count-${o.target}.elf`);
  const link = await run('arm-none-eabi-gcc', [...core, '--specs=nano.specs', '--specs=rdimon.specs', '-nostartfiles', `-T${script}`, '-Wl,--gc-sections', ...objects, '-o', elf], { timeoutMs: 600_000 });
  if (link.code !== 0) throw new HarnessError(`linking ${elf} failed:\n${link.stderr.trim().slice(0, 2000)}`);
  return { elf };
}

function ticksToInstructions(ticks: number, what: string): number {
  const n = Math.round(ticks / TICKS_PER_INSN);
  if (Math.abs(n * TICKS_PER_INSN - ticks) > 1.01) throw new McusimError(`${what}: ${ticks} timer ticks are not a whole number of instructions (${ticks / TICKS_PER_INSN}); is QEMU running with -icount shift=${ICOUNT_SHIFT}?`);
  return n;
}

/** counts.bin -> per-step instruction counts, with the hook's own cost taken out. */
export function parseCounts(s: Schedule, bytes: Uint8Array): StepCount[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = v.getUint32(0, true);
  const rec = (i: number) => ({ step: v.getUint32(8 + 8 * i, true), time: v.getUint32(12 + 8 * i, true) });
  // The timer counts down and wraps at 2^32 ticks (168 M instructions between two reads at most).
  const ticks = (a: number, b: number) => (rec(a).time - rec(b).time) >>> 0;
  const overhead = ticksToInstructions(ticks(0, 1), 'hook cost');
  const first = new Map<number, number>();
  for (let i = 3; i < n - 1; i++) if (!first.has(rec(i).step)) first.set(rec(i).step, i);
  return s.steps.map((st: Step) => {
    const i = first.get(st.index);
    if (i === undefined) throw new McusimError(`step ${st.index} (${st.op} '${st.name}') reported no boundary through the trace hook; cannot count it alone`);
    const insns = ticksToInstructions(ticks(i - 1, i), `step ${st.index}`) - overhead;
    return { index: st.index, kernel: st.kernel, op: st.op, name: st.name, macs: st.macs, instructions: insns };
  });
}

/** Reruns the ELF with QEMU's instruction log and adds each step's instruction classes and derived cycles. */
async function addClasses(target: CountTarget, dir: string, elf: string, steps: StepCount[], timeoutMs: number): Promise<void> {
  const nm = await run('arm-none-eabi-nm', ['-S', elf], { timeoutMs: 60_000 });
  const m = /^([0-9a-f]+) ([0-9a-f]+) [Tt] model_trace$/m.exec(nm.stdout);
  if (!m) throw new HarnessError(`no model_trace symbol in ${elf}`);
  const start = parseInt(m[1], 16) & ~1;
  const log = join(dir, `exec-${target}.log`);
  const args = qemuArgs(target, elf).filter((a, i, all) => a !== '-icount' && all[i - 1] !== '-icount');
  // The log goes through a named pipe, read while QEMU writes it (a big model logs gigabytes).
  const fifo = await run('mkfifo', [log], { timeoutMs: 10_000 });
  if (fifo.code !== 0) throw new HarnessError(`mkfifo ${log} failed: ${fifo.stderr}`);
  try {
    const parsed = classifyLog(log, start, start + parseInt(m[2], 16), { armv6m: target === 'm0plus' });
    const r = await run('qemu-system-arm', [...args, '-d', 'in_asm,exec,nochain', '-D', log], { cwd: dir, timeoutMs });
    if (r.code !== 0) throw new HarnessError(`QEMU instruction-log run failed (exit ${r.code}): ${(r.stdout + r.stderr).trim().slice(0, 500)}`);
    const { segments } = await parsed;
    const counts = parseRecords(readFileSync(join(dir, 'counts.bin')));
    const first = new Map<number, number>();
    counts.forEach((step, i) => { if (i >= 3 && !first.has(step)) first.set(step, i); });
    for (const st of steps) {
      const c = segments[first.get(st.index)!] ?? emptyCounts();
      // The call into the hook (argument set-up, BL) is a few instructions the timer count leaves out; so do we,
      // by taking the difference out of the ALU class (it is argument moves and the branch, 3 to 5 instructions).
      const extra = instructionsOf(c) - st.instructions;
      if (extra < 0 || extra > 12) throw new HarnessError(`step ${st.index}: the instruction log has ${instructionsOf(c)} instructions, the timer ${st.instructions}`);
      c.alu -= Math.min(c.alu, extra);
      st.classes = c;
      st.cycles = weigh(c, TIMING[target]);
    }
  } finally {
    rmSync(log, { force: true });
  }
}

function parseRecords(bytes: Uint8Array): number[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: v.getUint32(0, true) }, (_, i) => v.getUint32(8 + 8 * i, true));
}
