// bench:web's page: runs .tflite models in mcusim (the demo's runtime and kernels.wasm) and in TensorFlow Lite's
// own WebAssembly runtime (@tensorflow/tfjs-tflite, its wasm files served from this origin), in the same page,
// one thread each, alternating runs. Query: ?models=a,b&runs=N&warmup=N&device=NAME. Each model needs
// models/NAME.tflite, models/NAME.input.bin and (optionally) models/NAME.expected.bin beside this page.
// The result goes to window.__bench (bench/web.ts reads it) and to the page.
import { loadTFLiteModel, getWasmFeatures } from '@tensorflow/tfjs-tflite/dist/tf-tflite.fesm.js';
import * as flatbuffers from 'flatbuffers';
import { Model } from '../../models/tflite/generated/schema_generated.ts';
import { readTflite } from '../../models/tflite/reader.ts';
import { runSchedule } from '../../runtime/executor.ts';
import { fitReport } from '../../runtime/fit.ts';
import { inputFromBytes } from '../../runtime/inputs.ts';
import { Machine } from '../../runtime/machine.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { findDevice } from '../../simulator/devices.ts';

export interface Timing { medianMs: number; minMs: number; samples: number[] }
export interface ModelResult {
  model: string;
  macs: number;
  device: string;
  arenaBytes: number;
  mcusim: Timing;
  tflite: Timing;
  /** mcusim median / TFLite median: below 1 means mcusim is faster. */
  ratio: number;
  /** The median over runs of mcusim / TFLite within the same run: both sides of a pair share the machine's load. */
  pairedRatio: number;
  mcusimMatchesExpected: boolean | null;
  tfliteMatchesExpected: boolean | null;
  mcusimEqualsTflite: boolean;
  /** Inferences per timed batch (performance.now() is coarse without cross-origin isolation). */
  batch: number;
  /** Tensors whose quantized_dimension had to be set to 0 before TFLite would load the file. */
  tflitePatchedTensors: number;
}
export interface BenchResult { ok: true; results: ModelResult[]; wasmFeatures: unknown; userAgent: string; runs: number; warmup: number }

interface Runner {
  getInputs(): { data(): ArrayBufferView & { set(a: ArrayLike<number>): void } }[];
  getOutputs(): { data(): ArrayLike<number> }[];
  infer(): boolean;
}

declare global {
  interface Window { __bench?: BenchResult | { ok: false; error: string } }
}

const q = new URLSearchParams(location.search);
const MODELS = (q.get('models') ?? 'person_detect,kws_ref_model').split(',').filter(Boolean);
const RUNS = Number(q.get('runs') ?? 30);
const WARMUP = Number(q.get('warmup') ?? 5);
const DEVICE = q.get('device') ?? 'stm32f412';

const status = (t: string) => { document.getElementById('status')!.textContent = t; };

async function fetchBytes(path: string, optional = false): Promise<Uint8Array | null> {
  const r = await fetch(path);
  if (!r.ok) {
    if (optional) return null;
    throw new Error(`${path}: HTTP ${r.status}`);
  }
  return new Uint8Array(await r.arrayBuffer());
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const timing = (samples: number[]): Timing => ({ medianMs: median(samples), minMs: Math.min(...samples), samples });
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => v === b[i]);

/**
 * TFLite's interpreter refuses a tensor whose quantized_dimension is not below its rank ("quantized_dimension must
 * be in range [0, 1)"); TFLite Micro ignores the field. person_detect.tflite, as published in tflite-micro, has
 * quantized_dimension 3 on its 1-D bias tensors. For TFLite this returns a copy with those fields set to 0 (the only
 * axis of a 1-D tensor, so the meaning is unchanged); the bytes are patched in place, nothing else moves.
 */
function tfliteCompatible(file: Uint8Array): { bytes: Uint8Array; patched: number } {
  const bytes = file.slice();
  const bb = new flatbuffers.ByteBuffer(bytes);
  const model = Model.getRootAsModel(bb);
  let patched = 0;
  for (let g = 0; g < model.subgraphsLength(); g++) {
    const sg = model.subgraphs(g)!;
    for (let t = 0; t < sg.tensorsLength(); t++) {
      const tensor = sg.tensors(t)!;
      const q = tensor.quantization();
      if (!q || q.quantizedDimension() < Math.max(1, tensor.shapeLength())) continue;
      const table = q as unknown as { bb: flatbuffers.ByteBuffer; bb_pos: number };
      const field = table.bb.__offset(table.bb_pos, 16);
      table.bb.writeInt32(table.bb_pos + field, 0);
      patched++;
    }
  }
  return { bytes, patched };
}

