// mcusim validate: the emitted C against the WebAssembly executor, byte for byte, on the host (plain and under
// AddressSanitizer + UBSan) and on QEMU Cortex-M4/M7; on a mismatch, a per-step trace names the first step whose
// bytes differ. The Cortex-M ELF's sizes are compared with fit's Flash and SRAM figures.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConstData } from '../models/ir.ts';
import { emitC, traceRegions, writeEmitted, type EmittedC } from '../runtime/emit-c.ts';
import { runSchedule } from '../runtime/executor.ts';
import { fitReport, assertFits } from '../runtime/fit.ts';
import { kernelsModule } from '../runtime/kernels-node.ts';
import { Machine } from '../runtime/machine.ts';
import { McusimError } from '../runtime/errors.ts';
import type { Schedule, Step } from '../runtime/schedule.ts';
import type { Device } from './devices.ts';
import {
  buildArm, buildHost, elfSizes, QEMU_BOARDS, requireTools, runHarness, symbolSize,
  type ElfSize, type Target,
} from './qemu/toolchain.ts';

export interface ValidateOptions {
  device: Device;
  targets: Target[];
  /** Model inputs, one record per inference: every model input's bytes. */
  records: { source: string; inputs: ArrayBufferView[] }[];
  /** C kernels from here instead of runtime/c/ (testing a kernel change). */
  kernelDir?: string;
  /** Emit and build here (kept); otherwise a temporary folder that is removed afterwards. */
  outDir?: string;
  force?: boolean;
  /** Per run; default from the model's MACs and the number of inputs. */
  timeoutSeconds?: number;
  /** Also build and run the host code under AddressSanitizer + UBSan (default true). */
  sanitize?: boolean;
  log?: (line: string) => void;
}

export interface StepDiff { index: number; op: string; name: string; kernel: string; arenaOffset: number; byte: number; expected: number; actual: number }

export interface Mismatch {
  /** Record (0-based) and its source, output index, first differing byte of that output. */
  input: number; source: string; output: number; byte: number; expected: number; actual: number;
  /** The first step whose written bytes differ, from the per-step trace. */
  step?: StepDiff;
  traceNote?: string;
}

export interface SizeCheck {
  elf: ElfSize;
  /**
   * elf = text + data; harness = the ELF minus the model's objects (startup, harness, C library, semihosting);
   * model = elf - harness (constants + kernels + model.c), compared with fit's total: ok when |model - fit| <= harness
   * and the constants are exactly the schedule's image.
   */
  flash: { elf: number; harness: number; model: number; fit: number; difference: number; allowed: number; constants: number; constantsFit: number; code: number; codeEstimate: number; ok: boolean };
  /** elf = data + bss; extra = elf - arena (stack, heap, C library and harness state): ok when 0 <= extra <= reserve. */
  sram: { elf: number; arena: number; reserve: number; extra: number; allowed: number; ok: boolean };
  /** Measured by the QEMU harness: stack high-water mark (painted stack) and heap taken by newlib. */
  runtime?: { stackUsed: number; stackBytes: number; heapUsed: number; heapBytes: number };
}

export interface TargetResult {
  target: Target;
  description: string;
  ok: boolean;
  buildSeconds: number;
  runSeconds: number;
  inferences: number;
  /** Records whose output bytes differ from the WebAssembly run. */
  mismatches: number;
  firstMismatch?: Mismatch;
  /** Host: the AddressSanitizer + UBSan build ran this many of the inputs without a report. */
  sanitizer?: { inputs: number };
  sizes?: SizeCheck;
  problems: string[];
}

export interface ValidateReport {
  model: string;
  device: string;
  schedule: string;
  inputs: number;
  outputBytes: number;
  ok: boolean;
  wasmSeconds: number;
  targets: TargetResult[];
  dir?: string;
}

