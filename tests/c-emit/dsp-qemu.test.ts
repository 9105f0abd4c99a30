// The C kernels' Cortex-M DSP paths (SXTB16 / SMLAD code under MCUSIM_DSP) against WebAssembly, byte for byte, on
// QEMU mps2-an386 (Cortex-M4) and mps2-an500 (Cortex-M7) through simulator/validate.ts (the `mcusim validate` path).
// A few seeded-random multi-layer graphs (tests/helpers/dsp-graphs.ts: zero points anywhere in [-128, 127], RELU6 /
// RELU_N1_TO_1 clamps inside int8, saturating and left-shift multipliers, int32-wrapping biases) cover the awkward
// shapes: input channels not a multiple of 4, odd output channel and pixel counts, 1x1 / 3x3 / 5x5 / 7x7 / 10x4
// kernels, strides 1 and 2, SAME and VALID, depth multipliers above 1, in-place depthwise, 1x1 / 2x2 / 3x3 planes, FC
// with odd depths and row counts, average pooling and mean, fused inverted residuals on whole tensors and tiles, and a
// patch-based schedule (copy_2d pastes). In the layer-by-layer graphs every tensor not needed hidden (inputs of
// in-place depthwise, insides of fused blocks) is a graph output, so a wrong byte is compared where it is written
// rather than perhaps lost in a later clamp or mean. The schedules must select every kernel variant below (so
// coverage cannot silently disappear when the selection rules change); a mismatch names graph, target, step, kernel.
// 4 + 4 + 2 graphs, 2 inputs each, 20 ELFs: about 10 s on an idle 2-core machine, 40 s on a busy one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph, Padding } from '../../models/ir.ts';
import { kernelsModule } from '../../runtime/kernels-node.ts';
import { Machine } from '../../runtime/machine.ts';
import { buildSchedule, type Schedule, type ScheduleOptions } from '../../runtime/schedule.ts';
import { findDevice } from '../../simulator/devices.ts';
import { validate, type TargetResult } from '../../simulator/validate.ts';
import { graphInputs } from '../helpers/c-cases.ts';
import { clampHits, RandomGraph } from '../helpers/dsp-graphs.ts';
import { Rng } from '../helpers/rng.ts';
import { missingTools } from './common.ts';

/** Every kernel whose C twin has (or is being given) a DSP path, plus the patch copies. */
const KERNELS = [
  'conv2d_1x1', 'conv2d_simd', 'conv2d_narrow', 'conv2d',
  'depthwise_conv2d', 'depthwise_conv2d_3x3', 'depthwise_conv2d_mult', 'depthwise_conv2d_inplace',
  'fully_connected', 'inverted_residual', 'average_pool2d', 'mean', 'copy_2d',
] as const;
const INPUTS = 2;
const DEVICE = findDevice('stm32f746');
/** Test a kernel change kept elsewhere: MCUSIM_KERNEL_DIR=/path/to/c npm test -- c-emit/dsp-qemu (default runtime/c/). */
const KERNEL_DIR = process.env.MCUSIM_KERNEL_DIR || undefined;

const PADDINGS: Padding[] = ['SAME', 'VALID'];
const odd = (r: Rng, lo: number, hi: number) => { const v = r.int(lo, hi); return v % 2 ? v : v + 1; };

