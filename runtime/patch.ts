// Patch-based inference (MCUNetV2): the operators up to a split tensor run tile by tile. The split tensor is cut
// into a grid of output tiles; each tile's receptive field is propagated backward through stride, padding, kernel
// size and dilation (residual ADDs take the union of what their consumers need), and every operator of the stage
// runs on tile buffers holding just its region, with the tile's own border padding. Only the split tensor is held
// whole; after it the network runs layer by layer. Patch steps are ordinary kernel calls: a CROP (copy_2d) when a
// consumer needs a smaller region than a tile holds, the operator's own kernel on tile-sized arguments, a PASTE
// (copy_2d) of the finished tile into the split tensor. The first convolution reads the input image in place
// (rows of the whole image, negative left padding selecting the columns), so no crop of the image is ever held.
// The input image lives row band by row band (released once no later patch reads it) and the split tensor fills
// row band by row band; the planner sees both through the spans the steps declare.
import { DTYPE_BYTES, tensorBytes, type Graph } from '../models/ir.ts';
import { ModelError, UnsupportedError, UsageError } from './errors.ts';
import {
  ANY_PADDING, appendLayerSteps, fusableBlocks, isInPlaceCandidate, ProgramBuilder, programItems, tensorConsumers, withFusedBlocks,
  type OpStep, type ProgArg, type Program, type Span,
} from './program.ts';
import { itemLiveBytes, itemLowerBound, planItems, type Item } from './planner.ts';

export interface PatchPlan {
  split: number;
  /** Graph operator producing the split tensor. */
  splitOp: number;
  grid: number;
  tiles: { op: string; tile: [number, number]; whole: [number, number] }[];
  overheadMacs: number;
  overheadRatio: number;
  /** Inverted-residual blocks after the split run fused (one expanded channel at a time). */
  fused: string[];
}

interface Box { y0: number; y1: number; x0: number; x1: number }

const FUSED_KERNEL = 'inverted_residual';
const WINDOW_OPS = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'INVERTED_RESIDUAL', 'AVERAGE_POOL_2D', 'MAX_POOL_2D']);
const POOL_OPS = new Set(['AVERAGE_POOL_2D', 'MAX_POOL_2D']);
const ELEMENTWISE_OPS = new Set(['ADD', 'MUL']);

/** Graph operators an op step runs: itself, a PAD folded into it, or a fused block's three. */
function coveredOps(s: OpStep): number[] {
  return [...(s.covers ?? [s.op]), ...(s.fusedPad !== undefined ? [s.fusedPad] : [])];
}

/** Spatial geometry of a patchable operator, from its lowered arguments. */
interface Geometry {
  kind: 'window' | 'elementwise';
  kH: number; kW: number; sH: number; sW: number; dH: number; dW: number; padTop: number; padLeft: number;
  inH: number; inW: number; outH: number; outW: number;
  /** Argument names of the spatial inputs (tensors), in order. */
  inputs: { arg: string; tensor: number }[];
}

function val(o: OpStep, name: string): number {
  const a = o.low.args.find((x) => x.name === name);
  if (!a || !('value' in a)) throw new Error(`internal: ${o.low.kernel} has no argument ${name}`);
  return a.value;
}

function tensorArg(o: OpStep, name: string): number | undefined {
  const a = o.low.args.find((x) => x.name === name);
  return a && 'tensor' in a ? a.tensor : undefined;
}

