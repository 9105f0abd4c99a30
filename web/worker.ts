// The page's inference worker: the same runtime modules and WebAssembly kernels as the CLI, nothing else.
// It fetches build/kernels.wasm (copied next to this script), compiles it once, and answers requests from
// web/main.ts one at a time. Nothing here imports node:*; the bundler refuses it if anything does.
import { tensorBytes, type Graph } from '../models/ir.ts';
import { readTflite } from '../models/tflite/reader.ts';
import { buildZooModel, zooFamilies, zooNames } from '../models/zoo/index.ts';
import { InputError, McusimError } from '../runtime/errors.ts';
import { runSchedule } from '../runtime/executor.ts';
import { fitReport } from '../runtime/fit.ts';
import { inputFromBytes, randomInputs } from '../runtime/inputs.ts';
import { Machine } from '../runtime/machine.ts';
import { supportedOps } from '../runtime/ops/index.ts';
import { buildSchedule, type Schedule } from '../runtime/schedule.ts';
import { DEFAULT_DEVICE, DEVICES, validateDevice, type Device } from '../simulator/devices.ts';
import { DEFAULT_MODEL, type FitResult, type InitResult, type InputSource, type ModelInfo, type PatchResult, type ModelSource, type Request, type Response, type RunResult, type TensorInfo, type TimelineInfo } from './protocol.ts';
import { describeOutput } from './results.ts';
import { latencyEstimate, patchTimeline } from './simulator-extras.ts';

interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
  location: { href: string };
}
const scope = globalThis as unknown as WorkerScope;

let kernels: Promise<{ module: WebAssembly.Module; bytes: number }> | undefined;
let current: { graph: Graph; schedule: Schedule } | undefined;
/** The few most recently used simulated MCUs, one per device description. */
const machines = new Map<string, Machine>();
/** Zoo models are deterministic: keep the few most recent ones instead of building them again. */
const zooCache = new Map<string, Graph>();

function loadKernels() {
  kernels ??= (async () => {
    const url = new URL('kernels.wasm', scope.location.href);
    const res = await fetch(url);
    if (!res.ok) throw new McusimError(`cannot load the WebAssembly kernels (${url.pathname}: HTTP ${res.status})`);
    const bytes = await res.arrayBuffer();
    return { module: await WebAssembly.compile(bytes), bytes: bytes.byteLength };
  })();
  kernels.catch(() => { kernels = undefined; });
  return kernels;
}

async function init(): Promise<InitResult> {
  const k = await loadKernels();
  return {
    zoo: zooNames(), families: zooFamilies(), devices: [...DEVICES], defaultDevice: DEFAULT_DEVICE, defaultModel: DEFAULT_MODEL,
    supportedOps: supportedOps(), kernelsBytes: k.bytes,
  };
}

function loadGraph(source: ModelSource): { graph: Graph; origin: 'zoo' | 'file' } {
  if ('zoo' in source) {
    let g = zooCache.get(source.zoo);
    if (!g) {
      g = buildZooModel(source.zoo);
      zooCache.set(source.zoo, g);
      if (zooCache.size > 4) zooCache.delete(zooCache.keys().next().value!);
    }
    return { graph: g, origin: 'zoo' };
  }
  const name = source.name.replace(/\.tflite$/i, '');
  return { graph: readTflite(new Uint8Array(source.file), name), origin: 'file' };
}

function tensorInfo(g: Graph, index: number): TensorInfo {
  const t = g.tensors[index];
  return { index, name: t.name, shape: t.shape, dtype: t.dtype, bytes: tensorBytes(t), scale: t.quant?.scale[0] ?? 1, zeroPoint: t.quant?.zeroPoint[0] ?? 0 };
}

