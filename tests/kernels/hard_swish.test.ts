import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { randomInput, unaryGraph, type UnaryCase } from '../helpers/unary-cases.ts';
import { hardSwishParams, referenceHardSwish } from '../reference/hard_swish.ts';

const describeCase = (c: UnaryCase) => JSON.stringify({ ...c, input: `[${c.input.length} values]` });

test('HARD_SWISH equals the reference on 1000 random cases', async () => {
  const r = new Rng(47);
  let low = 0;
  let high = 0;
  const reluishExponents = new Set<number>();
  const outputExponents = new Set<number>();
  let done = 0;
  while (done < 1000) {
    const { input, shape } = randomInput(r);
    // Input scales mostly 1e-4 .. 1, sometimes tiny (reluish right shifts of 16 and more, where gemmlowp's int16 mask
    // wraps); output scale from 1/100 of the input scale (saturates) to 10^4 times it (output right shifts past 16).
    const inScale = r.next() < 0.1 ? Math.fround(10 ** (-10 + 3 * r.next())) : r.scale(1e-4, 1);
    const outScale = Math.fround(inScale * 10 ** (r.next() < 0.1 ? 2 + 2 * r.next() : 2 * r.next() - 2));
    const c: UnaryCase = { input, shape, inScale, inZp: r.int(-128, 127), outScale, outZp: r.int(-128, 127) };
    const p = hardSwishParams(c.inScale, c.outScale);
    if (!p) continue; // TFLite refuses (output exponent > 0); covered below
    const ref = referenceHardSwish(c.input, c.inScale, c.inZp, c.outScale, c.outZp);
    const [got] = await runGraph(unaryGraph('HARD_SWISH', c, {}), [c.input], done % 10 === 0);
    assert.is(firstDifference(got, ref), 'equal', `case ${done}: ${describeCase(c)}`);
    if (ref.includes(-128)) low++;
    if (ref.includes(127)) high++;
    reluishExponents.add(p.reluishExponent);
    outputExponents.add(p.outputExponent);
    done++;
  }
  assert.ok(low > 50 && high > 100, `saturation coverage ${low}/${high}`);
  const rs = [...reluishExponents];
  const os = [...outputExponents];
  assert.ok(rs.some((e) => e > 1) && rs.some((e) => e < -16) && rs.includes(0), `reluish exponents ${rs.sort((a, b) => a - b)}`);
  assert.ok(os.includes(0) && os.some((e) => e < -16), `output exponents ${os.sort((a, b) => a - b)}`);
});

function run(values: number[], inScale = 1 / 16, outScale = 1 / 16, inZp = 0, outZp = 0): Promise<number[]> {
  const c: UnaryCase = { input: Int8Array.from(values), shape: [values.length], inScale, inZp, outScale, outZp };
  return runGraph(unaryGraph('HARD_SWISH', c, {}), [c.input]).then(([y]) => Array.from(y));
}

test('HARD_SWISH hand-computed cases from TFLite arithmetic', async () => {
  // Scales 1/16 and 1/16: hires scale 2^-11. Output multiplier 2^-7 -> Q31 2^30, exponent -6 -> int16 16384.
  // Reluish multiplier f32(2^-11 / (3 * 2^-15)) = 5.3333335 -> Q31 1431655808, exponent 3 -> int16 21845.
  // x = 16 (1.0): hires 2048; preshift = SRDHM16(2048, 16384) = 1024; reluish: 2048 << 2 = 8192, SRDHM16(8192, 21845) =
  //   5461, << 1 = 10922, (10922 + 32768) >> 1 = 21845; SDHM16(21845, 1024) = 682; RDBPOT(682, 6) = 11 (hswish(1) = 0.667).
  // x = -16: preshift -1024; reluish -8192 -> -5461 -> -10922 -> 10923; SDHM16(10923, -1024) = -341 -> RDBPOT -5 (-0.333).
  // x = 64 (4.0): reluish saturates at 32767, SDHM16(32767, 4096) = 4095 -> RDBPOT(4095, 6) = 64 (hswish(4) = 4).
  // x = -64 (-4.0): reluish saturates at -32768 -> 0, so 0. x = 0 gives 0.
  assert.equal(await run([16, -16, 64, -64, 0]), [11, -5, 64, 0, 0]);
  // Zero points: the input's is subtracted first, the output's added last. x = 127 is 117 steps (7.31): hires 14976,
  // preshift SRDHM16(14976, 16384) = 7488, reluish saturated, SDHM16(32767, 7488) = 7487, RDBPOT(7487, 6) = 117, + 3 = 120.
  assert.equal(await run([26, 10, 127], 1 / 16, 1 / 16, 10, 3), [14, 3, 120]);
  // Output scale 1/32 (exponent -5): RDBPOT(7487, 5) = 234, + 3 = 237, clamped to 127.
  assert.equal(await run([127], 1 / 16, 1 / 32, 10, 3), [127]);
});

function graphWith(over: (g: Graph) => void): Graph {
  const g = unaryGraph('HARD_SWISH', { input: new Int8Array(6), shape: [1, 2, 3], inScale: Math.fround(0.1), inZp: 0, outScale: Math.fround(0.05), outZp: 0 }, {});
  over(g);
  return g;
}

test('HARD_SWISH rejects bad operators with typed errors', () => {
  const modelError = (g: Graph, msg: RegExp) => assert.is(throwsError(() => buildSchedule(g), ModelError, msg).constructor, ModelError);
  throwsError(() => buildSchedule(graphWith((g) => { g.tensors[0] = { name: 'x', shape: [1, 2, 3], dtype: 'float32' }; })), UnsupportedError, /HARD_SWISH.*input 0.*float32/);
  modelError(graphWith((g) => { delete g.tensors[0].quant; }), /input 0.*no quantisation/);
  modelError(graphWith((g) => { g.tensors[1].shape = [1, 2, 4]; }), /expected \[1,2,3\]/);
  // input_scale / (128 * output_scale) >= 1 gives a positive output exponent, which TFLite refuses.
  modelError(graphWith((g) => { g.tensors[1].quant!.scale = [Math.fround(0.1 / 200)]; }), /input_scale \/ \(128 \* output_scale\) < 1/);
  modelError(graphWith((g) => { g.ops[0].inputs = []; }), /takes 1 input, got 0/);
});

test.run();
