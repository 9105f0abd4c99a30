// Building and running the emitted C: host gcc (plain and under AddressSanitizer + UBSan) and arm-none-eabi-gcc
// for QEMU's mps2-an386 (Cortex-M4) and mps2-an500 (Cortex-M7), with a linker script whose FLASH and RAM are the
// device profile's sizes. Every run is bounded by a timeout; every missing tool is named with its Debian package.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FitError, McusimError } from '../../runtime/errors.ts';
import { C_COMMON_FLAGS, CORE_FLAGS } from '../../runtime/emit-c.ts';
import type { Device } from '../devices.ts';

export const HARNESS_DIR = fileURLToPath(new URL('./', import.meta.url));

export type Target = 'host' | 'm4' | 'm7';
export const TARGETS: readonly Target[] = ['host', 'm4', 'm7'];

export const QEMU_BOARDS: Record<Exclude<Target, 'host'>, { machine: string; core: string; description: string }> = {
  m4: { machine: 'mps2-an386', core: 'cortex-m4', description: 'QEMU mps2-an386 (Cortex-M4)' },
  m7: { machine: 'mps2-an500', core: 'cortex-m7', description: 'QEMU mps2-an500 (Cortex-M7)' },
};
/** The MPS2 boards' code memory (at 0) and SRAM (at 0x20000000) are 4 MiB each. */
const BOARD_MEMORY = 4 << 20;
/** Stack and heap the harness reserves in RAM; both count in the ELF's bss, and both must fit the runtime reserve. */
export const HARNESS_STACK_BYTES = 2048;
export const HARNESS_HEAP_BYTES = 1024;

export const HOST_FLAGS = ['-O2'];
export const SANITIZE_FLAGS = ['-O1', '-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer'];
export const ARM_FLAGS = ['-Os', '-ffunction-sections', '-fdata-sections'];

/** A tool the chosen targets need is not installed. */
export class ToolMissingError extends McusimError {}

/** The C build failed to compile, crashed, reported a sanitizer error or hung. */
export class HarnessError extends McusimError {
  override readonly exitCode = 1;
}

interface Tool { command: string; pkg: string; why: string }

const TOOLS: Record<Target, Tool[]> = {
  host: [{ command: 'gcc', pkg: 'gcc', why: 'to build the model for the host' }],
  m4: [
    { command: 'arm-none-eabi-gcc', pkg: 'gcc-arm-none-eabi', why: 'to cross-compile for Cortex-M' },
    { command: 'arm-none-eabi-size', pkg: 'binutils-arm-none-eabi', why: 'to measure the ELF' },
    { command: 'qemu-system-arm', pkg: 'qemu-system-arm', why: 'to run the Cortex-M build' },
  ],
  m7: [],
};
TOOLS.m7 = TOOLS.m4;