/** Standard convolutions: narrow rows (k_w * in_c <= 4), SIMD rows, pointwise GEMMs and the general kernel. */
function convGraph(r: Rng): Graph {
  const b = new RandomGraph('dsp-conv', r);
  const pad = () => r.pick(PADDINGS);
  // One input channel (spectrogram-like): 3x3 and 10x4 narrow rows, a 5x5 on SIMD rows, pointwise after them.
  const mono = b.input([1, odd(r, 15, 21), odd(r, 11, 15), 1]);
  const n1 = b.conv('narrow3x3', mono, { outC: r.pick([4, 5, 7, 9]), k: 3, stride: r.pick([1, 2]), padding: pad() });
  b.conv('narrow10x4', mono, { outC: r.pick([5, 8, 11]), k: [10, 4], stride: 2, padding: pad() });
  b.conv('narrow1x3', mono, { outC: r.pick([4, 6, 7]), k: [1, 3], stride: [1, 2], padding: pad() });
  b.conv('simd5x5-c1', mono, { outC: r.pick([4, 6, 7]), k: 5, stride: r.pick([1, 2]), padding: pad() });
  const p1 = b.conv('pw-after-narrow', n1, { outC: r.pick([3, 5, 7, 9]), k: 1 });
  b.conv('narrow2x2-c2', b.conv('pw-to-2', p1, { outC: 2, k: 1 }), { outC: r.pick([4, 5]), k: 2, stride: 1, padding: pad() });
  // Two or three channels: SIMD stems (3x3, 7x7), a narrow 1x1 stride 2, the general kernel (< 4 outputs, dilation).
  const rgb = b.input([1, odd(r, 9, 15), odd(r, 9, 15), r.pick([2, 3])]);
  const s1 = b.conv('simd3x3-s2', rgb, { outC: r.pick([8, 9, 13]), k: 3, stride: 2, padding: 'SAME' });
  b.conv('simd7x7', rgb, { outC: r.pick([5, 6, 7]), k: 7, stride: 2, padding: pad() });
  b.conv('narrow1x1-s2', rgb, { outC: r.pick([4, 5, 7]), k: 1, stride: 2 });
  b.conv('general-3x3', rgb, { outC: r.pick([1, 2, 3]), k: 3, stride: r.pick([1, 2]), padding: pad() });
  b.conv('general-dilated', rgb, { outC: r.pick([4, 6, 9]), k: 3, dilation: 2, padding: pad() });
  // A chain on an odd plane: pointwise to odd and even widths, SIMD 3x3 / 5x5 on 5, 7, 13 channels, a 1x1 stride 2.
  let t = b.conv('pw-a', s1, { outC: r.pick([5, 7]), k: 1 });
  t = b.conv('simd3x3-c57', t, { outC: r.pick([13, 16, 17]), k: 3, stride: 1, padding: pad() });
  t = b.conv('pw-b', t, { outC: r.pick([1, 2, 3]), k: 1 });
  t = b.conv('pw-c', t, { outC: r.pick([7, 13]), k: 1 });
  b.conv('simd5x5-c7', t, { outC: r.pick([5, 9]), k: 5, stride: r.pick([1, 2]), padding: 'SAME' });
  b.conv('simd1x1-s2', t, { outC: r.pick([4, 7]), k: 1, stride: 2 });
  b.conv('general-2out', t, { outC: 2, k: 3, stride: 2, padding: pad() });
  // Deep inputs (in_c 24..40, including not a multiple of 4), odd plane.
  const deep = b.input([1, odd(r, 3, 5), odd(r, 3, 7), r.pick([25, 33, 38])]);
  b.conv('pw-deep', deep, { outC: r.pick([9, 15, 16]), k: 1 });
  b.conv('simd3x3-deep', deep, { outC: r.pick([5, 11]), k: 3, stride: r.pick([1, 2]), padding: 'SAME' });
  // Tiny planes.
  for (const hw of [1, 2, 3]) {
    const x = b.input([1, hw, hw, r.pick([5, 7, 13, 16])]);
    b.conv(`tiny${hw}-simd3x3`, x, { outC: r.pick([5, 8, 9]), k: 3, stride: r.pick([1, 2]), padding: 'SAME' });
    b.conv(`tiny${hw}-pw`, x, { outC: r.pick([3, 7, 12]), k: 1 });
    const m = b.input([1, hw, hw, 1]);
    b.conv(`tiny${hw}-narrow3x3`, m, { outC: r.pick([4, 7]), k: 3, padding: 'SAME' });
  }
  return b.finish();
}

