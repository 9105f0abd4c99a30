// The page's plots, drawn with Chart.js (bundled; only the controllers and elements used are registered).
import {
  BarController, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartConfiguration, type TooltipItem,
} from 'chart.js';
import type { StepInfo, TimelineInfo } from './protocol.ts';

Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.font.size = 11;
Chart.defaults.color = '#3b4350';
Chart.defaults.animation = false;

export const COLORS = {
  live: '#1f6fc5',
  highWater: '#e0872b',
  budget: '#c62828',
  selected: '#111827',
  input: '#2e7d32',
  output: '#1f6fc5',
  scratch: '#8e44ad',
  waiting: '#9aa5b1',
};

const OP_COLORS: Record<string, string> = {
  CONV_2D: '#1f6fc5', DEPTHWISE_CONV_2D: '#2e9d8f', FULLY_CONNECTED: '#e0872b', AVERAGE_POOL_2D: '#8e44ad', MAX_POOL_2D: '#8e44ad',
  MEAN: '#8e44ad', ADD: '#c0392b', SOFTMAX: '#7f8c8d', RESHAPE: '#95a5a6',
};
export const opColor = (op: string) => OP_COLORS[op] ?? '#607080';

export const bytesLabel = (n: number) => (Math.abs(n) >= 1024 * 1024 ? `${+(n / 1048576).toFixed(2)} MiB` : Math.abs(n) >= 1024 ? `${+(n / 1024).toFixed(1)} KiB` : `${n} B`);
export const countLabel = (n: number) => (n >= 1e9 ? `${+(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${+(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${+(n / 1e3).toFixed(1)} k` : String(n));

type XY = { x: number; y: number };

/** A power-of-two byte step giving at most `ticks` intervals up to `max`, so the axis reads 16 KiB, 32 KiB, ... */
export function byteStep(max: number, ticks = 6): number {
  let step = 256;
  while (max / step > ticks) step *= 2;
  return step;
}

/** Live bytes per step for one schedule, the arena budget, and a marker at the selected step. */
export function timelineChart(canvas: HTMLCanvasElement, t: TimelineInfo, budget: number, yMax: number, onPick: (index: number) => void): Chart<'line', XY[]> {
  const data = (values: number[]) => values.map((y, x) => ({ x, y }));
  const last = Math.max(0, t.liveBytes.length - 1);
  const step = byteStep(yMax);
  const top = Math.ceil(yMax / step) * step;
  const budgetLabel = budget > top ? `arena budget ${bytesLabel(budget)} (above the chart)` : 'arena budget (SRAM − reserve)';
  const config: ChartConfiguration<'line', XY[]> = {
    type: 'line',
    data: {
      datasets: [
        { label: 'live bytes', data: data(t.liveBytes), borderColor: COLORS.live, backgroundColor: 'rgba(31,111,197,0.15)', fill: 'origin', stepped: 'middle', pointRadius: 0, borderWidth: 2 },
        ...(t.highWater ? [{ label: 'arena high-water', data: data(t.highWater), borderColor: COLORS.highWater, stepped: 'middle' as const, pointRadius: 0, borderWidth: 1.5, borderDash: [4, 3] }] : []),
        { label: budgetLabel, data: [{ x: 0, y: budget }, { x: last, y: budget }], borderColor: COLORS.budget, pointRadius: 0, borderWidth: 1.5, borderDash: [6, 4] },
        { label: 'selected step', data: [], borderColor: COLORS.selected, backgroundColor: COLORS.selected, pointRadius: 0, borderWidth: 1.5 },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: { type: 'linear', min: 0, max: last, title: { display: true, text: t.points ? 'step' : 'point' }, ticks: { precision: 0 } },
        y: { beginAtZero: true, max: top, title: { display: true, text: 'bytes' }, ticks: { stepSize: step, callback: (v) => bytesLabel(Number(v)) } },
      },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 14, filter: (item, d) => item.datasetIndex !== d.datasets.length - 1 || d.datasets[item.datasetIndex!].data.length > 0 } },
        tooltip: {
          filter: (item) => item.datasetIndex < 2,
          callbacks: {
            title: (items) => (items[0] ? (t.points?.[items[0].parsed.x ?? 0] ?? `point ${items[0].parsed.x}`) : ''),
            label: (item: TooltipItem<'line'>) => `${item.dataset.label}: ${(item.parsed.y ?? 0).toLocaleString('en-US')} B`,
          },
        },
      },
      onClick: (_e, elements, chart) => {
        const x = elements[0]?.index ?? Math.round(chart.scales.x.getValueForPixel((_e.x ?? 0)) ?? 0);
        onPick(Math.max(0, Math.min(last, x)));
      },
    },
  };
  return new Chart(canvas, config);
}