/** Why an operator cannot run on tiles, or its geometry. */
function geometry(g: Graph, o: OpStep): Geometry | string {
  const k = o.low.kernel;
  const out = g.tensors[o.outputs[0]];
  if (WINDOW_OPS.has(o.kind)) {
    const pool = POOL_OPS.has(o.kind);
    const x = tensorArg(o, 'input')!;
    const geo: Geometry = {
      kind: 'window',
      kH: val(o, pool ? 'filter_h' : 'k_h'), kW: val(o, pool ? 'filter_w' : 'k_w'),
      sH: val(o, 'stride_h'), sW: val(o, 'stride_w'),
      dH: pool ? 1 : val(o, 'dilation_h'), dW: pool ? 1 : val(o, 'dilation_w'),
      padTop: val(o, 'pad_top'), padLeft: val(o, 'pad_left'),
      inH: val(o, 'in_h'), inW: val(o, 'in_w'), outH: val(o, 'out_h'), outW: val(o, 'out_w'),
      inputs: [{ arg: 'input', tensor: x }],
    };
    if (pool && geo.outH === 1 && geo.outW === 1 && geo.kH >= geo.inH && geo.kW >= geo.inW) return `global pooling (${o.kind} '${o.name}') reduces the whole map to one pixel`;
    return geo;
  }
  if (ELEMENTWISE_OPS.has(o.kind)) {
    if (out.shape.length !== 4) return `${o.kind} '${o.name}' has a rank-${out.shape.length} output`;
    const inputs: { arg: string; tensor: number }[] = [];
    for (const arg of ['input1', 'input2']) {
      const t = tensorArg(o, arg);
      if (t === undefined) continue; // a constant operand stays in Flash
      const x = g.tensors[t];
      if (x.shape.length !== 4 || x.shape.some((d, i) => d !== out.shape[i])) return `${o.kind} '${o.name}' broadcasts a non-constant operand '${x.name}' [${x.shape}]`;
      inputs.push({ arg, tensor: t });
    }
    const [, h, w] = out.shape;
    return { kind: 'elementwise', kH: 1, kW: 1, sH: 1, sW: 1, dH: 1, dW: 1, padTop: 0, padLeft: 0, inH: h, inW: w, outH: h, outW: w, inputs };
  }
  return `${o.kind} '${o.name}' (kernel ${k}) cannot run on tiles; only convolutions, depthwise convolutions, local pooling, ADD and MUL can`;
}

/** Input rows/columns an output box needs (clipped to the input). */
function needed(geo: Geometry, out: Box): Box {
  return {
    y0: Math.max(0, out.y0 * geo.sH - geo.padTop),
    y1: Math.min(geo.inH, (out.y1 - 1) * geo.sH - geo.padTop + (geo.kH - 1) * geo.dH + 1),
    x0: Math.max(0, out.x0 * geo.sW - geo.padLeft),
    x1: Math.min(geo.inW, (out.x1 - 1) * geo.sW - geo.padLeft + (geo.kW - 1) * geo.dW + 1),
  };
}

const union = (a: Box | undefined, b: Box): Box => (a ? { y0: Math.min(a.y0, b.y0), y1: Math.max(a.y1, b.y1), x0: Math.min(a.x0, b.x0), x1: Math.max(a.x1, b.x1) } : b);
const sameBox = (a: Box, b: Box) => a.y0 === b.y0 && a.y1 === b.y1 && a.x0 === b.x0 && a.x1 === b.x1;
const boxH = (b: Box) => b.y1 - b.y0;
const boxW = (b: Box) => b.x1 - b.x0;

/** Splits n into `parts` near-equal consecutive ranges. */
function cuts(n: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < parts; i++) out.push([Math.floor((i * n) / parts), Math.floor(((i + 1) * n) / parts)]);
  return out;
}

export interface Stage {
  ops: OpStep[];
  rest: OpStep[];
  geo: Geometry[];
  split: number;
  /** Index of the split operator in `ops` lists. */
  k: number;
}

/** The stage ending at ops[k] (whose output is the split tensor), or why it cannot be patched. */
export function stageAt(g: Graph, ops: readonly OpStep[], k: number, consumers = tensorConsumers(g)): Stage | string {
  const o = ops[k];
  const split = o.outputs[0];
  const t = g.tensors[split];
  const stage = ops.slice(0, k + 1);
  const rest = ops.slice(k + 1);
  const geo: Geometry[] = [];
  for (const s of stage) {
    const r = geometry(g, s);
    if (typeof r === 'string') return r;
    geo.push(r);
  }
  if (o.outputs.length !== 1) return `${o.kind} '${o.name}' has several outputs`;
  if (t.shape.length !== 4 || t.shape[0] !== 1) return `split tensor '${t.name}' [${t.shape}] is not an NHWC feature map`;
  if (t.shape[1] < 2 || t.shape[2] < 2) return `split tensor '${t.name}' [${t.shape}] has no spatial extent to cut into patches`;
  const inStage = new Set(stage.flatMap((s) => coveredOps(s)));
  for (const s of stage) {
    for (const y of s.outputs) {
      if (y === split) continue;
      if (g.outputs.includes(y)) return `tensor '${g.tensors[y].name}' inside the stage is a model output`;
      const outside = consumers[y].find((c) => !inStage.has(c));
      if (outside !== undefined) return `tensor '${g.tensors[y].name}' inside the stage is also read by operator ${outside} ('${g.ops[outside].name}') after the split`;
    }
  }
  return { ops: stage, rest, geo, split, k };
}

