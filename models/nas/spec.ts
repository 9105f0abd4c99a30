// Architecture specs: plain JSON descriptions of MobileNetV2/ProxylessNAS-style networks (a stem convolution,
// inverted-residual blocks, an optional 1x1 feature-mix layer, global average pooling, a classifier). `mcusim nas`
// writes them; every command that takes MODEL reads them (models/load.ts). Blocks follow MCUNet's / ProxylessNAS's
// MBInvertedConvLayer: 1x1 expand to round(in * expand) + ReLU6 (skipped when expand is 1), k x k depthwise +
// ReLU6, linear 1x1 project, and an identity shortcut (ADD) when the stride is 1 and in = out channels.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Graph } from '../ir.ts';
import { ModelError } from '../../runtime/errors.ts';
import { GraphBuilder } from '../zoo/builder.ts';
import { calibrate, syntheticSignal } from '../zoo/calibrate.ts';
import { countMacs } from '../zoo/index.ts';
import { hashString } from '../rng.ts';

export const SPEC_FORMAT = 'mcusim-architecture/1';

export interface BlockSpec {
  /** Depthwise kernel size (odd). */
  kernel: number;
  /** Expansion ratio of the 1x1 expand convolution (1 = no expand convolution). */
  expand: number;
  /** Output channels. */
  channels: number;
  stride: 1 | 2;
}

export interface ArchSpec {
  format: typeof SPEC_FORMAT;
  name: string;
  /** Square input image side; the input is [1, resolution, resolution, inputChannels]. */
  resolution: number;
  inputChannels: number;
  classes: number;
  stem: { channels: number; kernel: number; stride: 1 | 2 };
  blocks: BlockSpec[];
  /** 1x1 feature-mix convolution before pooling (ProxylessNAS's 1280 x w, MCUNet's 384), or null for none. */
  head: { channels: number } | null;
  /** What `mcusim nas` found for this network (informative; loading ignores it). */
  search?: Record<string, unknown>;
}

const TOP_FIELDS = ['format', 'name', 'resolution', 'inputChannels', 'classes', 'stem', 'blocks', 'head', 'search', 'notes'];
const MAX_CHANNELS = 8192;

/** Checks a parsed JSON value field by field; errors name the field, e.g. blocks[3].kernel. */
export function validateSpec(raw: unknown, where: string): ArchSpec {
  const bad = (field: string, what: string, got: unknown): never => {
    throw new ModelError(`architecture spec ${where}: field '${field}' must be ${what} (got ${JSON.stringify(got)})`);
  };
  const obj = (v: unknown, field: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(field, 'an object', v);
    return v as Record<string, unknown>;
  };
  const int = (v: unknown, field: string, lo: number, hi: number): number => {
    if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi) bad(field, `an integer from ${lo} to ${hi}`, v);
    return v as number;
  };
  const oddKernel = (v: unknown, field: string): number => {
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 11 || (v as number) % 2 === 0) bad(field, 'an odd integer from 1 to 11', v);
    return v as number;
  };
  const stride = (v: unknown, field: string): 1 | 2 => {
    if (v !== 1 && v !== 2) bad(field, '1 or 2', v);
    return v as 1 | 2;
  };
  const onlyFields = (o: Record<string, unknown>, prefix: string, allowed: string[]) => {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(`${prefix}${k}`, `absent (unknown field; known: ${allowed.join(', ')})`, o[k]);
  };

  const r = obj(raw, '(top level)');
  onlyFields(r, '', TOP_FIELDS);
  if (r.format !== SPEC_FORMAT) bad('format', `"${SPEC_FORMAT}"`, r.format);
  if (typeof r.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(r.name)) bad('name', 'a name of letters, digits, ".", "_" and "-" (at most 64)', r.name);
  const resolution = int(r.resolution, 'resolution', 8, 1024);
  const inputChannels = r.inputChannels === undefined ? 3 : int(r.inputChannels, 'inputChannels', 1, 64);
  const classes = r.classes === undefined ? 1000 : int(r.classes, 'classes', 2, 100000);
  const s = obj(r.stem, 'stem');
  onlyFields(s, 'stem.', ['channels', 'kernel', 'stride']);
  const stem = { channels: int(s.channels, 'stem.channels', 1, MAX_CHANNELS), kernel: oddKernel(s.kernel, 'stem.kernel'), stride: stride(s.stride, 'stem.stride') };
  if (!Array.isArray(r.blocks) || r.blocks.length === 0 || r.blocks.length > 200) bad('blocks', 'a list of 1 to 200 blocks', r.blocks);
  const blocks = (r.blocks as unknown[]).map((b, i): BlockSpec => {
    const f = `blocks[${i}]`;
    const o = obj(b, f);
    onlyFields(o, `${f}.`, ['kernel', 'expand', 'channels', 'stride']);
    const expand = o.expand;
    if (typeof expand !== 'number' || !Number.isFinite(expand) || expand < 1 || expand > 16) bad(`${f}.expand`, 'a number from 1 to 16', expand);
    return { kernel: oddKernel(o.kernel, `${f}.kernel`), expand: expand as number, channels: int(o.channels, `${f}.channels`, 1, MAX_CHANNELS), stride: stride(o.stride, `${f}.stride`) };
  });
  let head: ArchSpec['head'] = null;
  if (r.head !== undefined && r.head !== null) {
    const h = obj(r.head, 'head');
    onlyFields(h, 'head.', ['channels']);
    head = { channels: int(h.channels, 'head.channels', 1, MAX_CHANNELS) };
  }
  if (r.search !== undefined) obj(r.search, 'search');
  return {
    format: SPEC_FORMAT, name: r.name as string, resolution, inputChannels, classes, stem, blocks, head,
    ...(r.search !== undefined ? { search: r.search as Record<string, unknown> } : {}),
  };
}