/** Depthwise in every variant, in place, fused inverted residuals on whole tensors, FC, average pooling, mean. */
function depthwiseGraph(r: Rng): Graph {
  const b = new RandomGraph('dsp-depthwise', r);
  const pad = () => r.pick(PADDINGS);
  // Depthwise layers reading a graph input (never overwritten) keep their own kernel.
  const x = b.input([1, odd(r, 9, 13), odd(r, 7, 13), r.pick([8, 9, 13, 17])]);
  b.depthwise('dw3x3-s1', x, { k: 3, stride: 1, padding: pad() });
  b.depthwise('dw3x3-s2', x, { k: 3, stride: 2, padding: pad() });
  b.depthwise('dw5x5', x, { k: 5, stride: r.pick([1, 2]), padding: pad() });
  b.depthwise('dw7x7-s2', x, { k: 7, stride: 2, padding: 'SAME' });
  b.depthwise('dw10x4', x, { k: [10, 4], stride: [2, 1], padding: 'SAME' });
  b.depthwise('dw3x3-m2', x, { k: 3, stride: r.pick([1, 2]), padding: pad(), multiplier: r.pick([2, 3]) });
  const few = b.input([1, odd(r, 5, 9), odd(r, 5, 9), r.pick([3, 5, 7])]);
  b.depthwise('dw3x3-c<8', few, { k: 3, stride: r.pick([1, 2]), padding: pad() });
  const mono = b.input([1, odd(r, 7, 11), r.pick([6, 8, 9]), r.pick([1, 2, 3])]);
  b.depthwise('dw-m8', mono, { k: 3, stride: 1, padding: pad(), multiplier: r.pick([8, 9]) });
  b.depthwise('dw-m12-5x5', mono, { k: 5, stride: 2, padding: 'SAME', multiplier: r.pick([12, 16]) });
  b.depthwise('dw-m8-1x1', mono, { k: 1, multiplier: 8 });
  // In place: each depthwise input is hidden and read by that depthwise only, so its output overwrites it.
  let t = b.hide(b.conv('ip/pw0', x, { outC: r.pick([9, 13, 15]), k: 1 }));
  t = b.depthwise('ip/dw3x3-s1', t, { k: 3, stride: 1, padding: pad() });
  t = b.hide(b.conv('ip/pw1', t, { outC: r.pick([11, 16, 19]), k: 1 }));
  t = b.depthwise('ip/dw3x3-s2', t, { k: 3, stride: 2, padding: pad() });
  let u = b.hide(b.conv('ip/pw2', t, { outC: r.pick([3, 5, 7]), k: 1 }));
  u = b.depthwise('ip/dw3x3-c<8', u, { k: 3, stride: 1, padding: 'SAME' });
  u = b.hide(b.conv('ip/pw3', u, { outC: r.pick([8, 11]), k: 1 }));
  b.depthwise('ip/dw5x5', u, { k: 5, stride: r.pick([1, 2]), padding: 'SAME' });
  const big = b.hide(b.conv('ip/pw4', x, { outC: r.pick([6, 10]), k: 1 }));
  b.depthwise('ip/dw7x7', big, { k: 7, stride: 1, padding: 'SAME' });
  // Fused inverted residuals (expand -> depthwise -> project with hidden intermediates; the schedule fuses them all).
  let v = b.conv('ir/stem', b.input([1, odd(r, 11, 15), odd(r, 11, 15), 3]), { outC: r.pick([8, 9]), k: 3, stride: 2, padding: 'SAME', act: 'RELU6' });
  const block = (name: string, y: number, expand: number, k: number, stride: number, out: number) => {
    const e = b.hide(b.conv(`${name}/expand`, y, { outC: expand, k: 1 }));
    const d = b.hide(b.depthwise(`${name}/dw`, e, { k, stride, padding: 'SAME' }));
    return b.conv(`${name}/project`, d, { outC: out, k: 1 });
  };
  v = block('ir1', v, r.pick([24, 27, 36]), 3, 1, r.pick([8, 11]));
  v = block('ir2', v, r.pick([5, 7]), 5, 2, r.pick([9, 13]));
  v = block('ir3', v, r.pick([18, 21]), 3, 2, r.pick([6, 7]));
  block('ir4', v, r.pick([13, 16]), 7, 1, r.pick([3, 5]));
  // Tiny planes: the 3x3 kernel's borders everywhere, in place too.
  for (const hw of [1, 2, 3]) {
    const y = b.input([1, hw, hw, r.pick([8, 9, 16, 24])]);
    b.depthwise(`tiny${hw}-dw3x3`, y, { k: 3, stride: r.pick([1, 2]), padding: 'SAME' });
    b.depthwise(`tiny${hw}-ip`, b.hide(b.conv(`tiny${hw}-pw`, y, { outC: r.pick([5, 9, 12]), k: 1 })), { k: 3, stride: 1, padding: 'SAME' });
  }
  // FULLY_CONNECTED: rows = pixels (odd) of odd depth, one flattened row, a [1, C] chain, a 1x1 plane.
  const f = b.input([1, odd(r, 3, 5), odd(r, 3, 5), r.pick([7, 13, 21])]);
  b.fc('fc-rows', f, { units: r.pick([5, 8, 9]) });
  const flat = b.fc('fc-flat', f, { units: r.pick([7, 10, 15]), flatten: true });
  b.fc('fc-chain', flat, { units: r.pick([1, 3, 4]) });
  b.fc('fc-tiny', b.input([1, 1, 1, r.pick([1, 3, 33])]), { units: r.pick([2, 7]) });
  // AVERAGE_POOL_2D: 2x2 stride 2 VALID on an odd plane, 3x3 stride 1 SAME, 3x2 stride [2, 1], global.
  const p = b.input([1, odd(r, 7, 11), odd(r, 5, 9), r.pick([3, 5, 8, 13])]);
  b.avgPool('pool2x2', p, { filter: 2, stride: 2, padding: 'VALID' });
  b.avgPool('pool3x3-same', p, { filter: 3, stride: 1, padding: 'SAME' });
  b.avgPool('pool3x2', p, { filter: [3, 2], stride: [2, 1], padding: pad() });
  const [, ph, pw] = b.shape(p);
  b.avgPool('pool-global', p, { filter: [ph, pw], stride: [ph, pw], padding: 'VALID' });
  // MEAN over H and W: plain division and requantised, with and without kept dimensions.
  b.mean('mean-plain', p, { keepDims: true, requantize: false });
  b.mean('mean-requant', p, { keepDims: false, requantize: true });
  b.mean('mean-tiny', b.input([1, 1, 2, r.pick([5, 9])]), { keepDims: r.next() < 0.5, requantize: true });
  return b.finish();
}

