// Seeded random numbers for tests (mulberry32): every random case is reproducible from its seed.
export class Rng {
  private state: number;
  constructor(seed: number) { this.state = seed >>> 0; }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]; }
  int8s(n: number): Int8Array { const a = new Int8Array(n); for (let i = 0; i < n; i++) a[i] = this.int(-128, 127); return a; }
  /** A float32 scale spread over several orders of magnitude. */
  scale(lo = 1e-3, hi = 1): number { return Math.fround(lo * (hi / lo) ** this.next()); }
}
