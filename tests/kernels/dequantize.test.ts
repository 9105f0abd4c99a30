import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph, Tensor } from '../../models/ir.ts';
import { ModelError, UnsupportedError } from '../../runtime/errors.ts';
import { buildSchedule } from '../../runtime/schedule.ts';
import { throwsError } from '../helpers/expect-error.ts';
import { Rng } from '../helpers/rng.ts';
import { firstDifference, runGraph } from '../helpers/single-op.ts';
import { referenceDequantize } from '../reference/dequantize.ts';

const q = (scale: number, zp: number) => ({ scale: [Math.fround(scale)], zeroPoint: [zp], axis: 0 });

function dequantizeGraph(shape: number[], scale: number, zp: number, out: Partial<Tensor> = {}, inp: Partial<Tensor> = {}): Graph {
  return {
    name: 'dequantize-case',
    tensors: [
      { name: 'x', shape, dtype: 'int8', quant: q(scale, zp), ...inp },
      { name: 'y', shape, dtype: 'float32', ...out },
    ],
    ops: [{ kind: 'DEQUANTIZE', name: 'dequantize', inputs: [0], outputs: [1], options: {} }],
    inputs: [0],
    outputs: [1],
  };
}

const bits = (f: Float32Array) => new Uint32Array(f.buffer, f.byteOffset, f.length);

test('DEQUANTIZE equals the reference bit for bit on 1000 random cases', async () => {
  const r = new Rng(71);
  let inexact = 0;
  for (let i = 0; i < 1000; i++) {
    const rank = r.int(1, 4);
    const shape = Array.from({ length: rank }, () => r.int(1, rank > 2 ? 6 : 20));
    const n = shape.reduce((a, b) => a * b, 1);
    const scale = r.scale(1e-6, 100);
    const zp = r.int(-128, 127);
    const x = r.int8s(n);
    const ref = referenceDequantize(x, scale, zp);
    const [got] = await runGraph(dequantizeGraph(shape, scale, zp), [x], i % 10 === 0);
    assert.is(firstDifference(bits(got as Float32Array), bits(ref)), 'equal', `case ${i}: scale ${scale} zp ${zp}`);
    // Most products must need rounding to float32, or the test would not tell float32 from double arithmetic.
    for (let k = 0; k < n; k++) if (ref[k] !== scale * (x[k] - zp)) inexact++;
  }
  assert.ok(inexact > 10000, `products that round: ${inexact}`);
});

test('DEQUANTIZE hand-computed cases', async () => {
  const [a] = await runGraph(dequantizeGraph([4], 0.5, 2), [Int8Array.of(10, 2, -128, 127)]);
  assert.equal(Array.from(a), [4, 0, -65, 62.5]);
  // 0.1f * 3 = 0.3000000044703484 exactly; the nearest float32 is 0.30000001192092896 (0.2999999821186066 is further).
  const [b] = await runGraph(dequantizeGraph([1], 0.1, 0), [Int8Array.of(3)]);
  assert.equal(Array.from(b), [0.30000001192092896]);
});

test('DEQUANTIZE refuses bad operators with typed errors', () => {
  const build = (g: Graph) => () => buildSchedule(g);
  throwsError(build(dequantizeGraph([4], 0.1, 0, {}, { dtype: 'float32', quant: undefined })), UnsupportedError, /input 0 .*'x'.* float32; this operator needs int8/);
  throwsError(build(dequantizeGraph([4], 0.1, 0, { dtype: 'int8', quant: q(0.1, 0) })), UnsupportedError, /output 0 .*'y'.* int8; this operator needs float32/);
  throwsError(build(dequantizeGraph([4], 0.1, 0, { shape: [2, 2] })), ModelError, /output 'y' has shape \[2,2\], expected \[4\]/);
  throwsError(build(dequantizeGraph([2], 0.1, 0, {}, { quant: { scale: [0.1, 0.2].map(Math.fround), zeroPoint: [0, 0], axis: 0 } })), UnsupportedError, /per channel/);
  const noQuant = dequantizeGraph([4], 0.1, 0);
  delete noQuant.tensors[0].quant;
  throwsError(build(noQuant), ModelError, /no quantisation/);
});

test.run();
