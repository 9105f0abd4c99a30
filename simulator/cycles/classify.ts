// QEMU-derived cycles: QEMU counts instructions, not cycles. Running the counting ELF once more under
// `-d in_asm,exec,nochain` logs every translated block's instructions and every block execution; from them we get,
// per step, how many instructions of each class ran (load, store, load/store multiple, multiply, MAC, DSP SIMD,
// divide, float, branch taken / not taken, call (BL), other) and weight them with the core's published timing
// (simulator/costs/<core>.json "timing"). Assumptions (also in the README): zero-wait-state memory, no cache
// misses, pipelined neighbouring loads/stores, taken branches 1 + P cycles with the cost table's P, and for the
// Cortex-M7 a fractional cost per class that approximates dual issue. The figure is DERIVED from measured
// instruction streams, not measured cycles.
import { createReadStream } from 'node:fs';

export const CLASSES = ['alu', 'load', 'store', 'loadPipelined', 'storePipelined', 'multiple', 'multipleRegs', 'mul', 'mac', 'dsp', 'divide', 'float', 'floatDivide', 'branchTaken', 'branchNotTaken', 'branchLink', 'refill'] as const;
export type InsnClass = (typeof CLASSES)[number];
export type ClassCounts = Record<InsnClass, number>;

export interface TimingTable {
  /**
   * Cycles per instruction of each class; multipleRegs: per register moved by LDM/STM/PUSH/POP/LDRD/STRD; refill:
   * the pipeline refill after a POP/LDR that loads the PC (not an instruction of its own); branchLink: BL (a call
   * with an immediate target; BLX through a register counts as a taken branch).
   */
  cycles: Record<InsnClass, number>;
  notes: string;
}

export const emptyCounts = (): ClassCounts => Object.fromEntries(CLASSES.map((c) => [c, 0])) as ClassCounts;

export function weigh(c: ClassCounts, t: TimingTable): number {
  let sum = 0;
  for (const k of CLASSES) sum += c[k] * t.cycles[k];
  return sum;
}

/** Executed instructions (multipleRegs is a register count, not instructions). */
export function instructionsOf(c: ClassCounts): number {
  let n = 0;
  for (const k of CLASSES) if (k !== 'multipleRegs' && k !== 'refill') n += c[k];
  return n;
}

interface Insn { addr: number; size: number; mnemonic: string; ops: string }
interface Block { insns: Insn[]; counts: ClassCounts; end: number; last: Insn; lastIsBranch: boolean; lastConditional: boolean; lastIsCall: boolean }

const COND = '(?:eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)?';
const RE = {
  load: new RegExp(`^ldr(?:b|h|sb|sh|ex|exb|exh|t|bt|ht)?${COND}$`),
  store: new RegExp(`^str(?:b|h|ex|exb|exh|t|bt|ht)?${COND}$`),
  pair: new RegExp(`^(?:ldrd|strd)${COND}$`),
  multiple: new RegExp(`^(?:ldm|stm|push|pop|ldmia|ldmdb|stmia|stmdb|stmfd|ldmfd|vpush|vpop|vldm|vstm|vldmia|vstmia|vldmdb|vstmdb)${COND}$`),
  mul: new RegExp(`^(?:mul|muls|smull|umull|smulbb|smulbt|smultb|smultt|smulwb|smulwt|smmul|smmulr)${COND}$`),
  mac: new RegExp(`^(?:mla|mls|smlal|umlal|umaal|smlabb|smlabt|smlatb|smlatt|smlawb|smlawt|smmla|smmlar|smmls|smmlsr|smlalbb|smlalbt|smlaltb|smlaltt)${COND}$`),
  dsp: new RegExp(`^(?:smlad|smladx|smlsd|smlsdx|smlald|smlaldx|smlsld|smlsldx|smuad|smuadx|smusd|smusdx|sxtb16|sxtab16|uxtb16|uxtab16|sadd16|ssub16|sadd8|ssub8|qadd|qsub|qadd16|qsub16|qadd8|qsub8|qdadd|qdsub|shadd16|shsub16|uadd8|uadd16|usub16|usub8|pkhbt|pkhtb|ssat16|usat16|sel|sasx|ssax|usad8|usada8)${COND}$`),
  divide: new RegExp(`^(?:sdiv|udiv)${COND}$`),
  floatDivide: new RegExp(`^(?:vdiv|vsqrt)(?:\\.\\w+)*${COND}$`),
  vload: /^(?:vldr|vstr)/,
  float: /^v/,
  branch: new RegExp(`^(?:b|bl|blx|bx|bxns|blxns|cbz|cbnz|tbb|tbh)${COND}$`),
};

