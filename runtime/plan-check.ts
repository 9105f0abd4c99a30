// An independent plan checker. It shares no code with the planner (program.ts, planner.ts, patch.ts): it reads a
// finished Schedule and replays it over a tag per arena byte, proving that
//   - every buffer and every declared access lies inside the arena and inside its buffer,
//   - every byte a step reads still holds what its buffer's writer put there (so no live region was overwritten,
//     whatever the planner thought the lifetimes were), and every model output is intact after the last step,
//   - a step writes over bytes it reads only under a declared in-place/alias relation whose contract holds,
//   - what each known kernel touches, computed from its own arguments, lies inside the declared spans,
//   - every kernel's scratch needs are met, and the regions checked mode watches cover every write.
import { McusimError } from './errors.ts';
import type { Access, ResolvedArg, Schedule, Step } from './schedule.ts';

export class PlanCheckError extends McusimError {
  override readonly exitCode = 1;
}

export interface PlanCheckResult {
  steps: number;
  buffers: number;
  /** Bytes read and verified as intact. */
  bytesVerified: number;
}

interface Run { offset: number; bytes: number; rows: number; stride: number }

const NONE = -1;

export function checkPlan(s: Schedule): PlanCheckResult {
  const arena = s.arenaBytes;
  const fail = (msg: string): never => { throw new PlanCheckError(`plan check failed for '${s.graph.name}' (${s.kind} schedule): ${msg}`); };
  const bufName = (b: number) => (b === NONE ? 'nothing (never written)' : `buffer ${b} '${s.buffers[b]?.name ?? '?'}'`);

  // 1. Buffers inside the arena.
  for (const b of s.buffers) {
    if (!(b.offset >= 0 && b.bytes >= 0 && b.offset + b.bytes <= arena)) fail(`buffer ${b.id} '${b.name}' at ${b.offset}..${b.offset + b.bytes} lies outside the arena of ${arena} B`);
  }
  // Whole-tensor placements agree with their buffers.
  s.graph.tensors.forEach((t, i) => {
    const p = s.placements[i];
    if (!p) return;
    if (!(p.offset >= 0 && p.offset + p.bytes <= arena)) fail(`tensor '${t.name}' at ${p.offset}..${p.offset + p.bytes} lies outside the arena`);
  });

  const tags = new Int32Array(Math.max(1, arena)).fill(NONE);
  // A checked alias (RESHAPE: the same bytes under another name) makes two buffers one: reads and outputs accept
  // bytes tagged with any buffer of the same class.
  const cls = s.buffers.map((_, i) => i);
  const root = (b: number): number => (b < 0 ? b : cls[b] === b ? b : (cls[b] = root(cls[b])));
  const lastWriter = new Int32Array(Math.max(1, arena)).fill(-1);
  const tag = (r: Run, buffer: number, step: number) => forRows(r, (a, e) => { tags.fill(buffer, a, e); lastWriter.fill(step, a, e); });
  for (const b of s.buffers) if (b.input) tag({ offset: b.offset, bytes: b.bytes, rows: 1, stride: 0 }, b.id, -1);

  let verified = 0;
  for (const st of s.steps) {
    const where = `step ${st.index} (${st.op} '${st.name}', kernel ${st.kernel})`;
    const all = [...st.access.reads, ...st.access.writes];
    // 2. Accesses inside their buffers.
    for (const a of all) {
      const b = s.buffers[a.buffer];
      if (!b) fail(`${where} accesses unknown buffer ${a.buffer}`);
      if (!(a.rows >= 1 && a.bytes >= 0 && (a.rows === 1 || a.stride >= a.bytes))) fail(`${where} declares a malformed span of ${bufName(a.buffer)}`);
      const end = a.offset + (a.rows - 1) * a.stride + a.bytes;
      if (a.offset < b.offset || end > b.offset + b.bytes) fail(`${where} touches ${a.offset}..${end}, outside ${bufName(a.buffer)} (${b.offset}..${b.offset + b.bytes})`);
    }
    // 3. Arena pointers point into a buffer the step declares.
    for (const arg of st.args) {
      if (arg.space !== 'arena') continue;
      if (!all.some((a) => arg.value >= s.buffers[a.buffer].offset && arg.value <= s.buffers[a.buffer].offset + s.buffers[a.buffer].bytes)) {
        fail(`${where}: argument ${arg.name} = ${arg.value} points into no buffer the step declares`);
      }
    }
    // 4. What the kernel touches, from its own arguments.
    const fp = footprint(st);
    if (fp) {
      for (const w of fp.writes) if (!covered(w, st.access.writes)) fail(`${where} writes ${describeRun(w)} (from its arguments), beyond the spans it declares`);
      for (const r of fp.reads) if (!covered(r, [...st.access.reads, ...st.access.writes])) fail(`${where} reads ${describeRun(r)} (from its arguments), beyond the spans it declares`);
      if (fp.scratch) {
        const arg = st.args.find((a) => a.name === 'scratch');
        const need = { offset: arg?.value ?? -1, bytes: fp.scratch, rows: 1, stride: 0 };
        if (!arg || !covered(need, st.access.writes)) fail(`${where} needs ${fp.scratch} B of scratch at its scratch argument; the step declares less`);
        if (!st.scratch || st.scratch.bytes < fp.scratch) fail(`${where} needs ${fp.scratch} B of scratch but its scratch region has ${st.scratch?.bytes ?? 0} B`);
      }
    }
    // 5. Reads see their own buffer's bytes.
    for (const r of st.access.reads) {
      forRows(r, (a, e) => {
        for (let i = a; i < e; i++) {
          if (root(tags[i]) !== root(r.buffer)) {
            fail(`${where} reads byte ${i} of ${bufName(r.buffer)}, but it holds ${bufName(tags[i])}` + (lastWriter[i] >= 0 ? ` written by step ${lastWriter[i]} (${s.steps[lastWriter[i]].op} '${s.steps[lastWriter[i]].name}')` : ''));
          }
        }
        verified += e - a;
      });
    }
    // 6. Writes never overlap reads or each other, except under a checked in-place contract.
    for (let i = 0; i < st.access.writes.length; i++) {
      const w = st.access.writes[i];
      for (let j = i + 1; j < st.access.writes.length; j++) if (runsOverlap(w, st.access.writes[j])) fail(`${where} writes ${bufName(w.buffer)} and ${bufName(st.access.writes[j].buffer)} over the same bytes`);
      for (const r of st.access.reads) {
        if (!runsOverlap(w, r)) continue;
        const ip = st.inPlace;
        if (!ip || ip.input !== r.buffer || ip.output !== w.buffer) fail(`${where} writes ${bufName(w.buffer)} over ${bufName(r.buffer)}, which it reads, without an in-place declaration`);
        checkInPlace(st, where, fail);
      }
    }
    // 7. Checked mode watches every write.
    for (const w of st.access.writes) {
      const end = w.offset + (w.rows - 1) * w.stride + w.bytes;
      if (!st.writes.some((r) => r.offset <= w.offset && end <= r.offset + r.bytes)) fail(`${where}: write span ${w.offset}..${end} is not inside any region of step.writes`);
    }
    if (st.scratch && !st.access.writes.some((w) => w.offset <= st.scratch!.offset && st.scratch!.offset + st.scratch!.bytes <= w.offset + (w.rows - 1) * w.stride + w.bytes)) {
      fail(`${where}: its scratch region is not among its declared writes`);
    }
    if (st.arenaHighWater > arena) fail(`${where}: high water ${st.arenaHighWater} B above the arena's ${arena} B`);
    if (st.inPlace?.kind === 'alias') {
      checkInPlace(st, where, fail);
      const r = st.access.reads.find((a) => a.buffer === st.inPlace!.input);
      const w = st.access.writes.find((a) => a.buffer === st.inPlace!.output);
      if (!r || !w || r.offset !== w.offset || r.bytes !== w.bytes || r.rows !== w.rows) fail(`${where}: an alias must read and write the same bytes`);
      cls[root(st.inPlace.output)] = root(st.inPlace.input); // the bytes stay; they now also go by the output's name
      continue;
    }
    for (const w of st.access.writes) tag(w, w.buffer, st.index);
  }
  // 8. Outputs intact at the end.
  for (const b of s.buffers) {
    if (!b.output) continue;
    for (let i = b.offset; i < b.offset + b.bytes; i++) {
      if (root(tags[i]) !== root(b.id)) fail(`model output ${bufName(b.id)}: byte ${i} holds ${bufName(tags[i])} after the last step` + (lastWriter[i] >= 0 ? ` (written by step ${lastWriter[i]})` : ''));
    }
  }
  return { steps: s.steps.length, buffers: s.buffers.length, bytesVerified: verified };
}