export async function validate(s: Schedule, o: ValidateOptions): Promise<ValidateReport> {
  const log = o.log ?? (() => {});
  assertFits(s, o.device);
  await requireTools(o.targets);
  const g = s.graph;
  const emitted = emitC(s, { device: o.device, kernelDir: o.kernelDir });
  const temp = o.outDir === undefined;
  const dir = o.outDir ?? mkdtempSync(join(tmpdir(), 'mcusim-validate-'));
  try {
    writeEmitted(dir, emitted, { model: g.name, device: o.device.name, schedule: s.kind }, o.force || temp);
    const build = join(dir, 'build');
    mkdirSync(build, { recursive: true });

    const wasmStart = performance.now();
    const machine = await Machine.create(o.device, kernelsModule());
    const expected = o.records.map((r) => runSchedule(s, machine, r.inputs).map(bytesOf));
    const wasmSeconds = (performance.now() - wasmStart) / 1000;
    const outputBytes = expected[0]?.reduce((n, b) => n + b.length, 0) ?? 0;
    log(`WebAssembly: ${o.records.length} inference(s) in ${wasmSeconds.toFixed(2)} s`);

    const timeoutMs = (o.timeoutSeconds ?? defaultTimeout(s, o.records.length)) * 1000;
    const targets: TargetResult[] = [];
    for (const t of o.targets) {
      let r: TargetResult;
      try {
        r = await validateTarget(t, s, o, emitted, dir, build, expected, timeoutMs, machine);
      } catch (err) {
        // A crash, hang, sanitizer report or link-time overflow fails this target; the others still run.
        if (!(err instanceof McusimError) || err.exitCode !== 1) throw err;
        r = { target: t, description: describe(t), ok: false, buildSeconds: 0, runSeconds: 0, inferences: 0, mismatches: 0, problems: [err.message] };
      }
      log(`${r.description}: ${r.ok ? 'ok' : 'FAILED'}${r.problems.length ? ` (${r.problems.join('; ')})` : ''}`);
      targets.push(r);
    }
    return {
      model: g.name, device: o.device.name, schedule: s.kind, inputs: o.records.length, outputBytes,
      ok: targets.every((t) => t.ok), wasmSeconds, targets, ...(temp ? {} : { dir }),
    };
  } finally {
    if (temp) rmSync(dir, { recursive: true, force: true });
  }
}

function describe(t: Target): string {
  return t === 'host' ? 'host (gcc)' : QEMU_BOARDS[t].description;
}

/** MACs the sanitizer build runs at most (it is several times slower); always at least two inputs. */
const SANITIZER_MACS = 5e8;

function sanitizerRecords(s: Schedule, records: number): number {
  return Math.min(records, Math.max(2, Math.floor(SANITIZER_MACS / Math.max(1, s.macs))));
}

/** Seconds per run: generous for QEMU's plain-C speed (tens of millions of MACs per second) and a loaded machine. */
function defaultTimeout(s: Schedule, records: number): number {
  return Math.ceil(60 + (records * Math.max(s.macs, 1e5)) / 2e6);
}

