// The C twins of the kernels (runtime/c/): which file holds a kernel, and which files it needs with it.
// runtime/c/kernels.json maps kernel -> { file } when present; otherwise a header declaring `void NAME(` is looked up.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { McusimError } from '../errors.ts';

export const C_KERNEL_DIR = fileURLToPath(new URL('../c/', import.meta.url));

/** Source file (basename, e.g. 'quantize.c') of every kernel found in `dir`. */
export function kernelFiles(dir = C_KERNEL_DIR): Map<string, string> {
  const map = new Map<string, string>();
  const index = join(dir, 'kernels.json');
  if (existsSync(index)) {
    const raw = JSON.parse(readFileSync(index, 'utf8')) as unknown;
    const entries: [string, unknown][] = Array.isArray(raw)
      ? raw.map((e) => [String((e as { kernel?: string; name?: string }).kernel ?? (e as { name?: string }).name), e])
      : Object.entries((raw as { kernels?: object }).kernels ?? (raw as object));
    for (const [kernel, e] of entries) {
      const file = typeof e === 'string' ? e : (e as { file?: string; source?: string }).file ?? (e as { source?: string }).source;
      if (typeof file === 'string') map.set(kernel, file.replace(/^.*\//, '').replace(/\.h$/, '.c'));
    }
  }
  if (existsSync(dir)) {
    for (const h of readdirSync(dir).filter((f) => f.endsWith('.h')).sort()) {
      const text = readFileSync(join(dir, h), 'utf8');
      for (const m of text.matchAll(/^\s*void\s+([A-Za-z_]\w*)\s*\(/gm)) if (!map.has(m[1])) map.set(m[1], h.replace(/\.h$/, '.c'));
    }
  }
  return map;
}

export interface CParam { name: string; type: string }

/** The C function of each kernel whose function has another name (kernels.json "function"): tanh -> tanh_int8 (C
 * reserves tanh), depthwise_conv2d_mult -> depthwise_conv2d (the same C code serves both). */
export function kernelFunctions(dir = C_KERNEL_DIR): Map<string, string> {
  const map = new Map<string, string>();
  const index = join(dir, 'kernels.json');
  if (!existsSync(index)) return map;
  const raw = JSON.parse(readFileSync(index, 'utf8')) as { kernels?: Record<string, { function?: unknown }> };
  for (const [k, e] of Object.entries(raw.kernels ?? {})) if (typeof e?.function === 'string') map.set(k, e.function);
  return map;
}

/** Parameter lists from runtime/c/kernels.json (kernels without one are not checked). */
export function kernelParams(dir = C_KERNEL_DIR): Map<string, CParam[]> {
  const map = new Map<string, CParam[]>();
  const index = join(dir, 'kernels.json');
  if (!existsSync(index)) return map;
  const raw = JSON.parse(readFileSync(index, 'utf8')) as { kernels?: Record<string, { params?: CParam[] }> };
  for (const [k, e] of Object.entries(raw.kernels ?? {})) if (Array.isArray(e?.params)) map.set(k, e.params);
  return map;
}

/**
 * Every file the given kernels need, by basename: each kernel's .c and .h and the local headers they include
 * (followed transitively), each once, in a stable order.
 */
export function kernelSources(kernels: Iterable<string>, dir = C_KERNEL_DIR): { files: Map<string, string>; headers: Map<string, string> } {
  const known = kernelFiles(dir);
  const files = new Map<string, string>();
  const headers = new Map<string, string>();
  const read = (name: string, from: string) => {
    if (files.has(name)) return;
    const path = join(dir, name);
    if (!existsSync(path)) throw new McusimError(`C kernel file ${path} (needed by ${from}) does not exist`);
    const text = readFileSync(path, 'utf8');
    files.set(name, text);
    for (const m of text.matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)) read(m[1], name);
  };
  for (const k of [...new Set(kernels)].sort()) {
    const c = known.get(k);
    if (!c) throw new McusimError(`kernel '${k}' has no C implementation in ${dir} (expected a .c/.h pair declaring 'void ${k}(')`);
    read(c, `kernel ${k}`);
    headers.set(k, c.replace(/\.c$/, '.h'));
    read(headers.get(k)!, `kernel ${k}`);
  }
  return { files: new Map([...files].sort(([a], [b]) => a.localeCompare(b))), headers };
}