function checkInPlace(st: Step, where: string, fail: (m: string) => never): void {
  const ip = st.inPlace!;
  const v = (name: string) => argValue(st.args, name, where, fail);
  if (ip.kind === 'alias') {
    if (st.kernel !== 'copy') fail(`${where}: an alias step must use the copy kernel`);
    if (v('input') !== v('output')) fail(`${where}: alias with input ${v('input')} != output ${v('output')}`);
    return;
  }
  if (st.kernel !== 'depthwise_conv2d_inplace') fail(`${where}: in-place depthwise needs kernel depthwise_conv2d_inplace`);
  if (v('input') !== v('output')) fail(`${where}: in-place depthwise output at ${v('output')} does not start at its input ${v('input')}`);
  if (v('in_c') !== v('out_c') || v('depth_multiplier') !== 1) fail(`${where}: in-place depthwise needs out_c == in_c and depth multiplier 1`);
  const scratch = v('scratch');
  const need = v('in_h') * v('in_w');
  if (!st.scratch || st.scratch.offset !== scratch || st.scratch.bytes < need) fail(`${where}: in-place depthwise needs ${need} B of scratch (one input channel)`);
  const inBytes = v('in_h') * v('in_w') * v('in_c');
  const outBytes = v('out_h') * v('out_w') * v('out_c');
  const x = v('input');
  if (scratch < x + Math.max(inBytes, outBytes) && x < scratch + need) fail(`${where}: in-place depthwise scratch overlaps its input/output`);
}