async function validateTarget(t: Target, s: Schedule, o: ValidateOptions, e: EmittedC, dir: string, build: string,
  expected: Uint8Array[][], timeoutMs: number, machine: Machine): Promise<TargetResult> {
  const description = describe(t);
  const result: TargetResult = { target: t, description, ok: false, buildSeconds: 0, runSeconds: 0, inferences: 0, mismatches: 0, problems: [] };
  const sanitize = t === 'host' && o.sanitize !== false;
  const buildStart = performance.now();
  /** Each build runs the first `records` inputs: all of them, except the slower sanitizer build on big models. */
  let programs: { program: string; sanitize: boolean; records: number }[];
  let arm: { elf: string; objects: string[] } | undefined;
  if (t === 'host') {
    const variants = await Promise.all([buildHost(dir, e.sources, build, { variant: 'plain' }), ...(sanitize ? [buildHost(dir, e.sources, build, { variant: 'sanitize' })] : [])]);
    programs = variants.map((p, i) => ({ program: p, sanitize: i === 1, records: i === 1 ? sanitizerRecords(s, expected.length) : expected.length }));
  } else {
    arm = await buildArm(dir, e.sources, build, o.device, t, { model: s.graph.name });
    programs = [{ program: arm.elf, sanitize: false, records: expected.length }];
  }
  result.buildSeconds = (performance.now() - buildStart) / 1000;

  const runStart = performance.now();
  const runs = await Promise.all(programs.map(async (p) => {
    const cwd = join(build, `run-${t}${p.sanitize ? '-asan' : ''}`);
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, 'inputs.bin'), concat(o.records.slice(0, p.records).map((r) => concat(r.inputs.map(bytesOf)))));
    const r = await runHarness(t, p.program, cwd, timeoutMs, p.sanitize);
    return { ...p, stdout: r.stdout + r.stderr, outputs: readFileSync(join(cwd, 'outputs.bin')) };
  }));
  result.runSeconds = (performance.now() - runStart) / 1000;
  if (sanitize) result.sanitizer = { inputs: programs[1].records };

  const outputBytes = expected[0]?.map((b) => b.length) ?? [];
  const recordBytes = outputBytes.reduce((a, b) => a + b, 0);
  for (const r of runs) {
    const got = r.outputs;
    const n = recordBytes ? Math.floor(got.length / recordBytes) : r.records;
    if (!r.sanitize) result.inferences = n;
    if (n !== r.records || got.length !== n * recordBytes) {
      result.problems.push(`${r.sanitize ? 'the sanitizer build' : 'the build'} wrote ${got.length} output bytes for ${r.records} input(s); expected ${r.records * recordBytes}`);
      continue;
    }
    let mismatches = 0;
    for (let k = 0; k < r.records; k++) {
      let pos = k * recordBytes;
      let found: Mismatch | undefined;
      expected[k].forEach((want, out) => {
        for (let b = 0; b < want.length && !found; b++) {
          if (got[pos + b] !== want[b]) found = { input: k, source: o.records[k].source, output: out, byte: b, expected: (want[b] << 24) >> 24, actual: (got[pos + b] << 24) >> 24 };
        }
        pos += want.length;
      });
      if (found) {
        mismatches++;
        result.firstMismatch ??= found;
      }
    }
    result.mismatches = Math.max(result.mismatches, mismatches);
  }
  if (result.firstMismatch) {
    const m = result.firstMismatch;
    result.problems.push(`${result.mismatches} of ${expected.length} input(s) give different output bytes; first: input ${m.input} (${m.source}) output ${m.output} byte ${m.byte}: C ${m.actual}, WebAssembly ${m.expected}`);
    try {
      await locateMismatch(t, s, o, e, dir, build, m, timeoutMs, machine);
    } catch (err) {
      m.traceNote = `per-step trace failed: ${(err as Error).message}`;
    }
    if (m.step) result.problems.push(`first differing step ${m.step.index} (${m.step.op} '${m.step.name}', kernel ${m.step.kernel}): byte ${m.step.byte} (arena offset ${m.step.arenaOffset + m.step.byte}) is ${m.step.actual} in C, ${m.step.expected} in WebAssembly`);
    else if (m.traceNote) result.problems.push(m.traceNote);
  }
  if (arm) {
    const mem = /stack used (\d+) of (\d+) bytes; heap used (\d+) of (\d+) bytes/.exec(runs[0].stdout);
    result.sizes = await sizeCheck(s, o.device, arm, e, mem ? { stackUsed: Number(mem[1]), stackBytes: Number(mem[2]), heapUsed: Number(mem[3]), heapBytes: Number(mem[4]) } : undefined);
    const z = result.sizes;
    if (!z.flash.ok) result.problems.push(`the model's Flash in the ELF (${z.flash.elf} B minus the ${z.flash.harness} B harness = ${z.flash.model} B) differs from fit's ${z.flash.fit} B by ${z.flash.difference} B, more than the ${z.flash.allowed} B allowed (the harness's size)` +
      (z.flash.constants !== z.flash.constantsFit ? ` (constants ${z.flash.constants} B vs ${z.flash.constantsFit} B)` : ''));
    if (!z.sram.ok) result.problems.push(`ELF SRAM ${z.sram.elf} B is ${z.sram.extra} B beyond the ${z.sram.arena} B arena; allowed 0..${z.sram.allowed} B (the runtime reserve)`);
    if (z.runtime && z.runtime.stackUsed >= z.runtime.stackBytes) result.problems.push(`the harness stack (${z.runtime.stackBytes} B) overflowed`);
  }
  result.ok = result.problems.length === 0;
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Per-step traces

interface TraceRecord { step: number; bytes: Uint8Array }

/** The WebAssembly run of one input, step by step, recording what each step wrote (as the C trace build does). */
function wasmTrace(s: Schedule, machine: Machine, inputs: readonly ArrayBufferView[]): TraceRecord[] {
  runSchedule(s, machine, inputs); // loads Flash and checks the inputs; the walk below repeats it step by step
  const mem = machine.bytes;
  s.graph.inputs.forEach((t, i) => mem.set(bytesOf(inputs[i]), s.placements[t]!.offset));
  const out: TraceRecord[] = [];
  for (const st of s.steps) {
    // The executor's call, one step at a time: Flash arguments are offsets from the Flash base.
    machine.kernel(st.kernel)(...st.args.map((a) => (a.space === 'flash' ? machine.flashBase + a.value : a.value)));
    for (const r of traceRegions(st)) out.push({ step: st.index, bytes: mem.slice(r.offset, r.offset + r.bytes) });
  }
  return out;
}

