// The demo page: controls, worker calls and rendering. All inference runs in web/worker.ts.
import { CORES, parseFrequency, parseSize, validateDevice, type Device } from '../simulator/devices.ts';
import {
  arenaChart, bytesLabel, countLabel, highlightStep, markTimeline, stepsChart, timelineChart, updateArena, type ArenaBar, type Chart,
} from './charts.ts';
import { imageToInput, inputToRgba, type Pixels } from './preprocess.ts';
import type { ErrorInfo, FitResult, InitResult, InputSource, ModelInfo, ModelSource, PatchResult, Request, Response, RunResult } from './protocol.ts';
import { isClassifierOutput, isImageInput, isPersonDetector, PERSON_LABELS, topClasses } from './results.ts';
import { SAMPLE_LIST } from './samples.ts';

// ---------------------------------------------------------------- worker calls

class WorkerError extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}

const worker = new Worker('worker.js');
let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
worker.onmessage = (e: MessageEvent<Response>) => {
  const p = pending.get(e.data.id);
  if (!p) return;
  pending.delete(e.data.id);
  if (e.data.ok) p.resolve(e.data.result);
  else p.reject(new WorkerError(e.data.error));
};
worker.onerror = (e) => {
  e.preventDefault();
  showError({ name: 'worker error', message: e.message || 'the inference worker failed to start' });
};

function call<T>(request: Request, transfer: Transferable[] = []): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    worker.postMessage({ id, request }, transfer);
  });
}

// ---------------------------------------------------------------- page state

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const fmt = (n: number) => n.toLocaleString('en-US');

type InputMode = 'sample' | 'upload' | 'webcam' | 'random' | 'raw';

const state = {
  init: undefined as InitResult | undefined,
  model: undefined as ModelInfo | undefined,
  modelSource: undefined as ModelSource | undefined,
  /** How to name the model on the command line. */
  modelArg: '',
  device: undefined as Device | undefined,
  /** `--device` and override flags for the command line. */
  deviceArgs: [] as string[],
  fit: undefined as FitResult | undefined,
  run: undefined as RunResult | undefined,
  mode: 'sample' as InputMode,
  picture: undefined as { pixels: Pixels; label: string } | undefined,
  raw: undefined as { bytes: ArrayBuffer; label: string } | undefined,
  step: 0,
  busy: 0,
  patchNote: '',
};

const charts: { timelines: Chart<'line', { x: number; y: number }[]>[]; arena?: Chart<'bar', [number, number][]>; steps?: Chart<'bar', number[]> } = { timelines: [] };

function status(text: string) {
  $('status').textContent = text;
}

function showError(e: unknown) {
  const info: ErrorInfo = e instanceof WorkerError ? e.info : { name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) };
  const box = $('error');
  box.hidden = false;
  box.replaceChildren(Object.assign(document.createElement('strong'), { textContent: `${readableName(info.name)}: ` }), document.createTextNode(info.message));
  status('Something went wrong; the message is below. The page keeps working: pick another model, device or input.');
}

function readableName(name: string): string {
  return ({ ModelError: 'Model problem', UnsupportedError: 'Unsupported model', FitError: 'Does not fit', InputError: 'Input problem', DeviceError: 'Device problem', UsageError: 'Model name problem', ImageError: 'Picture problem' } as Record<string, string>)[name] ?? name;
}

function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

async function busy<T>(label: string, work: () => Promise<T>): Promise<T | undefined> {
  state.busy++;
  document.body.classList.add('busy');
  $<HTMLButtonElement>('run').disabled = true;
  status(label);
  try {
    return await work();
  } catch (e) {
    showError(e);
    return undefined;
  } finally {
    state.busy--;
    if (state.busy === 0) {
      document.body.classList.remove('busy');
      $<HTMLButtonElement>('run').disabled = !state.model;
    }
  }
}

// ---------------------------------------------------------------- model

function fillModelSelect(init: InitResult) {
  const select = $<HTMLSelectElement>('model-select');
  select.replaceChildren();
  const groups: [string, (n: string) => boolean][] = [
    ['MLPerf Tiny', (n) => n.startsWith('mlperf-')],
    ['MobileNetV2', (n) => n.startsWith('mbv2-')],
    ['MobileNetV1', (n) => n.startsWith('mbv1-')],
    ['ProxylessNAS', (n) => n.startsWith('proxyless-')],
  ];
  const names = [...new Set([...init.zoo, ...init.families.flatMap((f) => f.examples)])];
  for (const [label, test] of groups) {
    const group = document.createElement('optgroup');
    group.label = label;
    for (const n of names.filter(test)) group.append(new Option(n, n));
    if (group.children.length) select.append(group);
  }
  const other = names.filter((n) => !groups.some(([, t]) => t(n)));
  for (const n of other) select.append(new Option(n, n));
  select.append(Object.assign(new Option('(opened file)', '__file'), { hidden: true }));
  select.value = init.defaultModel;
  select.disabled = false;
}

