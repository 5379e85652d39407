// Tests behind the `trends` answer: Mann–Kendall for a monotonic trend in a count series, χ² for a
// flat hour-of-week profile, and each bucket's change against the one before it.

import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

export interface MannKendall {
  /** Σ_{i<j} sign(x_j − x_i). */
  s: number;
  /** Var(S) under no trend, corrected for ties: [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18. */
  variance: number;
  /** Continuity corrected: sign(S)(|S| − 1)/√Var(S), as trend::mk.test. */
  z: number;
  /** Two-sided, from the normal approximation. */
  p: number;
  /** Kendall's τ-b of the series against time: S / √([n(n−1)/2 − Σ t(t−1)/2] · n(n−1)/2). */
  tau: number;
}

function checkFinite(name: string, values: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${name}: value ${i} is ${values[i]}, not a finite number`);
  }
}

/**
 * Mann–Kendall trend test on a series in time order (Mann 1945, Kendall 1975). Equal to
 * trend::mk.test and to R's cor.test(seq_along(x), x, method = "kendall", exact = FALSE,
 * continuity = TRUE).
 * With no variance (fewer than two values, or all equal) there is no evidence of a trend: z = 0,
 * p = 1, tau = 0, where R would give NaN.
 */
export function mannKendall(series: readonly number[]): MannKendall {
  checkFinite('mannKendall', series);
  const n = series.length;
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    const xi = series[i];
    for (let j = i + 1; j < n; j++) s += Math.sign(series[j] - xi);
  }
  // Tied groups from the sorted values.
  const sorted = [...series].sort((a, b) => a - b);
  let tieVariance = 0;
  let tiedPairs = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    const t = j - i;
    tieVariance += t * (t - 1) * (2 * t + 5);
    tiedPairs += (t * (t - 1)) / 2;
    i = j;
  }
  const variance = Math.max(0, (n * (n - 1) * (2 * n + 5) - tieVariance) / 18); // not −0 for n = 0
  const allPairs = (n * (n - 1)) / 2;
  const denominator = Math.sqrt((allPairs - tiedPairs) * allPairs);
  const z = variance > 0 ? (Math.sign(s) * Math.max(Math.abs(s) - 1, 0)) / Math.sqrt(variance) : 0;
  // 2·Φ(−|z|) rather than 2·(1 − Φ(|z|)): keeps small p-values instead of rounding them to 0.
  const p = Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1));
  return { s, variance, z, p, tau: denominator > 0 ? s / denominator : 0 };
}

export interface HourOfWeekTest {
  chiSquare: number;
  df: 167;
  p: number;
}

export const HOURS_PER_WEEK = 168;

/**
 * Pearson's χ² test that incidents fall evenly over the 168 hours of the week (expected total/168
 * in each). With no incidents there is nothing to test: χ² = 0, p = 1 (R's chisq.test gives NaN).
 * p is 1 − F(χ²), so it bottoms out near 1e−16.
 */
export function hourOfWeekChiSquare(counts: readonly number[]): HourOfWeekTest {
  if (counts.length !== HOURS_PER_WEEK) throw new RangeError(`hourOfWeekChiSquare: needs ${HOURS_PER_WEEK} counts, got ${counts.length}`);
  checkFinite('hourOfWeekChiSquare', counts);
  let total = 0;
  for (const c of counts) {
    if (c < 0) throw new RangeError(`hourOfWeekChiSquare: counts must not be negative, got ${c}`);
    total += c;
  }
  if (total === 0) return { chiSquare: 0, df: 167, p: 1 };
  const expected = total / HOURS_PER_WEEK;
  let chiSquare = 0;
  for (const c of counts) chiSquare += ((c - expected) * (c - expected)) / expected;
  return { chiSquare, df: 167, p: Math.max(0, 1 - chisquareCdf(chiSquare, HOURS_PER_WEEK - 1)) };
}

export interface BucketChange {
  count: number;
  /** count − the previous bucket's count (an absolute change); null for the first bucket. */
  change: number | null;
  /** change / the previous count (0.25 = 25 % up); null for the first bucket and after a 0. */
  changeRatio: number | null;
}

/**
 * "Change against the previous bucket" of the trends answer: each bucket against the one right before
 * it in the list. Give the series with its empty buckets as 0, in time order: a missing bucket
 * would make the change span two buckets.
 */
export function bucketChanges(counts: readonly number[]): BucketChange[] {
  checkFinite('bucketChanges', counts);
  return counts.map((count, i) => {
    if (i === 0) return { count, change: null, changeRatio: null };
    const previous = counts[i - 1];
    const change = count - previous;
    return { count, change, changeRatio: previous !== 0 ? change / previous : null };
  });
}
