// npm run bench:web: mcusim vs TensorFlow Lite's own WebAssembly runtime (@tensorflow/tfjs-tflite), in headless
// Chromium, same page load, one thread each, alternating runs, on person_detect and kws_ref_model from
// ../shared/models. Prints the median latency of each and the ratio (mcusim / TFLite; below 1 = mcusim faster).
// Usage: npm run bench:web [-- --runs N] [--warmup N]
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { serveStatic } from '../cli/demo.ts';
import { browserMissing, launch, watchedPage } from '../tests/helpers/browser.ts';
import type { BenchResult } from '../web/bench/bench.ts';
import { buildBench, DEFAULT_BENCH_OUT, ROOT } from '../web/build.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '21' }, warmup: { type: 'string', default: '5' }, models: { type: 'string' } } });
const SHARED = resolve(ROOT, '..', 'shared', 'models');
const ALL_CASES = [
  { model: 'person_detect', input: 'inputs/pd_person_int8.bin', expected: 'expected/person_detect__person.bin' },
  { model: 'kws_ref_model', input: 'inputs/kws_input0_int8.bin', expected: 'expected/kws_ref_model__input0.bin' },
  { model: 'micro_speech_quantized', input: 'inputs/ms_yes_features.bin', expected: 'expected/micro_speech_quantized__yes.bin' },
  { model: 'ad01_int8', input: 'inputs/ad_window0_int8.bin', expected: 'expected/ad01_int8__window0.bin' },
];
const CASES = values.models ? ALL_CASES.filter((c) => values.models!.split(',').includes(c.model)) : ALL_CASES.slice(0, 2);

function skip(reason: string): never {
  console.log(`bench:web: skipped: ${reason}`);
  process.exit(0);
}

const missing = browserMissing();
if (missing) skip(missing);
for (const c of CASES) if (!existsSync(join(SHARED, `${c.model}.tflite`))) skip(`${join(SHARED, `${c.model}.tflite`)} not found`);

const out = DEFAULT_BENCH_OUT;
await buildBench(out);
mkdirSync(join(out, 'models'));
for (const c of CASES) {
  copyFileSync(join(SHARED, `${c.model}.tflite`), join(out, 'models', `${c.model}.tflite`));
  copyFileSync(join(SHARED, c.input), join(out, 'models', `${c.model}.input.bin`));
  if (existsSync(join(SHARED, c.expected))) copyFileSync(join(SHARED, c.expected), join(out, 'models', `${c.model}.expected.bin`));
}

const { server, url } = await serveStatic(out, 0);
const browser = await launch();
try {
  const w = await watchedPage(browser, url);
  await w.page.goto(`${url}?models=${CASES.map((c) => c.model).join(',')}&runs=${Number(values.runs)}&warmup=${Number(values.warmup)}`);
  await w.page.waitForFunction(() => window.__bench !== undefined, undefined, { timeout: 600_000, polling: 200 });
  const result = (await w.page.evaluate(() => window.__bench)) as BenchResult | { ok: false; error: string };
  if (!result.ok) throw new Error(`the bench page failed: ${result.error}${w.consoleErrors.length ? `\nconsole errors:\n  ${w.consoleErrors.join("\n  ")}` : ""}\nrequests: ${w.requests.join(" ")}`);

  const ms = (x: number) => x.toFixed(2);
  const rows = result.results.map((r) => [r.model, `${(r.macs / 1e6).toFixed(2)} M`, ms(r.mcusim.medianMs), ms(r.tflite.medianMs), r.ratio.toFixed(2), r.pairedRatio.toFixed(2), `${ms(r.mcusim.minMs)} / ${ms(r.tflite.minMs)}`,
    `${r.mcusimMatchesExpected === null ? '-' : r.mcusimMatchesExpected ? 'yes' : 'NO'} / ${r.tfliteMatchesExpected === null ? '-' : r.tfliteMatchesExpected ? 'yes' : 'NO'}`]);
  const header = ['model', 'MACs', 'mcusim median ms', 'TFLite median ms', 'ratio', 'paired ratio', 'min ms (mcusim / TFLite)', 'bit-exact vs TFLM (mcusim / TFLite)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const tfliteFiles = w.requests.filter((u) => u.includes('/tflite_web_api')).map((u) => u.slice(u.lastIndexOf('/') + 1));
  const chromium = result.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? result.userAgent;
  console.log(`bench:web: ${chromium} headless, ${result.runs} alternating runs after ${result.warmup} warm-up runs each, device ${result.results[0]?.device}`);
  console.log(`TFLite: @tensorflow/tfjs-tflite ${JSON.parse(readFileSync(join(ROOT, 'node_modules/@tensorflow/tfjs-tflite/package.json'), 'utf8')).version}, numThreads 1, loaded ${tfliteFiles.join(', ')}; wasm features ${JSON.stringify(result.wasmFeatures)}`);
  console.log('');
  console.log(line(header));
  console.log(line(widths.map((n) => '-'.repeat(n))));
  for (const r of rows) console.log(line(r));
  console.log('');
  console.log('ratio = mcusim median / TFLite median (below 1.00: mcusim is faster); paired ratio = median over runs of the two engines\' times in the same run, which cancels drift in the machine\'s load. mcusim also enforces the device\'s SRAM and Flash limits.');
  console.log(`each sample is the mean of a batch of back-to-back inferences (${result.results.map((r) => `${r.model} ${r.batch}`).join(', ')}): performance.now() is coarsened to 0.1 ms on pages without cross-origin isolation`);
  for (const r of result.results) {
    if (r.tflitePatchedTensors) console.log(`${r.model}: TFLite refuses the published file (quantized_dimension beyond the tensor's rank on ${r.tflitePatchedTensors} tensors, which TFLite Micro ignores); TFLite got a copy with those fields set to 0`);
  }
  const foreign = w.foreign();
  if (foreign.length) console.log(`WARNING: requests outside the page's origin: ${foreign.join(', ')}`);
  else console.log(`all ${w.requests.length} requests stayed on ${new URL(url).origin}`);
  if (w.consoleErrors.length) console.log(`console errors: ${w.consoleErrors.join(' | ')}`);
} finally {
  await browser.close();
  server.close();
}
