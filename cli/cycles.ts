// The cycle model in `fit` and `run`: ESTIMATED cycles and milliseconds per step and in total at the device's
// clock, `--json` fields `cycles: {total, perStep, estimated}` and `latencyMs`, and the `--max-latency-ms` gate.
import { UsageError } from '../runtime/errors.ts';
import type { Schedule } from '../runtime/schedule.ts';
import { CycleModelError, estimateCycles, type CycleEstimate } from '../simulator/cycle-model.ts';
import type { Device } from '../simulator/devices.ts';
import { table } from './format.ts';

export const CYCLE_OPTIONS = { 'max-latency-ms': { type: 'string' } } as const;

export interface CycleSection {
  /** JSON fields: null cycles with the reason when the device's core has no cost table. */
  json: { cycles: { total: number; perStep: number[]; estimated: true; core: string; clockHz: number } | null; latencyMs: number | null; cyclesNote?: string; maxLatencyMs?: number; latencyOk?: boolean };
  text: string;
  /** 0 ok, 1 over the latency bound. */
  exitCode: number;
}

/** Estimates, and applies --max-latency-ms (a bound with no cost table is a typed error: exit 2). */
export function cycleSection(s: Schedule, device: Device, values: { 'max-latency-ms'?: string }): CycleSection {
  const raw = values['max-latency-ms'];
  const bound = raw === undefined ? undefined : Number(raw);
  if (bound !== undefined && !(Number.isFinite(bound) && bound > 0)) throw new UsageError(`--max-latency-ms must be a positive number of milliseconds (got '${raw}')`);
  let e: CycleEstimate;
  try {
    e = estimateCycles(s, device);
  } catch (err) {
    if (!(err instanceof CycleModelError) || bound !== undefined) throw err;
    return { json: { cycles: null, latencyMs: null, cyclesNote: err.message }, text: `cycles: not estimated (${err.message})`, exitCode: 0 };
  }
  const ok = bound === undefined || e.latencyMs <= bound;
  const ms = (c: number) => ((c / device.clockHz) * 1000).toFixed(3);
  const rows = s.steps.map((st, i) => [st.index, st.op, st.name, st.kernel, st.macs, e.perStep[i], ms(e.perStep[i]), st.macs ? (e.perStep[i] / st.macs).toFixed(2) : '']);
  const text = [
    `ESTIMATED cycles (cycle model for ${device.core}, calibrated on QEMU-derived cycles; not a measurement) at ${device.clockHz / 1e6} MHz:`,
    table(['step', 'op', 'name', 'kernel', 'MACs', 'cycles', 'ms', 'cycles/MAC'], rows),
    `estimated latency: ${e.total.toLocaleString('en-US')} cycles = ${e.latencyMs.toFixed(2)} ms on ${device.name}` +
      (bound !== undefined ? ` (bound ${bound} ms: ${ok ? 'within' : 'EXCEEDED'})` : ''),
  ].join('\n');
  return {
    json: { cycles: { total: e.total, perStep: e.perStep, estimated: true, core: e.core, clockHz: e.clockHz }, latencyMs: e.latencyMs, ...(bound !== undefined ? { maxLatencyMs: bound, latencyOk: ok } : {}) },
    text,
    exitCode: ok ? 0 : 1,
  };
}