/**
 * A patch-based schedule: the SIMD stem and an expand -> depthwise -> project block run tile by tile (the block fused
 * when that lowers the peak), copy_2d pastes the tiles into the split tensor, then layer by layer (fused again or
 * in place). The tensors after the split are graph outputs too; those of the patch stage cannot be.
 */
function patchGraph(r: Rng): Graph {
  const b = new RandomGraph('dsp-patch', r);
  let x = b.input([1, r.pick([36, 40, 44]), r.pick([36, 40]), 3]);
  x = b.hide(b.conv('stem', x, { outC: r.pick([8, 9]), k: 3, stride: 2, padding: 'SAME', act: 'RELU6' }));
  const block = (name: string, y: number, expand: number, k: number, stride: number, out: number) => {
    const e = b.hide(b.conv(`${name}/expand`, y, { outC: expand, k: 1, act: r.pick(['RELU6', 'RELU'] as const) }));
    const d = b.hide(b.depthwise(`${name}/dw`, e, { k, stride, padding: 'SAME', act: r.pick(['RELU6', 'RELU'] as const) }));
    return b.conv(`${name}/project`, d, { outC: out, k: 1, act: 'NONE' });
  };
  x = block('b1', x, r.pick([90, 96, 102]), 3, 2, r.pick([11, 12]));
  x = block('b2', x, r.pick([60, 66]), 3, 1, r.pick([13, 15]));
  x = block('b3', x, r.pick([39, 40]), r.pick([5, 7]), 2, r.pick([16, 17]));
  const m = b.mean('mean', x, { keepDims: false, requantize: true });
  b.fc('fc', m, { units: r.pick([7, 10]) });
  return b.finish();
}

interface Case { name: string; graph: Graph; options: ScheduleOptions; seed: number }