function argValue(args: ResolvedArg[], name: string, where: string, fail: (m: string) => never): number {
  const a = args.find((x) => x.name === name);
  if (!a) fail(`${where}: no argument ${name}`);
  return a!.value;
}

function forRows(r: Run, f: (start: number, end: number) => void): void {
  for (let k = 0; k < r.rows; k++) f(r.offset + k * r.stride, r.offset + k * r.stride + r.bytes);
}

function rowsOf(r: Run): [number, number][] {
  const out: [number, number][] = [];
  forRows(r, (a, e) => { if (e > a) out.push([a, e]); });
  return out;
}

function runsOverlap(a: Run, b: Run): boolean {
  const ra = rowsOf(a);
  const rb = rowsOf(b);
  for (const [x0, x1] of ra) for (const [y0, y1] of rb) if (x0 < y1 && y0 < x1) return true;
  return false;
}

/** Every byte of run r lies in the union of the given spans. */
function covered(r: Run, spans: readonly Access[]): boolean {
  const pieces = spans.flatMap(rowsOf).sort((a, b) => a[0] - b[0]);
  for (const [a, e] of rowsOf(r)) {
    let pos = a;
    for (const [p0, p1] of pieces) {
      if (p1 <= pos) continue;
      if (p0 > pos) break;
      pos = p1;
      if (pos >= e) break;
    }
    if (pos < e) return false;
  }
  return true;
}

function describeRun(r: Run): string {
  return r.rows === 1 ? `${r.offset}..${r.offset + r.bytes}` : `${r.rows} rows of ${r.bytes} B from ${r.offset} (stride ${r.stride})`;
}

/**
 * Arena bytes a kernel reads and writes, computed from its own arguments (null for kernels this table does not
 * know: their declared spans are then taken as given). Written apart from the op files, from each kernel's contract.
 */
