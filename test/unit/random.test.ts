// engine/util/random.ts: a seeded generator, Zipf ranks and weighted indices, replayable from a seed.

import { describe, expect, it } from 'vitest';
import { Random, WeightedIndex, Zipf } from '../../engine/util/random.js';

describe('random', () => {
  it('replays the same sequence for the same seed', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws normals with about the asked mean and spread', () => {
    const rng = new Random(7);
    const xs = Array.from({ length: 20_000 }, () => rng.normal(10, 2));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });

  it('samples Zipf ranks: the first most often, every rank in range', () => {
    const rng = new Random(1);
    const zipf = new Zipf(100, 1);
    const counts = new Array(100).fill(0);
    for (let i = 0; i < 50_000; i++) counts[zipf.sample(rng)]++;
    expect(counts[0]).toBeGreaterThan(counts[1]);
    expect(counts[1]).toBeGreaterThan(counts[9]);
    expect(counts[9]).toBeGreaterThan(counts[99]);
    // P(0) = 1 / H(100) ≈ 0.193
    expect(counts[0] / 50_000).toBeCloseTo(0.193, 1);
  });

  it('samples indices in proportion to their weights, never a zero weight', () => {
    const rng = new Random(3);
    const pick = new WeightedIndex([1, 0, 3, 6]);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[pick.sample(rng)]++;
    expect(counts[1]).toBe(0);
    expect(counts[0] / 40_000).toBeCloseTo(0.1, 1);
    expect(counts[3] / 40_000).toBeCloseTo(0.6, 1);
    expect(() => new WeightedIndex([0, 0])).toThrow(/positive weight/);
    expect(() => new WeightedIndex([1, -1])).toThrow(/weight 1/);
  });
});
