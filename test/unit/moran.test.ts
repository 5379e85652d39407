// engine/analytics/moran: global Moran's I of Columbus CRIME against R spdep::moran.test, the
// island (zero.policy) case, degenerate data, and the permutation p-value.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DegenerateDataError, globalMoran, moranScatter, type MoranResult } from '../../engine/analytics/moran.js';
import { contiguity, knn, toWeights } from '../../engine/analytics/weights.js';
import { polygonsOf, type AreaGeometry } from '../../engine/geo/geojson.js';
import { mulberry32 } from '../../engine/util/random.js';
import { thrown } from '../helpers/thrown.js';

const columbus = JSON.parse(readFileSync(new URL('../fixtures/columbus.geojson', import.meta.url), 'utf8')) as {
  features: Array<{ geometry: AreaGeometry; properties: { CRIME: number; X: number; Y: number } }>;
};

type RMoran = Omit<MoranResult, 'pSim' | 'permutations'> & { pGreaterNormal: number };
// Every expected number comes from test/fixtures/r/moran_gistar.json, written by
// test/fixtures/r/moran_gistar.R with R 4.2.2, spdep 1.2-7 (moran.test with randomisation = TRUE
// and FALSE, alternative "greater" and "two.sided", zero.policy = TRUE).
const R = JSON.parse(readFileSync(new URL('../fixtures/r/moran_gistar.json', import.meta.url), 'utf8')) as {
  island: number;
  moranQueenW: RMoran;
  moranQueenB: RMoran;
  moranKnn4W: RMoran;
  moranIslandW: RMoran;
};

const crime = columbus.features.map((f) => f.properties.CRIME);
const queen = contiguity(
  columbus.features.map((f) => polygonsOf(f.geometry)),
  'queen',
);
const knn4 = knn(
  columbus.features.map((f): [number, number] => [f.properties.X, f.properties.Y]),
  4,
);

/** Within 1e-5 relative to R's value (p-values here are as small as 1e-13, so not absolute). */
function expectR(actual: number, expected: number): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-5 * Math.abs(expected));
}

function expectMoran(m: MoranResult, r: RMoran): void {
  expectR(m.I, r.I);
  expectR(m.expected, r.expected);
  expectR(m.variance, r.variance);
  expectR(m.z, r.z);
  expectR(m.p, r.p);
  expectR(m.pGreater, r.pGreater);
  expectR(m.varianceNormal, r.varianceNormal);
  expectR(m.zNormal, r.zNormal);
  expectR(m.pNormal, r.pNormal);
}

describe("global Moran's I of Columbus CRIME", () => {
  it('queen, row-standardised: I = 0.500189 as spdep::moran.test, under randomisation and normality', () => {
    const m = globalMoran(crime, toWeights(queen, 'W'));
    expectMoran(m, R.moranQueenW);
    expect(m.I).toBeCloseTo(0.500188557, 8);
    expect(m.expected).toBe(-1 / 48);
    // The two p-values are the two alternatives of the same z.
    expect(m.p).toBeCloseTo(2 * m.pGreater, 15);
    expect(m.pSim).toBeUndefined();
  });

  it('queen, binary: as spdep::moran.test with style = "B"', () => {
    expectMoran(globalMoran(crime, toWeights(queen, 'B')), R.moranQueenB);
  });

  it('asymmetric kNN(4) weights: S1 uses w_ij + w_ji as spdep does', () => {
    expectMoran(globalMoran(crime, toWeights(knn4, 'W')), R.moranKnn4W);
  });

  it('an island counts as spdep zero.policy = TRUE with adjust.n: zero lag, n reduced by one, no NaN', () => {
    const k = R.island;
    const nb = queen.map((list, i) => (i === k ? [] : list.filter((j) => j !== k)));
    const w = toWeights(nb, 'W');
    expect(w.islands).toEqual([k]);
    const m = globalMoran(crime, w);
    expectMoran(m, R.moranIslandW);
    expect(m.expected).toBe(-1 / 47);
  });
});