async function loadModel(source: ModelSource, modelArg: string): Promise<boolean> {
  const label = 'zoo' in source ? source.zoo : source.name;
  const ok = await busy(`Building ${label}…`, async () => {
    const info = await call<ModelInfo>({ kind: 'model', source });
    clearError();
    state.model = info;
    state.modelSource = source;
    state.modelArg = modelArg;
    state.patchNote = '';
    state.step = Math.min(state.step, info.steps.length - 1);
    renderModel(info);
    return true;
  });
  if (!ok) return false;
  updateInputModes();
  await refit();
  await runInference();
  void loadPatchTimeline(state.model!);
  return true;
}

/** Adds the patch-based timeline beside the layer-by-layer one once the worker has planned it. */
async function loadPatchTimeline(m: ModelInfo) {
  state.patchNote = 'Patch-based schedule: planning…';
  renderTimelines(m);
  let r: PatchResult;
  try {
    r = await call<PatchResult>({ kind: 'patch' });
  } catch (e) {
    r = { model: m.name, timeline: null, note: `Patch-based schedule: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (state.model !== m) return;
  if (r.timeline) m.timelines = [m.timelines[0], r.timeline];
  state.patchNote = r.note;
  renderTimelines(m);
  selectStep(state.step);
}

function renderModel(m: ModelInfo) {
  const i = m.inputs.map((t) => `${t.dtype} [${t.shape.join('×')}]`).join(', ');
  const o = m.outputs.map((t) => `${t.dtype} [${t.shape.join('×')}]`).join(', ');
  $('model-summary').textContent = `${m.name}: ${m.steps.length} steps, ${countLabel(m.macs)}MACs, ${bytesLabel(m.flashWeights)} of constants; input ${i} → output ${o}. Built in ${m.buildMs.toFixed(0)} ms.`;
  $('weights-note').textContent = m.source === 'zoo'
    ? 'Zoo models carry deterministic synthetic weights, not trained ones: the scores show exactly what the microcontroller would compute, not a real prediction. Open a trained .tflite file for real predictions.'
    : '';
  renderSteps(m);
  renderCharts(m);
}

function renderSteps(m: ModelInfo) {
  const table = $<HTMLTableElement>('steps-table');
  const head = ['step', 'operator', 'name', 'kernel', 'MACs', 'live bytes', 'arena high-water'];
  table.replaceChildren();
  const thead = table.createTHead().insertRow();
  for (const h of head) thead.append(Object.assign(document.createElement('th'), { textContent: h, scope: 'col' }));
  const body = table.createTBody();
  for (const s of m.steps) {
    const r = body.insertRow();
    for (const v of [s.index, s.op, s.name, s.kernel, fmt(s.macs), fmt(s.liveBytes), fmt(s.arenaHighWater)]) r.insertCell().textContent = String(v);
  }
}

// ---------------------------------------------------------------- device

function fillDeviceSelect(init: InitResult) {
  const select = $<HTMLSelectElement>('device-select');
  select.replaceChildren(...init.devices.map((d) => new Option(`${d.name} · ${bytesLabel(d.sramBytes)} SRAM`, d.name)), new Option('Custom…', '__custom'));
  select.value = init.defaultDevice;
  select.disabled = false;
  $<HTMLSelectElement>('custom-core').replaceChildren(...CORES.map((c) => new Option(c, c)));
  const def = init.devices.find((d) => d.name === init.defaultDevice)!;
  setCustomFields(def);
}

function setCustomFields(d: Device) {
  const size = (n: number) => (n % 1048576 === 0 ? `${n / 1048576}M` : n % 1024 === 0 ? `${n / 1024}K` : String(n));
  $<HTMLInputElement>('custom-sram').value = size(d.sramBytes);
  $<HTMLInputElement>('custom-flash').value = size(d.flashBytes);
  $<HTMLSelectElement>('custom-core').value = d.core;
  $<HTMLInputElement>('custom-clock').value = `${d.clockHz / 1e6}M`;
  $<HTMLInputElement>('custom-reserve').value = size(d.runtimeReserveBytes);
}

function customDevice(): { device: Device; args: string[] } {
  const base = state.init!.devices.find((d) => d.name === state.init!.defaultDevice)!;
  const v = (id: string) => $<HTMLInputElement>(id).value.trim();
  const fields = { sram: v('custom-sram'), flash: v('custom-flash'), core: $<HTMLSelectElement>('custom-core').value, clock: v('custom-clock'), reserve: v('custom-reserve') };
  const device = validateDevice({
    name: 'custom', description: 'custom device from the page', core: fields.core,
    sramBytes: parseSize(fields.sram, 'SRAM'), flashBytes: parseSize(fields.flash, 'Flash'),
    clockHz: parseFrequency(fields.clock, 'clock'), runtimeReserveBytes: parseSize(fields.reserve, 'reserve'),
  }, 'custom device');
  return { device, args: ['--device', base.name, '--sram', fields.sram, '--flash', fields.flash, '--core', fields.core, '--clock', fields.clock, '--reserve', fields.reserve] };
}

async function useDevice(device: Device, args: string[]) {
  state.device = device;
  state.deviceArgs = args;
  $('device-summary').textContent = `${device.name}: ${device.core} at ${device.clockHz / 1e6} MHz, SRAM ${bytesLabel(device.sramBytes)} (${bytesLabel(device.runtimeReserveBytes)} kept for stack and runtime), Flash ${bytesLabel(device.flashBytes)}.${device.description ? ` ${device.description}` : ''}`;
  if (!state.model) return;
  await refit();
  await runInference();
}

async function refit() {
  if (!state.model || !state.device) return;
  await busy('Planning memory…', async () => {
    state.fit = await call<FitResult>({ kind: 'fit', device: state.device });
    renderFit(state.fit);
    renderCharts(state.model!);
  });
}

function renderFit(f: FitResult) {
  const r = f.chosen;
  const v = $('verdict');
  v.dataset.fits = String(r.fits);
  v.className = `verdict ${r.fits ? 'ok' : 'bad'}`;
  const why: string[] = [];
  if (!r.sram.fits) why.push(`SRAM short by ${fmt(r.sram.peak + r.sram.reserve - r.sram.budget)} B`);
  if (!r.flash.fits) why.push(`Flash short by ${fmt(r.flash.total - r.flash.budget)} B`);
  v.textContent = r.fits ? `Fits ${r.device}` : `Does not fit ${r.device}: ${why.join('; ')}`;

  gauge('sram', r.sram.peak, r.sram.reserve, r.sram.budget, `arena ${fmt(r.sram.peak)} B + reserve ${fmt(r.sram.reserve)} B of ${fmt(r.sram.budget)} B`);
  gauge('flash', r.flash.weights, r.flash.code, r.flash.budget, `constants ${fmt(r.flash.weights)} B + code ${fmt(r.flash.code)} B of ${fmt(r.flash.budget)} B`);
  $('sram-peak').textContent = `${fmt(r.sram.peak)} B (${bytesLabel(r.sram.peak)})`;
  $('sram-lower').textContent = `${fmt(r.sram.lowerBound)} B`;
  $('sram-greedy').textContent = `${fmt(r.sram.greedyBaseline)} B`;
  $('flash-total').textContent = `${fmt(r.flash.total)} B (${bytesLabel(r.flash.total)})`;

  const body = $<HTMLTableElement>('device-table').tBodies[0];
  body.replaceChildren();
  for (const { device, report } of f.all) {
    const row = body.insertRow();
    if (device.name === r.device) row.className = 'current';
    const name = row.insertCell();
    const pick = Object.assign(document.createElement('button'), { type: 'button', className: 'link', textContent: device.name, title: `Use ${device.name}` });
    pick.addEventListener('click', () => {
      $<HTMLSelectElement>('device-select').value = device.name;
      $('custom-device').hidden = true;
      void useDevice(device, ['--device', device.name]);
    });
    name.append(pick);
    const verdict = row.insertCell();
    verdict.textContent = report.fits ? 'fits' : 'does not fit';
    verdict.className = report.fits ? 'ok' : 'bad';
    row.insertCell().textContent = needHas(report.sram.peak + report.sram.reserve, report.sram.budget);
    row.insertCell().textContent = needHas(report.flash.total, report.flash.budget);
    row.insertCell().textContent = `${device.core}, ${device.clockHz / 1e6} MHz`;
  }

  const none = $('fit-none');
  const anyFits = f.all.some((x) => x.report.fits);
  none.hidden = anyFits;
  if (!anyFits) {
    const needSram = r.sram.peak + r.sram.reserve;
    const biggestSram = Math.max(...f.all.map((x) => x.device.sramBytes));
    const biggestFlash = Math.max(...f.all.map((x) => x.device.flashBytes));
    none.textContent = `${state.model?.name ?? 'This model'} fits none of the ${f.all.length} device profiles: it needs ${bytesLabel(needSram)} of SRAM and ${bytesLabel(r.flash.total)} of Flash; ` +
      `the largest profiles have ${bytesLabel(biggestSram)} of SRAM and ${bytesLabel(biggestFlash)} of Flash. Try a smaller width or resolution, or a custom device.`;
  }
}

/** "58 / 256 KiB", or "243 KiB / 1 MiB" when the units differ. */
function needHas(need: number, has: number): string {
  const [a, b] = [bytesLabel(need), bytesLabel(has)];
  const unit = (x: string) => x.slice(x.lastIndexOf(' '));
  return unit(a) === unit(b) ? `${a.slice(0, a.lastIndexOf(' '))} / ${b}` : `${a} / ${b}`;
}

function gauge(id: string, a: number, b: number, budget: number, text: string) {
  const scale = Math.max(budget, a + b);
  const root = $(`${id}-gauge`);
  const track = root.querySelector<HTMLElement>('.gauge-track')!;
  const [segA, segB] = Array.from(track.querySelectorAll<HTMLElement>('.seg'));
  segA.style.width = `${(100 * a) / scale}%`;
  segB.style.width = `${(100 * b) / scale}%`;
  track.style.setProperty('--budget', `${(100 * budget) / scale}%`);
  track.classList.toggle('over', a + b > budget);
  track.setAttribute('aria-valuemax', String(budget));
  track.setAttribute('aria-valuenow', String(a + b));
  track.setAttribute('aria-valuetext', text);
  $(`${id}-text`).textContent = `${bytesLabel(a + b)} of ${bytesLabel(budget)} (${((100 * (a + b)) / budget).toFixed(1)}%)`;
  root.title = text;
}

// ---------------------------------------------------------------- charts

function arenaBudget(): number {
  const d = state.device;
  return d ? d.sramBytes - d.runtimeReserveBytes : 0;
}

function renderCharts(m: ModelInfo) {
  renderTimelines(m);
  renderWork(m);
  renderArena(m);
}

function renderTimelines(m: ModelInfo) {
  for (const c of charts.timelines) c.destroy();
  charts.timelines = [];
  const box = $('timelines');
  box.replaceChildren();
  // One byte scale for all timelines, zoomed to the data; the budget is drawn when it is near (within 2x).
  const peak = Math.max(1, ...m.timelines.flatMap((t) => [...t.liveBytes, ...(t.highWater ?? [])]));
  const budget = arenaBudget();
  const yMax = budget <= 2 * peak ? Math.max(peak, budget) * 1.05 : peak * 1.15;
  for (const t of m.timelines) {
    const fig = document.createElement('figure');
    fig.className = 'timeline';
    const cap = document.createElement('figcaption');
    cap.textContent = `${t.label}: peak ${bytesLabel(Math.max(...t.liveBytes))} live, arena ${bytesLabel(t.arenaBytes)}`;
    const holder = document.createElement('div');
    holder.className = 'chart';
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `Memory timeline, ${t.label}: live bytes per step; peak ${Math.max(...t.liveBytes)} bytes`);
    holder.append(canvas);
    fig.append(cap, holder);
    box.append(fig);
    const first = charts.timelines.length === 0;
    const chart = timelineChart(canvas, t, budget, yMax, (i) => (first ? selectStep(i) : undefined));
    charts.timelines.push(chart);
    markTimeline(chart, first ? state.step : -1);
  }
  if (state.patchNote) {
    const note = document.createElement('p');
    note.className = 'hint';
    note.textContent = state.patchNote;
    box.append(note);
  }
  box.classList.toggle('pair', m.timelines.length > 1);
}

function renderWork(m: ModelInfo) {
  charts.steps?.destroy();
  const latency = m.latency;
  const clock = state.device?.clockHz ?? 0;
  if (latency && clock) {
    const ms = latency.cycles.map((c) => (c / clock) * 1000);
    $('latency-title').textContent = `Per-layer estimated latency: ${ms.reduce((a, b) => a + b, 0).toFixed(2)} ms in all`;
    $('latency-note').textContent = `Estimated from ${latency.source} at ${clock / 1e6} MHz.`;
    charts.steps = stepsChart($('latency-chart') as HTMLCanvasElement, m.steps, ms.map((v) => +v.toFixed(4)), 'ms', selectStep);
  } else {
    $('latency-title').textContent = `Per-layer work: ${countLabel(m.macs)}MACs in all`;
    $('latency-note').textContent = 'Multiply-accumulates per step. mcusim has no Cortex-M cycle model yet, so no latency in milliseconds is shown; the bars show where the work is.';
    charts.steps = stepsChart($('latency-chart') as HTMLCanvasElement, m.steps, m.steps.map((s) => s.macs), 'MACs', selectStep);
  }

}

function renderArena(m: ModelInfo) {
  charts.arena ??= arenaChart($('arena-chart') as HTMLCanvasElement);
  const range = $<HTMLInputElement>('step-range');
  range.max = String(Math.max(0, m.steps.length - 1));
  selectStep(Math.min(state.step, m.steps.length - 1));
}

function selectStep(index: number) {
  const m = state.model;
  if (!m) return;
  state.step = index;
  const s = m.steps[index];
  $<HTMLInputElement>('step-range').value = String(index);
  $('step-output').textContent = `${index} of ${m.steps.length - 1}: ${s.op} '${s.name}' (kernel ${s.kernel}), ${fmt(s.liveBytes)} B live`;
  $('arena-step').textContent = `at step ${index} (${s.op})`;
  if (charts.timelines[0]) markTimeline(charts.timelines[0], index);
  if (charts.steps) highlightStep(charts.steps, m.steps, index);

  const bars: ArenaBar[] = [];
  m.tensors.forEach((t, i) => {
    const p = m.placements[i];
    const life = m.lifetimes[i];
    if (!p || !life || life[0] > index || index > life[1]) return;
    const role: ArenaBar['role'] = s.outputs.includes(i) ? 'output' : s.inputs.includes(i) ? 'input' : 'waiting';
    bars.push({ label: t.name, from: p.offset, to: p.offset + p.bytes, role, detail: `${t.name}: ${fmt(p.bytes)} B at ${fmt(p.offset)}–${fmt(p.offset + p.bytes)}, ${t.dtype} [${t.shape.join('×')}], live in steps ${life[0]}–${life[1]}` });
  });
  if (s.scratch) bars.push({ label: `scratch of step ${index}`, from: s.scratch.offset, to: s.scratch.offset + s.scratch.bytes, role: 'scratch', detail: `scratch: ${fmt(s.scratch.bytes)} B at ${fmt(s.scratch.offset)}` });
  bars.sort((a, b) => a.from - b.from);
  const holder = ($('arena-chart').parentElement as HTMLElement);
  holder.style.height = `${Math.max(140, 46 + 24 * bars.length)}px`;
  if (charts.arena) {
    updateArena(charts.arena, bars, Math.max(m.arenaBytes, 1));
    charts.arena.resize();
  }
  $('arena-chart').setAttribute('aria-label', `Arena map at step ${index}: ${bars.map((b) => `${b.label} bytes ${b.from} to ${b.to}`).join('; ')}`);
}

// ---------------------------------------------------------------- input

function selectedMode(): InputMode {
  return (document.querySelector<HTMLInputElement>('input[name="input-mode"]:checked')?.value ?? 'sample') as InputMode;
}

function setMode(mode: InputMode) {
  state.mode = mode;
  const radio = document.querySelector<HTMLInputElement>(`input[name="input-mode"][value="${mode}"]`);
  if (radio) radio.checked = true;
  for (const el of Array.from(document.querySelectorAll<HTMLElement>('.mode'))) el.hidden = el.dataset.mode !== mode;
  if (mode !== 'webcam') stopLive();
}

function imageModel(): boolean {
  const m = state.model;
  return !!m && m.inputs.length >= 1 && isImageInput(m.inputs[0]);
}

function updateInputModes() {
  const image = imageModel();
  for (const radio of Array.from(document.querySelectorAll<HTMLInputElement>('input[name="input-mode"]'))) {
    const needsImage = ['sample', 'upload', 'webcam'].includes(radio.value);
    radio.disabled = needsImage && !image;
  }
  if (!image && ['sample', 'upload', 'webcam'].includes(state.mode)) setMode('random');
  if (image && state.mode === 'random' && state.picture && state.picture.label.startsWith('sample')) setMode('sample');
  const m = state.model!;
  const t = m.inputs[0];
  $('input-note').textContent = image
    ? `Pictures are centre-cropped and resized to ${t.shape[2]}×${t.shape[1]}, ${t.shape[3] === 1 ? 'turned to grey' : 'kept in colour'}; pixel p becomes the int8 value p − 128.`
    : `This model's input (${t.dtype} [${t.shape.join('×')}]) is not a picture: use a seeded random input or a raw file of ${fmt(t.bytes)} bytes.`;
}

async function decodePicture(blob: Blob, label: string): Promise<Pixels> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw Object.assign(new Error(`cannot decode '${label}' as a picture (${blob.type || 'unknown type'}, ${fmt(blob.size)} bytes); use a PNG, JPEG, GIF or WebP file`), { name: 'ImageError' });
  }
  const max = 4096;
  const scale = Math.min(1, max / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * scale));
  const h = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  const data = ctx.getImageData(0, 0, w, h);
  return { width: w, height: h, rgba: data.data };
}

