// The in-browser demo, end to end: `mcusim demo` serves the built site, headless Chromium (Debian's, through
// playwright-core) loads it, and the page's numbers are checked against `mcusim run --json` on the same input.
// Also: the fit verdict follows the device, bad input gives a readable message and the page keeps working,
// no console errors, no request leaves the page's origin. Screenshots go to test-artifacts/web/.
// Skipped, with the reason printed, when /usr/bin/chromium is absent.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { BuiltinOperator } from '../../models/tflite/generated/schema_generated.ts';
import { imageToInput } from '../../web/preprocess.ts';
import { renderSample } from '../../web/samples.ts';
import { browserMissing, launch, watchedPage, type Watched } from '../helpers/browser.ts';
import { buildRaw, convSpec } from '../tflite/raw-model.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts', 'web');
const CLI = [process.execPath, '--import', 'tsx', join(ROOT, 'cli', 'entry.ts')];

const missing = browserMissing();
const Demo = suite('web demo (chromium)');

interface Ctx { server?: ChildProcess; url?: string; browser?: Browser; w?: Watched }
const ctx: Ctx = {};

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

function startDemo(port: number): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(CLI[0], [...CLI.slice(1), 'demo', '--port', String(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((ok, fail) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`mcusim demo printed no address within 60 s:\n${out}${err}`)), 60_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /serving (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok({ proc, url: m[1] });
      }
    });
    proc.stderr!.on('data', (d) => { err += d; });
    proc.on('exit', (code) => { clearTimeout(timer); fail(new Error(`mcusim demo exited with ${code}:\n${out}${err}`)); });
  });
}

