import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Activation, Graph, Tensor } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { randomBinaryCase } from '../helpers/binary-cases.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import type { BinaryCase } from '../reference/add.ts';
import { broadcastBinary } from '../reference/broadcast.ts';
import { referenceSub, subMultipliers } from '../reference/sub.ts';
import { actRange, clamp, quantizeMultiplier, rdbpot, srdhm } from '../reference/tflite-math.ts';

type Case = BinaryCase & { constA?: boolean; constB?: boolean };
const describeCase = (c: object) => JSON.stringify(c, (k, v) => (ArrayBuffer.isView(v) ? `[${(v as Int8Array).length} values]` : v));
const q = (scale: number, zp: number) => ({ scale: [scale], zeroPoint: [zp], axis: 0 });

function subGraph(c: Case, outShape: number[]): Graph {
  const tensors: Tensor[] = [
    { name: 'a', shape: c.aShape, dtype: 'int8', quant: q(c.aScale, c.aZp), ...(c.constA ? { data: c.a } : {}) },
    { name: 'b', shape: c.bShape, dtype: 'int8', quant: q(c.bScale, c.bZp), ...(c.constB ? { data: c.b } : {}) },
    { name: 'y', shape: outShape, dtype: 'int8', quant: q(c.outScale, c.outZp) },
  ];
  return {
    name: 'sub-case',
    tensors,
    ops: [{ kind: 'SUB', name: 'sub', inputs: [0, 1], outputs: [2], options: { activation: c.activation as Activation } }],
    inputs: [...(c.constA ? [] : [0]), ...(c.constB ? [] : [1])],
    outputs: [2],
  };
}
const subInputs = (c: Case) => [...(c.constA ? [] : [c.a]), ...(c.constB ? [] : [c.b])];

test('SUB equals the reference on 1000 random cases (same shape, per-channel and scalar broadcast, constants)', async () => {
  const r = new Rng(59);
  let low = 0;
  let high = 0;
  const layouts = new Set<string>();
  let done = 0;
  while (done < 1000) {
    const c = randomBinaryCase(r, (a, b) => Math.fround(Math.max(a, b) * 10 ** (4 * r.next() - 2.5)));
    if (!subMultipliers(c.aScale, c.bScale, c.outScale)) continue; // TFLite refuses; covered below
    const ref = referenceSub(c);
    const [got] = await runGraph(subGraph(c, ref.shape), subInputs(c), done % 10 === 0);
    assert.is(firstDifference(got, ref.data), 'equal', `case ${done}: ${describeCase(c)}`);
    if (ref.data.includes(-128)) low++;
    if (ref.data.includes(127)) high++;
    layouts.add(`${c.aShape.length}/${c.bShape.length}/${c.constA}/${c.constB}`);
    done++;
  }
  assert.ok(low > 50 && high > 50, `saturation coverage ${low}/${high}`);
  assert.ok(layouts.size > 15, `shape/constant combinations covered: ${layouts.size}`);
});

/** SUB's multipliers computed in double, as ADD does: what mcusim must NOT do. */
function doubleMultipliers(c: BinaryCase): [number, number][] {
  const twiceMax = 2 * Math.max(c.aScale, c.bScale);
  return [quantizeMultiplier(c.aScale / twiceMax), quantizeMultiplier(c.bScale / twiceMax), quantizeMultiplier(twiceMax / (2 ** 20 * c.outScale))];
}

function subInDouble(c: BinaryCase): Int8Array {
  const [[m1, s1], [m2, s2], [mo, so]] = doubleMultipliers(c);
  const down = (x: number, m: number, s: number) => rdbpot(srdhm(x, m), -s);
  const [lo, hi] = actRange(c.activation, c.outScale, c.outZp);
  return broadcastBinary(c.a, c.aShape, c.b, c.bShape, (x, y) => clamp(down(down((x - c.aZp) * 2 ** 20, m1, s1) - down((y - c.bZp) * 2 ** 20, m2, s2), mo, so) + c.outZp, lo, hi)).data;
}

test('SUB computes its multipliers in float32, as TFLite Micro does (unlike ADD)', async () => {
  // Found by searching seeded random scales over all 256 x 256 input pairs: with these float32 scales the float32
  // multipliers are (2^30, 0), (1711687808, -1), (1126179072, -18) but the double ones end in ...785 and ...015,
  // and a = -58, b = 63 then gives -114 in float32 arithmetic against -113 in double.
  const c: Case = {
    a: Int8Array.of(-58, -58, 10), aShape: [3], aScale: Math.fround(0.029580198228359222), aZp: 0,
    b: Int8Array.of(63, 62, 10), bShape: [3], bScale: Math.fround(0.023577392101287842), bZp: 0,
    outScale: Math.fround(0.028202883899211884), outZp: 0, activation: 'NONE',
  };
  assert.equal(subMultipliers(c.aScale, c.bScale, c.outScale), [[1073741824, 0], [1711687808, -1], [1126179072, -18]]);
  assert.equal(doubleMultipliers(c), [[1073741824, 0], [1711687785, -1], [1126179015, -18]]);
  const ref = referenceSub(c).data;
  assert.is(ref[0], -114);
  assert.is(subInDouble(c)[0], -113);
  const [got] = await runGraph(subGraph(c, [3]), subInputs(c));
  assert.equal(Array.from(got), Array.from(ref));
});