function isBranchInsn(i: Insn): boolean {
  if (RE.branch.test(i.mnemonic)) return true;
  if (/\bpc\b/.test(i.ops) && (/^(?:pop|ldm)/.test(i.mnemonic) || /^(?:ldr|mov|add)\w*$/.test(i.mnemonic) && /^pc\b/.test(i.ops))) return true;
  return false;
}

function isConditionalBranch(i: Insn): boolean {
  return /^(?:cbz|cbnz)$/.test(i.mnemonic) || /^b(?:eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)$/.test(i.mnemonic);
}

function registerCount(ops: string): number {
  const m = /\{([^}]*)\}/.exec(ops);
  if (!m) return 1;
  let n = 0;
  for (const part of m[1].split(',')) {
    const r = /([a-z]+)(\d+)\s*-\s*[a-z]+(\d+)/.exec(part.trim());
    n += r ? Number(r[3]) - Number(r[2]) + 1 : 1;
  }
  return n;
}

/** Classes of one block, branches left out (decided at execution from the next block's address). */
function classifyBlock(insns: Insn[]): ClassCounts {
  const c = emptyCounts();
  let prevMem = false;
  insns.forEach((i, k) => {
    const m = i.mnemonic;
    const last = k === insns.length - 1;
    let mem = false;
    if (last && isBranchInsn(i)) {
      // A plain branch is counted at execution (taken or not); a load of the PC is a load plus a refill.
      if (/^(?:pop|ldm)/.test(m)) { c.multiple++; c.multipleRegs += registerCount(i.ops); c.refill++; }
      else if (!RE.branch.test(m)) { c.load++; c.refill++; }
    } else if (RE.pair.test(m)) { c.multiple++; c.multipleRegs += 2; mem = true; }
    else if (RE.multiple.test(m)) { c.multiple++; c.multipleRegs += registerCount(i.ops); mem = true; }
    else if (RE.load.test(m)) { if (prevMem) c.loadPipelined++; else c.load++; mem = true; }
    else if (RE.store.test(m)) { if (prevMem) c.storePipelined++; else c.store++; mem = true; }
    else if (RE.mul.test(m)) c.mul++;
    else if (RE.mac.test(m)) c.mac++;
    else if (RE.dsp.test(m)) c.dsp++;
    else if (RE.divide.test(m)) c.divide++;
    else if (RE.floatDivide.test(m)) c.floatDivide++;
    else if (RE.vload.test(m)) { if (prevMem) c.loadPipelined++; else c.load++; mem = true; }
    else if (RE.float.test(m)) c.float++;
    else if (isBranchInsn(i)) c.branchTaken++; // a branch inside a block (should not happen)
    else c.alu++;
    prevMem = mem;
  });
  return c;
}

/** The only 32-bit instructions ARMv6-M has. */
const ARMV6M_WIDE = /^(?:bl|dmb|dsb|isb|mrs|msr)$/;
const LINE_INSN = /^0x([0-9a-f]+):\s+([0-9a-f]{4})(?: ([0-9a-f]{4}))?\s+(\S+)\s*(.*)$/;

export interface ClassifyResult {
  /** Class counts per segment between two calls of the boundary function (segment 0: before the first call). */
  segments: ClassCounts[];
  /** Instructions executed inside the boundary function (the counting hook), left out of every segment. */
  hookInstructions: number;
}