async function benchModel(name: string, kernels: WebAssembly.Module): Promise<ModelResult> {
  const file = (await fetchBytes(`models/${name}.tflite`))!;
  const inputBytes = (await fetchBytes(`models/${name}.input.bin`))!;
  const expected = await fetchBytes(`models/${name}.expected.bin`, true);

  // mcusim: the same calls the demo's worker makes.
  const graph = readTflite(file, name);
  const schedule = buildSchedule(graph);
  const device = findDevice(DEVICE);
  const fit = fitReport(schedule, device);
  const machine = await Machine.create(device, kernels);
  const input = inputFromBytes(graph.tensors[graph.inputs[0]], inputBytes, `${name}.input.bin`);
  let mcusimOut: ArrayLike<number> = [];
  const runMcusim = () => { mcusimOut = runSchedule(schedule, machine, [input])[0]; };

  // TensorFlow Lite (XNNPACK inside its WebAssembly build), one thread.
  const forTflite = tfliteCompatible(file);
  const model = await loadTFLiteModel(forTflite.bytes.buffer as ArrayBuffer, { numThreads: 1 });
  const runner = (model as unknown as { modelRunner: Runner }).modelRunner;
  let tfliteOut: ArrayLike<number> = [];
  const runTflite = () => {
    runner.getInputs()[0].data().set(new Int8Array(inputBytes.buffer, inputBytes.byteOffset, inputBytes.byteLength));
    if (!runner.infer()) throw new Error(`TFLite failed to run ${name}`);
    tfliteOut = Int8Array.from(runner.getOutputs()[0].data() as ArrayLike<number>);
  };

  // Warm up, and size the batches so that one batch takes at least 20 ms of the faster engine.
  const time = (f: () => void, n: number) => { const t0 = performance.now(); for (let k = 0; k < n; k++) f(); return (performance.now() - t0) / n; };
  for (let i = 0; i < WARMUP; i++) { runMcusim(); runTflite(); }
  const probe = Math.min(time(runMcusim, 3), time(runTflite, 3));
  const batch = Math.max(1, Math.ceil(20 / Math.max(probe, 0.01)));
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    status(`${name}: batch ${i + 1} of ${RUNS} (${batch} inferences each)`);
    if (i % 2 === 0) { a.push(time(runMcusim, batch)); b.push(time(runTflite, batch)); } else { b.push(time(runTflite, batch)); a.push(time(runMcusim, batch)); }
    await new Promise((r) => setTimeout(r, 0));
  }
  const exp = expected ? new Int8Array(expected.buffer, expected.byteOffset, expected.byteLength) : null;
  const mcusim = timing(a);
  const tflite = timing(b);
  return {
    model: name, macs: schedule.macs, device: device.name, arenaBytes: fit.sram.peak, mcusim, tflite, ratio: mcusim.medianMs / tflite.medianMs,
    pairedRatio: median(a.map((x, i) => x / b[i])),
    mcusimMatchesExpected: exp ? same(mcusimOut, exp) : null,
    tfliteMatchesExpected: exp ? same(tfliteOut, exp) : null,
    mcusimEqualsTflite: same(mcusimOut, tfliteOut),
    batch,
    tflitePatchedTensors: forTflite.patched,
  };
}

async function main() {
  try {
    const kernels = await WebAssembly.compile(await (await fetch('kernels.wasm')).arrayBuffer());
    const results: ModelResult[] = [];
    for (const m of MODELS) results.push(await benchModel(m, kernels));
    const wasmFeatures = await getWasmFeatures();
    window.__bench = { ok: true, results, wasmFeatures, userAgent: navigator.userAgent, runs: RUNS, warmup: WARMUP };
    document.getElementById('table')!.textContent = results.map((r) => `${r.model}: mcusim ${r.mcusim.medianMs.toFixed(2)} ms, TFLite ${r.tflite.medianMs.toFixed(2)} ms, ratio ${r.ratio.toFixed(2)}`).join('\n');
    status('Done.');
  } catch (e) {
    window.__bench = { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    status(`Failed: ${(window.__bench as { error: string }).error}`);
  }
}

void main();
