// The model zoo: int8 Graph IR networks built from published architecture facts, with deterministic synthetic
// weights and calibrated activation quantisation. Names are parsed strictly:
//   mbv2-w{width}-r{res}, mbv1-w{width}-r{res}, proxyless-w{width}-r{res}, mlperf-vww, mlperf-ic, mlperf-kws, mlperf-ad
import type { Graph } from '../ir.ts';
import { ModelError, UsageError } from '../../runtime/errors.ts';
import type { GraphBuilder } from './builder.ts';
import { calibrate, quantiseTensor, syntheticSignal } from './calibrate.ts';
import { mlperfAd, mlperfIc, mlperfKws, mlperfVww } from './mlperf.ts';
import { mobilenetV1, mobilenetV2 } from './mobilenet.ts';
import { proxylessMobile } from './proxyless.ts';
import { hashString } from '../rng.ts';

export interface ZooFamily { pattern: string; description: string; examples: string[] }

type Scalable = 'mbv2' | 'mbv1' | 'proxyless';
type Fixed = 'mlperf-vww' | 'mlperf-ic' | 'mlperf-kws' | 'mlperf-ad';

export interface ZooName {
  family: Scalable | Fixed;
  /** Canonical spelling (width always with a decimal point: w1.0, w0.35); also the graph's name and weight seed. */
  name: string;
  width?: number;
  resolution?: number;
}

const SCALABLE: Record<Scalable, { description: string; examples: string[]; build: (name: string, w: number, r: number) => GraphBuilder }> = {
  mbv2: {
    description: 'MobileNetV2 (Sandler et al. 2018): inverted residuals, ReLU6, ImageNet head (1000 classes)',
    examples: ['mbv2-w0.35-r144', 'mbv2-w1.0-r224'],
    build: mobilenetV2,
  },
  mbv1: {
    description: 'MobileNetV1 (Howard et al. 2017): 13 depthwise-separable blocks, ReLU6, ImageNet head',
    examples: ['mbv1-w0.25-r128', 'mbv1-w1.0-r224'],
    build: (name, w, r) => mobilenetV1(name, w, r, { activation: 'RELU6', pool: 'mean', classes: 1000 }),
  },
  proxyless: {
    description: 'ProxylessNAS-Mobile (Cai et al. 2019), MIT HAN Lab block list, ImageNet head',
    examples: ['proxyless-w0.3-r176', 'proxyless-w1.0-r224'],
    build: proxylessMobile,
  },
};

const FIXED: Record<Fixed, { description: string; build: (name: string) => GraphBuilder }> = {
  'mlperf-vww': { description: 'MLPerf Tiny visual wake words: MobileNetV1 0.25, 96x96x3, 2 classes', build: mlperfVww },
  'mlperf-ic': { description: 'MLPerf Tiny image classification: ResNet-8, CIFAR-10 32x32x3, 10 classes', build: mlperfIc },
  'mlperf-kws': { description: 'MLPerf Tiny keyword spotting: DS-CNN small, 49x10x1 MFCC, 12 classes', build: mlperfKws },
  'mlperf-ad': { description: 'MLPerf Tiny anomaly detection: FC autoencoder 640-128x4-8-128x4-640', build: mlperfAd },
};

const WIDTH_MAX = 4;
const RES_MIN = 16;
const RES_MAX = 1024;
const RES_MULTIPLE = 8;

export function zooFamilies(): ZooFamily[] {
  return [
    ...Object.entries(SCALABLE).map(([f, d]) => ({ pattern: `${f}-w<width>-r<res>`, description: d.description, examples: d.examples })),
    ...Object.entries(FIXED).map(([f, d]) => ({ pattern: f, description: d.description, examples: [f] })),
  ];
}

/** A representative list of zoo models for docs, the CLI and benchmarks. */
export function zooNames(): string[] {
  return ['mlperf-vww', 'mlperf-ic', 'mlperf-kws', 'mlperf-ad', 'mbv2-w0.35-r144', 'mbv2-w1.0-r224', 'mbv1-w0.25-r128', 'mbv1-w1.0-r224', 'proxyless-w0.3-r176', 'proxyless-w1.0-r224'];
}

function knownFamilies(): string {
  return zooFamilies().map((f) => f.pattern).join(', ');
}

