// Does a schedule fit a device? The report `mcusim fit` prints, and the refusal `run` gives before running.
import type { Device } from '../simulator/devices.ts';
import { estimateCodeBytes } from '../simulator/codesize.ts';
import { tensorBytes } from '../models/ir.ts';
import { FitError } from './errors.ts';
import type { Schedule, ScheduleSummary } from './schedule.ts';

export interface FitReport {
  model: string;
  device: string;
  fits: boolean;
  macs: number;
  sram: { budget: number; reserve: number; peak: number; lowerBound: number; greedyBaseline: number; fits: boolean };
  flash: { budget: number; weights: number; code: number; total: number; fits: boolean };
  /** `patch`: the patch (row-major index) a patch-based schedule's step belongs to. */
  steps: { index: number; op: string; name: string; kernel: string; liveBytes: number; arenaHighWater: number; macs: number; patch?: number }[];
  /** Memory over the step order: bytes live at each step and the highest arena byte in use. */
  timeline: { step: number; liveBytes: number; arenaHighWater: number }[];
  /** Which schedule was planned: layer or patch (split, grid, tiles with halo, extra MACs, peaks before/after). */
  schedule: ScheduleSummary;
}

export function fitReport(s: Schedule, device: Device): FitReport {
  const code = estimateCodeBytes(s.steps.map((st) => st.kernel));
  const weights = s.flashImage.length;
  const sramFits = s.arenaBytes + device.runtimeReserveBytes <= device.sramBytes;
  const flashFits = weights + code <= device.flashBytes;
  return {
    model: s.graph.name,
    device: device.name,
    fits: sramFits && flashFits,
    macs: s.macs,
    sram: { budget: device.sramBytes, reserve: device.runtimeReserveBytes, peak: s.arenaBytes, lowerBound: s.lowerBound, greedyBaseline: s.greedyArenaBytes, fits: sramFits },
    flash: { budget: device.flashBytes, weights, code, total: weights + code, fits: flashFits },
    steps: s.steps.map((st) => ({ index: st.index, op: st.op, name: st.name, kernel: st.kernel, liveBytes: st.liveBytes, arenaHighWater: st.arenaHighWater, macs: st.macs, ...(st.patch ? { patch: st.patch.index } : {}) })),
    timeline: s.steps.map((st) => ({ step: st.index, liveBytes: st.liveBytes, arenaHighWater: st.arenaHighWater })),
    schedule: s.summary,
  };
}

/** Refuses, before anything runs, a schedule that needs more SRAM or Flash than the device has. */
export function assertFits(s: Schedule, device: Device): void {
  const r = fitReport(s, device);
  if (!r.sram.fits) {
    const available = device.sramBytes - device.runtimeReserveBytes;
    const step = s.steps.find((st) => st.arenaHighWater > available) ?? s.steps[0];
    const live = s.graph.tensors
      .map((t, i) => ({ t, i, p: s.placements[i] }))
      .filter(({ i, p }) => p && p.offset + p.bytes > available && isLiveAt(s.lifetimes[i], step.index))
      .map(({ t, p }) => `'${t.name}' (${tensorBytes(t)} B at ${p!.offset})`);
    throw new FitError(`model '${s.graph.name}' does not fit ${device.name}: step ${step.index} (${step.op} '${step.name}') needs arena up to ${step.arenaHighWater} B; ` +
      `SRAM ${device.sramBytes} B minus ${device.runtimeReserveBytes} B reserve leaves ${available} B, ${s.arenaBytes - available} B missing` +
      (live.length ? `; tensors beyond the budget: ${live.join(', ')}` : ''));
  }
  if (!r.flash.fits) {
    throw new FitError(`model '${s.graph.name}' does not fit ${device.name}: Flash needs ${r.flash.total} B (constants ${r.flash.weights} B + code ${r.flash.code} B), the device has ${device.flashBytes} B, ${r.flash.total - device.flashBytes} B missing`);
  }
}

function isLiveAt(life: [number, number] | undefined, step: number): boolean {
  return life !== undefined && life[0] <= step && step <= life[1];
}
