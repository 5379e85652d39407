// Trend tests: Mann–Kendall against R, the hour-of-week χ² against a hand computation and R,
// and the change of each bucket against the one before it.

import { describe, expect, it } from 'vitest';
import { bucketChanges, hourOfWeekChiSquare, mannKendall } from '../../engine/analytics/trend-tests.js';

// R 4.2.2 has neither Kendall nor trend installed here, so the reference is base R's
//   cor.test(seq_along(x), x, method = "kendall", exact = FALSE, continuity = TRUE)
// which trend::mk.test's own documentation gives as its equivalent (z, p; estimate = τ-b), with
//   S = sum(sign(outer(x, x, "-"))[lower.tri(diag(n))])   and   varS = ((|S| − 1) / z)²
// (options(digits = 17), sprintf("%.17g")).
const NILE = [
  1120, 1160, 963, 1210, 1160, 1160, 813, 1230, 1370, 1140, 995, 935, 1110, 994, 1020, 960, 1180, 799, 958, 1140, 1100, 1210, 1150, 1250,
  1260, 1220, 1030, 1100, 774, 840, 874, 694, 940, 833, 701, 916, 692, 1020, 1050, 969, 831, 726, 456, 824, 702, 1120, 1100, 832, 764, 821,
  768, 845, 864, 862, 698, 845, 744, 796, 1040, 759, 781, 865, 845, 944, 984, 897, 822, 1010, 771, 676, 649, 846, 812, 742, 801, 1040, 860,
  874, 848, 890, 744, 749, 838, 1050, 918, 986, 797, 923, 975, 815, 1020, 906, 901, 1170, 912, 746, 919, 718, 714, 740,
];

const R_REFERENCE = [
  // as.numeric(Nile): annual flow at Aswan 1871–1970, many ties
  {
    name: 'Nile',
    x: NILE,
    s: -1387,
    variance: 112728.33333333336,
    z: -4.1280665228441,
    p: 3.6582629216643412e-5,
    tau: -0.28074133472461299,
  },
  {
    name: 'rising with ties',
    x: [1, 2, 2, 3, 1, 4, 4, 4, 5],
    s: 25,
    variance: 86.333333333333286,
    z: 2.5829856120030317,
    p: 0.0097949407745368516,
    tau: 0.74835542511156217,
  },
  {
    name: 'falling with ties',
    x: [10, 9, 9, 7, 8, 6, 6, 5, 3, 3, 2],
    s: -50,
    variance: 161.99999999999994,
    z: -3.8498035864600926,
    p: 0.000118212581710297,
    tau: -0.93494699000845727,
  },
];