async function loadSample(id: string) {
  const res = await fetch(`samples/${id}.png`);
  if (!res.ok) throw new Error(`sample picture ${id} is missing (HTTP ${res.status})`);
  state.picture = { pixels: await decodePicture(await res.blob(), `${id}.png`), label: `sample picture '${id}'` };
}

/** The page's input sources for the current model and mode, or null when nothing is chosen yet. */
function inputSources(): InputSource[] | null {
  const m = state.model!;
  const seed = Math.max(0, Math.floor(Number($<HTMLInputElement>('seed').value) || 0));
  const random = m.inputs.map((): InputSource => ({ seed }));
  if (state.mode === 'random') return random;
  if (state.mode === 'raw') {
    if (!state.raw) return null;
    return [{ bytes: state.raw.bytes.slice(0), label: state.raw.label }, ...random.slice(1)];
  }
  if (!state.picture || !imageModel()) return null;
  const v = imageToInput(state.picture.pixels, m.inputs[0]);
  return [{ bytes: v.buffer.slice(0) as ArrayBuffer, label: state.picture.label }, ...random.slice(1)];
}

async function runInference() {
  if (!state.model || !state.device) return;
  let sources: InputSource[] | null;
  try {
    sources = inputSources();
  } catch (e) {
    showError(e);
    return;
  }
  if (!sources) {
    status(state.mode === 'raw' ? 'Choose a raw input file.' : state.mode === 'webcam' ? 'Start the camera and use a frame.' : 'Choose a picture.');
    return;
  }
  // Show what the model will see before it runs (random inputs come back from the worker with the result).
  const first = sources[0];
  if (first && 'bytes' in first) {
    if (first.bytes.byteLength === state.model.inputs[0].bytes) drawPreview(first.bytes, state.model.inputs[0]);
    else clearPreview(`${first.label}: ${fmt(first.bytes.byteLength)} bytes.`);
  } else {
    clearPreview('Random input: shown after the run.');
  }
  const transfer = sources.flatMap((s) => ('bytes' in s ? [s.bytes] : []));
  const started = performance.now();
  await busy(`Running ${state.model.name} on ${state.device.name}…`, async () => {
    try {
      const r = await call<RunResult>({ kind: 'run', device: state.device, inputs: sources }, transfer);
      clearError();
      state.run = r;
      renderRun(r);
      status(`Done: ${r.model} on ${r.device} (${(performance.now() - started).toFixed(0)} ms round trip).`);
      document.body.dataset.runs = String(Number(document.body.dataset.runs ?? 0) + 1);
    } catch (e) {
      clearRun(e instanceof Error ? e.message : String(e));
      throw e;
    }
  });
}

