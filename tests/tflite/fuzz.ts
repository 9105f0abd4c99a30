// Fuzzer for readTflite: mutated copies of valid .tflite files must each end in a ModelError (or
// UnsupportedError, a subclass) or in a valid Graph, within a time limit. Anything else (a TypeError,
// RangeError, an error the reader only caught in its safety net, a hang) is a failure. Accepted graphs
// must also survive writeTflite and read back equal.
//
// Standalone: npx tsx tests/tflite/fuzz.ts [count=20000] [seed=1] [--case N] [--limit-ms 2000] [--no-real]
// prints outcome counts, what the reader rejected most often, and every failure with the case number
// (rerun one case with --case N and the same seed).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { Graph } from '../../models/ir.ts';
import { validateGraph } from '../../models/validate.ts';
import { INTERNAL_ERROR, readTflite } from '../../models/tflite/reader.ts';
import { TABLES } from '../../models/tflite/verify.ts';
import { writeTflite } from '../../models/tflite/writer.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { Rng } from '../helpers/rng.ts';
import { buildRaw, cloneRaw, convSpec, type RawModel } from './raw-model.ts';
import { sampleGraphs } from './sample-graphs.ts';

export interface Seed { name: string; bytes: Uint8Array; fields: FieldRef[] }

/** Where a structural value sits in a valid file, so mutations can target it. */
export interface FieldRef { pos: number; kind: 'uoffset' | 'soffset' | 'vlen' | 'vsize' | 'tsize' | 'voff' | 1 | 2 | 4 | 8 }

export type Outcome = 'graph' | 'unsupported' | 'model-error';

export interface FuzzCase { index: number; seed: string; strategy: string; detail: string; bytes: Uint8Array }

export interface FuzzReport {
  cases: number;
  outcomes: Record<Outcome, number>;
  strategies: Record<string, number>;
  /** Rejection messages with numbers and quoted names blanked, most frequent first. */
  messages: [string, number][];
  failures: { case: FuzzCase; problem: string }[];
  slowestMs: number;
  totalMs: number;
}

export const sharedModelsDir = new URL('../../../shared/models/', import.meta.url);

/** Written sample graphs, plus the real models when ../shared/models exists. */
export function fuzzSeeds(options: { real?: boolean } = {}): { seeds: Seed[]; skipped?: string } {
  const seeds: Seed[] = sampleGraphs().map((g) => seedOf(`written:${g.name}`, writeTflite(g)));
  seeds.push(seedOf('raw:extras', extrasFile()));
  if (options.real === false) return { seeds };
  if (!existsSync(sharedModelsDir)) return { seeds, skipped: `${sharedModelsDir.pathname} is absent; fuzzing written models only` };
  for (const f of readdirSync(sharedModelsDir).filter((n) => n.endsWith('.tflite')).sort()) {
    seeds.push(seedOf(`real:${f}`, new Uint8Array(readFileSync(new URL(f, sharedModelsDir)))));
  }
  return { seeds };
}

/** What the writer never produces: an external buffer, foreign metadata, extra subgraphs, old-style operator codes. */
export function extrasFile(): Uint8Array {
  const spec = (offset: bigint): RawModel => {
    const m = convSpec();
    m.opcodes[0] = { deprecated: 3 };
    m.buffers[1] = { offset, size: 6n };
    m.buffers.push(new TextEncoder().encode('1.14.0'));
    m.metadata = [{ name: 'min_runtime_version', buffer: 3 }];
    m.subgraphs.push(cloneRaw(m.subgraphs[0]));
    return m;
  };
  const length = buildRaw(spec(2n)).length; // same size whatever the (non-default) offset value
  const flat = buildRaw(spec(BigInt(length + 16)));
  const file = new Uint8Array(length + 16 + 6);
  file.set(flat);
  file.set([1, 2, 3, 4, 5, 6], length + 16);
  return file;
}

export function seedOf(name: string, bytes: Uint8Array): Seed {
  return { name, bytes, fields: locateFields(bytes) };
}

