import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tensorBytes, type Graph } from '../models/ir.ts';
import { validateGraph } from '../models/validate.ts';
import { buildZooModel, countMacs, countParams, parseZooName, zooFamilies, zooNames } from '../models/zoo/index.ts';
import { ModelError, UsageError } from '../runtime/errors.ts';
import { buildSchedule } from '../runtime/schedule.ts';

const built = new Map<string, Graph>();
function model(name: string): Graph {
  if (!built.has(name)) built.set(name, buildZooModel(name));
  return built.get(name)!;
}

test('every representative zoo model builds, validates and schedules', () => {
  const names = zooNames();
  assert.ok(names.length >= 8);
  for (const f of ['mbv2-', 'mbv1-', 'proxyless-', 'mlperf-vww', 'mlperf-ic', 'mlperf-kws', 'mlperf-ad']) assert.ok(names.some((n) => n.startsWith(f)), `zooNames() lacks ${f}`);
  for (const name of names) {
    const g = model(name);
    assert.is(g.name, name);
    validateGraph(g);
    const s = buildSchedule(g);
    assert.is(s.steps.length, g.ops.length, name);
    assert.ok(s.arenaBytes > 0 && s.flashImage.length > 0, name);
    // Calibrated: every activation has real quantisation, every weighted layer non-zero weights.
    for (const op of g.ops) {
      const y = g.tensors[op.outputs[0]];
      assert.ok(y.quant && y.quant.scale[0] > 0 && y.quant.scale[0] !== 1, `${name}: ${op.name} output keeps a placeholder scale`);
      if (op.kind === 'CONV_2D' || op.kind === 'DEPTHWISE_CONV_2D' || op.kind === 'FULLY_CONNECTED') {
        const w = g.tensors[op.inputs[1]].data as Int8Array;
        assert.ok(w.some((v) => v === 127 || v === -127), `${name}: ${op.name} weights do not use the int8 range`);
      }
    }
  }
  for (const f of zooFamilies()) for (const e of f.examples) assert.not.throws(() => parseZooName(e), e);
});

test('quantisation follows the TFLite rules', () => {
  for (const name of ['mlperf-ic', 'mbv2-w0.35-r144', 'mlperf-vww']) {
    const g = model(name);
    for (const op of g.ops) {
      const x = g.tensors[op.inputs[0]];
      const y = g.tensors[op.outputs[0]];
      const q = y.quant!;
      assert.is(Math.fround(q.scale[0]), q.scale[0]);
      if (op.kind === 'SOFTMAX') assert.equal([q.scale[0], q.zeroPoint[0]], [1 / 256, -128], `${name}: ${op.name}`);
      if (op.kind === 'AVERAGE_POOL_2D' || op.kind === 'RESHAPE') assert.equal(q, x.quant, `${name}: ${op.name} must share its input's quantisation`);
      const act = (op.options as { activation?: string }).activation;
      // A ReLU/ReLU6 output's range starts at 0, so its zero point is -128; ReLU6's range ends at most at 6.
      if (act === 'RELU' || act === 'RELU6') assert.is(q.zeroPoint[0], -128, `${name}: ${op.name}`);
      if (act === 'RELU6') assert.ok(q.scale[0] * 255 <= 6 + 1e-5, `${name}: ${op.name} range beyond 6`);
      if (op.kind === 'CONV_2D' || op.kind === 'DEPTHWISE_CONV_2D' || op.kind === 'FULLY_CONNECTED') {
        const w = g.tensors[op.inputs[1]];
        const b = g.tensors[op.inputs[2]];
        const perChannel = op.kind !== 'FULLY_CONNECTED';
        assert.is(w.quant!.scale.length, perChannel ? b.shape[0] : 1, `${name}: ${op.name} weight scales`);
        assert.is(w.quant!.axis, op.kind === 'DEPTHWISE_CONV_2D' ? 3 : 0);
        assert.ok(w.quant!.zeroPoint.every((z) => z === 0));
        assert.ok((w.data as Int8Array).every((v) => v >= -127), 'symmetric weights never use -128');
        // Bias scale = input scale * weight scale, as float32.
        b.quant!.scale.forEach((s, c) => assert.is(s, Math.fround(x.quant!.scale[0] * w.quant!.scale[perChannel ? c : 0])));
      }
    }
  }
});