function onPath(command: string, path: string): boolean {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

/** Throws ToolMissingError naming every missing tool and the Debian package that provides it. */
export async function requireTools(targets: readonly Target[], path = process.env.PATH ?? ''): Promise<void> {
  const missing = new Map<string, string>();
  for (const t of targets) {
    for (const tool of TOOLS[t]) if (!onPath(tool.command, path)) missing.set(tool.command, `${tool.command} (${tool.why}; Debian package ${tool.pkg})`);
  }
  if (!missing.size && targets.some((t) => t !== 'host')) {
    // The compiler may be there without newlib's semihosting library.
    const r = await run('arm-none-eabi-gcc', ['-print-file-name=rdimon.specs'], { timeoutMs: 20_000 });
    if (!r.stdout.includes('/')) missing.set('rdimon.specs', 'newlib with semihosting (rdimon.specs, for output through QEMU; Debian package libnewlib-arm-none-eabi)');
  }
  if (missing.size) {
    const pkgs = [...missing.values()].map((m) => /Debian package ([\w.+-]+)/.exec(m)![1]);
    throw new ToolMissingError(`validate --target ${targets.join(',')} needs ${[...missing.values()].join(', ')}; ` +
      `install with: apt-get install ${[...new Set(pkgs)].join(' ')}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Processes

export interface RunResult { code: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean; seconds: number }

export function run(command: string, args: string[], o: { cwd?: string; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<RunResult> {
  const start = performance.now();
  return new Promise((resolve) => {
    execFile(command, args, { cwd: o.cwd, timeout: o.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20, env: o.env ?? process.env, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { killed?: boolean; signal?: string; code?: number | string }) | null;
        if (e && typeof e.code === 'string') {
          resolve({ code: null, signal: null, stdout, stderr: `${stderr}${command}: ${e.message}`, timedOut: false, seconds: (performance.now() - start) / 1000 });
          return;
        }
        const seconds = (performance.now() - start) / 1000;
        const timedOut = !!e?.killed && e.signal === 'SIGKILL' && seconds * 1000 >= o.timeoutMs * 0.95;
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr, timedOut, seconds });
      });
  });
}

function compileError(what: string, r: RunResult): never {
  throw new HarnessError(`${what} failed${r.timedOut ? ' (timed out)' : ''}:\n${(r.stderr || r.stdout).trim().split('\n').slice(0, 40).join('\n')}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Builds

export type HostVariant = 'plain' | 'sanitize';

/** Compiles model + kernels + harness for the host; returns the executable's path. */
export async function buildHost(src: string, sources: string[], out: string, o: { variant: HostVariant; trace?: boolean }): Promise<string> {
  const exe = join(out, o.variant === 'sanitize' ? 'model-asan' : 'model-host');
  const args = [...C_COMMON_FLAGS, ...(o.variant === 'sanitize' ? SANITIZE_FLAGS : HOST_FLAGS), ...(o.trace ? ['-DMODEL_TRACE'] : []),
    `-I${src}`, ...sources.map((f) => join(src, f)), join(HARNESS_DIR, 'harness.c'), '-o', exe];
  const r = await run('gcc', args, { timeoutMs: 600_000 });
  if (r.code !== 0) compileError(`host build (gcc ${o.variant === 'sanitize' ? 'with -fsanitize=address,undefined' : ''})`, r);
  if (r.stderr.trim()) throw new HarnessError(`host build printed warnings:\n${r.stderr.trim()}`);
  return exe;
}

/** The linker script for a device: FLASH and RAM exactly the profile's sizes. */
export function linkerScript(device: Device, target: Exclude<Target, 'host'>): string {
  for (const [what, bytes] of [['Flash', device.flashBytes], ['SRAM', device.sramBytes]] as const) {
    if (bytes > BOARD_MEMORY) throw new McusimError(`${QEMU_BOARDS[target].description} has ${BOARD_MEMORY >> 20} MiB for ${what}; device ${device.name} has ${bytes} B, more than QEMU can host`);
  }
  return `/* Generated by mcusim validate for ${device.name} on ${QEMU_BOARDS[target].description}. */
ENTRY(Reset_Handler)
MEMORY
{
  FLASH (rx)  : ORIGIN = 0x00000000, LENGTH = ${device.flashBytes}
  RAM   (rwx) : ORIGIN = 0x20000000, LENGTH = ${device.sramBytes}
}
SECTIONS
{
  .text : {
    KEEP(*(.vectors))
    *(.text .text.*)
    *(.rodata .rodata.*)
    KEEP(*(.init)) KEEP(*(.fini))
    . = ALIGN(4);
  } > FLASH
  .ARM.extab : { *(.ARM.extab* .gnu.linkonce.armextab.*) } > FLASH
  .ARM.exidx : { *(.ARM.exidx* .gnu.linkonce.armexidx.*) } > FLASH
  .preinit_array : { PROVIDE_HIDDEN(__preinit_array_start = .); KEEP(*(.preinit_array*)) PROVIDE_HIDDEN(__preinit_array_end = .); } > FLASH
  .init_array : { PROVIDE_HIDDEN(__init_array_start = .); KEEP(*(SORT(.init_array.*))) KEEP(*(.init_array*)) PROVIDE_HIDDEN(__init_array_end = .); } > FLASH
  .fini_array : { PROVIDE_HIDDEN(__fini_array_start = .); KEEP(*(SORT(.fini_array.*))) KEEP(*(.fini_array*)) PROVIDE_HIDDEN(__fini_array_end = .); } > FLASH
  .data : ALIGN(4) {
    __data_start__ = .;
    *(.data .data.*)
    . = ALIGN(4);
    __data_end__ = .;
  } > RAM AT > FLASH
  __data_load__ = LOADADDR(.data);
  .bss (NOLOAD) : ALIGN(4) {
    __bss_start__ = .;
    *(.bss .bss.*)
    *(COMMON)
    . = ALIGN(4);
    __bss_end__ = .;
  } > RAM
  .heap (NOLOAD) : ALIGN(8) {
    __heap_start__ = .;
    end = .; _end = .;
    . += ${HARNESS_HEAP_BYTES};
    __heap_end__ = .;
  } > RAM
  .stack (NOLOAD) : ALIGN(8) {
    __stack_bottom__ = .;
    . += ${HARNESS_STACK_BYTES};
    __stack_top__ = .;
  } > RAM
}
`;
}

/** Compiles and links the QEMU ELF; a region overflow becomes a FitError naming the region and the bytes missing. */
export async function buildArm(src: string, sources: string[], out: string, device: Device, target: Exclude<Target, 'host'>, o: { trace?: boolean; model: string }): Promise<{ elf: string; objects: string[] }> {
  const board = QEMU_BOARDS[target];
  const flags = [...C_COMMON_FLAGS, ...CORE_FLAGS[board.core], ...ARM_FLAGS, ...(o.trace ? ['-DMODEL_TRACE'] : []), `-I${src}`];
  const script = join(out, `${target}.ld`);
  writeFileSync(script, linkerScript(device, target));
  // Objects first (their sizes split the ELF into model and harness), then one link.
  const all = [...sources.map((f) => join(src, f)), join(HARNESS_DIR, 'harness.c'), join(HARNESS_DIR, 'startup.c')];
  const objects = all.map((f) => join(out, `${target}${o.trace ? '-trace' : ''}-${f.replace(/^.*\//, '').replace(/\.c$/, '.o')}`));
  const results = await Promise.all(all.map((f, i) => run('arm-none-eabi-gcc', [...flags, '-c', f, '-o', objects[i]], { timeoutMs: 600_000 })));
  results.forEach((r, i) => {
    if (r.code !== 0) compileError(`arm-none-eabi-gcc -c ${all[i]}`, r);
    if (r.stderr.trim()) throw new HarnessError(`arm-none-eabi-gcc printed warnings for ${all[i]}:\n${r.stderr.trim()}`);
  });
  const elf = join(out, `model-${target}${o.trace ? '-trace' : ''}.elf`);
  const link = await run('arm-none-eabi-gcc', [...CORE_FLAGS[board.core], '--specs=nano.specs', '--specs=rdimon.specs', '-nostartfiles',
    `-T${script}`, '-Wl,--gc-sections', ...objects, '-o', elf], { timeoutMs: 600_000 });
  if (link.code !== 0) {
    const overflows = [...link.stderr.matchAll(/region [`']?(\w+)'? overflowed by (\d+) bytes/g)].map((m) => ({ region: m[1], bytes: Number(m[2]) }));
    if (overflows.length) {
      const size = (r: string) => (r === 'FLASH' ? device.flashBytes : device.sramBytes);
      throw new FitError(`model '${o.model}' does not fit ${device.name} at link time (${board.core} build for ${board.description}): ` +
        overflows.map((v) => `region ${v.region} (${v.region === 'FLASH' ? 'Flash' : 'SRAM'}, ${size(v.region)} B) overflowed by ${v.bytes} B, ${v.bytes} B missing`).join('; ') +
        `; the firmware needs the model plus the harness (startup, semihosting, C library, ${HARNESS_STACK_BYTES} B stack, ${HARNESS_HEAP_BYTES} B heap)`);
    }
    compileError(`linking ${elf}`, link);
  }
  return { elf, objects };
}

export interface ElfSize { text: number; data: number; bss: number }

/** arm-none-eabi-size (Berkeley format) of each file. */
export async function elfSizes(files: string[]): Promise<ElfSize[]> {
  const r = await run('arm-none-eabi-size', ['-B', ...files], { timeoutMs: 60_000 });
  if (r.code !== 0) compileError('arm-none-eabi-size', r);
  const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/).map(Number));
  return rows.map(([text, data, bss]) => ({ text, data, bss }));
}

/** The size of one symbol in an ELF (nm -S), or undefined. */
export async function symbolSize(elf: string, symbol: string): Promise<number | undefined> {
  const r = await run('arm-none-eabi-nm', ['-S', elf], { timeoutMs: 60_000 });
  const m = new RegExp(`^[0-9a-f]+ ([0-9a-f]+) \\w ${symbol}$`, 'm').exec(r.stdout);
  return m ? parseInt(m[1], 16) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Runs

/** Runs a built harness in `cwd` (which holds inputs.bin); bounded by timeoutMs. */
export async function runHarness(target: Target, program: string, cwd: string, timeoutMs: number, sanitize = false): Promise<RunResult> {
  if (!existsSync(join(cwd, 'inputs.bin'))) throw new McusimError(`no inputs.bin in ${cwd}`);
  const r = target === 'host'
    ? await run(program, [], { cwd, timeoutMs, env: sanitize ? { ...process.env, ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=0:exitcode=66', UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1:exitcode=67' } : process.env })
    : await runQemu(target, program, cwd, timeoutMs);
  const where = target === 'host' ? `host run of ${program}${sanitize ? ' (AddressSanitizer + UBSan)' : ''}` : `QEMU run of ${program} on ${QEMU_BOARDS[target].description}`;
  if (r.timedOut) throw new HarnessError(`${where} did not finish within ${timeoutMs / 1000} s and was killed (a hang; raise --timeout if the model is just slow)`);
  const sanitizerReport = /ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer|UndefinedBehaviorSanitizer/.exec(r.stderr);
  if (sanitizerReport) throw new HarnessError(`${where}: the sanitizer reported an error:\n${r.stderr.trim().split('\n').slice(0, 30).join('\n')}`);
  if (r.code !== 0) {
    throw new HarnessError(`${where} failed (${r.signal ? `signal ${r.signal}` : `exit code ${r.code}`}):\n${(r.stdout + r.stderr).trim().split('\n').slice(0, 30).join('\n')}`);
  }
  return r;
}

export function runQemu(target: Exclude<Target, 'host'>, elf: string, cwd: string, timeoutMs: number): Promise<RunResult> {
  return run('qemu-system-arm', ['-M', QEMU_BOARDS[target].machine, '-display', 'none', '-serial', 'null', '-monitor', 'none',
    '-semihosting-config', 'enable=on,target=native', '-kernel', elf], { cwd, timeoutMs });
}