export function parseZooName(name: string): ZooName {
  if (typeof name !== 'string' || name.length === 0) throw new UsageError(`model name is empty; known zoo families: ${knownFamilies()}`);
  for (const f of Object.keys(FIXED) as Fixed[]) {
    if (name === f) return { family: f, name: f };
    if (name.startsWith(`${f}-`)) throw new UsageError(`'${name}': ${f} is a fixed model and takes no parameters ('${name.slice(f.length + 1)}'); use '${f}'`);
  }
  const dash = name.indexOf('-');
  const family = (dash < 0 ? name : name.slice(0, dash)) as Scalable;
  if (!Object.hasOwn(SCALABLE, family)) throw new ModelError(`unknown model '${name}': not a .tflite path and not a zoo model; known zoo families: ${knownFamilies()}`);
  const form = `${family}-w<width>-r<res> with 0 < width <= ${WIDTH_MAX} and res a multiple of ${RES_MULTIPLE} in ${RES_MIN}..${RES_MAX}, e.g. ${SCALABLE[family].examples.join(', ')}`;
  const parts = dash < 0 ? [] : name.slice(dash + 1).split('-');
  if (parts.length !== 2) throw new UsageError(`'${name}': expected ${form}`);
  const [wPart, rPart] = parts;
  if (wPart.startsWith('r') && rPart.startsWith('w')) throw new UsageError(`'${name}': width comes before resolution; expected ${form}`);
  const wm = /^w((?:0|[1-9]\d*)(?:\.\d+)?)$/.exec(wPart);
  if (!wm) throw new UsageError(`'${name}': bad width '${wPart}'; expected ${form}`);
  const width = Number(wm[1]);
  if (!(width > 0 && width <= WIDTH_MAX)) throw new UsageError(`'${name}': width ${wm[1]} is out of range; expected ${form}`);
  const rm = /^r([1-9]\d*)$/.exec(rPart);
  if (!rm) throw new UsageError(`'${name}': bad resolution '${rPart}'; expected ${form}`);
  const resolution = Number(rm[1]);
  if (resolution < RES_MIN || resolution > RES_MAX || resolution % RES_MULTIPLE !== 0) throw new UsageError(`'${name}': resolution ${resolution} is not a multiple of ${RES_MULTIPLE} in ${RES_MIN}..${RES_MAX}; expected ${form}`);
  const w = Number.isInteger(width) ? width.toFixed(1) : String(width);
  return { family, name: `${family}-w${w}-r${resolution}`, width, resolution };
}

function architecture(z: ZooName): GraphBuilder {
  return z.family in FIXED ? FIXED[z.family as Fixed].build(z.name) : SCALABLE[z.family as Scalable].build(z.name, z.width!, z.resolution!);
}

/**
 * The network's structure only, without calibration: every shape, operator and MAC is final, but weights are
 * zero and activations carry placeholder quantisation (scale 1, zero point 0). Fast; good for counting MACs and
 * planning memory, not for running.
 */
export function buildZooArchitecture(name: string): Graph {
  return architecture(parseZooName(name)).graph;
}

/** Builds and calibrates a zoo model. Deterministic: the same name always gives the same bytes. */
export function buildZooModel(name: string): Graph {
  const z = parseZooName(name);
  const b = architecture(z);
  // A couple of calibration inputs for big networks, more for small ones (cheap, and steadier ranges).
  const samples = countMacs(b.graph) < 20e6 ? 8 : 2;
  const inputs = Array.from({ length: samples }, (_, k) => b.graph.inputs.map((t, i) => syntheticSignal(b.graph.tensors[t].shape, hashString(`${z.name}#calibration${k}.${i}`))));
  return calibrate(b, inputs);
}

/** A deterministic smooth synthetic input for each graph input, quantised with the input's parameters. */
export function zooInputs(g: Graph, seed: number): Int8Array[] {
  return g.inputs.map((t, i) => quantiseTensor(g.tensors[t], syntheticSignal(g.tensors[t].shape, hashString(`${g.name}#input${seed}.${i}`))));
}

/** Multiply-accumulates of the convolution, depthwise and fully-connected layers, counted from the graph. */
export function countMacs(g: Graph): number {
  let macs = 0;
  for (const op of g.ops) {
    const out = g.tensors[op.outputs[0]].shape;
    const w = g.tensors[op.inputs[1]]?.shape;
    if (op.kind === 'CONV_2D') macs += out[1] * out[2] * out[3] * w[1] * w[2] * w[3];
    else if (op.kind === 'DEPTHWISE_CONV_2D') macs += out[1] * out[2] * out[3] * w[1] * w[2];
    else if (op.kind === 'FULLY_CONNECTED') macs += w[0] * w[1];
  }
  return macs;
}

/** Weights and biases of the weighted layers. */
export function countParams(g: Graph): number {
  let n = 0;
  for (const op of g.ops) {
    if (op.kind !== 'CONV_2D' && op.kind !== 'DEPTHWISE_CONV_2D' && op.kind !== 'FULLY_CONNECTED') continue;
    for (const i of op.inputs.slice(1)) if (i >= 0) n += g.tensors[i].data?.length ?? 0;
  }
  return n;
}
