// A small seeded PRNG (mulberry32) for the simulated city: the same seed gives the same city
// and the same traffic, so a demo or a failing test can be replayed exactly.

/** Plain mulberry32 over the raw seed: tests and benchmarks that need a replayable stream. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  private state: number;

  constructor(seed: number) {
    // Mix the seed first: mulberry32 streams from nearby seeds (1, 2, 3…) start out alike.
    let h = Math.imul((Math.trunc(seed) ^ 0x9e3779b9) >>> 0, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    this.state = (h ^ (h >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi), or [0, lo) when called with one argument. */
  int(lo: number, hi?: number): number {
    if (hi === undefined) [lo, hi] = [0, lo];
    return lo + Math.floor((hi - lo) * this.next());
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by relative weight; weights need not sum to 1. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let x = this.next() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    return items[items.length - 1][0];
  }

  /** Box–Muller; the second variate is thrown away, which keeps the stream easy to replay. */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next(); // (0, 1]: log(0) would be -Infinity
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A child generator, so one part of the simulation can draw more without shifting another. */
  fork(label: number): Random {
    return new Random(Math.floor(this.next() * 4294967296) ^ Math.imul(label, 0x27d4eb2d));
  }
}

/** Ranks 0..n-1 with P(k) ∝ 1/(k+1)^s: a few items very often, a long tail rarely. */
export class Zipf {
  private readonly cdf: Float64Array;

  constructor(
    readonly n: number,
    readonly s = 1,
  ) {
    if (!(n >= 1)) throw new Error(`Zipf: n must be at least 1, got ${n}`);
    this.cdf = new Float64Array(n);
    let sum = 0;
    for (let k = 0; k < n; k++) this.cdf[k] = sum += 1 / (k + 1) ** s;
    for (let k = 0; k < n; k++) this.cdf[k] /= sum;
  }

  sample(rng: Random): number {
    const x = rng.next();
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Indices 0..n-1 drawn in proportion to fixed weights: a cumulative table and a binary search. */
export class WeightedIndex {
  private readonly cdf: Float64Array;

  constructor(weights: ArrayLike<number>) {
    this.cdf = new Float64Array(weights.length);
    let sum = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i];
      if (!(w >= 0 && Number.isFinite(w))) throw new Error(`WeightedIndex: weight ${i} must be a finite number ≥ 0, got ${w}`);
      this.cdf[i] = sum += w;
    }
    if (!(sum > 0)) throw new Error('WeightedIndex: needs at least one positive weight');
  }

  get size(): number {
    return this.cdf.length;
  }

  sample(rng: Random): number {
    const x = rng.next() * this.cdf[this.cdf.length - 1];
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
