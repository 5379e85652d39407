// engine/analytics/getis-ord: Gi* of Columbus CRIME against R spdep::localG(include.self), the
// Benjamini–Hochberg correction against p.adjust, confidence bins, islands and degenerate data.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benjaminiHochberg, confidenceBin, localGStar } from '../../engine/analytics/getis-ord.js';
import { DegenerateDataError } from '../../engine/analytics/moran.js';
import { contiguity, toWeights } from '../../engine/analytics/weights.js';
import { polygonsOf, type AreaGeometry } from '../../engine/geo/geojson.js';
import { thrown } from '../helpers/thrown.js';

const columbus = JSON.parse(readFileSync(new URL('../fixtures/columbus.geojson', import.meta.url), 'utf8')) as {
  features: Array<{ geometry: AreaGeometry; properties: { CRIME: number } }>;
};

type RGStar = { z: number[]; p: number[] };
// Every expected number comes from test/fixtures/r/moran_gistar.json, written by
// test/fixtures/r/moran_gistar.R with R 4.2.2, spdep 1.2-7: localG(x, nb2listw(include.self(nb),
// style), return_internals = TRUE) for z and its two-sided p, p.adjust(p, "BH") for the FDR.
const R = JSON.parse(readFileSync(new URL('../fixtures/r/moran_gistar.json', import.meta.url), 'utf8')) as {
  island: number;
  gstarQueenW: RGStar;
  gstarQueenB: RGStar;
  gstarIslandW: RGStar;
  bhGstarQueenW: number[];
};

const crime = columbus.features.map((f) => f.properties.CRIME);
const queen = contiguity(
  columbus.features.map((f) => polygonsOf(f.geometry)),
  'queen',
);

/** Within 1e-5 of R: absolute for z-scores, relative for p-values (the smallest is 5e-4). */
function expectGStar(actual: Array<{ z: number; p: number }>, r: RGStar): void {
  expect(actual).toHaveLength(r.z.length);
  actual.forEach(({ z, p }, i) => {
    expect(Math.abs(z - r.z[i])).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(p - r.p[i])).toBeLessThanOrEqual(1e-5 * r.p[i]);
  });
}

describe('Getis-Ord Gi* of Columbus CRIME', () => {
  it('queen W with self included equals spdep::localG(include.self) to 1e-5', () => {
    expectGStar(localGStar(crime, toWeights(queen, 'W')), R.gstarQueenW);
  });

  it('queen B equals spdep too, and gives the same z as W (a row scale cancels)', () => {
    const b = localGStar(crime, toWeights(queen, 'B'));
    expectGStar(b, R.gstarQueenB);
    const w = localGStar(crime, toWeights(queen, 'W'));
    b.forEach((g, i) => expect(g.z).toBeCloseTo(w[i].z, 12));
  });

  it('an island has self only: finite z equal to spdep, no NaN', () => {
    const k = R.island;
    const nb = queen.map((list, i) => (i === k ? [] : list.filter((j) => j !== k)));
    const g = localGStar(crime, toWeights(nb, 'W'));
    expectGStar(g, R.gstarIslandW);
    // Self only: z is the area's own standard score (x − x̄) / s.
    const mean = crime.reduce((s, v) => s + v, 0) / crime.length;
    const s = Math.sqrt(crime.reduce((acc, v) => acc + (v - mean) ** 2, 0) / crime.length);
    expect(g[k].z).toBeCloseTo((crime[k] - mean) / s, 12);
  });

  it('an area next to every other one has z = 0, p = 1 (its local sum is the global sum), not 0/0', () => {
    const nb = [[1, 2, 3], [0, 2], [0, 1], [0]];
    const g = localGStar([1, 5, 2, 8], toWeights(nb, 'W'));
    expect(g[0]).toEqual({ z: 0, p: 1 });
    g.forEach(({ z, p }) => expect(Number.isFinite(z) && Number.isFinite(p)).toBe(true));
  });

  it('a constant variable throws DegenerateDataError', () => {
    const err = thrown(
      () =>
        localGStar(
          crime.map(() => 3),
          toWeights(queen, 'W'),
        ),
      DegenerateDataError,
    );
    expect(err.message).toMatch(/variable is constant/);
    expect(localGStar([], toWeights([], 'W'))).toEqual([]);
  });
});

describe('benjaminiHochberg', () => {
  it("equals R's p.adjust(method = 'BH') on the Gi* p-values", () => {
    const p = localGStar(crime, toWeights(queen, 'W')).map((g) => g.p);
    benjaminiHochberg(p).forEach((q, i) => expect(Math.abs(q - R.bhGstarQueenW[i])).toBeLessThanOrEqual(1e-5 * R.bhGstarQueenW[i]));
  });

  it('keeps the input order, handles ties and caps at 1 (values from R p.adjust)', () => {
    const q = benjaminiHochberg([0.04, 0.001, 0.04, 0.5]);
    expect(q[0]).toBeCloseTo(0.0533333333333333, 15);
    expect(q[1]).toBeCloseTo(0.004, 15);
    expect(q[2]).toBeCloseTo(0.0533333333333333, 15);
    expect(q[3]).toBe(0.5);
    benjaminiHochberg([0.01, 0.02, 0.03, 0.04, 0.05]).forEach((v) => expect(v).toBeCloseTo(0.05, 15));
    expect(benjaminiHochberg([0.9, 0.95])).toEqual([0.95, 0.95]);
    expect(benjaminiHochberg([])).toEqual([]);
    expect(() => benjaminiHochberg([0.5, Number.NaN])).toThrow(RangeError);
  });
});

describe('confidenceBin', () => {
  it('±3/±2/±1 at 99/95/90 % by the sign of z, 0 otherwise', () => {
    expect(confidenceBin(3.1, 0.002, false, 0.5)).toBe(3);
    expect(confidenceBin(-2.2, 0.03, false, 0.5)).toBe(-2);
    expect(confidenceBin(1.7, 0.09, false, 0.5)).toBe(1);
    expect(confidenceBin(1.2, 0.23, false, 0.001)).toBe(0);
    expect(confidenceBin(0, 1, false, 1)).toBe(0);
  });

  it('uses the FDR-adjusted p when fdr is on, and the level itself counts as significant', () => {
    expect(confidenceBin(3.1, 0.002, true, 0.2)).toBe(0);
    expect(confidenceBin(-3.1, 0.002, true, 0.04)).toBe(-2);
    expect(confidenceBin(2, 0.01, false, 1)).toBe(3);
    expect(confidenceBin(2, 0.3, true, 0.1)).toBe(1);
  });
});
