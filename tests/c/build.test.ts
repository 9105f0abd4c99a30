// The C twins (runtime/c/) build warning-free on the host and for Cortex-M, agree with kernels.json, and cover
// every exported WebAssembly kernel (or are listed as missing in one place, kernels.json "missing").
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ARM_TARGETS, buildRunner, C_DIR, C_FLAGS, C_STRICT_FLAGS, compile, hasTool, kernelsFromSources, loadKernelsJson, NO_ARM_GCC, NO_GCC,
  paramKind, wasmKernels,
} from '../helpers/c-kernels.ts';
import { tmpdir } from 'node:os';

const json = loadKernelsJson();
const sources = readdirSync(C_DIR).filter((f) => f.endsWith('.c')).sort();

test('kernels.json matches the prototypes in runtime/c/*.h (regenerate: npx tsx tests/helpers/c-kernels.ts --write-json)', () => {
  const fromSources = kernelsFromSources();
  assert.equal(Object.keys(json.kernels).sort(), Object.keys(fromSources).sort());
  for (const [name, k] of Object.entries(fromSources)) assert.equal(json.kernels[name], k, `kernels.json entry for ${name}`);
  for (const k of Object.values(json.kernels)) for (const p of k.params) paramKind(p.type); // only pointers, int32_t, float
  for (const h of json.shared) assert.ok(readdirSync(C_DIR).includes(h), `shared header ${h} exists`);
});

test('every exported WebAssembly kernel has a C twin with as many parameters, or is listed in kernels.json "missing"', () => {
  const wasm = wasmKernels();
  for (const [name, k] of Object.entries(json.kernels)) {
    assert.ok(wasm.has(name), `C kernel ${name} is not exported by build/kernels.wasm`);
    assert.is(k.params.length, wasm.get(name), `${name}: C takes ${k.params.length} parameters, WebAssembly ${wasm.get(name)}`);
    assert.not.ok(json.missing.includes(name), `${name} has a C twin; remove it from kernels.json "missing"`);
  }
  const unlisted = [...wasm.keys()].filter((n) => !json.kernels[n] && !json.missing.includes(n)).sort();
  assert.equal(unlisted, [], `WebAssembly kernels without a C twin in runtime/c/: ${unlisted.join(', ')} (write the twin, or list it in kernels.json "missing")`);
  for (const n of json.missing) assert.ok(wasm.has(n), `kernels.json "missing" lists ${n}, which build/kernels.wasm does not export`);
  if (json.missing.length) console.log(`\n  C twins still missing (kernels.json "missing"): ${json.missing.join(', ')}`);
});

/** Compiles every C file in one compiler run (objects land in a fresh directory); returns the object paths. */
function compileAll(cc: string, flags: string[], what: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'mcusim-c-build-'));
  const r = spawnSync(cc, [...flags, '-c', ...sources.map((f) => join(C_DIR, f))], { cwd: dir, encoding: 'utf8' });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  const hint = /string\.h: No such file/.test(output) ? '\n(the C library headers are missing: install the Debian package libnewlib-arm-none-eabi)' : '';
  assert.ok(r.status === 0 && output === '', `${cc} ${what} ${flags.join(' ')}:\n${output}${hint}`);
  return sources.map((f) => join(dir, f.replace(/\.c$/, '.o')));
}

test('every C file builds warning-free with host gcc (-std=c99 -Wall -Wextra -Werror -pedantic, plus stricter warnings)', () => {
  if (!hasTool('gcc')) return console.log(`\n  ${NO_GCC}`);
  rmSync(dirname(compileAll('gcc', [...C_FLAGS, ...C_STRICT_FLAGS, '-O2'], 'host')[0]), { recursive: true, force: true });
  // The headers are usable from C++ too (extern "C").
  const headers = readdirSync(C_DIR).filter((f) => f.endsWith('.h')).map((h) => `#include "${h}"`).join('\n');
  const r = spawnSync('gcc', ['-x', 'c++', '-std=c++11', '-Wall', '-Wextra', '-Werror', '-fsyntax-only', `-I${C_DIR}`, '-'], { input: headers, encoding: 'utf8' });
  assert.ok(r.status === 0, `g++ on every header:\n${r.stderr}`);
});

test('every C file compiles with arm-none-eabi-gcc for Cortex-M4, M7 and M0+, calling no libm and no float routine in int8 kernels', () => {
  if (!hasTool('arm-none-eabi-gcc')) return console.log(`\n  ${NO_ARM_GCC}`);
  const floatKernels = new Set(['quantize.c', 'dequantize.c', 'resize_nearest_neighbor.c']);
  // memcpy/memset/memmove and libgcc's integer helpers (Cortex-M0+ has no 32x32->64 multiply or divide);
  // single-precision helpers (soft float) only in the float kernels; nothing else (no libm, no double).
  const integer = /^(memcpy|memset|memmove|__aeabi_(lmul|idiv|idivmod|uidiv|uidivmod|ldivmod|uldivmod|llsl|llsr|lasr))$/;
  const float = /^__aeabi_(f\w+|i2f|ui2f|l2f|ul2f)$/;
  for (const t of ARM_TARGETS) {
    const objects = compileAll('arm-none-eabi-gcc', [...C_FLAGS, ...C_STRICT_FLAGS, ...t.flags, '-O2'], t.name);
    const nm = spawnSync('arm-none-eabi-nm', ['-u', ...objects], { encoding: 'utf8' });
    assert.is(nm.status, 0, nm.stderr);
    let file = '';
    for (const line of nm.stdout.split('\n')) {
      const header = /([\w.]+)\.o:$/.exec(line.trim());
      if (header) file = `${header[1]}.c`;
      const symbol = /^\s*U\s+(\S+)$/.exec(line)?.[1];
      if (symbol) assert.ok(integer.test(symbol) || (floatKernels.has(file) && float.test(symbol)), `${t.name} ${file} calls ${symbol}`);
    }
    rmSync(dirname(objects[0]), { recursive: true, force: true });
  }
});

test('the kernel runner builds with the sanitizers and lists every kernels.json kernel', () => {
  const runner = buildRunner('sanitize');
  if (!runner) return console.log(`\n  ${NO_GCC}`);
  const r = compile(runner, ['--list']);
  assert.ok(r.ok, r.output);
  const listed = r.output.split('\n').map((l) => l.split(' ')[0]).sort();
  assert.equal(listed, Object.keys(json.kernels).sort());
});

test('C sources include only the standard headers the kernels may use', () => {
  for (const f of readdirSync(C_DIR).filter((x) => /\.[ch]$/.test(x))) {
    const text = readFileSync(join(C_DIR, f), 'utf8');
    for (const m of text.matchAll(/#include <([^>]+)>/g)) assert.ok(['stdint.h', 'string.h'].includes(m[1]), `${f} includes <${m[1]}>`);
    assert.not.match(text, /\bmalloc\b|\bfree\(|\bcalloc\b/, `${f} must not allocate`);
  }
});

test.run();