/** Builds the network a spec describes. shapesOnly: zero weights, no calibration data (for counting and planning). */
export function specBuilder(spec: ArchSpec, options: { shapesOnly?: boolean } = {}): GraphBuilder {
  const b = new GraphBuilder(spec.name, spec.name, options);
  let x = b.input('input', [1, spec.resolution, spec.resolution, spec.inputChannels]);
  let inC = spec.stem.channels;
  x = b.conv('stem', x, inC, spec.stem.kernel, spec.stem.stride, 'RELU6');
  spec.blocks.forEach((blk, i) => {
    const p = `block${i + 1}`;
    let h = x;
    if (blk.expand !== 1) h = b.conv(`${p}/expand`, h, Math.max(1, Math.round(inC * blk.expand)), 1, 1, 'RELU6');
    h = b.depthwise(`${p}/depthwise`, h, blk.kernel, blk.stride, 'RELU6');
    h = b.conv(`${p}/project`, h, blk.channels, 1, 1, 'NONE');
    if (blk.stride === 1 && inC === blk.channels) h = b.add(`${p}/add`, x, h);
    x = h;
    inC = blk.channels;
  });
  if (spec.head) x = b.conv('feature_mix', x, spec.head.channels, 1, 1, 'RELU6');
  x = b.mean('pool', x);
  x = b.fc('classifier', x, spec.classes, 'NONE', 'logits');
  b.finish([b.softmax('softmax', x)]);
  return b;
}

/** Shapes, operators and MACs are final; weights are zero and quantisation is a placeholder. Fast. */
export function buildSpecArchitecture(spec: ArchSpec): Graph {
  return specBuilder(spec, { shapesOnly: true }).graph;
}

/** Builds and calibrates the network (deterministic synthetic weights, as the zoo does): ready to run. */
export function buildSpecModel(spec: ArchSpec): Graph {
  const b = specBuilder(spec);
  const samples = countMacs(b.graph) < 20e6 ? 8 : 2;
  const inputs = Array.from({ length: samples }, (_, k) => b.graph.inputs.map((t, i) => syntheticSignal(b.graph.tensors[t].shape, hashString(`${spec.name}#calibration${k}.${i}`))));
  return calibrate(b, inputs);
}

/** Reads and checks a spec file. */
export function readSpecFile(path: string): ArchSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ModelError(`cannot read architecture spec ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ModelError(`architecture spec ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return validateSpec(raw, basename(path));
}