function cliRunJson(args: string[]) {
  const r = spawnSync(CLI[0], [...CLI.slice(1), 'run', ...args, '--schedule', 'layer', '--json'], { cwd: ROOT, encoding: 'utf8' });
  assert.is(r.status, 0, `mcusim run failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { outputs: { data: number[] }[]; sram: { peak: number } };
}

const page = () => ctx.w!.page;
/** A Buffer's bytes as int8 (small Buffers share a pool: mind the offset). */
const int8 = (b: Buffer) => new Int8Array(b.buffer, b.byteOffset, b.byteLength);
const text = async (sel: string) => ((await page().textContent(sel)) ?? '').trim();
const runs = async () => Number((await page().getAttribute('body', 'data-runs')) ?? 0);
const rawOutput = async () => JSON.parse(await text('#raw-output')) as number[];

/** Waits until the page has finished a run after `before` runs, or shows an error, and is idle. */
async function settled(before: number) {
  await page().waitForFunction((n) => !document.body.classList.contains('busy') && (Number(document.body.dataset.runs ?? 0) > n || !document.getElementById('error')!.hidden), before, { timeout: 60_000 });
}

async function errorShown(pattern: RegExp) {
  await page().waitForSelector('#error:not([hidden])', { timeout: 60_000 });
  await page().waitForFunction(() => !document.body.classList.contains('busy'));
  const msg = await text('#error');
  assert.match(msg, pattern, `error message: ${msg}`);
  return msg;
}

/** The page still works: the default model runs again and gives `expected`. */
async function stillWorks(expected: number[]) {
  await page().selectOption('#model-select', 'mlperf-vww');
  await page().check('input[name="input-mode"][value="sample"]');
  const before = await runs();
  await page().click('#run');
  await settled(before);
  assert.ok(await page().isHidden('#error'), `error still shown: ${await text('#error')}`);
  assert.equal(await rawOutput(), expected);
  assert.is(await page().getAttribute('#verdict', 'data-fits'), 'true');
}

let first: number[] = [];

if (missing) {
  console.log(`tests/web/demo.test.ts: skipped: ${missing}`);
} else {
  Demo.before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const port = await freePort();
    const { proc, url } = await startDemo(port);
    ctx.server = proc;
    ctx.url = url;
    assert.ok(url.includes(`:${port}/`), `demo serves on the requested port: ${url}`);
    // Chromium's built-in fake camera (a moving test pattern) stands in for a webcam.
    ctx.browser = await launch(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
    ctx.w = await watchedPage(ctx.browser, url, undefined, { permissions: ['camera'] });
  });

  Demo.after(async () => {
    await ctx.browser?.close();
    ctx.server?.kill();
  });

  Demo('default model on the bundled sample: same output bytes and peak SRAM as mcusim run --json', async () => {
    const started = Date.now();
    await page().goto(ctx.url!);
    await page().waitForSelector('body[data-first-result-ms]', { timeout: 60_000 });
    console.log(`  first result ${Date.now() - started} ms after navigation (page says ${await page().getAttribute('body', 'data-first-result-ms')} ms)`);
    assert.ok(await page().isHidden('#error'), await text('#error'));
    assert.match(await text('#cli-command'), /npx mcusim run mlperf-vww --device stm32f412 --input mlperf-vww-input\.bin --schedule layer --json/);

    // The exact input the page ran, as the page offers it.
    const [download] = await Promise.all([page().waitForEvent('download'), page().click('#save-input')]);
    const inputFile = join(ARTIFACTS, 'mlperf-vww-input.bin');
    await download.saveAs(inputFile);
    const bytes = int8(readFileSync(inputFile));
    // It is the drawn 'person' sample, centre-cropped, area-resized and shifted by 128, as web/preprocess.ts says.
    const sample = renderSample('person');
    assert.equal(Array.from(bytes), Array.from(imageToInput({ width: sample.width, height: sample.height, rgba: sample.rgba }, { shape: [1, 96, 96, 3], dtype: 'int8' })));

    const cli = cliRunJson(['mlperf-vww', '--device', 'stm32f412', '--input', inputFile]);
    first = await rawOutput();
    assert.equal(first, cli.outputs[0].data, 'displayed raw output bytes');
    const peak = Number((await text('#sram-peak')).replace(/ B.*$/, '').replace(/,/g, ''));
    assert.is(peak, cli.sram.peak, 'displayed arena peak');
    assert.is(await page().getAttribute('#verdict', 'data-fits'), 'true');
    assert.match(await text('#verdict'), /^Fits stm32f412$/);
    assert.match(await text('#headline'), /^(person|no person) \(score \d\.\d{3}\)$/);
    // Every profile is listed with a verdict.
    assert.is(await page().locator('#device-table tbody tr').count(), 6);
    await page().screenshot({ path: join(ARTIFACTS, 'demo-1280.png'), fullPage: true });
  });

  Demo('a device the model does not fit changes the verdict and refuses the run; a profile brings it back', async () => {
    await page().selectOption('#device-select', '__custom');
    await page().fill('#custom-sram', '32K');
    const before = await runs();
    await page().click('#custom-apply');
    await errorShown(/Does not fit: model 'mlperf-vww' does not fit custom: .*SRAM 32768 B minus 4096 B reserve/);
    assert.is(await page().getAttribute('#verdict', 'data-fits'), 'false');
    assert.match(await text('#verdict'), /^Does not fit custom: SRAM short by [\d,]+ B$/);
    assert.is(await text('#headline'), 'Not run.');
    assert.is(await runs(), before);
    await page().screenshot({ path: join(ARTIFACTS, 'demo-does-not-fit.png') });

    await page().selectOption('#device-select', 'stm32f412');
    await settled(before);
    assert.is(await page().getAttribute('#verdict', 'data-fits'), 'true');
    assert.equal(await rawOutput(), first);
  });

  Demo('a real .tflite from disk with a raw input file: the bytes TFLite Micro gives (person_detect)', async () => {
    const shared = resolve(ROOT, '..', 'shared', 'models');
    const model = join(shared, 'person_detect.tflite');
    if (!existsSync(model)) {
      console.log(`  skipped the person_detect check: ${model} not found`);
      return;
    }
    let before = await runs();
    await page().setInputFiles('#model-file', model);
    await settled(before);
    await page().check('input[name="input-mode"][value="raw"]');
    before = await runs();
    await page().setInputFiles('#raw-file', join(shared, 'inputs', 'pd_person_int8.bin'));
    await settled(before);
    assert.ok(await page().isHidden('#error'), await text('#error'));
    const expected = Array.from(int8(readFileSync(join(shared, 'expected', 'person_detect__person.bin'))));
    assert.equal(await rawOutput(), expected);
    assert.match(await text('#headline'), /^person \(score/);
    assert.match(await text('#cli-command'), /npx mcusim run person_detect\.tflite --device stm32f412 --input person_detect-input\.bin --schedule layer --json/);
    await stillWorks(first);
  });

  Demo('a file that is not a model: readable message, page keeps working', async () => {
    await page().setInputFiles('#model-file', { name: 'notes.tflite', mimeType: 'application/octet-stream', buffer: Buffer.from('hello, this is not a model at all') });
    await errorShown(/^Model problem: model 'notes': malformed \.tflite.*not a TensorFlow Lite model/);
    await stillWorks(first);
  });

  Demo('a model with an unsupported operator: names the operator, page keeps working', async () => {
    const m = convSpec();
    m.opcodes[0] = { builtin: BuiltinOperator.CUMSUM, deprecated: 127 };
    await page().setInputFiles('#model-file', { name: 'cumsum.tflite', mimeType: 'application/octet-stream', buffer: Buffer.from(buildRaw(m)) });
    await errorShown(/^Unsupported model: model 'cumsum': operator 0 \(CUMSUM\) .*is not supported by mcusim/);
    await stillWorks(first);
  });

  Demo('a picture that cannot be decoded: readable message, page keeps working', async () => {
    await page().check('input[name="input-mode"][value="upload"]');
    await page().setInputFiles('#image-file', { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('\x89PNG\r\n\x1a\n this is no picture') });
    await errorShown(/^Picture problem: cannot decode 'broken\.png' as a picture/);
    await stillWorks(first);
  });

  Demo('a model too large for every device: says so, refuses to run, page keeps working', async () => {
    const before = await runs();
    await page().selectOption('#model-select', 'mbv1-w1.0-r224');
    await errorShown(/^Does not fit: model 'mbv1-w1\.0-r224' does not fit stm32f412/);
    assert.ok(await page().isVisible('#fit-none'));
    assert.match(await text('#fit-none'), /mbv1-w1\.0-r224 fits none of the 6 device profiles/);
    assert.is(await page().locator('#device-table td.ok').count(), 0);
    assert.is(await page().getAttribute('#verdict', 'data-fits'), 'false');
    assert.is(await runs(), before);
    await stillWorks(first);
    assert.ok(await page().isHidden('#fit-none'));
  });

  Demo('camera: a frame from the (fake) camera is classified; the camera stops again', async () => {
    await page().check('input[name="input-mode"][value="webcam"]');
    await page().click('#webcam-start');
    await page().waitForSelector('#webcam-capture:not([disabled])', { timeout: 30_000 });
    const before = await runs();
    await page().click('#webcam-capture');
    await settled(before);
    assert.ok(await page().isHidden('#error'), await text('#error'));
    assert.match(await text('#run-meta'), /Input: camera frame\./);
    assert.is((await rawOutput()).length, 2);
    await page().click('#webcam-start'); // "Stop camera"
    assert.is(await text('#webcam-start'), 'Start camera');
    await stillWorks(first);
  });

  Demo('no console errors, no request outside the page origin; phone-width screenshot', async () => {
    const w = ctx.w!;
    await page().setViewportSize({ width: 390, height: 844 });
    await page().waitForTimeout(200);
    await page().screenshot({ path: join(ARTIFACTS, 'demo-390.png'), fullPage: true });
    assert.ok(await page().evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling at phone width');
    // Every control can be reached with the keyboard and has a name a screen reader can say.
    const unnamed = await page().evaluate(() => Array.from(document.querySelectorAll<HTMLElement>('input, select, button, a[href], summary'))
      .filter((el) => !(el as HTMLInputElement).disabled && el.tabIndex >= 0 && el.getClientRects().length > 0)
      .filter((el) => {
        const labels = (el as HTMLInputElement).labels;
        const name = (labels && labels.length ? Array.from(labels).map((l) => l.textContent).join(' ') : '') || el.getAttribute('aria-label') || el.textContent || (el as HTMLInputElement).placeholder;
        return !name || !name.trim();
      })
      .map((el) => el.outerHTML.slice(0, 80)));
    assert.equal(unnamed, [], 'controls without a name');
    writeFileSync(join(ARTIFACTS, 'requests.txt'), `${w.requests.join('\n')}\n`);
    assert.equal(w.consoleErrors, [], 'console errors');
    assert.equal(w.foreign(), [], 'requests outside the origin');
    assert.ok(w.requests.some((u) => u.endsWith('/kernels.wasm')), 'the worker fetched kernels.wasm (and requests from the worker are seen)');
  });
}

Demo.run();