/** Moves the selected-step marker (index -1: none). */
export function markTimeline(chart: Chart<'line', XY[]>, index: number) {
  const marker = chart.data.datasets[chart.data.datasets.length - 1];
  if (index < 0) {
    marker.data = [];
    chart.update('none');
    return;
  }
  marker.data = [{ x: index, y: 0 }, { x: index, y: Number(chart.options.scales?.y?.max ?? 0) }];
  chart.update('none');
}

export interface ArenaBar { label: string; from: number; to: number; role: 'input' | 'output' | 'scratch' | 'waiting'; detail: string }

/** Which tensor occupies which arena bytes at one step: one floating bar per buffer. */
export function arenaChart(canvas: HTMLCanvasElement): Chart<'bar', [number, number][]> {
  return new Chart<'bar', [number, number][]>(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [{ label: 'arena bytes', data: [], backgroundColor: [], borderWidth: 0, barPercentage: 0.9, categoryPercentage: 1 }] },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { min: 0, title: { display: true, text: 'arena offset (bytes)' }, ticks: { callback: (v) => bytesLabel(Number(v)) } },
        y: { ticks: { autoSkip: false, callback(v) { const l = String(this.getLabelForValue(Number(v))); return l.length > 28 ? `${l.slice(0, 27)}…` : l; } } },
      },
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: () => '' } } },
    },
  });
}

export function updateArena(chart: Chart<'bar', [number, number][]>, bars: ArenaBar[], xMax: number) {
  const roleColor = { input: COLORS.input, output: COLORS.output, scratch: COLORS.scratch, waiting: COLORS.waiting };
  chart.data.labels = bars.map((b) => b.label);
  const ds = chart.data.datasets[0];
  ds.data = bars.map((b) => [b.from, b.to]);
  ds.backgroundColor = bars.map((b) => roleColor[b.role]);
  const x = chart.options.scales!.x! as { max?: number; ticks?: { stepSize?: number } };
  const step = byteStep(xMax, 5);
  x.max = Math.ceil(xMax / step) * step;
  x.ticks!.stepSize = step;
  chart.options.plugins!.tooltip!.callbacks!.label = (item: TooltipItem<'bar'>) => bars[item.dataIndex]?.detail ?? '';
  chart.update('none');
}

/** Per-step bars: estimated latency when the simulator has a cycle model, multiply-accumulates otherwise. */
export function stepsChart(canvas: HTMLCanvasElement, steps: StepInfo[], values: number[], unit: string, onPick: (index: number) => void): Chart<'bar', number[]> {
  return new Chart<'bar', number[]>(canvas, {
    type: 'bar',
    data: {
      labels: steps.map((s) => String(s.index)),
      datasets: [{ label: unit, data: values, backgroundColor: steps.map((s) => opColor(s.op)), borderWidth: 0 }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: 'step' }, ticks: { maxRotation: 0, autoSkipPadding: 6 } },
        y: { beginAtZero: true, title: { display: true, text: unit }, ticks: { callback: (v) => countLabel(Number(v)) } },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: (items) => { const s = steps[items[0]?.dataIndex ?? 0]; return `step ${s.index}: ${s.op} '${s.name}'`; }, label: (item) => `${Number(item.raw).toLocaleString('en-US')} ${unit} (kernel ${steps[item.dataIndex].kernel})` } },
      },
      onClick: (_e, elements) => { if (elements[0]) onPick(elements[0].index); },
    },
  });
}

export function highlightStep(chart: Chart<'bar', number[]>, steps: StepInfo[], index: number) {
  chart.data.datasets[0].backgroundColor = steps.map((s) => (s.index === index ? COLORS.selected : opColor(s.op)));
  chart.update('none');
}

export type { Chart };
