// The C twins of the WebAssembly kernels (runtime/c/) under test: toolchain detection, the kernels.json contract,
// the kernel runner build (runtime/c/test/kernel_runner.c) and jobs that run the same calls on the same memory
// image in WebAssembly and in C, so that every byte of memory can be compared afterwards.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelsModule } from '../../runtime/kernels-node.ts';
import { Machine } from '../../runtime/machine.ts';
import type { Schedule } from '../../runtime/schedule.ts';
import { findDevice } from '../../simulator/devices.ts';
import { Rng } from './rng.ts';

export const C_DIR = fileURLToPath(new URL('../../runtime/c/', import.meta.url));
export const RUNNER_SOURCE = join(C_DIR, 'test', 'kernel_runner.c');

// ---------------------------------------------------------------- toolchains

/** The flags every kernel must build with, warning-free. */
export const C_FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic'];
/** Extra warnings firmware projects commonly turn on; the kernels stay clean under them too. */
export const C_STRICT_FLAGS = [
  '-Wconversion', '-Wsign-conversion', '-Wshadow', '-Wstrict-prototypes', '-Wmissing-prototypes', '-Wcast-qual',
  '-Wcast-align', '-Wdouble-promotion', '-Wundef', '-Wredundant-decls', '-Wpointer-arith', '-Wfloat-equal',
];
export const ARM_TARGETS: { name: string; flags: string[] }[] = [
  { name: 'cortex-m4', flags: ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'] },
  { name: 'cortex-m7', flags: ['-mcpu=cortex-m7', '-mthumb'] },
  { name: 'cortex-m0plus', flags: ['-mcpu=cortex-m0plus', '-mthumb'] },
];

const toolCache = new Map<string, boolean>();
export function hasTool(cmd: string): boolean {
  if (!toolCache.has(cmd)) toolCache.set(cmd, spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0);
  return toolCache.get(cmd)!;
}

export const NO_GCC = "skipped: host 'gcc' not found; install the Debian package gcc (apt-get install gcc) to test the C kernels";
export const NO_ARM_GCC = "skipped: 'arm-none-eabi-gcc' not found; install the Debian packages gcc-arm-none-eabi and libnewlib-arm-none-eabi";

/** Runs a compiler; returns its diagnostics (empty when it succeeded without output). */
export function compile(cmd: string, args: string[]): { ok: boolean; output: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim() };
}

// ---------------------------------------------------------------- kernels.json

export interface CParam { name: string; type: string }
/** `function` is the C function's name when it cannot be the kernel's (C reserves `tanh`). */
export interface CKernel { function?: string; file: string; header: string; includes: string[]; params: CParam[] }
export interface KernelsJson { about: string; shared: string[]; kernels: Record<string, CKernel>; missing: string[] }

let kernelsJson: KernelsJson | undefined;
export function loadKernelsJson(): KernelsJson {
  kernelsJson ??= JSON.parse(readFileSync(join(C_DIR, 'kernels.json'), 'utf8')) as KernelsJson;
  return kernelsJson;
}

/** C parameter type -> the runner's signature letter: p pointer, f float, i int32_t. */
export function paramKind(type: string): 'p' | 'f' | 'i' {
  if (type.endsWith('*')) return 'p';
  if (type === 'float') return 'f';
  if (type === 'int32_t') return 'i';
  throw new Error(`C parameter type '${type}' is not one the kernels may use (pointers, int32_t, float)`);
}

const stripComments = (s: string) => s.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/gm, ' ');

/**
 * kernels.json as the C sources say it should be: every `void name(...);` prototype in runtime/c/*.h. A comment
 * `@kernel NAME` in a header names the kernel of its prototype whose C function has another name; `@kernel-alias
 * KERNEL FUNCTION` names a kernel that the header's FUNCTION serves as it is.
 */
