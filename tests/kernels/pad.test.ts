import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { referencePad, type PadCase } from '../reference/pad.ts';

function padGraph(c: PadCase, outShape: number[]): Graph {
  return {
    name: 'pad-case',
    tensors: [
      { name: 'x', shape: c.inShape, dtype: 'int8', quant: { scale: [c.inScale], zeroPoint: [c.inZp], axis: 0 } },
      { name: 'y', shape: outShape, dtype: 'int8', quant: { scale: [c.outScale], zeroPoint: [c.outZp], axis: 0 } },
    ],
    ops: [{ kind: 'PAD', name: 'pad', inputs: [0], outputs: [1], options: { paddings: c.paddings } }],
    inputs: [0],
    outputs: [1],
  };
}

function randomCase(r: Rng): PadCase {
  const rank = r.next() < 0.8 ? 4 : r.int(1, 3);
  const inShape = Array.from({ length: rank }, (_, i) => (rank === 4 && i === 0 ? 1 : r.int(1, 6)));
  const paddings = inShape.map((_, i): [number, number] => (rank === 4 && i === 0 && r.next() < 0.8 ? [0, 0] : [r.pick([0, 0, 1, 2, 3]), r.pick([0, 0, 1, 2, 3])]));
  const inScale = r.scale(1e-3, 1);
  const sameQuant = r.next() < 0.6;
  return {
    input: r.int8s(inShape.reduce((n, d) => n * d, 1)), inShape, inScale, inZp: r.int(-128, 127), paddings,
    outScale: sameQuant ? inScale : r.scale(1e-3, 1), outZp: r.int(-128, 127),
  };
}

test('PAD equals the reference on 1000 random cases', async () => {
  const r = new Rng(41);
  let channelPads = 0;
  let batchPads = 0;
  let lowRank = 0;
  for (let i = 0; i < 1000; i++) {
    const c = randomCase(r);
    const ref = referencePad(c);
    const [got] = await runGraph(padGraph(c, ref.shape), [c.input], i % 10 === 0);
    assert.is(firstDifference(got, ref.data), 'equal', `case ${i}: ${JSON.stringify({ ...c, input: Array.from(c.input) })}`);
    const last = c.paddings[c.paddings.length - 1];
    if (last[0] + last[1] > 0) channelPads++;
    if (c.inShape.length === 4 && c.paddings[0][0] + c.paddings[0][1] > 0) batchPads++;
    if (c.inShape.length < 4) lowRank++;
  }
  assert.ok(channelPads > 200 && batchPads > 50 && lowRank > 100, `coverage: channel ${channelPads}, batch ${batchPads}, rank < 4 ${lowRank}`);
});

test('PAD pads with the output zero point and copies input bytes unchanged (TFLite and TFLM int8 PAD)', async () => {
  // Input zp 10, output zp -3: the pad value is -3, and 5, -7 pass through as bytes even though the zero points differ.
  const c: PadCase = { input: Int8Array.of(5, -7), inShape: [1, 1, 2, 1], inScale: 0.5, inZp: 10, paddings: [[0, 0], [0, 0], [1, 2], [0, 0]], outScale: 0.25, outZp: -3 };
  assert.equal(Array.from((await runGraph(padGraph(c, [1, 1, 5, 1]), [c.input]))[0]), [-3, 5, -7, -3, -3]);
  // 2x2 spatial with one ring of padding and two channels padded to three.
  const d: PadCase = { input: Int8Array.of(1, 2, 3, 4, 5, 6, 7, 8), inShape: [1, 2, 2, 2], inScale: 1, inZp: 0, paddings: [[0, 0], [1, 0], [0, 1], [0, 1]], outScale: 1, outZp: 0 };
  assert.equal(Array.from((await runGraph(padGraph(d, [1, 3, 3, 3]), [d.input]))[0]), [
    0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 2, 0, 3, 4, 0, 0, 0, 0,
    5, 6, 0, 7, 8, 0, 0, 0, 0,
  ]);
});

test('PAD rejects bad operators with typed errors', () => {
  const c: PadCase = { input: new Int8Array(4), inShape: [1, 2, 2, 1], inScale: 0.5, inZp: 0, paddings: [[0, 0], [1, 1], [1, 1], [0, 0]], outScale: 0.5, outZp: 0 };
  const modelError = (g: Graph, msg: RegExp) => assert.is(throwsError(() => buildSchedule(g), ModelError, msg).constructor, ModelError);
  const withGraph = (over: (g: Graph) => void) => { const g = padGraph(c, [1, 4, 4, 1]); over(g); return g; };
  buildSchedule(withGraph(() => {}));
  const setPaddings = (g: Graph, p: unknown) => { (g.ops[0].options as { paddings: unknown }).paddings = p; };
  modelError(withGraph((g) => setPaddings(g, [[0, 0], [-1, 1], [1, 1], [0, 0]])), /paddings\[1\] must be two non-negative integers/);
  modelError(withGraph((g) => setPaddings(g, [[1, 1], [1, 1], [0, 0]])), /needs 4 \[before, after\] pairs/);
  modelError(withGraph((g) => setPaddings(g, [[0, 0], [1.5, 1], [1, 1], [0, 0]])), /paddings\[1\]/);
  modelError(withGraph((g) => { g.tensors[1].shape = [1, 4, 3, 1]; }), /output 'y' has shape \[1,4,3,1\], expected \[1,4,4,1\]/);
  modelError(withGraph((g) => { g.tensors[0].shape = [1, 1, 2, 2, 1]; }), /rank 5/);
  modelError(withGraph((g) => { delete g.tensors[1].quant; }), /no quantisation/);
  throwsError(() => buildSchedule(withGraph((g) => { g.tensors[0].dtype = 'int32'; delete g.tensors[0].quant; })), UnsupportedError, /int32/);
  // TFLite's paddings tensor, if the importer keeps it, must agree with the options; PADV2's constant_values is refused.
  modelError(withGraph((g) => { g.tensors.push({ name: 'p', shape: [4, 2], dtype: 'int32', data: Int32Array.of(0, 0, 1, 1, 1, 2, 0, 0) }); g.ops[0].inputs = [0, 2]; }), /paddings tensor 'p' holds/);
  buildSchedule(withGraph((g) => { g.tensors.push({ name: 'p', shape: [4, 2], dtype: 'int32', data: Int32Array.of(0, 0, 1, 1, 1, 1, 0, 0) }); g.ops[0].inputs = [0, 2]; }));
  modelError(withGraph((g) => { g.tensors.push({ name: 'p', shape: [4, 2], dtype: 'int32', data: Int32Array.of(0, 0, 1, 1, 1, 1, 0, 0) }, { name: 'v', shape: [], dtype: 'int8', data: Int8Array.of(0), quant: { scale: [0.5], zeroPoint: [0], axis: 0 } }); g.ops[0].inputs = [0, 2, 3]; }), /takes 1 or 2 inputs/);
});

test.run();