function handCase(a: number[], b: number[], aScale: number, bScale: number, outScale: number, act = 'NONE'): Case {
  return { a: Int8Array.from(a), aShape: [1, 1, 1, a.length], aScale, aZp: 0, b: Int8Array.from(b), bShape: [1, 1, 1, b.length], bScale, bZp: 0, outScale, outZp: 0, activation: act };
}

test('SUB hand-computed cases from TFLite arithmetic', async () => {
  // 3*0.5 - 2*0.25 = 1.0 -> 2 at scale 0.5. twice_max = 1: multipliers 0.5 -> (2^30, 0), 0.25 -> (2^30, -1),
  // output 1 / (2^20 * 0.5) = 2^-19 -> (2^30, -18): (3<<20)*0.5 - (2<<20)*0.25 = 1048576, * 2^-19 = 2.
  let c = handCase([3], [2], 0.5, 0.25, 0.5);
  assert.equal(Array.from((await runGraph(subGraph(c, [1, 1, 1, 1]), subInputs(c)))[0]), [2]);
  // Halves round away from zero in the last RoundingDivideByPOT: 1.5 -> 2, -1.5 -> -2 (scales 0.5, 0.5 -> 1).
  c = handCase([3, -3, 1], [0, 0, 0], 0.5, 0.5, 1);
  assert.equal(Array.from((await runGraph(subGraph(c, [1, 1, 1, 3]), subInputs(c)))[0]), [2, -2, 1]);
  // Operand order matters, zero points and RELU (range [-7, 127]): (10-4)*0.5 - (-3+5)*0.5 = 2.0 -> 4 steps - 7 = -3;
  // (-100-4)*0.5 - (100+5)*0.5 = -104.5 -> -209 - 7, clamped to -7 by RELU.
  c = { ...handCase([10, -100], [-3, 100], 0.5, 0.5, 0.5, 'RELU'), aZp: 4, bZp: -5, outZp: -7 };
  assert.equal(Array.from((await runGraph(subGraph(c, [1, 1, 1, 2]), subInputs(c)))[0]), [-3, -7]);
  // A constant scalar subtrahend (from Flash): x - 1.0 with all scales 0.5.
  c = { ...handCase([10, 0, -128], [2], 0.5, 0.5, 0.5), bShape: [], constB: true };
  assert.equal(Array.from((await runGraph(subGraph(c, [1, 1, 1, 3]), subInputs(c)))[0]), [8, -2, -128]);
});

function graphWith(over: (g: Graph) => void): Graph {
  const f = Math.fround;
  const g = subGraph({ ...handCase([0, 0, 0], [0, 0, 0], f(0.1), f(0.1), f(0.2)), aShape: [1, 2, 2, 3], bShape: [1, 2, 2, 3] }, [1, 2, 2, 3]);
  over(g);
  return g;
}

test('SUB rejects bad operators with typed errors', () => {
  const modelError = (g: Graph, msg: RegExp) => assert.is(throwsError(() => buildSchedule(g), ModelError, msg).constructor, ModelError);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[1] = { name: 'b', shape: [1, 2, 2, 3], dtype: 'int32' }; })), UnsupportedError, /SUB.*input 1.*int32/);
  modelError(graphWith((g) => { delete g.tensors[0].quant; }), /input 0.*no quantisation/);
  modelError(graphWith((g) => { g.tensors[1].shape = [1, 2, 2, 4]; }), /cannot be broadcast/);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[1].shape = [1, 2, 1, 3]; })), UnsupportedError, /broadcasting \[1,2,2,3\] with \[1,2,1,3\]/);
  modelError(graphWith((g) => { g.tensors[2].shape = [1, 2, 2, 4]; }), /output 'y' has shape \[1,2,2,4\], expected \[1,2,2,3\]/);
  modelError(graphWith((g) => { g.tensors[2].quant = q(Math.fround(1e-7), 0); }), /output scale .* too small/);
  modelError(graphWith((g) => { g.ops[0].inputs = [0]; g.inputs = [0]; }), /takes 2 inputs/);
});

test.run();
