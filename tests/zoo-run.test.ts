// Zoo models through the whole pipeline (op table -> schedule -> WASM kernels): outputs must depend on the
// input, no intermediate may be mostly saturated or collapsed to a few values, and every intermediate must
// track a float forward pass of the same quantised model (so kernels and calibration agree).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Graph, Tensor } from '../models/ir.ts';
import { runFloat } from '../models/zoo/float-forward.ts';
import { buildZooModel, zooInputs } from '../models/zoo/index.ts';
import { runSchedule } from '../runtime/executor.ts';
import { kernelsModule } from '../runtime/kernels-node.ts';
import { Machine } from '../runtime/machine.ts';
import { buildSchedule, type Schedule } from '../runtime/schedule.ts';
import { findDevice } from '../simulator/devices.ts';

const MODELS = ['mlperf-vww', 'mlperf-ic', 'mlperf-kws', 'mlperf-ad', 'mbv2-w0.35-r144', 'mbv1-w0.25-r128', 'proxyless-w0.3-r176'];
const CHECKED = new Set(['mlperf-ic', 'mlperf-kws', 'mlperf-ad']);

// Custom devices roomy enough for graphs whose every intermediate stays live; checked mode compares all of
// memory around each step, so the checked models run on the smaller one.
const machines = new Map<string, Machine>();
async function machineFor(s: Schedule): Promise<Machine> {
  const small = s.arenaBytes <= 384 << 10 && s.flashImage.length <= 768 << 10;
  const [name, sram, flash] = small ? ['zoo-test-small', 512 << 10, 1 << 20] : ['zoo-test-big', 2 << 20, 2 << 20];
  if (!machines.has(name)) machines.set(name, await Machine.create({ ...findDevice('stm32h743'), name, sramBytes: sram, flashBytes: flash }, kernelsModule()));
  return machines.get(name)!;
}

/** A copy of the graph whose outputs are every operator's output, so intermediates can be read back. */
function probed(g: Graph): Graph {
  return { ...g, outputs: g.ops.map((op) => op.outputs[0]) };
}

function dequantise(t: Tensor, q: Int8Array): Float32Array {
  const out = new Float32Array(q.length);
  const s = t.quant!.scale[0];
  const z = t.quant!.zeroPoint[0];
  for (let i = 0; i < q.length; i++) out[i] = (q[i] - z) * s;
  return out;
}

/** Pearson correlation of int8 codes (an affine map of the dequantised values) with float values. */
function correlation(a: Int8Array, b: Float32Array): number {
  let ma = 0, mb = 0;
  for (let i = 0; i < a.length; i++) { ma += a[i]; mb += b[i]; }
  ma /= a.length; mb /= a.length;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { const x = a[i] - ma, y = b[i] - mb; ab += x * y; aa += x * x; bb += y * y; }
  return aa === 0 || bb === 0 ? (aa === bb ? 1 : 0) : ab / Math.sqrt(aa * bb);
}

/** How many of the int8 codes are saturated, and how many distinct codes occur. */
function histogram(q: Int8Array, zeroPoint: number): { saturated: number; distinct: number } {
  const counts = new Int32Array(256);
  for (let i = 0; i < q.length; i++) counts[q[i] + 128]++;
  let distinct = 0;
  for (const c of counts) if (c) distinct++;
  // At 127, or at -128 when -128 is not the real value 0 (ReLU outputs rest there legitimately).
  return { saturated: counts[255] + (zeroPoint !== -128 ? counts[0] : 0), distinct };
}

for (const name of MODELS) {
  test(`${name}: int8 run is input-dependent, unsaturated and tracks float`, async () => {
    const g = buildZooModel(name);
    const p = probed(g);
    const s = buildSchedule(p);
    const m = await machineFor(s);
    const runs: Int8Array[][] = [];
    for (let seed = 1; seed <= 3; seed++) {
      const inputs = zooInputs(g, seed);
      const outs = runSchedule(s, m, inputs, { checked: CHECKED.has(name) && seed === 1 }) as Int8Array[];
      runs.push(outs);
      const xt = g.tensors[g.inputs[0]];
      const float = runFloat(g, [dequantise(xt, inputs[0])]);
      let saturated = 0;
      let total = 0;
      g.ops.forEach((op, k) => {
        const t = g.tensors[op.outputs[0]];
        const q = outs[k];
        const where = `${name} seed ${seed}: ${op.name} [${t.shape}]`;
        const { saturated: sat, distinct } = histogram(q, t.quant!.zeroPoint[0]);
        saturated += sat;
        total += q.length;
        if (op.kind === 'SOFTMAX') return;
        if (q.length >= 64) {
          assert.ok(sat / q.length < 0.1, `${where}: ${((100 * sat) / q.length).toFixed(1)}% saturated`);
          assert.ok(distinct >= 16, `${where}: only ${distinct} distinct values`);
        } else {
          assert.ok(sat / q.length <= 0.5, `${where}: ${sat} of ${q.length} saturated`);
        }
        if (q.length >= 8) {
          const r = correlation(q, float.get(op.outputs[0])!);
          assert.ok(r > 0.85, `${where}: int8 vs float correlation ${r.toFixed(3)}`);
        }
      });
      assert.ok(saturated / total < 0.02, `${name} seed ${seed}: ${((100 * saturated) / total).toFixed(2)}% of all activations saturated`);
    }
    // The model output depends on the input.
    const last = g.ops.length - 1;
    const differ = (a: Int8Array, b: Int8Array) => a.some((v, i) => v !== b[i]);
    assert.ok(differ(runs[0][last], runs[1][last]) && differ(runs[0][last], runs[2][last]) && differ(runs[1][last], runs[2][last]), `${name}: output does not depend on the input`);
    // Checked and unchecked runs of the same schedule agree, and the plain graph gives the probed graph's output.
    const plain = runSchedule(buildSchedule(g), m, zooInputs(g, 1)) as Int8Array[];
    assert.equal(Array.from(plain[0]), Array.from(runs[0][last]));
  });
}

test.run();