describe('mannKendall', () => {
  for (const ref of R_REFERENCE) {
    it(`matches R for ${ref.name}`, () => {
      const mk = mannKendall(ref.x);
      expect(mk.s).toBe(ref.s);
      expect(mk.variance).toBeCloseTo(ref.variance, 8);
      expect(mk.z).toBeCloseTo(ref.z, 12);
      expect(mk.p / ref.p).toBeCloseTo(1, 10);
      expect(mk.tau).toBeCloseTo(ref.tau, 12);
    });
  }

  it('follows the textbook formulas on a hand-worked series', () => {
    // x = 1 2 2 3 1 4 4 4 5. S = Σ over each value of (later values above − later values below):
    //   1: 7−0, 2: 5−1, 2: 5−1, 3: 4−1, 1: 4−0, 4: 1−0, 4: 1−0, 4: 1−0 → 7+4+4+3+4+1+1+1 = 25.
    // Ties: two 1s, two 2s, three 4s → Σ t(t−1)(2t+5) = 18 + 18 + 66 = 102;
    // Var(S) = (9·8·23 − 102)/18 = 1554/18 = 86.333…; z = (25 − 1)/√86.333… = 2.58299;
    // τ-b = 25 / √((36 − 5)·36) = 0.748355, 5 being the tied pairs (1 + 1 + 3).
    const mk = mannKendall([1, 2, 2, 3, 1, 4, 4, 4, 5]);
    expect(mk.s).toBe(25);
    expect(mk.variance).toBeCloseTo(1554 / 18, 12);
    expect(mk.z).toBeCloseTo(24 / Math.sqrt(1554 / 18), 12);
    expect(mk.tau).toBeCloseTo(25 / Math.sqrt(31 * 36), 12);
  });

  it('a strictly rising series has τ = 1 and S = n(n−1)/2; reversing it flips the signs', () => {
    const up = mannKendall([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(up.s).toBe(45);
    expect(up.tau).toBe(1);
    expect(up.variance).toBeCloseTo((10 * 9 * 25) / 18, 12);
    const down = mannKendall([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(down.s).toBe(-45);
    expect(down.z).toBeCloseTo(-up.z, 12);
    expect(down.p).toBeCloseTo(up.p, 15);
  });

  it('gives no evidence of a trend where there is no variance', () => {
    expect(mannKendall([])).toEqual({ s: 0, variance: 0, z: 0, p: 1, tau: 0 });
    expect(mannKendall([4])).toEqual({ s: 0, variance: 0, z: 0, p: 1, tau: 0 });
    expect(mannKendall([3, 3, 3, 3])).toEqual({ s: 0, variance: 0, z: 0, p: 1, tau: 0 });
    // |S| = 1 is no trend at all once corrected for continuity.
    expect(mannKendall([1, 2])).toMatchObject({ s: 1, variance: 1, z: 0, p: 1, tau: 1 });
  });

  it('refuses values that are not finite numbers', () => {
    expect(() => mannKendall([1, Number.NaN, 3])).toThrow('mannKendall: value 1 is NaN, not a finite number');
  });
});

describe('hourOfWeekChiSquare', () => {
  it('computes Pearson’s χ² against a flat week by hand', () => {
    // 84 hours with 2 incidents and 84 with 8: total 840, expected 5 an hour;
    // χ² = 168 · (3²/5) = 302.4 on 167 df; R: pchisq(302.4, 167, lower.tail = FALSE) = 7.0352585257585715e-10.
    const counts = Array.from({ length: 168 }, (_, h) => (h % 2 === 0 ? 2 : 8));
    const t = hourOfWeekChiSquare(counts);
    expect(t.chiSquare).toBeCloseTo(302.4, 10);
    expect(t.df).toBe(167);
    expect(t.p / 7.0352585257585715e-10).toBeCloseTo(1, 5);
  });

  it('matches R’s chisq.test', () => {
    // x <- c(rep(c(3,5,2,8,4,9,1,7,6,0), 16), rep(5, 8)); chisq.test(x):
    //   X-squared = 292.21052631578948, df = 167, p-value = 7.0675335950278093e-09
    const counts = [...Array.from({ length: 160 }, (_, i) => [3, 5, 2, 8, 4, 9, 1, 7, 6, 0][i % 10]), 5, 5, 5, 5, 5, 5, 5, 5];
    const t = hourOfWeekChiSquare(counts);
    expect(t.chiSquare).toBeCloseTo(292.21052631578948, 10);
    expect(t.p / 7.0675335950278093e-9).toBeCloseTo(1, 5);
    // A near-flat week: 84 hours with 4 and 84 with 6 → χ² = 33.6, p = 1 in R.
    const flat = hourOfWeekChiSquare(Array.from({ length: 168 }, (_, h) => (h < 84 ? 4 : 6)));
    expect(flat.chiSquare).toBeCloseTo(33.6, 10);
    expect(flat.p).toBe(1);
  });

  it('has nothing to test without incidents, and checks its input', () => {
    expect(hourOfWeekChiSquare(new Array(168).fill(0))).toEqual({ chiSquare: 0, df: 167, p: 1 });
    expect(() => hourOfWeekChiSquare(new Array(24).fill(1))).toThrow('hourOfWeekChiSquare: needs 168 counts, got 24');
    expect(() => hourOfWeekChiSquare([-1, ...new Array(167).fill(1)])).toThrow('counts must not be negative, got -1');
  });
});

describe('bucketChanges', () => {
  it('is each bucket’s count minus the previous bucket’s, with the ratio to the previous', () => {
    expect(bucketChanges([10, 12, 9, 0, 5, 5])).toEqual([
      { count: 10, change: null, changeRatio: null },
      { count: 12, change: 2, changeRatio: 0.2 },
      { count: 9, change: -3, changeRatio: -0.25 },
      { count: 0, change: -9, changeRatio: -1 },
      { count: 5, change: 5, changeRatio: null }, // up from 0: no ratio
      { count: 5, change: 0, changeRatio: 0 },
    ]);
    expect(bucketChanges([])).toEqual([]);
  });
});