export function kernelsFromSources(): Record<string, CKernel> {
  const out: Record<string, CKernel> = {};
  for (const header of readdirSync(C_DIR).filter((f) => f.endsWith('.h') && f !== 'requantize.h').sort()) {
    const raw = readFileSync(join(C_DIR, header), 'utf8');
    const renamed = new Map<string, string>(); // C function -> kernel
    for (const m of raw.matchAll(/@kernel (\w+)[\s\S]*?\bvoid\s+(\w+)\s*\(/g)) renamed.set(m[2], m[1]);
    const text = stripComments(raw);
    const file = header.replace(/\.h$/, '.c');
    const source = existsSync(join(C_DIR, file)) ? readFileSync(join(C_DIR, file), 'utf8') : '';
    const includes = [...source.matchAll(/#include "([^"]+)"/g)].map((m) => m[1]).filter((h) => h !== header);
    for (const m of text.matchAll(/\bvoid\s+(\w+)\s*\(([^)]*)\)\s*;/g)) {
      const params = m[2].split(',').map((p) => p.trim().replace(/\s+/g, ' ')).filter((p) => p !== 'void').map((p) => {
        const pm = /^(.*?)\s*(\w+)$/.exec(p);
        if (!pm) throw new Error(`${header}: cannot read parameter '${p}' of ${m[1]}`);
        return { name: pm[2], type: pm[1].replace(/\s*\*\s*/g, ' *').trim() };
      });
      const kernel = renamed.get(m[1]) ?? m[1];
      out[kernel] = { ...(kernel !== m[1] ? { function: m[1] } : {}), file, header, includes, params };
    }
    // `@kernel-alias KERNEL FUNCTION`: another kernel served by the same C function (same arguments, same bytes).
    for (const m of raw.matchAll(/@kernel-alias (\w+) (\w+)/g)) {
      if (!out[m[2]]) throw new Error(`${header}: @kernel-alias ${m[1]} names ${m[2]}, which the header does not declare`);
      out[m[1]] = { ...out[m[2]], function: m[2] };
    }
  }
  return out;
}

/** kernels.json text, one parameter per line (regenerate: `npx tsx tests/helpers/c-kernels.ts --write-json`). */
export function formatKernelsJson(json: KernelsJson): string {
  const q = (v: unknown) => JSON.stringify(v);
  const kernels = Object.keys(json.kernels).sort().map((name) => {
    const k = json.kernels[name];
    const params = k.params.map((p) => `        { "name": ${q(p.name)}, "type": ${q(p.type)} }`).join(',\n');
    return `    ${q(name)}: {\n      ${k.function ? `"function": ${q(k.function)}, ` : ''}"file": ${q(k.file)}, "header": ${q(k.header)}, "includes": ${q(k.includes)},\n      "params": [\n${params}\n      ]\n    }`;
  });
  return `{\n  "about": ${q(json.about)},\n  "shared": ${q(json.shared)},\n  "kernels": {\n${kernels.join(',\n')}\n  },\n  "missing": ${q(json.missing)}\n}\n`;
}

/** Names of the functions the compiled WebAssembly module exports, with their parameter counts. */
export function wasmKernels(): Map<string, number> {
  const m = new Map<string, number>();
  const instance = new WebAssembly.Instance(kernelsModule(), { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
  for (const [name, value] of Object.entries(instance.exports)) if (typeof value === 'function') m.set(name, (value as (...a: number[]) => void).length);
  return m;
}

// ---------------------------------------------------------------- the runner

/** Source of kernel_dispatch.h: one call wrapper per kernels.json entry. */
export function dispatchSource(json: KernelsJson): string {
  const names = Object.keys(json.kernels).sort();
  const lines = ['/* Generated by tests/helpers/c-kernels.ts from runtime/c/kernels.json. */', '#include <string.h>'];
  for (const h of [...new Set(names.map((n) => json.kernels[n].header))]) lines.push(`#include "${h}"`);
  lines.push(
    'static int32_t arg_i32(uint32_t v) { return v <= 0x7fffffffu ? (int32_t)v : -(int32_t)(0xffffffffu - v) - 1; }',
    'static float arg_f32(uint32_t v) { float f; memcpy(&f, &v, sizeof f); return f; }',
  );
  for (const n of names) {
    const args = json.kernels[n].params.map((p, i) => {
      const kind = paramKind(p.type);
      return kind === 'p' ? `(${p.type})p[${i}]` : kind === 'f' ? `arg_f32(v[${i}])` : `arg_i32(v[${i}])`;
    });
    lines.push(`static void call_${n}(void *const *p, const uint32_t *v) {`, `  (void)p; (void)v;`, `  ${json.kernels[n].function ?? n}(${args.join(', ')});`, '}');
  }
  lines.push('static const mcusim_kernel_entry MCUSIM_KERNELS[] = {');
  for (const n of names) lines.push(`  { "${n}", "${json.kernels[n].params.map((p) => paramKind(p.type)).join('')}", call_${n} },`);
  lines.push('};', '');
  return lines.join('\n');
}

export type RunnerKind = 'sanitize' | 'optimize';
const RUNNER_FLAGS: Record<RunnerKind, string[]> = {
  // UBSan's float checks are not part of -fsanitize=undefined in gcc; quantize's float->int path wants them.
  sanitize: ['-O1', '-g', '-fno-omit-frame-pointer', '-fsanitize=address,undefined,float-cast-overflow,float-divide-by-zero', '-fno-sanitize-recover=all'],
  optimize: ['-O3'],
};

const runners = new Map<RunnerKind, string>();

/**
 * Builds the runner with host gcc (cached in the temp directory by a hash of every input), or returns undefined
 * when gcc is missing. Throws with gcc's diagnostics when the build fails.
 */
export function buildRunner(kind: RunnerKind): string | undefined {
  if (!hasTool('gcc')) return undefined;
  const cached = runners.get(kind);
  if (cached) return cached;
  const json = loadKernelsJson();
  const sources = [...new Set(Object.values(json.kernels).map((k) => k.file))].sort();
  const hash = createHash('sha256');
  hash.update(compile('gcc', ['--version']).output).update(RUNNER_FLAGS[kind].join(' ')).update(dispatchSource(json));
  for (const f of readdirSync(C_DIR).sort()) if (/\.[ch]$/.test(f)) hash.update(f).update(readFileSync(join(C_DIR, f)));
  hash.update(readFileSync(RUNNER_SOURCE));
  const dir = join(tmpdir(), `mcusim-c-runner-${kind}-${hash.digest('hex').slice(0, 16)}`);
  const exe = join(dir, 'kernel_runner');
  if (!existsSync(exe)) {
    const work = `${dir}.${process.pid}.tmp`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'kernel_dispatch.h'), dispatchSource(json));
    const r = compile('gcc', [...C_FLAGS, ...RUNNER_FLAGS[kind], `-I${C_DIR}`, `-I${work}`, RUNNER_SOURCE,
      ...sources.map((f) => join(C_DIR, f)), '-o', join(work, 'kernel_runner')]);
    if (!r.ok) throw new Error(`building the C kernel runner (${kind}) failed:\n${r.output}`);
    try {
      renameSync(work, dir);
    } catch {
      rmSync(work, { recursive: true, force: true }); // another process built the same runner first
    }
  }
  runners.set(kind, exe);
  return exe;
}

// ---------------------------------------------------------------- jobs

export interface Segment { name: string; base: number; bytes: Uint8Array }
export interface CallArg { value: number; f32?: boolean }
export interface Call { kernel: string; args: CallArg[] }

/** One memory image and the calls made on it, with the WebAssembly result to compare the C result with. */
export interface Job {
  label: string;
  segments: Segment[];
  calls: Call[];
  /** Segment bytes after the WebAssembly calls. */
  expected: Uint8Array[];
  /** Whether the WebAssembly calls changed any byte (a sanity check that the case did work). */
  changed: boolean;
}

/** Bytes of guard around each region: random, and they must come out identical. */
export const GUARD = 64;

let machinePromise: Promise<Machine> | undefined;
/** A private machine (1 MiB SRAM, 1 MiB Flash) so that nothing here disturbs the shared test machine. */
export function cMachine(): Promise<Machine> {
  machinePromise ??= Machine.create({ ...findDevice('stm32h743'), name: 'c-twin', sramBytes: 1 << 20, flashBytes: 1 << 20 }, kernelsModule());
  return machinePromise;
}

/** Runs the calls on the WebAssembly machine over the given image and records the result. */
export async function makeJob(label: string, segments: Segment[], calls: Call[]): Promise<Job> {
  const m = await cMachine();
  const mem = m.bytes;
  const sorted = [...segments].sort((a, b) => a.base - b.base);
  sorted.forEach((s, i) => {
    if (s.base < 0 || s.base + s.bytes.length > mem.length) throw new Error(`${label}: segment ${s.name} lies outside the machine's memory`);
    if (i > 0 && sorted[i - 1].base + sorted[i - 1].bytes.length > s.base) throw new Error(`${label}: segments ${sorted[i - 1].name} and ${s.name} overlap`);
  });
  for (const s of segments) mem.set(s.bytes, s.base);
  m.loadedFlash = null;
  for (const c of calls) m.kernel(c.kernel)(...c.args.map((a) => a.value));
  const expected = segments.map((s) => mem.slice(s.base, s.base + s.bytes.length));
  const changed = segments.some((s, i) => Buffer.compare(s.bytes, expected[i]) !== 0);
  return { label, segments, calls, expected, changed };
}

/**
 * The memory image and calls of a schedule: the arena (random bytes, then the inputs) and the Flash image, each with
 * random guard bytes, at the machine's addresses; the calls use the schedule's arguments. Checks the arguments
 * against kernels.json (names, order, pointer/float/int kinds) on the way. `edit` may rewrite each call (after that
 * check) and add arena bytes after the schedule's arena for it to use.
 */
export async function scheduleImage(
  label: string, s: Schedule, inputs: readonly ArrayBufferView[], rng: Rng,
  edit?: { extraArenaBytes: number; call: (call: Call, step: Schedule['steps'][number]) => Call },
): Promise<{ segments: Segment[]; calls: Call[] }> {
  const m = await cMachine();
  const json = loadKernelsJson();
  const arena = randomBytes(rng, s.arenaBytes + (edit?.extraArenaBytes ?? 0) + GUARD);
  s.graph.inputs.forEach((t, i) => {
    const d = inputs[i];
    arena.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), s.placements[t]!.offset);
  });
  const flash = randomBytes(rng, s.flashImage.length + 2 * GUARD);
  flash.set(s.flashImage, GUARD);
  if (arena.length > m.flashBase - GUARD) throw new Error(`${label}: arena of ${s.arenaBytes} bytes is too large for the test machine`);
  const calls = s.steps.map((step) => {
    const k = json.kernels[step.kernel];
    if (!k) throw new Error(`${label}: kernel '${step.kernel}' has no C twin in runtime/c/kernels.json`);
    const got = step.args.map((a) => a.name).join(', ');
    const want = k.params.map((p) => p.name).join(', ');
    if (got !== want) throw new Error(`${label}: the schedule passes ${step.kernel}(${got}) but the C kernel takes (${want})`);
    step.args.forEach((a, j) => {
      const kind = paramKind(k.params[j].type);
      const ok = kind === 'p' ? a.space !== 'value' || a.value === 0 : kind === 'f' ? a.space === 'value' && a.f32 === true : a.space === 'value' && !a.f32;
      if (!ok) throw new Error(`${label}: ${step.kernel} argument ${a.name} (${a.space}${a.f32 ? ', f32' : ''}) does not fit C type ${k.params[j].type}`);
    });
    const call = { kernel: step.kernel, args: step.args.map((a) => ({ value: a.space === 'flash' ? m.flashBase + a.value : a.value, ...(a.f32 ? { f32: true } : {}) })) };
    return edit ? edit.call(call, step) : call;
  });
  return { segments: [{ name: 'arena', base: 0, bytes: arena }, { name: 'flash', base: m.flashBase - GUARD, bytes: flash }], calls };
}