/** Per tile, the region of every stage tensor it needs. */
function tileRegions(g: Graph, st: Stage, grid: number): { box: Box; row: number; col: number; regions: Map<number, Box> }[] {
  const [, H, W] = g.tensors[st.split].shape;
  const out = [];
  const rows = cuts(H, grid);
  const cols = cuts(W, grid);
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      const box: Box = { y0: rows[r][0], y1: rows[r][1], x0: cols[c][0], x1: cols[c][1] };
      const regions = new Map<number, Box>([[st.split, box]]);
      for (let i = st.ops.length - 1; i >= 0; i--) {
        const o = st.ops[i];
        const y = regions.get(o.outputs[0]);
        if (!y) continue;
        for (const inp of st.geo[i].inputs) regions.set(inp.tensor, union(regions.get(inp.tensor), needed(st.geo[i], y)));
      }
      out.push({ box, row: r, col: c, regions });
    }
  }
  return out;
}

function tileMacs(o: OpStep, geo: Geometry, box: Box): number {
  const macsIn = o.macsIn ?? 0;
  const need = geo.kind === 'window' ? needed(geo, box) : box;
  return Math.round(((o.low.macs - macsIn) * boxH(box) * boxW(box)) / (geo.outH * geo.outW) + (macsIn * boxH(need) * boxW(need)) / (geo.inH * geo.inW));
}

/** Extra MACs of running the stage on `grid` x `grid` tiles. */
export function patchOverhead(g: Graph, st: Stage, grid: number): number {
  let extra = 0;
  for (const t of tileRegions(g, st, grid)) {
    st.ops.forEach((o, i) => { const b = t.regions.get(o.outputs[0]); if (b) extra += tileMacs(o, st.geo[i], b); });
  }
  for (const o of st.ops) extra -= o.low.macs;
  return extra;
}

export interface PatchBuildOptions {
  inPlace: boolean;
  /** Rank and plan as if the graph inputs were held outside the arena (MCUNetV2 counts no input image). */
  excludeInputs?: boolean;
}

/** The items to plan: all of them, or without those holding only graph inputs. */
export function itemsToPlan(p: Program, items: ReturnType<typeof programItems>, excludeInputs: boolean | undefined): Item[] {
  if (!excludeInputs) return items.items;
  const onlyInputs = items.items.map(() => true);
  p.buffers.forEach((b, i) => { if (!b.input) onlyInputs[items.itemOf[i]] = false; });
  return items.items.filter((_, i) => !onlyInputs[i]);
}