/** Walks a valid file the way the verifier does and records the position of every structural value. */
export function locateFields(bytes: Uint8Array): FieldRef[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: FieldRef[] = [];
  const seen = new Set<number>();
  const follow = (pos: number) => { out.push({ pos, kind: 'uoffset' }); return pos + view.getUint32(pos, true); };
  const table = (type: string | undefined, pos: number) => {
    if (seen.has(pos)) return;
    seen.add(pos);
    out.push({ pos, kind: 'soffset' });
    const vt = pos - view.getInt32(pos, true);
    const vsize = view.getUint16(vt, true);
    out.push({ pos: vt, kind: 'vsize' }, { pos: vt + 2, kind: 'tsize' });
    const fields = type ? TABLES[type] : [];
    fields.forEach(([, kind], id) => {
      if (4 + 2 * id >= vsize) return;
      const voff = view.getUint16(vt + 4 + 2 * id, true);
      if (!voff) return;
      out.push({ pos: vt + 4 + 2 * id, kind: 'voff' });
      const at = pos + voff;
      if (typeof kind === 'number') { out.push({ pos: at, kind }); return; }
      const target = follow(at);
      if (kind === 'string' || 'vector' in kind) {
        out.push({ pos: target, kind: 'vlen' });
        if (kind !== 'string' && kind.vector === 4) {
          const n = view.getUint32(target, true);
          for (let i = 0; i < Math.min(n, 64); i++) out.push({ pos: target + 4 + 4 * i, kind: 4 });
        }
      } else if ('table' in kind) table(kind.table, target);
      else if ('tables' in kind) {
        out.push({ pos: target, kind: 'vlen' });
        const n = view.getUint32(target, true);
        for (let i = 0; i < n; i++) table(kind.tables, follow(target + 4 + 4 * i));
      } else {
        const typeVoff = view.getUint16(vt + 4 + 2 * (id - 1), true);
        const code = typeVoff ? bytes[pos + typeVoff] : 0;
        if (code) table(kind.union[code], target);
      }
    });
  };
  table('Model', follow(0));
  return out;
}

const STRATEGIES: [string, number][] = [['field', 45], ['bitflip', 14], ['bytes', 14], ['truncate', 8], ['shift', 7], ['splice', 6], ['header', 6]];

function pickStrategy(r: Rng): string {
  let x = r.next() * STRATEGIES.reduce((n, [, w]) => n + w, 0);
  for (const [name, w] of STRATEGIES) if ((x -= w) < 0) return name;
  return 'field';
}

