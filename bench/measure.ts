// benchmark.js, synchronously: mean seconds per call of fn, bounded to about maxTime seconds.
import Benchmark from 'benchmark';

export function measure(fn: () => void, maxTime: number): number {
  const b = new Benchmark(fn, { maxTime, minSamples: 3, initCount: 1 });
  b.run({ async: false });
  if (b.error) throw b.error;
  return b.stats.mean;
}
