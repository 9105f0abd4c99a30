// Fuzzing readTflite (see fuzz.ts): every mutated file ends in a ModelError or a valid Graph, within a time
// limit per case. Run tests/tflite/fuzz.ts directly for long runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { caseRng, extrasFile, formatReport, fuzz, fuzzSeeds, mutate, runCase, seedOf } from './fuzz.ts';
import { readTflite } from '../../models/tflite/reader.ts';
import { writeTflite } from '../../models/tflite/writer.ts';
import { kitchenSink } from './sample-graphs.ts';

const CASES = 2400;
const LIMIT_MS = 1000;

test(`${CASES} mutated .tflite files: each a ModelError or a valid Graph, none slower than ${LIMIT_MS} ms`, () => {
  const { seeds, skipped } = fuzzSeeds();
  if (skipped) console.log(`  (${skipped})`);
  const seed = Number(process.env.MCUSIM_FUZZ_SEED ?? 20240601);
  const report = fuzz(seeds, CASES, seed, { limitMs: LIMIT_MS });
  if (report.failures.length || process.env.MCUSIM_FUZZ_VERBOSE) console.log(formatReport(report, 10));
  assert.is(report.cases, CASES);
  assert.equal(report.failures.map((f) => `case ${f.case.index} (${f.case.seed}, ${f.case.strategy}: ${f.case.detail}): ${f.problem}`), []);
  // The mutations must reach all three outcomes and many different checks, or the fuzzer is not doing its job.
  assert.ok(report.outcomes.graph > 50, `valid graphs: ${report.outcomes.graph}`);
  assert.ok(report.outcomes['model-error'] > CASES / 2, `ModelErrors: ${report.outcomes['model-error']}`);
  assert.ok(report.outcomes.unsupported > 0, `UnsupportedErrors: ${report.outcomes.unsupported}`);
  assert.ok(report.messages.length > 200, `distinct rejection messages: ${report.messages.length}`);
});

test('the fuzzer is deterministic in (seed, case) and its field map covers the structure', () => {
  const seed = seedOf('kitchen', writeTflite(kitchenSink()));
  const a = mutate(seed, caseRng(5, 17), 17);
  const b = mutate(seed, caseRng(5, 17), 17);
  assert.equal(a, b);
  const extras = seedOf('extras', extrasFile());
  assert.equal(Array.from(readTflite(extras.bytes).tensors[1].data!), [1, 2, 3, 4, 5, 6], 'the extras seed is valid');
  const kinds = new Set([...seed.fields, ...extras.fields].map((f) => f.kind));
  for (const k of ['uoffset', 'soffset', 'vlen', 'vsize', 'tsize', 'voff', 1, 4, 8] as const) assert.ok(kinds.has(k), `field kind ${k}`);
});

test('runCase reports a case that is not rejected cleanly', () => {
  const seed = seedOf('kitchen', writeTflite(kitchenSink()));
  const c = { ...mutate(seed, caseRng(1, 1), 1), bytes: seed.bytes };
  assert.is(runCase(c, LIMIT_MS, true).outcome, 'graph');
  let problem = '';
  try {
    runCase(c, -1, false);
  } catch (e) {
    problem = String(e);
  }
  assert.match(problem, /took \d+ ms \(limit -1 ms\)/);
});

test.run();