const INTERESTING_32 = [0, 1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** One mutated copy of a seed; deterministic in (seed, index). */
export function mutate(seed: Seed, r: Rng, index: number): FuzzCase {
  const src = seed.bytes;
  let bytes: Uint8Array = src.slice();
  const strategy = pickStrategy(r);
  let detail = '';
  const view = () => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (strategy) {
    case 'field': {
      const edits = r.next() < 0.8 ? 1 : r.int(2, 4);
      const parts: string[] = [];
      for (let e = 0; e < edits; e++) {
        const f = r.pick(seed.fields);
        const v = view();
        if (f.kind === 1) {
          const value = r.next() < 0.5 ? r.int(0, 255) : r.pick([0, 1, 2, 3, 4, 5, 6, 9, 0x7f, 0x80, 0xff]);
          bytes[f.pos] = value;
          parts.push(`u8@${f.pos}=${value}`);
        } else if (f.kind === 'vsize' || f.kind === 'tsize' || f.kind === 'voff' || f.kind === 2) {
          const value = r.next() < 0.5 ? r.int(0, 0xffff) : r.pick([0, 1, 2, 3, 4, 5, 6, 8, 0x7ffe, 0x7fff, 0x8000, 0xfffe, 0xffff, v.getUint16(f.pos, true) + 2, v.getUint16(f.pos, true) - 2]);
          v.setUint16(f.pos, value & 0xffff, true);
          parts.push(`${f.kind}@${f.pos}=${value & 0xffff}`);
        } else if (f.kind === 8) {
          const value = r.pick([0n, 1n, 2n, 0xffffffffn, 0x7fffffffffffffffn, -1n, BigInt(src.length), BigInt(r.int(0, src.length))]);
          v.setBigUint64(f.pos, BigInt.asUintN(64, value), true);
          parts.push(`u64@${f.pos}=${value}`);
        } else {
          const old = v.getUint32(f.pos, true);
          const choice = r.next();
          const value = choice < 0.45 ? r.pick(INTERESTING_32)
            : choice < 0.65 ? (old + r.int(-16, 16)) >>> 0
              : choice < 0.8 ? r.int(0, bytes.length + 64)
                : choice < 0.9 ? (-r.int(1, bytes.length)) >>> 0
                  : Math.floor(r.next() * 2 ** 32);
          v.setUint32(f.pos, value, true);
          parts.push(`${f.kind}@${f.pos}=${value}`);
        }
      }
      detail = parts.join(' ');
      break;
    }
    case 'bitflip': {
      const n = r.int(1, 8);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const pos = r.int(0, bytes.length - 1);
        bytes[pos] ^= 1 << r.int(0, 7);
        at.push(pos);
      }
      detail = `bits at ${at.join(',')}`;
      break;
    }
    case 'bytes': {
      const len = r.int(1, 16);
      const pos = r.int(0, Math.max(0, bytes.length - len));
      const fill = r.pick<'random' | number>(['random', 0x00, 0xff, 0x7f, 0x80]);
      for (let i = pos; i < Math.min(bytes.length, pos + len); i++) bytes[i] = typeof fill === 'number' ? fill : r.int(0, 255);
      detail = `${len} bytes of ${fill} at ${pos}`;
      break;
    }
    case 'truncate': {
      const len = r.next() < 0.3 ? r.int(0, 16) : r.int(0, bytes.length - 1);
      bytes = bytes.slice(0, len);
      detail = `to ${len} bytes`;
      break;
    }
    case 'shift': {
      const pos = r.int(0, bytes.length);
      const n = r.int(1, 16);
      if (r.next() < 0.5) {
        const ins = new Uint8Array(n).map(() => r.int(0, 255));
        bytes = concat(bytes.subarray(0, pos), ins, bytes.subarray(pos));
        detail = `insert ${n} at ${pos}`;
      } else {
        bytes = concat(bytes.subarray(0, pos), bytes.subarray(Math.min(bytes.length, pos + n)));
        detail = `delete ${n} at ${pos}`;
      }
      break;
    }
    case 'splice': {
      const len = r.int(4, 64);
      const from = r.int(0, Math.max(0, bytes.length - len));
      const to = r.int(0, Math.max(0, bytes.length - len));
      bytes.copyWithin(to, from, from + len);
      detail = `copy ${len} from ${from} to ${to}`;
      break;
    }
    default: { // header: root offset and identifier
      const pos = r.int(0, 7);
      bytes[pos] = r.int(0, 255);
      if (r.next() < 0.3) view().setUint32(0, r.pick(INTERESTING_32), true);
      detail = `header byte ${pos}`;
    }
  }
  return { index, seed: seed.name, strategy, detail, bytes };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Runs one case; returns its outcome and the rejection message, or throws a string describing the failure. */
export function runCase(c: FuzzCase, limitMs: number, roundTrip: boolean): { outcome: Outcome; message?: string; ms: number } {
  const t0 = performance.now();
  let outcome: Outcome;
  let message: string | undefined;
  let graph: Graph | undefined;
  try {
    graph = readTflite(c.bytes, 'fuzz');
    outcome = 'graph';
  } catch (e) {
    if (!(e instanceof ModelError)) throw `threw ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`;
    if (e.message.includes(INTERNAL_ERROR)) throw `reader safety net caught an unexpected exception: ${e.message}`;
    outcome = e instanceof UnsupportedError ? 'unsupported' : 'model-error';
    message = e.message;
  }
  const ms = performance.now() - t0;
  if (ms > limitMs) throw `took ${ms.toFixed(0)} ms (limit ${limitMs} ms)`;
  if (graph) {
    try {
      validateGraph(graph);
    } catch (e) {
      throw `accepted a graph that validateGraph rejects: ${(e as Error).message}`;
    }
    if (roundTrip) {
      let back: Graph;
      try {
        back = readTflite(writeTflite(graph), 'fuzz');
      } catch (e) {
        throw `accepted graph does not survive write + read: ${(e as Error).message}`;
      }
      if (!isDeepStrictEqual(back, graph)) throw 'accepted graph reads back different after write + read';
    }
  }
  return { outcome, message, ms };
}

export function caseRng(seed: number, index: number): Rng {
  return new Rng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
}

export function fuzz(seeds: Seed[], count: number, seed: number, options: { limitMs?: number; only?: number } = {}): FuzzReport {
  const limitMs = options.limitMs ?? 2000;
  const report: FuzzReport = { cases: 0, outcomes: { graph: 0, unsupported: 0, 'model-error': 0 }, strategies: {}, messages: [], failures: [], slowestMs: 0, totalMs: 0 };
  const messages = new Map<string, number>();
  const start = performance.now();
  for (let index = 0; index < count; index++) {
    if (options.only !== undefined && index !== options.only) continue;
    const r = caseRng(seed, index);
    const s = seeds[index % seeds.length];
    const c = mutate(s, r, index);
    report.cases++;
    report.strategies[c.strategy] = (report.strategies[c.strategy] ?? 0) + 1;
    try {
      // Round trips of accepted big models cost ~10 ms; check every accepted small one and every 8th big one.
      const { outcome, message, ms } = runCase(c, limitMs, c.bytes.length < 65536 || index % 8 === 0);
      report.outcomes[outcome]++;
      report.slowestMs = Math.max(report.slowestMs, ms);
      if (message) {
        const key = message.replace(/^model '[^']*': /, '').replace(/'[^']*'/g, "'…'").replace(/0x[0-9a-f]+|-?\d+(\.\d+)?(e[-+]?\d+)?/gi, 'N').slice(0, 110);
        messages.set(key, (messages.get(key) ?? 0) + 1);
      }
    } catch (problem) {
      report.failures.push({ case: c, problem: String(problem) });
    }
  }
  report.totalMs = performance.now() - start;
  report.messages = [...messages.entries()].sort((a, b) => b[1] - a[1]);
  return report;
}

export function formatReport(r: FuzzReport, top = 25): string {
  const lines = [
    `${r.cases} cases in ${(r.totalMs / 1000).toFixed(1)} s (slowest ${r.slowestMs.toFixed(1)} ms): ` +
      `${r.outcomes.graph} valid graphs, ${r.outcomes['model-error']} ModelError, ${r.outcomes.unsupported} UnsupportedError, ${r.failures.length} failures`,
    `strategies: ${Object.entries(r.strategies).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `${r.messages.length} distinct rejection messages; most frequent:`,
    ...r.messages.slice(0, top).map(([m, n]) => `  ${String(n).padStart(6)}  ${m}`),
  ];
  for (const f of r.failures.slice(0, 20)) lines.push(`FAILURE case ${f.case.index} (${f.case.seed}, ${f.case.strategy}: ${f.case.detail}): ${f.problem}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const flag = (name: string) => { const i = args.indexOf(name); if (i < 0) return undefined; const v = args[i + 1]; args.splice(i, 2); return v; };
  const only = flag('--case');
  const limit = flag('--limit-ms');
  const noReal = args.includes('--no-real');
  const positional = args.filter((a) => !a.startsWith('--'));
  const count = Number(positional[0] ?? 20000);
  const seed = Number(positional[1] ?? 1);
  const { seeds, skipped } = fuzzSeeds({ real: !noReal });
  if (skipped) console.log(`note: ${skipped}`);
  console.log(`fuzzing ${count} cases, seed ${seed}, over ${seeds.length} seed files`);
  const report = fuzz(seeds, count, seed, { limitMs: limit ? Number(limit) : undefined, only: only === undefined ? undefined : Number(only) });
  console.log(formatReport(report));
  process.exitCode = report.failures.length ? 1 : 0;
}