/**
 * Streams a `-d in_asm,exec,nochain` log: every execution of a block adds its classes to the current segment; an
 * execution of the block at `boundary` (the counting hook's entry) starts a new segment, and blocks inside
 * [boundary, boundaryEnd) are not counted.
 */
export async function classifyLog(path: string, boundary: number, boundaryEnd: number, o: { armv6m?: boolean } = {}): Promise<ClassifyResult> {
  const blocks = new Map<number, Block>();
  const segments: ClassCounts[] = [emptyCounts()];
  let hook = 0;
  let pending: Insn[] | null = null;
  let prev: Block | null = null;
  let prevInHook = false;
  // Executions of each block in the current segment, folded into the segment's classes when it closes (much
  // cheaper than adding every class at every execution).
  let execs = new Map<Block, number>();
  const fold = () => {
    const seg = segments[segments.length - 1];
    for (const [b, n] of execs) for (const k of CLASSES) seg[k] += n * b.counts[k];
    execs = new Map();
  };
  const finish = () => {
    if (pending && pending.length) {
      const last = pending[pending.length - 1];
      blocks.set(pending[0].addr, { insns: pending, counts: classifyBlock(pending), end: last.addr + last.size, last, lastIsBranch: RE.branch.test(last.mnemonic), lastConditional: isConditionalBranch(last), lastIsCall: last.mnemonic === 'bl' });
    }
    pending = null;
  };
  const line = (text: string) => {
    if (text.charCodeAt(0) === 84 /* T */ && text.startsWith('Trace')) {
      finish();
      // Trace <cpu>: <host tb> [<cs_base>/<pc>/<flags>/<cflags>] <symbol>
      const open = text.indexOf('[');
      const slash = open < 0 ? -1 : text.indexOf('/', open);
      const end = slash < 0 ? -1 : text.indexOf('/', slash + 1);
      if (end < 0) return;
      const pc = parseInt(text.slice(slash + 1, end), 16);
      const b = blocks.get(pc);
      if (!b) throw new Error(`instruction log: block at 0x${pc.toString(16)} executed but never translated`);
      const seg = segments[segments.length - 1];
      // The previous block's final branch: taken unless execution fell through to the next address.
      if (prev && prev.lastIsBranch && !prevInHook) {
        if (pc === prev.end && prev.lastConditional) seg.branchNotTaken++;
        else if (prev.lastIsCall) seg.branchLink++;
        else seg.branchTaken++;
      }
      const inHook = pc >= boundary && pc < boundaryEnd;
      if (pc === boundary) { fold(); segments.push(emptyCounts()); }
      if (inHook) hook += b.insns.length;
      else execs.set(b, (execs.get(b) ?? 0) + 1);
      prev = b;
      prevInHook = inHook;
      return;
    }
    if (text.startsWith('IN:')) { finish(); pending = []; return; }
    if (pending) {
      const m = LINE_INSN.exec(text);
      if (m) {
        const insn = { addr: parseInt(m[1], 16), size: m[3] ? 4 : 2, mnemonic: m[4].replace(/\.[wn]$/, ''), ops: m[5] };
        if (o.armv6m && insn.size === 4 && !ARMV6M_WIDE.test(insn.mnemonic)) {
          throw new Error(`instruction log: ${m[4]} ${m[5]} at 0x${m[1]} is not an ARMv6-M instruction (the Cortex-M0+ build must contain only Thumb-1 code plus BL, MRS, MSR and barriers)`);
        }
        pending.push(insn);
        return;
      }
      if (text.trim() === '' || text.startsWith('---')) finish();
    }
  };
  // Lines are split by hand from latin1 chunks: the log runs to gigabytes, and readline is the slow part.
  let rest = '';
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
    const text = rest + (chunk as Buffer).toString('latin1');
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      line(text.slice(from, nl));
      from = nl + 1;
    }
    rest = text.slice(from);
  }
  if (rest) line(rest);
  finish();
  fold();
  return { segments, hookInstructions: hook };
}