function model(source: ModelSource): ModelInfo {
  const start = performance.now();
  const { graph, origin } = loadGraph(source);
  const schedule = buildSchedule(graph);
  current = { graph, schedule };
  const steps = schedule.steps.map((s) => ({
    index: s.index, op: s.op, name: s.name, kernel: s.kernel, inputs: s.inputs, outputs: s.outputs, scratch: s.scratch,
    macs: s.macs, liveBytes: s.liveBytes, arenaHighWater: s.arenaHighWater,
  }));
  const timelines: TimelineInfo[] = [{
    label: 'layer by layer',
    liveBytes: steps.map((s) => s.liveBytes),
    highWater: steps.map((s) => s.arenaHighWater),
    points: steps.map((s) => `${s.index} ${s.op} ${s.name}`),
    arenaBytes: schedule.arenaBytes,
  }];
  return {
    name: graph.name,
    source: origin,
    inputs: graph.inputs.map((i) => tensorInfo(graph, i)),
    outputs: graph.outputs.map((i) => tensorInfo(graph, i)),
    tensors: graph.tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype, bytes: tensorBytes(t), constant: t.data !== undefined })),
    steps,
    placements: schedule.placements.map((p) => p ?? null),
    lifetimes: schedule.lifetimes.map((l) => l ?? null),
    arenaBytes: schedule.arenaBytes,
    lowerBound: schedule.lowerBound,
    greedyArenaBytes: schedule.greedyArenaBytes,
    flashWeights: schedule.flashImage.length,
    macs: schedule.macs,
    timelines,
    latency: latencyEstimate(schedule),
    buildMs: performance.now() - start,
  };
}

function needModel() {
  if (!current) throw new McusimError('no model is loaded yet');
  return current;
}

function fit(rawDevice: unknown): FitResult {
  const { schedule } = needModel();
  const device = validateDevice(rawDevice, 'device');
  return { chosen: fitReport(schedule, device), device, all: DEVICES.map((d) => ({ device: d, report: fitReport(schedule, d) })) };
}

async function machineFor(device: Device): Promise<Machine> {
  // The executor checks budgets against machine.device, so a machine serves exactly one device description.
  const key = JSON.stringify(device);
  let m = machines.get(key);
  if (!m) {
    m = await Machine.create(device, (await loadKernels()).module);
    if (machines.size >= 3) machines.delete(machines.keys().next().value!);
    machines.set(key, m);
  }
  return m;
}

async function run(rawDevice: unknown, sources: InputSource[]): Promise<RunResult> {
  const { graph, schedule } = needModel();
  const fitted = fit(rawDevice);
  if (sources.length !== graph.inputs.length) throw new InputError(`model '${graph.name}' takes ${graph.inputs.length} input(s), the page gave ${sources.length}`);
  const inputs = graph.inputs.map((t, i) => {
    const s = sources[i];
    if ('seed' in s) return randomInputs(graph, s.seed)[i];
    return inputFromBytes(graph.tensors[t], new Uint8Array(s.bytes), s.label);
  });
  const machine = await machineFor(fitted.device);
  const start = performance.now();
  const outputs = runSchedule(schedule, machine, inputs);
  const wallMs = performance.now() - start;
  return {
    model: graph.name,
    device: fitted.device.name,
    inputs: graph.inputs.map((t, i) => {
      const s = sources[i];
      const v = inputs[i];
      return { name: graph.tensors[t].name, source: 'seed' in s ? `random (seed ${s.seed})` : s.label, bytes: v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) as ArrayBuffer };
    }),
    outputs: graph.outputs.map((t, i) => describeOutput(graph.tensors[t], outputs[i])),
    wallMs,
    fit: fitted,
  };
}

async function handle(req: Request): Promise<unknown> {
  switch (req.kind) {
    case 'init': return init();
    case 'model': return model(req.source);
    case 'fit': return fit(req.device);
    case 'patch': { const { graph } = needModel(); return { model: graph.name, ...patchTimeline(graph) } satisfies PatchResult; }
    case 'run': return run(req.device, req.inputs);
  }
}

// Requests run strictly one after another, in arrival order.
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (e: MessageEvent) => {
  const { id, request } = e.data as { id: number; request: Request };
  queue = queue.then(async () => {
    let reply: Response;
    try {
      reply = { id, ok: true, result: await handle(request) };
    } catch (err) {
      const known = err instanceof McusimError;
      const error = err instanceof Error ? err : new Error(String(err));
      reply = { id, ok: false, error: { name: known ? error.name : `internal error (${error.name})`, message: error.message } };
    }
    scope.postMessage(reply);
  });
};