function clearRun(reason: string) {
  state.run = undefined;
  $('headline').textContent = 'Not run.';
  $('headline').className = 'headline none';
  $('classes').replaceChildren();
  $('raw-output').textContent = '–';
  $('run-meta').textContent = reason;
  const save = $<HTMLAnchorElement>('save-input');
  save.setAttribute('aria-disabled', 'true');
  save.removeAttribute('href');
}

let saveUrl = '';

function renderRun(r: RunResult) {
  const m = state.model!;
  const out = r.outputs[0];
  const headline = $('headline');
  const classes = $<HTMLTableElement>('classes');
  classes.replaceChildren();
  headline.className = 'headline';
  if (out && isPersonDetector(m.inputs, out)) {
    const person = out.data[1] > out.data[0];
    const score = out.dequantized[person ? 1 : 0];
    headline.textContent = `${person ? 'person' : 'no person'} (score ${score.toFixed(3)})`;
    headline.classList.add(person ? 'person' : 'no-person');
    renderClasses(classes, topClasses(out, 2, PERSON_LABELS));
  } else if (out && isClassifierOutput(out)) {
    const top = topClasses(out, 5);
    headline.textContent = `top class: ${top[0].label} (score ${top[0].score.toFixed(3)})`;
    renderClasses(classes, top);
  } else if (out) {
    headline.textContent = `output ${out.dtype} [${out.shape.join('×')}]`;
  }
  const raw = out ? out.data : [];
  $('raw-output').textContent = `[${raw.slice(0, 64).join(', ')}${raw.length > 64 ? `, … (${raw.length} values)` : ''}]`;
  const gmacs = m.macs / (r.wallMs / 1000) / 1e9;
  $('run-meta').textContent = `Ran ${r.model} on ${r.device} in ${r.wallMs.toFixed(2)} ms of WebAssembly in this browser (${gmacs.toFixed(2)} GMAC/s). ` +
    `Input: ${r.inputs.map((i) => i.source).join(', ')}. This is the simulator's speed here, not the microcontroller's.`;

  // The exact input bytes, and the command that reproduces the run.
  const input = r.inputs[0];
  if (saveUrl) URL.revokeObjectURL(saveUrl);
  const file = `${r.model}-input.bin`;
  saveUrl = URL.createObjectURL(new Blob([input.bytes], { type: 'application/octet-stream' }));
  const save = $<HTMLAnchorElement>('save-input');
  save.href = saveUrl;
  save.download = file;
  save.removeAttribute('aria-disabled');
  const random = state.mode === 'random';
  const seed = $<HTMLInputElement>('seed').value;
  $('cli-command').textContent = `npx mcusim run ${state.modelArg} ${state.deviceArgs.join(' ')} ${random ? `--seed ${seed}` : `--input ${file}`} --schedule layer --json`.replace(/\s+/g, ' ');
  drawPreview(input.bytes, m.inputs[0]);
}

