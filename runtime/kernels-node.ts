// Loading the compiled kernels in Node (the browser fetches the same file).
import { readFileSync } from 'node:fs';
import { McusimError } from './errors.ts';

let compiled: WebAssembly.Module | undefined;

export const KERNELS_WASM = new URL('../build/kernels.wasm', import.meta.url);

export function kernelsModule(): WebAssembly.Module {
  if (!compiled) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(KERNELS_WASM));
    } catch {
      throw new McusimError(`compiled kernels not found at ${KERNELS_WASM.pathname}; run 'npm run build:asm' first`);
    }
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}