describe('degenerate data', () => {
  it('a constant variable throws DegenerateDataError naming the problem', () => {
    const err = thrown(
      () =>
        globalMoran(
          crime.map(() => 7),
          toWeights(queen, 'W'),
        ),
      DegenerateDataError,
    );
    expect(err.message).toMatch(/variable is constant/);
    expect(err.statusCode).toBe(400);
    // Rounding noise around a large constant is still a constant.
    thrown(
      () =>
        globalMoran(
          crime.map((_, i) => 1e9 + (i % 2) * 1e-7),
          toWeights(queen, 'W'),
        ),
      DegenerateDataError,
    );
  });

  it('weights without any link, or too few areas with neighbours, throw DegenerateDataError', () => {
    const none = toWeights(
      crime.map(() => []),
      'W',
    );
    expect(thrown(() => globalMoran(crime, none), DegenerateDataError).message).toMatch(/at least 4 areas with neighbours/);
    const pair = crime.map((_, i) => (i === 0 ? [1] : i === 1 ? [0] : []));
    thrown(() => globalMoran(crime, toWeights(pair, 'W')), DegenerateDataError);
  });

  it('a non-finite value throws rather than propagating NaN', () => {
    const x = [...crime];
    x[3] = Number.NaN;
    expect(thrown(() => globalMoran(x, toWeights(queen, 'W')), DegenerateDataError).message).toMatch(/area 3/);
  });
});

describe('permutation p-value', () => {
  it('CRIME beats all 99 permutations: pSim = 1/100, the same for the same seed', () => {
    const w = toWeights(queen, 'W');
    const a = globalMoran(crime, w, { permutations: 99, seed: 7 });
    expect(a.pSim).toBe(0.01);
    expect(a.permutations).toBe(99);
    expect(globalMoran(crime, w, { permutations: 99, seed: 7 }).pSim).toBe(a.pSim);
  });

  it('is one-sided "greater": strong negative autocorrelation gives pSim near 1, noise something in between', () => {
    // A checkerboard on a 10 × 10 rook grid: every neighbour has the opposite value.
    const nb: number[][] = [];
    const x: number[] = [];
    for (let r = 0; r < 10; r++) {
      for (let c = 0; c < 10; c++) {
        const list: number[] = [];
        if (r > 0) list.push((r - 1) * 10 + c);
        if (c > 0) list.push(r * 10 + c - 1);
        if (c < 9) list.push(r * 10 + c + 1);
        if (r < 9) list.push((r + 1) * 10 + c);
        nb.push(list);
        x.push((r + c) % 2);
      }
    }
    const w = toWeights(nb, 'B');
    const checker = globalMoran(x, w, { permutations: 199, seed: 1 });
    expect(checker.I).toBeCloseTo(-1, 12);
    expect(checker.pSim).toBe(1);
    const rnd = mulberry32(3);
    const noise = globalMoran(
      x.map(() => rnd()),
      w,
      { permutations: 199, seed: 1 },
    );
    expect(noise.pSim).toBeGreaterThan(0.05);
    expect(noise.pSim).toBeLessThan(0.95);
  });

  it('refuses a non-integer or zero permutation count', () => {
    expect(() => globalMoran(crime, toWeights(queen, 'W'), { permutations: 0 })).toThrow(RangeError);
    expect(() => globalMoran(crime, toWeights(queen, 'W'), { permutations: 9.5 })).toThrow(RangeError);
  });
});

describe('the Moran scatterplot', () => {
  it("row-standardised: the slope of the lag on the value is Moran's I (Columbus CRIME, queen)", () => {
    const w = toWeights(queen, 'W');
    const points = moranScatter(crime, w);
    const mean = crime.reduce((a, b) => a + b, 0) / crime.length;
    // Rows sum to 1, so the lag of the centred values is the lag minus the mean.
    let sxy = 0;
    let sxx = 0;
    for (const p of points) {
      sxy += (p.value - mean) * (p.lag - mean);
      sxx += (p.value - mean) ** 2;
    }
    expect(sxy / sxx).toBeCloseTo(globalMoran(crime, w).I, 12);
    // Positive autocorrelation: most areas sit in the high-high and low-low quadrants.
    const alike = points.filter((p) => p.quadrant === 'high-high' || p.quadrant === 'low-low').length;
    expect(alike).toBeGreaterThan(points.length * 0.7);
  });

  it("gives each area its neighbours' weighted value, and an island no quadrant", () => {
    // A chain 0–1–2 and an island 3.
    const w = toWeights([[1], [0, 2], [1], []], 'W');
    expect(moranScatter([1, 5, 9, 4], w)).toEqual([
      { value: 1, lag: 5, quadrant: 'low-high' },
      { value: 5, lag: 5, quadrant: 'high-high' },
      { value: 9, lag: 5, quadrant: 'high-high' },
      { value: 4, lag: 0, quadrant: null },
    ]);
  });
});
