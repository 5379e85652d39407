// A plate watchlist a dispatcher can trust: on the simulated city's traffic, a 1,000,000-plate
// list at the default setting (look-alikes, no edits) gives almost no false hits, and every
// true read of a listed plate still hits — with edits on, the plate's cut or extended edges too.

import { beforeAll, describe, expect, it } from 'vitest';
import { cityPlateReads, evaluate, unlistedPlates, type CityPlates, type Evaluation } from '../../bench/plate-false-hits.js';
import { DEFAULT_PLATE_MATCH } from '../../engine/match/rules.js';

describe('plate watchlist precision on the simulated city', () => {
  let city: CityPlates;
  let listed: string[];

  beforeAll(() => {
    city = cityPlateReads(11, 200_000);
    listed = unlistedPlates(12, 1_000_000, city.carried);
  });

  /** False hits per 100,000 of the traffic's reads that satisfy `which`. */
  const rate = (e: Evaluation, reads: string[]) => (e.falseHits / reads.length) * 100_000;

  it('a 1,000,000-plate list at the default gives fewer than 1 false hit per 100,000 reads of unlisted plates', () => {
    expect(DEFAULT_PLATE_MATCH).toEqual({ ocrEquivalence: true, maxEdits: 0 });
    expect(listed).toHaveLength(1_000_000);
    // Reads as the plate was printed: the city's cars, none of them listed.
    const correct = city.reads.filter((r) => city.carried.has(r));
    expect(correct.length).toBeGreaterThan(180_000);
    const onCorrect = evaluate(listed, DEFAULT_PLATE_MATCH, correct, 3, 0);
    expect(rate(onCorrect, correct)).toBeLessThan(1);

    // The whole traffic, the simulator's misreads included (6 % of reads). A misread can be one
    // look-alike from an unlisted plate of one format and one from a listed plate of the
    // other ('01Z66ORR': 01 Z 660 RR or 01 266 ORR): the read cannot tell them apart.
    // Measured: 9 of 200,000 (4.5 per 100,000), all of that kind; the Levenshtein model
    // before gave 1,977 per 100,000.
    const all = evaluate(listed, DEFAULT_PLATE_MATCH, city.reads, 3, 2000);
    expect(rate(all, city.reads)).toBeLessThan(10);
    expect(all.falseHitsByType.edit).toBe(0);

    // Every true read hits, and nearly always its own entry.
    for (const kind of ['exact', 'lookAlike'] as const) {
      const t = all.trueReads[kind];
      expect(t.reads, kind).toBeGreaterThan(1500);
      expect(t.hit, kind).toBe(t.reads);
      expect(t.ownEntry / t.reads, kind).toBeGreaterThan(0.99);
    }
    // Without edits a cut or extended edge is a different plate.
    expect(all.trueReads.edgeCut.hit).toBe(0);
    expect(all.trueReads.edgeAdded.hit).toBe(0);
  });

  it('with maxEdits 1, cut and extended edges hit as well', () => {
    const fuzzy = evaluate(listed.slice(0, 10_000), { ocrEquivalence: true, maxEdits: 1 }, city.reads.slice(0, 20_000), 4, 2000);
    for (const kind of ['exact', 'lookAlike', 'edgeCut', 'edgeAdded'] as const) {
      const t = fuzzy.trueReads[kind];
      expect(t.reads, kind).toBeGreaterThan(1500);
      expect(t.hit, kind).toBe(t.reads);
    }
    // …at a price: a few percent of all reads hit a 10,000-plate list by one edit.
    expect(fuzzy.falseHitsByType.edit).toBeGreaterThan(100);
  });
});
