// Messages between the page (web/main.ts) and the inference worker (web/worker.ts). Everything the worker
// sends is plain data (structured-clone friendly); it comes from the same runtime modules the CLI uses.
import type { FitReport } from '../runtime/fit.ts';
import type { Device } from '../simulator/devices.ts';

/** The CLI's default model (models/load.ts imports node:fs, so the page keeps its own copy; a test checks they agree). */
export const DEFAULT_MODEL = 'mlperf-vww';

export type ModelSource = { zoo: string } | { file: ArrayBuffer; name: string };

/** Where a model input's bytes come from. `bytes` are raw int8 (or float32) values of exactly the tensor's size. */
export type InputSource = { seed: number } | { bytes: ArrayBuffer; label: string };

export type Request =
  | { kind: 'init' }
  | { kind: 'model'; source: ModelSource }
  | { kind: 'fit'; device: unknown }
  /** The current model's patch-based schedule timeline (slower to plan, so asked for after the first result). */
  | { kind: 'patch' }
  | { kind: 'run'; device: unknown; inputs: InputSource[] };

export interface TensorInfo {
  index: number;
  name: string;
  shape: number[];
  dtype: string;
  bytes: number;
  scale: number;
  zeroPoint: number;
}

export interface StepInfo {
  index: number;
  op: string;
  name: string;
  kernel: string;
  inputs: number[];
  outputs: number[];
  scratch: { offset: number; bytes: number } | null;
  macs: number;
  liveBytes: number;
  arenaHighWater: number;
}

/** One memory schedule of the model (layer by layer; patch-based when the runtime offers it). */
export interface TimelineInfo {
  label: string;
  /** Bytes live at each point of the schedule. */
  liveBytes: number[];
  /** Highest arena byte in use at each point, where known. */
  highWater?: number[];
  /** Labels of the points (for layer-by-layer: the step's operator and name). */
  points?: string[];
  arenaBytes: number;
}

export interface ModelInfo {
  name: string;
  source: 'zoo' | 'file';
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** Every tensor, constants included (placement undefined for constants). */
  tensors: { name: string; shape: number[]; dtype: string; bytes: number; constant: boolean }[];
  steps: StepInfo[];
  placements: ({ offset: number; bytes: number } | null)[];
  lifetimes: ([number, number] | null)[];
  arenaBytes: number;
  lowerBound: number;
  greedyArenaBytes: number;
  flashWeights: number;
  macs: number;
  timelines: TimelineInfo[];
  /** Per-step latency estimate from the simulator's cycle model, when it has one. */
  latency: { cycles: number[]; source: string } | null;
  buildMs: number;
}

export interface PatchResult { model: string; timeline: TimelineInfo | null; note: string }

export interface FitResult {
  chosen: FitReport;
  device: Device;
  all: { device: Device; report: FitReport }[];
}

export interface OutputValues {
  name: string;
  shape: number[];
  dtype: string;
  scale: number;
  zeroPoint: number;
  data: number[];
  dequantized: number[];
}

export interface RunResult {
  model: string;
  device: string;
  inputs: { name: string; source: string; bytes: ArrayBuffer }[];
  outputs: OutputValues[];
  wallMs: number;
  fit: FitResult;
}

export interface InitResult {
  zoo: string[];
  families: { pattern: string; description: string; examples: string[] }[];
  devices: Device[];
  defaultDevice: string;
  defaultModel: string;
  supportedOps: string[];
  kernelsBytes: number;
}

export interface ErrorInfo { name: string; message: string }

export type Response =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: ErrorInfo };
