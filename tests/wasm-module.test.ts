// The compiled kernels keep the simulated MCU's memory rules: imported fixed memory, no growth, no data of their own.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import wabtInit from 'wabt';
import { kernelsModule, KERNELS_WASM } from '../runtime/kernels-node.ts';
import { Machine } from '../runtime/machine.ts';
import { findDevice } from '../simulator/devices.ts';
import { throwsError } from './helpers/expect-error.ts';

const wat = await (async () => {
  const wabt = await wabtInit();
  // A copy: wabt misreads Node Buffers that share a pooled ArrayBuffer.
  const mod = wabt.readWasm(new Uint8Array(readFileSync(KERNELS_WASM)), { readDebugNames: true, simd: true });
  return mod.toText({ foldExprs: false, inlineExport: false });
})();

test('kernels import their memory and never grow it', () => {
  assert.match(wat, /\(import "env" "memory" \(memory/);
  assert.not.match(wat, /memory\.grow/);
  assert.not.match(wat, /\(memory \$?\w* ?\d+\)\s*\(export/); // no memory of its own
});

test('kernels have no data segments (nothing of theirs lives in the arena or Flash)', () => {
  assert.not.match(wat, /\(data/);
});

test('kernels import nothing but the memory', () => {
  const imports = wat.match(/\(import "[^"]+" "[^"]+"/g) ?? [];
  assert.equal(imports, ['(import "env" "memory"']);
});

test('machine memory is exactly SRAM + Flash rounded to pages, initial = maximum, and cannot grow', async () => {
  const device = findDevice('rp2040'); // 264 KiB SRAM: not a whole number of 64 KiB pages
  const m = await Machine.create(device, kernelsModule());
  const pages = Math.ceil((device.sramBytes + device.flashBytes) / 65536);
  assert.is(m.memory.buffer.byteLength, pages * 65536);
  assert.is(m.flashBase, device.sramBytes);
  throwsError(() => m.memory.grow(1), RangeError);
  assert.is(m.memory.buffer.byteLength, pages * 65536);
});

test('a kernel access beyond the memory traps instead of growing it', async () => {
  const m = await Machine.create(findDevice('stm32f412'), kernelsModule());
  const end = m.memory.buffer.byteLength;
  // A 1x1 conv whose output pointer lies past the end of memory.
  const args = [0, 1, 1, 1, 0, 1, 1, 0, 0, 0, end + 16, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, -128, 127];
  throwsError(() => m.kernel('conv2d')(...args), WebAssembly.RuntimeError, /out of bounds/);
});

test.run();