function parseTrace(bytes: Uint8Array): TraceRecord[] {
  const out: TraceRecord[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  while (p + 8 <= bytes.length) {
    const step = view.getUint32(p, true);
    const n = view.getUint32(p + 4, true);
    out.push({ step, bytes: bytes.subarray(p + 8, p + 8 + n) });
    p += 8 + n;
  }
  return out;
}

/**
 * Which bytes of a traced region (a bounding box) the step really writes, from its declared access spans; a patch
 * step's box has gaps whose bytes are left over from earlier work and are not compared. Undefined: all of them.
 */
function writtenMask(st: Step, region: { offset: number; bytes: number } | undefined): Uint8Array | undefined {
  const spans = (st as { access?: { writes: { offset: number; bytes: number; rows: number; stride: number }[] } }).access?.writes;
  if (!spans || !region) return undefined;
  const mask = new Uint8Array(region.bytes);
  for (const a of spans) {
    for (let r = 0; r < a.rows; r++) {
      const from = a.offset + r * a.stride - region.offset;
      for (let j = Math.max(0, from); j < Math.min(region.bytes, from + a.bytes); j++) mask[j] = 1;
    }
  }
  return mask;
}

async function locateMismatch(t: Target, s: Schedule, o: ValidateOptions, e: EmittedC, dir: string, build: string, m: Mismatch, timeoutMs: number, machine: Machine): Promise<void> {
  const cwd = join(build, `trace-${t}`);
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'inputs.bin'), concat(o.records[m.input].inputs.map(bytesOf)));
  const program = t === 'host'
    ? await buildHost(dir, e.sources, cwd, { variant: 'plain', trace: true })
    : (await buildArm(dir, e.sources, cwd, o.device, t, { model: s.graph.name, trace: true })).elf;
  await runHarness(t, program, cwd, timeoutMs);
  const c = parseTrace(readFileSync(join(cwd, 'trace.bin')));
  const w = wasmTrace(s, machine, o.records[m.input].inputs);
  for (let i = 0; i < w.length; i++) {
    const st = s.steps[w[i].step];
    const region = traceRegions(st);
    const k = i - w.findIndex((x) => x.step === w[i].step);
    if (i >= c.length || c[i].step !== w[i].step || c[i].bytes.length !== w[i].bytes.length) {
      m.traceNote = `the C trace diverges from the schedule at step ${st.index} (${st.op} '${st.name}')`;
      return;
    }
    const mask = writtenMask(st, region[k]);
    const b = w[i].bytes.findIndex((v, j) => v !== c[i].bytes[j] && (!mask || mask[j] === 1));
    if (b >= 0) {
      m.step = { index: st.index, op: st.op, name: st.name, kernel: st.kernel, arenaOffset: region[k]?.offset ?? 0, byte: b, expected: (w[i].bytes[b] << 24) >> 24, actual: (c[i].bytes[b] << 24) >> 24 };
      return;
    }
  }
  m.traceNote = 'every step wrote the same bytes in the trace build (the difference is outside the steps\' output regions)';
}

// ---------------------------------------------------------------------------------------------------------------
// Sizes

async function sizeCheck(s: Schedule, device: Device, arm: { elf: string; objects: string[] }, e: EmittedC, runtime?: SizeCheck['runtime']): Promise<SizeCheck> {
  const fit = fitReport(s, device);
  const modelObjects = arm.objects.slice(0, e.sources.length);
  const [elf, ...objs] = await elfSizes([arm.elf, ...modelObjects]);
  const elfFlash = elf.text + elf.data;
  const elfSram = elf.data + elf.bss;
  const model = objs.reduce((n, z) => n + z.text + z.data, 0);
  const harness = elfFlash - model;
  const constants = s.flashImage.length ? (await symbolSize(arm.elf, 'model_flash')) ?? 0 : 0;
  const difference = model - fit.flash.total;
  const arena = Math.max(1, s.arenaBytes);
  const extra = elfSram - arena;
  return {
    elf,
    flash: {
      elf: elfFlash, fit: fit.flash.total, difference, harness, allowed: harness, model, constants, constantsFit: fit.flash.weights,
      code: model - constants, codeEstimate: fit.flash.code, ok: Math.abs(difference) <= harness && constants === fit.flash.weights,
    },
    sram: { elf: elfSram, arena, reserve: device.runtimeReserveBytes, extra, allowed: device.runtimeReserveBytes, ok: extra >= 0 && extra <= device.runtimeReserveBytes },
    ...(runtime ? { runtime } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------

function bytesOf(v: ArrayBufferView | ConstData): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}
