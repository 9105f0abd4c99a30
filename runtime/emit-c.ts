// Schedule -> a self-contained C99 folder: model.h (the API), model.c (the schedule as kernel calls with literal
// arena and Flash offsets), model_flash.c (the Flash image as one const array), the C kernels the model uses and no
// others, a Makefile and a CMakeLists.txt. The emitter makes no placement decisions: every number comes from the schedule.
import type { Device } from '../simulator/devices.ts';
import { McusimError } from './errors.ts';
import type { Schedule } from './schedule.ts';
import { cmakeLists, makefile } from './c-emitter/build-files.ts';
import { flashHeader, flashSource } from './c-emitter/flash.ts';
import { C_KERNEL_DIR, kernelFunctions, kernelParams, kernelSources } from './c-emitter/kernels.ts';
import { modelSource } from './c-emitter/model-c.ts';
import { modelHeader } from './c-emitter/model-h.ts';

export { C_COMMON_FLAGS, C_WARNINGS, CORE_FLAGS } from './c-emitter/build-files.ts';
export { MANIFEST, readManifest, writeEmitted, type Manifest } from './c-emitter/folder.ts';
export { C_KERNEL_DIR, kernelFiles } from './c-emitter/kernels.ts';
export { segments, traceRegions } from './c-emitter/model-c.ts';
export { floatLiteral, GENERATOR, intLiteral } from './c-emitter/text.ts';

export interface EmitOptions {
  device: Device;
  /** Where the C kernels come from (default runtime/c/). */
  kernelDir?: string;
}

export interface EmittedC {
  /** File name -> contents, all in one flat folder. */
  files: Map<string, string>;
  kernels: string[];
  /** The C files to compile (model sources and kernels). */
  sources: string[];
}

export function emitC(s: Schedule, o: EmitOptions): EmittedC {
  const kernels = [...new Set(s.steps.map((st) => st.kernel))].sort();
  const { files: kernelFiles, headers } = kernelSources(kernels, o.kernelDir ?? C_KERNEL_DIR);
  for (const name of kernelFiles.keys()) {
    if (/^model(_flash)?\.[ch]$/.test(name)) throw new McusimError(`C kernel file ${name} clashes with a generated file name`);
  }
  checkCalls(s, o.kernelDir ?? C_KERNEL_DIR);
  for (const t of [...s.graph.inputs, ...s.graph.outputs]) {
    if (!s.placements[t]) throw new McusimError(`model input/output '${s.graph.tensors[t].name}' has no whole-tensor place in the arena; the C API needs one`);
  }
  const files = new Map<string, string>();
  files.set('model.h', modelHeader(s, o.device));
  files.set('model.c', modelSource(s, o.device, [...new Set(kernels.map((k) => headers.get(k)!))].sort(), kernelFunctions(o.kernelDir ?? C_KERNEL_DIR)));
  files.set('model_flash.h', flashHeader(s));
  files.set('model_flash.c', flashSource(s));
  for (const [name, text] of kernelFiles) files.set(name, text);
  const sources = [...files.keys()].filter((f) => f.endsWith('.c'));
  files.set('Makefile', makefile(s, sources));
  files.set('CMakeLists.txt', cmakeLists(s, sources));
  return { files, kernels, sources };
}

/** Every call matches its C prototype (kernels.json): argument count, pointers for addresses, const for Flash. */
function checkCalls(s: Schedule, dir: string): void {
  const params = kernelParams(dir);
  for (const st of s.steps) {
    const p = params.get(st.kernel);
    if (!p) continue;
    const where = `step ${st.index} (${st.op} '${st.name}'): kernel ${st.kernel}`;
    if (p.length !== st.args.length) throw new McusimError(`${where} takes ${p.length} parameters in C but the schedule passes ${st.args.length} (${st.args.map((a) => a.name).join(', ')})`);
    st.args.forEach((a, i) => {
      const t = p[i].type.trim();
      const pointer = t.endsWith('*');
      const ok = a.space === 'value' ? !pointer && (a.f32 ? t === 'float' : t !== 'float' && t !== 'double') : pointer && (a.space === 'arena' || t.startsWith('const '));
      if (!ok) throw new McusimError(`${where}: argument ${i} '${a.name}' (${a.space}${a.f32 ? ', float' : ''}) does not fit C parameter '${p[i].type} ${p[i].name}'`);
    });
  }
}
