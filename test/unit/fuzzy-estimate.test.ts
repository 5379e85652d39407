// engine/match/fuzzy-estimate.ts: the false hits by edit a plate list would give, from recent
// reads, or from the list's own neighbourhood when there are none.

import { describe, expect, it } from 'vitest';
import { cityPlateReads, evaluate, unlistedPlates } from '../../bench/plate-false-hits.js';
import { normalisePlate } from '../../engine/domain/plate.js';
import { estimateFuzzyHitRate, MIN_SAMPLE_READS, neighbourhoodDensity, type PlateSample } from '../../engine/match/fuzzy-estimate.js';

const city = cityPlateReads(21, 30_000);
const printed = unlistedPlates(22, 10_000, city.carried);
const keys = printed.map((p) => normalisePlate(p)!);
const counts = new Map<string, number>();
for (const r of city.reads) counts.set(r, (counts.get(r) ?? 0) + 1);
const sample: PlateSample = { plates: [...counts.keys()], reads: [...counts.values()] };
const oneEdit = { ocrEquivalence: true, maxEdits: 1 };

describe('estimateFuzzyHitRate', () => {
  it('is 0 without edits or without entries', () => {
    expect(estimateFuzzyHitRate(keys, { ocrEquivalence: true, maxEdits: 0 }, sample)).toEqual({
      perThousandReads: 0,
      basis: 'none',
      sampled: 0,
    });
    expect(estimateFuzzyHitRate([], oneEdit, sample).perThousandReads).toBe(0);
  });

  it('from recent reads, counts exactly the reads that would hit by edit only', () => {
    for (const n of [1000, 10_000]) {
      const est = estimateFuzzyHitRate(keys.slice(0, n), oneEdit, sample);
      const measured = evaluate(printed.slice(0, n), oneEdit, city.reads, 1, 0);
      expect(est.basis).toBe('reads');
      expect(est.sampled).toBe(city.reads.length);
      expect(est.perThousandReads).toBeCloseTo((measured.falseHitsByType.edit / measured.reads) * 1000, 9);
      expect(est.perThousandReads).toBeGreaterThan(0);
    }
  });

  it("without enough reads, measures the list's own neighbourhood, within a third of the traffic's rate", () => {
    const few: PlateSample = { plates: sample.plates.slice(0, 10), reads: new Array(10).fill(1) };
    expect(10).toBeLessThan(MIN_SAMPLE_READS);
    for (const n of [1000, 10_000]) {
      const fallback = estimateFuzzyHitRate(keys.slice(0, n), oneEdit, few);
      const fromReads = estimateFuzzyHitRate(keys.slice(0, n), oneEdit, sample);
      expect(fallback.basis).toBe('list');
      // Seen: 1.42 vs 1.65 (1,000 plates), 14.1 vs 14.8 (10,000) per 1,000 reads.
      expect(fallback.perThousandReads / fromReads.perThousandReads).toBeGreaterThan(0.67);
      expect(fallback.perThousandReads / fromReads.perThousandReads).toBeLessThan(1.5);
    }
  });

  it('lets a handful of plates have an edit under the default limit, and not ten thousand', () => {
    expect(estimateFuzzyHitRate(keys.slice(0, 3), oneEdit, null).perThousandReads).toBeLessThan(0.05);
    expect(estimateFuzzyHitRate(keys, oneEdit, null).perThousandReads).toBeGreaterThan(5);
  });

  it('grows with the list, and two edits reach much further than one', () => {
    const d = (n: number, k: number) => neighbourhoodDensity(keys.slice(0, n), k);
    expect(d(1000, 1)).toBeGreaterThan(d(100, 1) * 5);
    expect(d(1000, 2)).toBeGreaterThan(d(1000, 1) * 10);
    // One entry: its 8 positions, each some other character of its type.
    expect(neighbourhoodDensity(['01A123BC'], 1)).toBeGreaterThan(0);
    expect(neighbourhoodDensity(['01A123BC'], 1)).toBeLessThan(1e-4);
  });
});