test('MobileNetV2 1.0/224 has the published ~300M MACs and 3.4M weights', () => {
  const g = model('mbv2-w1.0-r224');
  const macs = countMacs(g);
  assert.ok(Math.abs(macs / 300e6 - 1) < 0.02, `MACs ${macs}`);
  assert.is(macs, 300_774_272); // our own count: 1x1, depthwise and FC layers, computed from shapes
  const s = buildSchedule(g);
  assert.ok(Math.abs(s.macs / macs - 1) < 0.01, `schedule MACs ${s.macs} vs ${macs}`);
  // torchvision's mobilenet_v2 has 3,504,872 parameters: conv weights + FC + 2 BatchNorm values per channel;
  // folded, each BatchNorm channel leaves one bias.
  let bnChannels = 0;
  for (const op of g.ops) if (op.kind === 'CONV_2D' || op.kind === 'DEPTHWISE_CONV_2D') bnChannels += g.tensors[op.inputs[2]].shape[0];
  assert.is(countParams(g) + bnChannels, 3_504_872);
});

test('MobileNetV2 channel rounding follows make_divisible', () => {
  // Output channels of stem, each block and head, with repeats of the same stage collapsed.
  const channels = (name: string) => model(name).ops.filter((o) => o.name.endsWith('/project') || o.name === 'stem' || o.name === 'head')
    .map((o) => model(name).tensors[o.outputs[0]].shape[3]).filter((c, i, all) => i === 0 || c !== all[i - 1]);
  // TF-slim / torchvision mobilenet_v2 at depth multiplier 0.35: 16, 8, 16, 24, 32, 56, 112, 1280.
  assert.equal(channels('mbv2-w0.35-r144'), [16, 8, 16, 24, 32, 56, 112, 1280]);
  assert.equal(channels('mbv2-w1.0-r224'), [32, 16, 24, 32, 64, 96, 160, 320, 1280]);
});

test('MobileNetV1 1.0/224 has the published ~569M MACs and 4.2M parameters', () => {
  const g = model('mbv1-w1.0-r224');
  const macs = countMacs(g);
  assert.ok(Math.abs(macs / 569e6 - 1) < 0.02, `MACs ${macs}`);
  assert.ok(Math.abs(countParams(g) / 4.2e6 - 1) < 0.02, `params ${countParams(g)}`);
});

test('ProxylessNAS-Mobile matches the published scaled configs', () => {
  // mit-han-lab/proxylessnas proxyless-w0.3-r176_imagenet.json: stem 16, blocks 8,16,16,16(zero),16(zero),16,16,16,16,24,...
  const g = model('proxyless-w0.3-r176');
  const outC = (name: string) => g.tensors[g.ops.find((o) => o.name === name)!.outputs[0]].shape[3];
  assert.is(outC('stem'), 16);
  assert.is(outC('block1/project'), 8);
  assert.is(outC('block2/project'), 16);
  assert.is(outC('block6/project'), 16);
  assert.is(outC('block10/project'), 24);
  assert.is(outC('block14/project'), 32);
  assert.is(outC('block18/project'), 64);
  assert.is(outC('block22/project'), 96);
  assert.is(outC('feature_mix'), 384);
  assert.not.ok(g.ops.some((o) => o.name.startsWith('block4/') || o.name.startsWith('block5/')), 'ZeroLayer blocks add no operators');
  // Kernel sizes of the depthwise layers, in block order (the published list skips the two zero blocks).
  const kernels = g.ops.filter((o) => o.kind === 'DEPTHWISE_CONV_2D').map((o) => g.tensors[o.inputs[1]].shape[1]);
  assert.equal(kernels, [3, 5, 3, 7, 3, 5, 5, 7, 5, 5, 5, 5, 5, 5, 5, 7, 7, 7, 7, 7]);
  // Hidden width round(in * t): block 2 expands 8 channels 3x, block 10 expands 16 channels 6x.
  assert.is(outC('block2/expand'), 24);
  assert.is(outC('block10/expand'), 96);
  const full = model('proxyless-w1.0-r224');
  assert.ok(Math.abs(countMacs(full) / 320e6 - 1) < 0.02, `MACs ${countMacs(full)}`);
});

test('MobileNetV2 1.0/224 layer-by-layer peak is the second block\'s expansion: 1,404,928 bytes', () => {
  const g = model('mbv2-w1.0-r224');
  // Independent of the planner: at each operator, bytes of every tensor that is live across it, where a
  // depthwise convolution runs in place (TinyEngine/MCUNet), so only the larger of its input and output counts
  // when the input dies there.
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  for (const t of g.inputs) first.set(t, 0);
  g.ops.forEach((op, i) => {
    for (const t of op.inputs) if (t >= 0 && !g.tensors[t].data) last.set(t, i);
    for (const t of op.outputs) first.set(t, i);
  });
  for (const t of g.outputs) last.set(t, g.ops.length - 1);
  let peak = 0;
  let at = '';
  g.ops.forEach((op, i) => {
    let live = 0;
    for (const [t, f] of first) if (f <= i && i <= (last.get(t) ?? f)) live += tensorBytes(g.tensors[t]);
    if (op.kind === 'DEPTHWISE_CONV_2D' && last.get(op.inputs[0]) === i) live -= Math.min(tensorBytes(g.tensors[op.inputs[0]]), tensorBytes(g.tensors[op.outputs[0]]));
    if (live > peak) { peak = live; at = op.name; }
  });
  assert.is(peak, 112 * 112 * 16 + 112 * 112 * 96);
  assert.is(peak, 1_404_928);
  assert.is(at, 'block2/expand');
  // The planner agrees on what is live at that step.
  const s = buildSchedule(g);
  assert.is(s.steps.find((st) => st.name === 'block2/expand')!.liveBytes, 1_404_928);
  assert.ok(s.lowerBound >= 1_404_928);
});

