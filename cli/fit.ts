// mcusim fit MODEL: plan without running; report per-step memory, SRAM and Flash against the device, and the verdict.
import { loadModel, DEFAULT_MODEL } from '../models/load.ts';
import { fitReport, type FitReport } from '../runtime/fit.ts';
import { buildSchedule } from '../runtime/schedule.ts';
import type { Device } from '../simulator/devices.ts';
import { bar, kib, table } from './format.ts';
import { DEVICE_OPTIONS, deviceFrom, onePositional, parse } from './options.ts';

export function fitCommand(argv: string[]): number {
  const { values, positionals } = parse('fit', argv, DEVICE_OPTIONS);
  const device = deviceFrom(values);
  const report = fitReport(buildSchedule(loadModel(onePositional('fit', positionals, DEFAULT_MODEL))), device);
  console.log(values.json ? JSON.stringify(report, null, 2) : formatFit(report, device));
  return report.fits ? 0 : 1;
}

export function formatFit(r: FitReport, device: Device): string {
  const available = device.sramBytes - device.runtimeReserveBytes;
  const steps = table(['step', 'op', 'name', 'kernel', 'live B', 'high water B', 'MACs', `arena (of ${kib(available)})`],
    r.steps.map((s) => [s.index, s.op, s.name, s.kernel, s.liveBytes, s.arenaHighWater, s.macs, bar(s.arenaHighWater, available)]));
  const verdict = (ok: boolean) => (ok ? 'fits' : 'DOES NOT FIT');
  return [
    `model ${r.model} on ${device.name} (${device.core}, ${device.clockHz / 1e6} MHz, SRAM ${kib(device.sramBytes)}, Flash ${kib(device.flashBytes)})`,
    '',
    steps,
    '',
    table(['SRAM', 'bytes', ''], [
      ['arena peak (planned)', r.sram.peak, kib(r.sram.peak)],
      ['lower bound (max live)', r.sram.lowerBound, kib(r.sram.lowerBound)],
      ['greedy-by-size baseline', r.sram.greedyBaseline, kib(r.sram.greedyBaseline)],
      ['runtime reserve', r.sram.reserve, kib(r.sram.reserve)],
      ['total needed', r.sram.peak + r.sram.reserve, kib(r.sram.peak + r.sram.reserve)],
      ['device SRAM', r.sram.budget, `${kib(r.sram.budget)}  ${verdict(r.sram.fits)}`],
    ]),
    '',
    table(['Flash', 'bytes', ''], [
      ['constants (weights, biases, requant)', r.flash.weights, kib(r.flash.weights)],
      ['kernel code (estimate)', r.flash.code, kib(r.flash.code)],
      ['total needed', r.flash.total, kib(r.flash.total)],
      ['device Flash', r.flash.budget, `${kib(r.flash.budget)}  ${verdict(r.flash.fits)}`],
    ]),
    '',
    `MACs ${r.macs.toLocaleString('en-US')}`,
    `verdict: ${r.fits ? 'FITS' : 'DOES NOT FIT'} ${device.name}`,
  ].join('\n');
}