function footprint(st: Step): { reads: Run[]; writes: Run[]; scratch?: number } | null {
  const args = new Map(st.args.map((a) => [a.name, a]));
  const v = (n: string) => args.get(n)!.value;
  const arena = (n: string) => args.get(n)?.space === 'arena';
  const flat = (n: string, bytes: number): Run[] => (arena(n) && bytes > 0 ? [{ offset: v(n), bytes, rows: 1, stride: 0 }] : []);
  const window = (kh: number, kw: number, dh: number, dw: number, channels: number): Run[] => {
    // Rows and columns of the input any output pixel reaches (padding may be negative: a window into a bigger map).
    const r0 = Math.max(0, -v('pad_top'));
    const r1 = Math.min(v('in_h'), (v('out_h') - 1) * v('stride_h') - v('pad_top') + (kh - 1) * dh + 1);
    const c0 = Math.max(0, -v('pad_left'));
    const c1 = Math.min(v('in_w'), (v('out_w') - 1) * v('stride_w') - v('pad_left') + (kw - 1) * dw + 1);
    if (r1 <= r0 || c1 <= c0) return [];
    return [{ offset: v('input') + (r0 * v('in_w') + c0) * channels, bytes: (c1 - c0) * channels, rows: r1 - r0, stride: v('in_w') * channels }];
  };
  switch (st.kernel) {
    case 'conv2d': case 'conv2d_1x1': case 'conv2d_simd':
      return { reads: window(v('k_h'), v('k_w'), v('dilation_h'), v('dilation_w'), v('in_c')), writes: flat('output', v('out_h') * v('out_w') * v('out_c')) };
    case 'depthwise_conv2d': case 'depthwise_conv2d_3x3':
      return { reads: window(v('k_h'), v('k_w'), v('dilation_h'), v('dilation_w'), v('in_c')), writes: flat('output', v('out_h') * v('out_w') * v('out_c')) };
    case 'depthwise_conv2d_inplace':
      return { reads: flat('input', v('in_h') * v('in_w') * v('in_c')), writes: [...flat('output', v('out_h') * v('out_w') * v('out_c')), ...flat('scratch', v('in_h') * v('in_w'))], scratch: v('in_h') * v('in_w') };
    case 'average_pool2d': case 'max_pool2d':
      return { reads: window(v('filter_h'), v('filter_w'), 1, 1, v('channels')), writes: flat('output', v('out_h') * v('out_w') * v('channels')) };
    case 'add': case 'mul':
      return { reads: [...flat('input1', v('input1_period')), ...flat('input2', v('input2_period'))], writes: flat('output', v('size')) };
    case 'copy':
      return v('input') === v('output') ? { reads: [], writes: [] } : { reads: flat('input', v('bytes')), writes: flat('output', v('bytes')) };
    case 'copy_2d':
      return {
        reads: arena('input') ? [{ offset: v('input'), bytes: v('row_bytes'), rows: v('rows'), stride: v('in_stride') }] : [],
        writes: [{ offset: v('output'), bytes: v('row_bytes'), rows: v('rows'), stride: v('out_stride') }],
      };
    case 'inverted_residual': {
      const outPixels = v('out_h') * v('out_w');
      const need = 4 * outPixels * v('out_c') + v('in_h') * v('in_w') + outPixels;
      return { reads: flat('input', v('in_h') * v('in_w') * v('in_c')), writes: [...flat('output', outPixels * v('out_c')), ...flat('scratch', need)], scratch: need };
    }
    case 'mean':
      return { reads: flat('input', v('pixels') * v('channels')), writes: [...flat('output', v('channels')), ...flat('scratch', 4 * v('channels'))], scratch: 4 * v('channels') };
    case 'fully_connected':
      return { reads: flat('input', v('rows') * v('depth')), writes: flat('output', v('rows') * v('units')) };
    case 'pad':
      return { reads: flat('input', v('in_0') * v('in_1') * v('in_2') * v('in_3')), writes: flat('output', v('out_0') * v('out_1') * v('out_2') * v('out_3')) };
    case 'softmax':
      return { reads: flat('input', v('outer') * v('depth')), writes: flat('output', v('outer') * v('depth')) };
    case 'dequantize':
      return { reads: flat('input', v('count')), writes: flat('output', 4 * v('count')) };
    case 'quantize_int8':
      return { reads: flat('input', v('count')), writes: flat('output', v('count')) };
    case 'quantize':
      return { reads: flat('input', 4 * v('count')), writes: flat('output', v('count')) };
    default:
      return null;
  }
}