/** One job running every step of a schedule (see scheduleImage). */
export async function scheduleJob(
  label: string, s: Schedule, inputs: readonly ArrayBufferView[], rng: Rng,
  edit?: { extraArenaBytes: number; call: (call: Call, step: Schedule['steps'][number]) => Call },
): Promise<Job> {
  const { segments, calls } = await scheduleImage(label, s, inputs, rng, edit);
  return makeJob(label, segments, calls);
}

/**
 * One job per step of a schedule, each starting from the memory WebAssembly left after the steps before it, so
 * that a mismatch names its step. Labels are "<label> step <i> (<kernel> '<name>')".
 */
export async function stepJobs(label: string, s: Schedule, inputs: readonly ArrayBufferView[], rng: Rng): Promise<Job[]> {
  const { segments, calls } = await scheduleImage(label, s, inputs, rng);
  const jobs: Job[] = [];
  let current = segments;
  for (let i = 0; i < calls.length; i++) {
    const job = await makeJob(`${label} step ${i} (${calls[i].kernel} '${s.steps[i].name}')`, current, [calls[i]]);
    jobs.push(job);
    current = current.map((seg, j) => ({ ...seg, bytes: job.expected[j] }));
  }
  return jobs;
}

export function randomBytes(rng: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(0, 255);
  return b;
}