const CASES: Case[] = [
  ...[101, 102, 103, 104].map((seed) => ({ name: `conv-${seed}`, graph: convGraph(new Rng(seed)), options: {}, seed })),
  ...[201, 202, 203, 204].map((seed) => ({ name: `depthwise-${seed}`, graph: depthwiseGraph(new Rng(seed)), options: { fuseBlocks: 'all' as const }, seed })),
  ...[301, 302].map((seed) => ({ name: `patch-${seed}`, graph: patchGraph(new Rng(seed)), options: { schedule: 'patch' as const }, seed })),
];
const schedules = new Map<string, Schedule>(CASES.map((c) => [c.name, buildSchedule(c.graph, c.options)]));
const records = (c: Case) => {
  const r = new Rng(c.seed + 1);
  return Array.from({ length: INPUTS }, (_, k) => ({ source: `seeded random ${c.seed + 1} #${k}`, inputs: graphInputs(r, c.graph) }));
};

/** A compact summary of the shapes one kernel ran on, from its steps' arguments. */
function shapeSummary(steps: Schedule['steps']): string {
  const sets = new Map<string, Set<string>>();
  const add = (k: string, v: string | undefined) => { if (v !== undefined) (sets.get(k) ?? sets.set(k, new Set()).get(k)!).add(v); };
  for (const st of steps) {
    const a = (n: string) => st.args.find((x) => x.name === n)?.value;
    const pair = (p: string, q: string) => (a(p) !== undefined ? `${a(p)}x${a(q)}` : undefined);
    add('in', pair('in_h', 'in_w'));
    add('in_c', String(a('in_c') ?? a('channels') ?? a('depth') ?? ''));
    add('expand', a('expand_c') !== undefined ? String(a('expand_c')) : undefined);
    add('out_c', a('out_c') !== undefined ? String(a('out_c')) : a('units') !== undefined ? String(a('units')) : undefined);
    add('k', pair('k_h', 'k_w') ?? pair('filter_h', 'filter_w'));
    add('s', pair('stride_h', 'stride_w'));
    add('rows', a('rows') !== undefined ? String(a('rows')) : a('pixels') !== undefined ? `${a('pixels')}px` : undefined);
    add('mult', a('depth_multiplier') !== undefined && a('depth_multiplier')! > 1 ? String(a('depth_multiplier')) : undefined);
  }
  return [...sets].filter(([, v]) => v.size && !(v.size === 1 && v.has(''))).map(([k, v]) => `${k} ${[...v].sort((p, q) => parseFloat(p) - parseFloat(q) || p.localeCompare(q)).join(',')}`).join('; ');
}

const lines: string[] = [];

test('the schedules select every DSP kernel variant; zero points, shifts and clamps reach their extremes', async () => {
  const steps = [...schedules.values()].flatMap((s) => s.steps);
  const missing = KERNELS.filter((k) => !steps.some((st) => st.kernel === k));
  assert.equal(missing, [], `kernel variants no longer selected by any test schedule: ${missing.join(', ')} (the selection rules changed: adjust the graphs)`);
  for (const c of CASES.filter((x) => x.options.schedule === 'patch')) {
    const s = schedules.get(c.name)!;
    assert.is(s.kind, 'patch', `${c.name}: ${s.summary.reason}`);
    assert.ok(s.steps.some((st) => st.kernel === 'inverted_residual' && st.patch), `${c.name}: a fused block runs on tiles`);
    assert.ok(s.steps.some((st) => st.kernel === 'inverted_residual' && !st.patch), `${c.name}: a fused block runs on whole tensors after the split`);
    assert.ok(s.steps.some((st) => st.kernel === 'copy_2d'), `${c.name}: tiles are pasted with copy_2d`);
  }
  for (const k of KERNELS) {
    const ks = steps.filter((st) => st.kernel === k);
    lines.push(`${k.padEnd(25)} ${String(ks.length).padStart(3)} steps | ${shapeSummary(ks)}`);
  }
  // Zero points of the activations, and both signs of requantisation shifts (left shifts: multipliers above 1).
  const zps = CASES.flatMap((c) => c.graph.tensors.filter((t) => t.dtype === 'int8' && !t.data).map((t) => t.quant!.zeroPoint[0]));
  assert.ok(zps.includes(-128) && zps.includes(127) && new Set(zps).size >= 40, `zero points span [-128, 127] (${new Set(zps).size} distinct)`);
  let left = 0;
  let right = 0;
  for (const s of schedules.values()) {
    const view = new DataView(s.flashImage.buffer, s.flashImage.byteOffset, s.flashImage.byteLength);
    for (const st of s.steps) {
      const v = (n: string) => st.args.find((a) => a.name === n)?.value ?? 0;
      for (const a of st.args) {
        if (!a.name.endsWith('shifts') || a.space !== 'flash') continue;
        const channels = /^(expand|dw)_/.test(a.name) ? v('expand_c') : v('out_c') || v('units');
        for (let c = 0; c < channels; c++) { const sh = view.getInt32(a.value + 4 * c, true); if (sh > 0) left++; else right++; }
      }
    }
  }
  assert.ok(left >= 5 && right >= 100, `left shifts ${left}, right shifts ${right}`);
  // Both clamps of the fused activations are reached in WebAssembly (narrower than int8, so they really clamp).
  const machine = await Machine.create(DEVICE, kernelsModule());
  let low = 0;
  let high = 0;
  let active = 0;
  for (const c of CASES) {
    for (const h of clampHits(schedules.get(c.name)!, machine, records(c).map((x) => x.inputs))) {
      if (h.lowActive || h.highActive) active++;
      if (h.lowActive && h.low) low++;
      if (h.highActive && h.high) high++;
    }
  }
  assert.ok(low >= 10 && high >= 10, `steps reaching a clamp inside int8: low ${low}, high ${high} of ${active}`);
  lines.push(`zero points: ${new Set(zps).size} distinct in [${Math.min(...zps)}, ${Math.max(...zps)}]; shifts: ${left} left, ${right} right; ` +
    `steps reaching act_min ${low} / act_max ${high} (of ${active} with a clamp inside int8)`);
});