function renderClasses(table: HTMLTableElement, rows: ReturnType<typeof topClasses>) {
  const head = table.createTHead().insertRow();
  for (const h of ['class', 'score', 'int8', '']) head.append(Object.assign(document.createElement('th'), { textContent: h, scope: 'col' }));
  const body = table.createTBody();
  for (const c of rows) {
    const r = body.insertRow();
    r.insertCell().textContent = c.label;
    r.insertCell().textContent = c.score.toFixed(4);
    r.insertCell().textContent = String(c.raw);
    const bar = document.createElement('meter');
    bar.min = -128;
    bar.max = 127;
    bar.value = c.raw;
    bar.setAttribute('aria-label', `${c.label} raw score`);
    r.insertCell().append(bar);
  }
}

function clearPreview(caption: string) {
  const canvas = $<HTMLCanvasElement>('input-preview');
  canvas.width = 1;
  canvas.height = 1;
  canvas.hidden = true;
  $('input-caption').textContent = caption;
}

function drawPreview(bytes: ArrayBuffer, t: ModelInfo['inputs'][number]) {
  const canvas = $<HTMLCanvasElement>('input-preview');
  const pix = inputToRgba(bytes, t);
  const cap = $('input-caption');
  if (!pix) {
    clearPreview(`Input ${t.dtype} [${t.shape.join('×')}]: ${fmt(t.bytes)} bytes (not shown as a picture).`);
    return;
  }
  canvas.hidden = false;
  canvas.width = pix.width;
  canvas.height = pix.height;
  const ctx = canvas.getContext('2d')!;
  ctx.putImageData(new ImageData(new Uint8ClampedArray(pix.rgba), pix.width, pix.height), 0, 0);
  cap.textContent = `What the model sees: ${t.dtype} [${t.shape.join('×')}]`;
}

