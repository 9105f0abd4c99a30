// Where `mcusim nas --max-latency-ms` gets its latency: the cycle model's ESTIMATE (simulator/cycle-model.ts).
import { estimateCycles } from '../../simulator/cycle-model.ts';
import type { LatencyEstimator } from './evaluate.ts';

/** Estimated milliseconds at the device clock; kernels or cores without a cost formula are typed errors, never zero. */
export function cycleModelLatency(): LatencyEstimator {
  return (schedule, device) => estimateCycles(schedule, device).latencyMs;
}