function encode(jobs: readonly Job[]): Buffer {
  const parts: Buffer[] = [Buffer.from('MCK1')];
  const u32 = (...vs: number[]) => {
    const b = Buffer.alloc(4 * vs.length);
    vs.forEach((v, i) => b.writeUInt32LE(v >>> 0, 4 * i));
    parts.push(b);
  };
  const f32 = new Float32Array(1);
  const bits = new Uint32Array(f32.buffer);
  for (const job of jobs) {
    u32(1, job.segments.length);
    for (const s of job.segments) {
      u32(s.base, s.bytes.length);
      parts.push(Buffer.from(s.bytes.buffer, s.bytes.byteOffset, s.bytes.length));
    }
    u32(job.calls.length);
    for (const c of job.calls) {
      const name = Buffer.from(c.kernel);
      u32(name.length);
      parts.push(name);
      u32(c.args.length, ...c.args.map((a) => {
        if (!a.f32) return a.value | 0;
        f32[0] = a.value;
        return bits[0];
      }));
    }
  }
  u32(0);
  return Buffer.concat(parts);
}

/** Runs the jobs through one runner process; returns each job's segment bytes after the C calls. */
export function runJobs(runner: string, jobs: readonly Job[]): Uint8Array[][] {
  const r = spawnSync(runner, [], {
    input: encode(jobs),
    maxBuffer: 1 << 30,
    env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0', UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1' },
  });
  if (r.status !== 0) throw new Error(`kernel runner failed (status ${r.status}${r.signal ? `, ${r.signal}` : ''}):\n${String(r.stderr).slice(0, 4000)}`);
  const out = r.stdout;
  let pos = 0;
  const results = jobs.map((job) => job.segments.map((s) => {
    const bytes = new Uint8Array(out.buffer, out.byteOffset + pos, s.bytes.length);
    pos += s.bytes.length;
    return bytes;
  }));
  if (pos !== out.length) throw new Error(`kernel runner wrote ${out.length} bytes, expected ${pos}`);
  return results;
}