// ---------------------------------------------------------------- camera

let stream: MediaStream | undefined;
let live = false;

async function startCamera() {
  if (!navigator.mediaDevices?.getUserMedia) throw Object.assign(new Error('this browser offers no camera access here (it needs a secure page: https or localhost)'), { name: 'ImageError' });
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
  } catch (e) {
    throw Object.assign(new Error(`the camera could not be opened: ${(e as Error).message}`), { name: 'ImageError' });
  }
  const video = $<HTMLVideoElement>('webcam-video');
  video.srcObject = stream;
  await video.play();
  $<HTMLButtonElement>('webcam-capture').disabled = false;
  $<HTMLInputElement>('webcam-live').disabled = false;
  $<HTMLButtonElement>('webcam-start').textContent = 'Stop camera';
}

function stopCamera() {
  stopLive();
  for (const t of stream?.getTracks() ?? []) t.stop();
  stream = undefined;
  $<HTMLVideoElement>('webcam-video').srcObject = null;
  $<HTMLButtonElement>('webcam-capture').disabled = true;
  $<HTMLInputElement>('webcam-live').disabled = true;
  $<HTMLButtonElement>('webcam-start').textContent = 'Start camera';
}

function grabFrame(): Pixels {
  const video = $<HTMLVideoElement>('webcam-video');
  const w = video.videoWidth, h = video.videoHeight;
  if (!w || !h) throw Object.assign(new Error('the camera has not delivered a picture yet'), { name: 'ImageError' });
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(video, 0, 0, w, h);
  return { width: w, height: h, rgba: ctx.getImageData(0, 0, w, h).data };
}