const skip = await missingTools(['m4', 'm7']);
if (skip) console.log(`  c-emit/dsp-qemu: QEMU runs skipped: ${skip}`);
else {
  for (const c of CASES) {
    const s = schedules.get(c.name)!;
    test(`${c.name} graph (${s.kind} schedule, ${s.steps.length} steps, ${INPUTS} inputs): QEMU Cortex-M4 and M7 equal WebAssembly`, async () => {
      const start = performance.now();
      const r = await validate(s, { device: DEVICE, targets: ['m4', 'm7'], records: records(c), kernelDir: KERNEL_DIR });
      const failures = r.targets.filter((t) => !equal(t)).map((t) => `${c.name} graph on ${t.description}: ${explain(t, s)}`);
      assert.ok(failures.length === 0, failures.join('\n'));
      for (const t of r.targets) {
        lines.push(`${c.name} ${t.target}: ${t.inferences} inferences equal | build ${t.buildSeconds.toFixed(1)} s run ${t.runSeconds.toFixed(1)} s` +
          (t.problems.length ? ` | note: ${t.problems.join('; ')}` : ''));
      }
      lines.push(`${c.name}: ${s.steps.length} steps, ${(s.macs / 1e6).toFixed(2)} M MACs, arena ${s.arenaBytes} B, Flash image ${s.flashImage.length} B; ` +
        `validate took ${((performance.now() - start) / 1000).toFixed(1)} s`);
    });
  }
}

/** The outputs agree; size-margin notes (fit's Flash / SRAM estimates) are not this test's concern and only printed. */
function equal(t: TargetResult): boolean {
  const other = t.problems.filter((p) => !/^the model's Flash in the ELF|^ELF SRAM/.test(p));
  return t.inferences === INPUTS && t.mismatches === 0 && other.length === 0;
}

function explain(t: TargetResult, s: Schedule): string {
  const m = t.firstMismatch;
  const where = m?.step ? `kernel ${m.step.kernel} at step ${m.step.index} (${m.step.op} '${m.step.name}'), byte ${m.step.byte}: C ${m.step.actual}, WebAssembly ${m.step.expected}; ` : '';
  const args = m?.step ? ` | step arguments: ${s.steps[m.step.index].args.filter((a) => a.space === 'value').map((a) => `${a.name}=${a.value}`).join(' ')}` : '';
  return `${where}${t.problems.join('; ')}${args}`;
}

test.after(() => console.log(`\n    ${lines.join('\n    ')}`));

test.run();