test('zoo names parse strictly with typed errors', () => {
  assert.equal(parseZooName('mbv2-w1.0-r224'), { family: 'mbv2', name: 'mbv2-w1.0-r224', width: 1, resolution: 224 });
  assert.is(parseZooName('mbv2-w1-r224').name, 'mbv2-w1.0-r224');
  assert.is(parseZooName('proxyless-w0.30-r176').name, 'proxyless-w0.3-r176');
  assert.is(parseZooName('mbv1-w0.25-r64').width, 0.25);
  assert.equal(parseZooName('mlperf-kws'), { family: 'mlperf-kws', name: 'mlperf-kws' });
  const usage = (name: string, part: string) => {
    try {
      parseZooName(name);
    } catch (e) {
      assert.instance(e, UsageError, name);
      assert.not.instance(e, ModelError, name);
      const m = (e as Error).message;
      assert.ok(m.includes(part), `${name}: message '${m}' does not name '${part}'`);
      return m;
    }
    assert.unreachable(`${name} parsed`);
    return '';
  };
  const m = usage('mbv2-w1.0', 'mbv2-w<width>-r<res>');
  assert.ok(m.includes('e.g. mbv2-w0.35-r144'), m);
  usage('mbv2', 'mbv2-w<width>-r<res>');
  usage('mbv2-wx-r224', "'wx'");
  usage('mbv2-w1.0-rx', "'rx'");
  usage('mbv2-w-r224', "'w'");
  usage('mbv2-w01.0-r224', "'w01.0'");
  usage('mbv2-w1.0.5-r224', "'w1.0.5'");
  usage('mbv2-w0-r224', 'width 0');
  usage('mbv2-w4.5-r224', 'width 4.5');
  usage('mbv2-w1.0-r100', 'resolution 100');
  usage('mbv2-w1.0-r8', 'resolution 8');
  usage('mbv2-w1.0-r2048', 'resolution 2048');
  usage('mbv2-r224-w1.0', 'width comes before resolution');
  usage('mbv2-w1.0-r224-x', 'mbv2-w<width>-r<res>');
  usage('mbv2-w1.0-r224 ', "'r224 '");
  usage('mlperf-vww-w0.5', 'takes no parameters');
  usage('', 'empty');
  for (const name of ['resnet50', 'mobilenet-w1.0-r224', 'mlperf-foo', 'MBV2-w1.0-r224']) {
    try {
      parseZooName(name);
      assert.unreachable(name);
    } catch (e) {
      assert.instance(e, ModelError, name);
      const msg = (e as Error).message;
      for (const f of ['mbv2-w<width>-r<res>', 'mbv1-w<width>-r<res>', 'proxyless-w<width>-r<res>', 'mlperf-vww', 'mlperf-ad']) assert.ok(msg.includes(f), `${name}: '${msg}' lacks ${f}`);
    }
  }
  assert.throws(() => buildZooModel('mbv2-w9-r224'), (e: unknown) => e instanceof UsageError);
});

test('zoo models are deterministic', () => {
  const a = buildZooModel('mlperf-ic');
  const b = buildZooModel('mlperf-ic');
  assert.equal(a.tensors.map((t) => [t.name, t.shape, t.quant]), b.tensors.map((t) => [t.name, t.shape, t.quant]));
  a.tensors.forEach((t, i) => { if (t.data) assert.ok(Buffer.from(t.data.buffer).equals(Buffer.from(b.tensors[i].data!.buffer)), t.name); });
  // Same canonical name, same weights; another model, other weights.
  const c = buildZooModel('mbv1-w0.25-r64');
  const d = buildZooModel('mbv1-w0.250-r64');
  assert.equal(c.tensors[c.ops[0].inputs[1]].data, d.tensors[d.ops[0].inputs[1]].data);
  const e = buildZooModel('mbv1-w0.25-r72');
  assert.not.equal(c.tensors[c.ops[0].inputs[1]].data, e.tensors[e.ops[0].inputs[1]].data);
});

test.run();