async function useFrame() {
  state.picture = { pixels: grabFrame(), label: 'camera frame' };
  await runInference();
}

function stopLive() {
  live = false;
  const box = document.getElementById('webcam-live') as HTMLInputElement | null;
  if (box) box.checked = false;
}

async function liveLoop() {
  while (live && stream && state.mode === 'webcam') {
    try {
      await useFrame();
    } catch (e) {
      showError(e);
      stopLive();
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

// ---------------------------------------------------------------- wiring

function wire() {
  $<HTMLSelectElement>('model-select').addEventListener('change', (e) => {
    const name = (e.target as HTMLSelectElement).value;
    if (name !== '__file') void loadModel({ zoo: name }, name);
  });
  const buildNamed = () => {
    const name = $<HTMLInputElement>('model-name').value.trim();
    if (!name) return;
    void loadModel({ zoo: name }, name).then((ok) => {
      if (ok) $<HTMLSelectElement>('model-select').value = Array.from($<HTMLSelectElement>('model-select').options).some((o) => o.value === name) ? name : '__file';
    });
  };
  $('model-name-go').addEventListener('click', buildNamed);
  $('model-name').addEventListener('keydown', (e) => { if (e.key === 'Enter') buildNamed(); });
  $<HTMLInputElement>('model-file').addEventListener('change', async (e) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    const bytes = await file.arrayBuffer();
    const ok = await loadModel({ file: bytes, name: file.name }, file.name.includes(' ') ? `'${file.name}'` : file.name);
    const select = $<HTMLSelectElement>('model-select');
    if (ok) {
      select.options[select.options.length - 1].textContent = `(file) ${file.name}`;
      select.value = '__file';
    }
    input.value = '';
  });

  $<HTMLSelectElement>('device-select').addEventListener('change', (e) => {
    const name = (e.target as HTMLSelectElement).value;
    const custom = name === '__custom';
    $('custom-device').hidden = !custom;
    if (custom) {
      if (state.device) setCustomFields(state.device);
      $<HTMLInputElement>('custom-sram').focus();
      return;
    }
    const d = state.init!.devices.find((x) => x.name === name)!;
    void useDevice(d, ['--device', d.name]);
  });
  const applyCustom = () => {
    try {
      const { device, args } = customDevice();
      clearError();
      void useDevice(device, args);
    } catch (e) {
      showError(e);
    }
  };
  $('custom-apply').addEventListener('click', applyCustom);
  for (const id of ['custom-sram', 'custom-flash', 'custom-clock', 'custom-reserve']) $(id).addEventListener('keydown', (e) => { if (e.key === 'Enter') applyCustom(); });

  for (const radio of Array.from(document.querySelectorAll<HTMLInputElement>('input[name="input-mode"]'))) {
    radio.addEventListener('change', async () => {
      setMode(selectedMode());
      if (state.mode === 'sample') await busy('Loading sample…', () => loadSample($<HTMLSelectElement>('sample-select').value));
      if (state.mode === 'upload' && !state.picture?.label.startsWith('your picture')) return status('Choose a picture file.');
      if (state.mode === 'webcam' && !state.picture?.label.startsWith('camera')) return status('Start the camera and use a frame.');
      await runInference();
    });
  }
  $<HTMLSelectElement>('sample-select').replaceChildren(...SAMPLE_LIST.map((s) => new Option(s.label, s.id)));
  $<HTMLSelectElement>('sample-select').addEventListener('change', async (e) => {
    const ok = await busy('Loading sample…', async () => { await loadSample((e.target as HTMLSelectElement).value); return true; });
    if (ok) await runInference();
  });
  $<HTMLInputElement>('image-file').addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    const ok = await busy(`Decoding ${file.name}…`, async () => {
      state.picture = { pixels: await decodePicture(file, file.name), label: `your picture '${file.name}'` };
      return true;
    });
    if (ok) await runInference();
  });
  $<HTMLInputElement>('raw-file').addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    state.raw = { bytes: await file.arrayBuffer(), label: file.name };
    await runInference();
  });
  $('seed').addEventListener('change', () => void runInference());
  $('run').addEventListener('click', () => void runInference());
  $('webcam-start').addEventListener('click', async () => {
    if (stream) return stopCamera();
    await busy('Opening the camera…', startCamera);
  });
  $('webcam-capture').addEventListener('click', () => void useFrame().catch(showError));
  $<HTMLInputElement>('webcam-live').addEventListener('change', (e) => {
    live = (e.target as HTMLInputElement).checked;
    if (live) void liveLoop();
  });
  $<HTMLInputElement>('step-range').addEventListener('input', (e) => selectStep(Number((e.target as HTMLInputElement).value)));
  $('save-input').addEventListener('click', (e) => { if (!state.run) e.preventDefault(); });
}

async function start() {
  wire();
  const t0 = performance.now();
  const init = await busy('Loading the WebAssembly kernels…', () => call<InitResult>({ kind: 'init' }));
  if (!init) return;
  state.init = init;
  fillModelSelect(init);
  fillDeviceSelect(init);
  const device = init.devices.find((d) => d.name === init.defaultDevice)!;
  await useDevice(device, ['--device', device.name]);
  await busy('Loading sample picture…', () => loadSample(SAMPLE_LIST[0].id));
  await loadModel({ zoo: init.defaultModel }, init.defaultModel);
  const ms = performance.now() - t0;
  document.body.dataset.firstResultMs = ms.toFixed(0);
  if (state.run) status(`Ready: first result ${ms.toFixed(0)} ms after the page started (kernels ${bytesLabel(init.kernelsBytes)}).`);
}

void start();