/** The first differing byte of each job whose C result differs from the WebAssembly one. */
export function mismatches(jobs: readonly Job[], results: readonly Uint8Array[][]): string[] {
  const out: string[] = [];
  jobs.forEach((job, j) => {
    for (let s = 0; s < job.segments.length; s++) {
      const want = job.expected[s];
      const got = results[j][s];
      if (Buffer.compare(want, got) === 0) continue;
      let i = 0;
      while (want[i] === got[i]) i++;
      const seg = job.segments[s];
      out.push(`${job.label}: ${seg.name} byte ${i} (address ${seg.base + i}): C ${got[i]}, WebAssembly ${want[i]}, before ${seg.bytes[i]}`);
      break;
    }
  });
  return out;
}

export interface BatchResult {
  /** Why nothing ran (a missing compiler), or undefined. */
  skipped?: string;
  /** Mismatches per runner build. */
  failures: Record<RunnerKind, string[]>;
  jobs: Job[];
}

/**
 * Runs the jobs through the sanitizer build and the optimised build of the runner (one process each) and collects
 * every mismatch. `skipped` says why nothing ran when gcc is missing.
 */
export function runBatch(jobs: Job[]): BatchResult {
  const failures: Record<RunnerKind, string[]> = { sanitize: [], optimize: [] };
  for (const kind of ['sanitize', 'optimize'] as const) {
    const runner = buildRunner(kind);
    if (!runner) return { skipped: NO_GCC, failures, jobs };
    failures[kind] = mismatches(jobs, runJobs(runner, jobs));
  }
  return { failures, jobs };
}

/** Memoises an async computation (one runner batch per test file). */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}

// `npx tsx tests/helpers/c-kernels.ts --write-json`: rewrites runtime/c/kernels.json from the headers, keeping
// "about" and listing as missing every WebAssembly export without a C twin.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write-json')) {
  const old = loadKernelsJson();
  const kernels = kernelsFromSources();
  const missing = [...wasmKernels().keys()].filter((k) => !kernels[k]).sort();
  writeFileSync(join(C_DIR, 'kernels.json'), formatKernelsJson({ ...old, kernels, missing }));
  console.log(`runtime/c/kernels.json: ${Object.keys(kernels).length} kernels, missing: ${missing.join(', ') || 'none'}`);
}

/**
 * Asserts that `kernel`'s jobs in a batch (labels start with "<kernel> #") are at least `min`, nearly all did work,
 * and that C matched WebAssembly in both runner builds. Prints the reason and returns when the batch was skipped.
 */
export function expectKernel(result: BatchResult, kernel: string, min: number, assert: { ok(v: unknown, msg?: string): void }): void {
  if (result.skipped) {
    console.log(`\n  ${kernel}: ${result.skipped}`);
    return;
  }
  const prefix = `${kernel} #`;
  const jobs = result.jobs.filter((j) => j.label.startsWith(prefix));
  assert.ok(jobs.length >= min, `${kernel}: ${jobs.length} cases, want at least ${min}`);
  const idle = jobs.filter((j) => !j.changed).length;
  assert.ok(idle <= jobs.length / 20, `${kernel}: ${idle} of ${jobs.length} cases changed no byte in WebAssembly`);
  for (const kind of ['sanitize', 'optimize'] as const) {
    const bad = result.failures[kind].filter((f) => f.startsWith(prefix));
    assert.ok(bad.length === 0, `${kernel} (${kind} build): ${bad.length} of ${jobs.length} cases differ from WebAssembly:\n${bad.slice(0, 5).join('\n')}`);
  }
}