/** The whole program: the stage patch by patch, then the rest layer by layer. */
export function buildPatchProgram(g: Graph, ops: readonly OpStep[], st: Stage, grid: number, options: PatchBuildOptions, rest: readonly OpStep[] = st.rest): { program: Program; plan: PatchPlan } {
  const b = new ProgramBuilder(g);
  for (const t of g.inputs) b.tensorBuffer4(t);
  const splitBuf = b.tensorBuffer4(st.split);
  const splitT = g.tensors[st.split];
  const elem = (t: number) => DTYPE_BYTES[g.tensors[t].dtype];
  const chans = (t: number) => g.tensors[t].shape[3];
  const largest = new Map<number, [number, number]>();
  const tiles = tileRegions(g, st, grid);
  tiles.forEach((tile, index) => {
    const patch = { index, row: tile.row, col: tile.col };
    const tileOf = new Map<number, { buffer: number; box: Box }>();
    // Remaining readers of each tile buffer within this patch (for in-place decisions).
    const readers = new Map<number, number>();
    const live = st.ops.map((o) => tile.regions.has(o.outputs[0]));
    st.ops.forEach((_, i) => { if (live[i]) for (const inp of st.geo[i].inputs) readers.set(inp.tensor, (readers.get(inp.tensor) ?? 0) + 1); });
    const newTile = (name: string, t: number, box: Box) => b.buffer({ name, bytes: boxH(box) * boxW(box) * chans(t) * elem(t), kind: 'tile', chunk: 0 });
    const crop = (t: number, from: { buffer: number; box: Box }, box: Box, why: string, consumer: number): number => {
      const c = chans(t) * elem(t);
      const srcW = boxW(from.box);
      const buffer = newTile(`${g.tensors[t].name}@p${index}/crop`, t, box);
      const offset = ((box.y0 - from.box.y0) * srcW + (box.x0 - from.box.x0)) * c;
      const read: Span = { buffer: from.buffer, offset, bytes: boxW(box) * c, rows: boxH(box), stride: srcW * c };
      b.step({
        op: 'CROP', name: `${g.tensors[t].name}/crop p${index} (${why})`, kernel: 'copy_2d',
        args: [{ name: 'input', buffer: from.buffer, offset }, { name: 'output', buffer, offset: 0 },
          { name: 'rows', value: boxH(box) }, { name: 'row_bytes', value: boxW(box) * c },
          { name: 'in_stride', value: srcW * c }, { name: 'out_stride', value: boxW(box) * c }],
        reads: [read], writes: [b.whole(buffer)], scratch: null, macs: 0, inputs: [], outputs: [], patch, origin: consumer,
      });
      return buffer;
    };
    st.ops.forEach((o, i) => {
      if (!live[i]) return;
      const geo = st.geo[i];
      const y = o.outputs[0];
      const outBox = tile.regions.get(y)!;
      const prev = largest.get(o.op);
      if (!prev || boxH(outBox) * boxW(outBox) > prev[0] * prev[1]) largest.set(o.op, [boxH(outBox), boxW(outBox)]);
      const set: Record<string, number> = { out_h: boxH(outBox), out_w: boxW(outBox) };
      const argBuf = new Map<string, { buffer: number; offset: number }>();
      const reads: Span[] = [];
      let kernel = o.low.kernel;
      let inPlaceFrom: number | undefined;
      for (const inp of geo.inputs) {
        const need = geo.kind === 'window' ? needed(geo, outBox) : outBox;
        const t = inp.tensor;
        const c = chans(t) * elem(t);
        const have = tileOf.get(t);
        let readers_ = readers.get(t) ?? 0;
        readers.set(t, --readers_);
        if (!have) {
          // A whole tensor (the input image): convolutions read it in place, others crop it.
          const wholeBuf = b.tensorBuffer[t];
          if (wholeBuf < 0) throw new Error(`internal: stage input '${g.tensors[t].name}' has no buffer`);
          const W = g.tensors[t].shape[2];
          const wholeBox: Box = { y0: 0, y1: g.tensors[t].shape[1], x0: 0, x1: W };
          if (o.kind === 'CONV_2D') {
            if (!ANY_PADDING.has(kernel)) kernel = 'conv2d'; // tiles of the image need kernels that take any (also negative) padding
            argBuf.set(inp.arg, { buffer: wholeBuf, offset: need.y0 * W * c });
            set.in_h = boxH(need);
            set.in_w = W;
            set.pad_top = geo.padTop + need.y0 - outBox.y0 * geo.sH;
            set.pad_left = geo.padLeft - outBox.x0 * geo.sW;
            reads.push({ buffer: wholeBuf, offset: (need.y0 * W + need.x0) * c, bytes: boxW(need) * c, rows: boxH(need), stride: W * c });
            continue;
          }
          const buf = crop(t, { buffer: wholeBuf, box: wholeBox }, need, o.name, o.op);
          argBuf.set(inp.arg, { buffer: buf, offset: 0 });
          reads.push(b.whole(buf));
          if (geo.inputs.length === 1) inPlaceFrom = buf;
        } else if (sameBox(have.box, need)) {
          argBuf.set(inp.arg, { buffer: have.buffer, offset: 0 });
          reads.push(b.whole(have.buffer));
          if (readers_ === 0 && geo.inputs.length === 1) inPlaceFrom = have.buffer;
        } else {
          const buf = crop(t, { buffer: have.buffer, box: have.box }, need, o.name, o.op);
          argBuf.set(inp.arg, { buffer: buf, offset: 0 });
          reads.push(b.whole(buf));
          if (geo.inputs.length === 1) inPlaceFrom = buf;
        }
        if (geo.kind === 'window' && set.in_h === undefined) {
          set.in_h = boxH(need);
          set.in_w = boxW(need);
          set.pad_top = geo.padTop + need.y0 - outBox.y0 * geo.sH;
          set.pad_left = geo.padLeft + need.x0 - outBox.x0 * geo.sW;
        }
      }
      const fullSize = geo.outH * geo.outW * chans(y);
      if (geo.kind === 'elementwise') set.size = boxH(outBox) * boxW(outBox) * chans(y);
      // In place when the depthwise input tile dies here.
      const inPlace = options.inPlace && inPlaceFrom !== undefined && o.kind === 'DEPTHWISE_CONV_2D' && isInPlaceCandidate(o.low);
      const outBuf = inPlace
        ? b.buffer({ name: `${g.tensors[y].name}@p${index}`, bytes: boxH(outBox) * boxW(outBox) * chans(y) * elem(y), kind: 'tile', chunk: 0, within: { buffer: inPlaceFrom!, offset: 0 } })
        : newTile(`${g.tensors[y].name}@p${index}`, y, outBox);
      tileOf.set(y, { buffer: outBuf, box: outBox });
      const scratchBytes = inPlace ? boxH(needed(geo, outBox)) * boxW(needed(geo, outBox))
        : o.low.kernel === FUSED_KERNEL ? (4 * chans(y) + 1) * boxH(outBox) * boxW(outBox) + set.in_h * set.in_w
          : o.low.scratchBytes;
      if (inPlace && scratchBytes !== set.in_h * set.in_w) throw new Error('internal: in-place scratch mismatch');
      const scratch = scratchBytes > 0 ? b.buffer({ name: `${o.name}@p${index}/scratch`, bytes: scratchBytes, kind: 'scratch', chunk: 0 }) : null;
      const args: ProgArg[] = o.low.args.map((a) => {
        if ('tensor' in a) {
          if (a.tensor === y) return { name: a.name, buffer: outBuf, offset: 0 };
          const ab = argBuf.get(a.name);
          if (!ab) throw new Error(`internal: argument ${a.name} of ${o.name} has no tile`);
          return { name: a.name, ...ab };
        }
        if ('scratch' in a) return { name: a.name, buffer: scratch!, offset: 0 };
        if (a.name in set) return { name: a.name, value: set[a.name] };
        if (geo.kind === 'elementwise' && 'value' in a && (a.name === 'input1_period' || a.name === 'input2_period') && a.value === fullSize) return { name: a.name, value: set.size };
        return a;
      });
      if (inPlace) args.push({ name: 'scratch', buffer: scratch!, offset: 0 });
      b.step({
        op: o.kind, name: `${o.name} p${index}`, kernel: inPlace ? 'depthwise_conv2d_inplace' : kernel, args,
        reads, writes: [b.whole(outBuf), ...(scratch !== null ? [b.whole(scratch)] : [])],
        scratch, macs: tileMacs(o, geo, outBox), inputs: [], outputs: [], patch, origin: o.op,
        ...(inPlace ? { inPlace: { kind: 'depthwise' as const, input: inPlaceFrom!, output: outBuf } } : {}),
      });
      if (y === st.split) {
        const c = chans(y) * elem(y);
        const W = splitT.shape[2];
        const offset = (outBox.y0 * W + outBox.x0) * c;
        const dest: Span = { buffer: splitBuf, offset, bytes: boxW(outBox) * c, rows: boxH(outBox), stride: W * c };
        b.step({
          op: 'PASTE', name: `${splitT.name}/paste p${index}`, kernel: 'copy_2d',
          args: [{ name: 'input', buffer: outBuf, offset: 0 }, { name: 'output', buffer: splitBuf, offset },
            { name: 'rows', value: boxH(outBox) }, { name: 'row_bytes', value: boxW(outBox) * c },
            { name: 'in_stride', value: boxW(outBox) * c }, { name: 'out_stride', value: W * c }],
          reads: [b.whole(outBuf)], writes: [dest], scratch: null, macs: 0, inputs: [], outputs: [], patch, origin: o.op,
        });
      }
    });
  });
  appendLayerSteps(b, rest, { inPlace: options.inPlace });
  const program = b.build();
  const stageMacs = st.ops.reduce((n, o) => n + o.low.macs, 0);
  const totalMacs = ops.reduce((n, o) => n + o.low.macs, 0);
  const patchMacs = program.steps.filter((s) => s.patch).reduce((n, s) => n + s.macs, 0);
  const overheadMacs = patchMacs - stageMacs;
  return {
    program,
    plan: {
      split: st.split, splitOp: st.ops[st.k].op, grid,
      fused: rest.filter((o) => o.kind === 'INVERTED_RESIDUAL').map((o) => o.name),
      tiles: st.ops.flatMap((o, i) => (largest.has(o.op) ? [{ op: o.name, tile: largest.get(o.op)!, whole: [st.geo[i].outH, st.geo[i].outW] as [number, number] }] : [])),
      overheadMacs,
      overheadRatio: totalMacs > 0 ? overheadMacs / totalMacs : 0,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Fusion and search

interface Evaluated {
  program: Program;
  plan: PatchPlan;
  items: Item[];
  live: number[];
  peak: number;
  peakStep: number;
}

/** Expand ops (indices into `ops`) of blocks that lie wholly before or wholly after the split. */
function blocksFor(g: Graph, ops: readonly OpStep[], k: number): number[] {
  return fusableBlocks(g, ops).filter((b) => b + 2 <= k || b > k);
}

/** The program for a split (ops[k]) and grid with the given blocks fused, and its live bytes per step. */
function evaluate(g: Graph, ops: readonly OpStep[], k: number, grid: number, starts: ReadonlySet<number>, options: PatchBuildOptions): Evaluated {
  const fusedOps = withFusedBlocks(g, ops, starts);
  const splitOp = ops[k].op;
  const kf = fusedOps.findIndex((o) => o.op === splitOp && o.outputs.includes(ops[k].outputs[0]));
  const st = stageAt(g, fusedOps, kf);
  if (typeof st === 'string') throw new Error(`internal: fused stage invalid: ${st}`);
  const built = buildPatchProgram(g, fusedOps, st, grid, options);
  const items = itemsToPlan(built.program, programItems(built.program), options.excludeInputs);
  const live = itemLiveBytes(items, Math.max(1, built.program.steps.length));
  let peakStep = 0;
  live.forEach((v, i) => { if (v > live[peakStep]) peakStep = i; });
  return { ...built, items, live, peak: live[peakStep] ?? 0, peakStep };
}

/**
 * Bottleneck-driven fusion: while the highest step belongs to an expand -> depthwise -> project chain (a tile of it
 * in the patch stage, or the whole of it after the split), run that chain as one inverted_residual kernel, one
 * expanded channel at a time (no extra MACs, but slower; only kept where it lowers the peak).
 */
function withBestFusion(g: Graph, ops: readonly OpStep[], k: number, grid: number, options: PatchBuildOptions): Evaluated {
  const blocks = blocksFor(g, ops, k);
  const starts = new Set<number>();
  const unfused = evaluate(g, ops, k, grid, starts, options);
  if (blocks.length === 0) return unfused;
  let cur = unfused;
  for (;;) {
    const origin = cur.program.steps[cur.peakStep]?.origin;
    const j = blocks.find((b) => !starts.has(b) && [ops[b].op, ops[b + 1].op, ops[b + 2].op].includes(origin ?? -1));
    if (j === undefined) break;
    starts.add(j);
    const next = evaluate(g, ops, k, grid, starts, options);
    if (next.peak > cur.peak) { starts.delete(j); break; }
    cur = next;
  }
  if (cur.peak >= unfused.peak) return unfused;
  // Unfuse what the final peak does not need (fused blocks run slower).
  for (const j of [...starts]) {
    starts.delete(j);
    const e = evaluate(g, ops, k, grid, starts, options);
    if (e.peak <= cur.peak) cur = e;
    else starts.add(j);
  }
  return cur;
}

/** A forced split: typed errors name the operator that cannot be patched or the overhead that is too high. */
export function patchProgram(g: Graph, ops: readonly OpStep[], split: number, grid: number, options: PatchBuildOptions & { maxOverhead?: number }): { program: Program; plan: PatchPlan } {
  const k = ops.findIndex((o) => o.outputs.includes(split));
  if (k < 0) throw new ModelError(`split tensor ${split} ('${g.tensors[split]?.name ?? '?'}') is not produced by any operator`);
  const st = stageAt(g, ops, k);
  if (typeof st === 'string') throw new UnsupportedError(`cannot patch up to '${g.tensors[split].name}': ${st}`);
  const [, H, W] = g.tensors[split].shape;
  if (!Number.isInteger(grid) || grid < 1 || grid > Math.min(H, W)) throw new UsageError(`--patches must be an integer from 1 to ${Math.min(H, W)} for split '${g.tensors[split].name}' [${g.tensors[split].shape}], got ${grid}`);
  const total = ops.reduce((n, o) => n + o.low.macs, 0);
  const ratio = total > 0 ? patchOverhead(g, st, grid) / total : 0;
  if (options.maxOverhead !== undefined && ratio > options.maxOverhead + 1e-12) {
    throw new UsageError(`patching up to '${g.tensors[split].name}' with ${grid}x${grid} patches costs ${(100 * ratio).toFixed(1)}% extra MACs, above --max-overhead ${options.maxOverhead}`);
  }
  return withBestFusion(g, ops, k, grid, options);
}

export interface SearchOptions extends PatchBuildOptions {
  maxOverhead: number;
  /** Only patch schedules smaller than this are of interest (auto passes the layer-by-layer arena). */
  beat: number;
  /** Throw a typed error naming why when the network has no patchable stage at all. */
  required: boolean;
  maxGrid?: number;
  /** Candidates (by lower bound) that get the full fusion search and a placement (default 6). */
  shortlist?: number;
}

/** Every split operator that can end a stage, with the reason for the first that cannot. */
export function splitCandidates(g: Graph, ops: readonly OpStep[]): { stages: Stage[]; reason: string | null } {
  const consumers = tensorConsumers(g);
  const stages: Stage[] = [];
  let reason: string | null = null;
  for (let k = 0; k < ops.length; k++) {
    const st = stageAt(g, ops, k, consumers);
    if (typeof st === 'string') {
      reason ??= st;
      // Once an operator cannot be tiled, no later split can include it.
      if (typeof geometry(g, ops[k]) === 'string') break;
      continue;
    }
    stages.push(st);
  }
  return { stages, reason };
}

/**
 * The split and grid with the smallest arena whose extra MACs stay within the bound. Every candidate is scored by
 * the lower bound of its unfused and its fully fused program (cheap); the best few get the bottleneck-driven fusion
 * search and are placed in order of their lower bounds until no remaining bound can beat the best arena.
 */
export function bestPatchProgram(g: Graph, ops: readonly OpStep[], options: SearchOptions): { program: Program; plan: PatchPlan; arena: number } | null {
  const { stages, reason } = splitCandidates(g, ops);
  if (stages.length === 0) {
    if (options.required) throw new UnsupportedError(`model '${g.name}' has no stage that can run patch by patch: ${reason ?? 'it has no operators'}`);
    return null;
  }
  const totalMacs = ops.reduce((n, o) => n + o.low.macs, 0);
  const scored: { k: number; grid: number; score: number }[] = [];
  for (const st of stages) {
    const [, H, W] = g.tensors[st.split].shape;
    if (tensorBytes(g.tensors[st.split]) >= options.beat) continue;
    const maxGrid = Math.min(H, W, options.maxGrid ?? 12);
    const all = new Set(blocksFor(g, ops, st.k));
    for (let grid = 2; grid <= maxGrid; grid++) {
      const extra = patchOverhead(g, st, grid);
      if (totalMacs > 0 ? extra / totalMacs > options.maxOverhead + 1e-12 : extra > 0) break; // more patches only cost more
      let score = evaluate(g, ops, st.k, grid, new Set(), options).peak;
      if (all.size > 0) score = Math.min(score, evaluate(g, ops, st.k, grid, all, options).peak);
      scored.push({ k: st.k, grid, score });
    }
  }
  if (scored.length === 0) return null;
  scored.sort((a, b) => a.score - b.score || a.grid - b.grid);
  const short = scored.slice(0, options.shortlist ?? 6)
    .map((c) => withBestFusion(g, ops, c.k, c.grid, options))
    .sort((a, b) => a.peak - b.peak || a.plan.overheadMacs - b.plan.overheadMacs);
  let best: { e: Evaluated; arena: number } | null = null;
  for (const e of short) {
    if (best && e.peak >= best.arena) break;
    if (e.peak >= options.beat) break;
    const arena = planItems(e.items, Math.max(1, e.program.steps.length), { work: 30000 }).arenaBytes;
    if (!best || arena < best.arena || (arena === best.arena && e.plan.overheadMacs < best.e.plan.overheadMacs)) best = { e, arena };
  }
  if (!best || best.arena >= options.beat) return null;
  return { program: best.e.program, plan: best.e.plan, arena: best.arena };
}
