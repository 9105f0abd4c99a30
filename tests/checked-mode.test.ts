import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryFault } from '../runtime/errors.ts';
import { runSchedule } from '../runtime/executor.ts';
import { buildSchedule } from '../runtime/schedule.ts';
import { convChain } from './helpers/graphs.ts';
import { Rng } from './helpers/rng.ts';
import { testMachine } from './helpers/single-op.ts';

const graph = convChain(6, [3, 8, 8, 3]);
const input = new Rng(3).int8s(6 * 6 * 3);

test('checked mode passes a correct schedule and gives the same bytes as unchecked', async () => {
  const m = await testMachine();
  const a = runSchedule(buildSchedule(graph), m, [input], { checked: true });
  const b = runSchedule(buildSchedule(graph), m, [input], { checked: false });
  assert.equal(Array.from(a[0]), Array.from(b[0]));
});

test('checked mode names the step whose kernel writes outside its output region', async () => {
  const s = buildSchedule(graph);
  const out = s.steps[1].args.find((a) => a.name === 'output')!;
  out.value += 64; // the kernel now writes 64 bytes past the region the plan gave it
  try {
    runSchedule(s, await testMachine(), [input], { checked: true });
    assert.unreachable('no fault raised');
  } catch (e) {
    assert.instance(e, MemoryFault);
    assert.match((e as Error).message, /step 1 \(CONV_2D 'conv2'/);
    assert.match((e as Error).message, /arena offset/);
  }
});

test('checked mode catches a write into Flash', async () => {
  const s = buildSchedule(graph);
  const out = s.steps[0].args.find((a) => a.name === 'output')!;
  const m = await testMachine();
  out.value = m.device.sramBytes + 8; // an address inside the Flash image
  try {
    runSchedule(s, m, [input], { checked: true });
    assert.unreachable('no fault raised');
  } catch (e) {
    assert.instance(e, MemoryFault);
    assert.match((e as Error).message, /step 0 .*Flash offset 8/);
  }
});

test.run();
