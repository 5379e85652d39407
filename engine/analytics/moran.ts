// Global Moran's I with its moments under randomisation and normality, as spdep::moran.test,
// and an optional permutation p-value as spdep::moran.mc.

import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { VigilError } from '../errors.js';
import { mulberry32 } from '../util/random.js';
import type { SpatialWeights } from './weights.js';

/**
 * Data a statistic cannot answer for (a constant variable, too few areas with neighbours): a
 * clear error instead of a NaN. A VigilError with the input-invalid code, so the API answers 400.
 */
export class DegenerateDataError extends VigilError {
  constructor(message: string) {
    super('INPUT_INVALID', message);
    this.name = 'DegenerateDataError';
  }
}

export interface MoranResult {
  I: number;
  /** E[I] = −1/(n − 1). */
  expected: number;
  /** Var[I] under randomisation (spdep's default, `randomisation = TRUE`). */
  variance: number;
  z: number;
  /** Two-sided p of `z`: the answer's `p`. spdep's default alternative is "greater": see `pGreater`. */
  p: number;
  /** One-sided p (positive autocorrelation) of `z`: what spdep::moran.test prints by default. */
  pGreater: number;
  /** Var[I] under normality (`randomisation = FALSE`). */
  varianceNormal: number;
  zNormal: number;
  /** Two-sided p of `zNormal`. */
  pNormal: number;
  /** With `permutations`: (#{I_perm ≥ I} + 1) / (permutations + 1), one-sided "greater". */
  pSim?: number;
  permutations?: number;
}

/**
 * Moran's I of `x` over `w`. Islands follow spdep's zero.policy = TRUE with adjust.n = TRUE: their
 * spatial lag is 0 and n counts only areas with neighbours, while the mean, the sum of squares
 * and the kurtosis still use every value. Throws DegenerateDataError rather than answer NaN.
 * `seed` (default 1) makes the permutations, and so `pSim`, repeatable.
 */
export function globalMoran(x: ArrayLike<number>, w: SpatialWeights, opts: { permutations?: number; seed?: number } = {}): MoranResult {
  const N = x.length;
  if (N !== w.n) throw new RangeError(`globalMoran: ${N} values for ${w.n} areas`);
  for (let i = 0; i < N; i++) {
    if (!Number.isFinite(x[i])) throw new DegenerateDataError(`the variable is not a finite number in area ${i} (${x[i]})`);
  }
  const n = N - w.islands.length;
  // The randomisation variance divides by (n − 1)(n − 2)(n − 3).
  if (n < 4) {
    throw new DegenerateDataError(`Moran's I needs at least 4 areas with neighbours, and ${n} of ${N} have any`);
  }

  let mean = 0;
  for (let i = 0; i < N; i++) mean += x[i];
  mean /= N;
  const z = new Float64Array(N);
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < N; i++) {
    z[i] = x[i] - mean;
    m2 += z[i] * z[i];
    m4 += z[i] ** 4;
  }
  // Relative to the values' size: a mean of 1e9 with rounding noise is still a constant.
  let scale = 0;
  for (let i = 0; i < N; i++) scale = Math.max(scale, Math.abs(x[i]));
  if (m2 <= N * (scale * 1e-12) ** 2) {
    throw new DegenerateDataError(`the variable is constant (${x[0]} in every area): Moran's I is undefined`);
  }

  const { S0, S1, S2 } = weightConstants(w);
  if (!(S0 > 0)) throw new DegenerateDataError('the spatial weights sum to 0: no area has a neighbour');

  const I = (n / S0) * (crossProduct(z, w) / m2);
  const expected = -1 / (n - 1);
  const nn = n * n;
  const S02 = S0 * S0;
  // Kurtosis over every value (spdep's moran() uses length(x), not the adjusted n).
  const K = (N * m4) / (m2 * m2);

  const varianceNormal = (nn * S1 - n * S2 + 3 * S02) / (S02 * (nn - 1)) - expected * expected;
  const variance =
    (n * (S1 * (nn - 3 * n + 3) - n * S2 + 3 * S02) - K * (S1 * (nn - n) - 2 * n * S2 + 6 * S02)) / ((n - 1) * (n - 2) * (n - 3) * S02) -
    expected * expected;
  if (!(variance > 0) || !(varianceNormal > 0)) {
    // spdep warns and goes on to NaN; an answer without a variance is no answer.
    throw new DegenerateDataError(
      `the variance of Moran's I is not positive (randomisation ${variance}, normality ${varianceNormal}): the variable's kurtosis (${K.toFixed(2)}) is too high for ${n} areas`,
    );
  }
  const zR = (I - expected) / Math.sqrt(variance);
  const zN = (I - expected) / Math.sqrt(varianceNormal);

  const result: MoranResult = {
    I,
    expected,
    variance,
    z: zR,
    p: twoSided(zR),
    pGreater: normalCdf(-zR, 0, 1),
    varianceNormal,
    zNormal: zN,
    pNormal: twoSided(zN),
  };
  if (opts.permutations !== undefined) {
    const nsim = opts.permutations;
    if (!Number.isInteger(nsim) || nsim < 1) throw new RangeError(`globalMoran: permutations must be an integer ≥ 1, got ${nsim}`);
    result.permutations = nsim;
    result.pSim = permutationP(z, w, crossProduct(z, w), nsim, opts.seed ?? 1);
  }
  return result;
}

export type MoranQuadrant = 'high-high' | 'low-low' | 'high-low' | 'low-high';

export interface MoranScatterPoint {
  value: number;
  /** Σ_j w_ij x_j: the neighbours' (weighted) value; 0 for an island, as spdep's zero.policy. */
  lag: number;
  /** The area's place in the Moran scatterplot; null for an island, which has no neighbours. */
  quadrant: MoranQuadrant | null;
}

/**
 * The Moran scatterplot as spdep's `moran.plot` draws it: each value against its spatial lag,
 * split at the mean of the values and the mean of the lags. High-high and low-low areas are
 * the ones that make I positive; a map of them shows where the clustering is.
 */
export function moranScatter(x: ArrayLike<number>, w: SpatialWeights): MoranScatterPoint[] {
  if (x.length !== w.n) throw new RangeError(`moranScatter: ${x.length} values for ${w.n} areas`);
  const lags = Array.from({ length: w.n }, (_, i) => {
    let lag = 0;
    for (let k = 0; k < w.neighbours[i].length; k++) lag += w.weights[i][k] * x[w.neighbours[i][k]];
    return lag;
  });
  let meanX = 0;
  let meanLag = 0;
  for (let i = 0; i < w.n; i++) {
    meanX += x[i] / w.n;
    meanLag += lags[i] / w.n;
  }
  return lags.map((lag, i) => ({
    value: x[i],
    lag,
    quadrant:
      w.neighbours[i].length === 0 ? null : (`${x[i] >= meanX ? 'high' : 'low'}-${lag >= meanLag ? 'high' : 'low'}` as MoranQuadrant),
  }));
}

function twoSided(zValue: number): number {
  return 2 * normalCdf(-Math.abs(zValue), 0, 1);
}

/** Σ_i z_i Σ_j w_ij z_j: the numerator of I before the n / S0 and 1 / Σz² factors. */
function crossProduct(z: Float64Array, w: SpatialWeights): number {
  let s = 0;
  for (let i = 0; i < w.n; i++) {
    const nb = w.neighbours[i];
    const wt = w.weights[i];
    let lag = 0;
    for (let k = 0; k < nb.length; k++) lag += wt[k] * z[nb[k]];
    s += z[i] * lag;
  }
  return s;
}

/** S0 = Σ w_ij, S1 = ½ Σ (w_ij + w_ji)², S2 = Σ_i (w_i· + w_·i)², as spdep::spweights.constants. */
function weightConstants(w: SpatialWeights): { S0: number; S1: number; S2: number } {
  const rowSum = new Float64Array(w.n);
  const colSum = new Float64Array(w.n);
  let S0 = 0;
  let S1 = 0;
  for (let i = 0; i < w.n; i++) {
    const nb = w.neighbours[i];
    const wt = w.weights[i];
    for (let k = 0; k < nb.length; k++) {
      const j = nb[k];
      rowSum[i] += wt[k];
      colSum[j] += wt[k];
      // Each ordered pair adds w_ij² + w_ij·w_ji; summed over both orders that is ½(w_ij + w_ji)².
      S1 += wt[k] * wt[k] + wt[k] * weightOf(w, j, i);
    }
    S0 += rowSum[i];
  }
  let S2 = 0;
  for (let i = 0; i < w.n; i++) S2 += (rowSum[i] + colSum[i]) ** 2;
  return { S0, S1, S2 };
}

/** w_ij by binary search in i's sorted neighbours; 0 when j is not among them (kNN is asymmetric). */
function weightOf(w: SpatialWeights, i: number, j: number): number {
  const nb = w.neighbours[i];
  let lo = 0;
  let hi = nb.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (nb[mid] === j) return w.weights[i][mid];
    if (nb[mid] < j) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/**
 * Pseudo p-value of `nsim` random permutations of the values over the areas, one-sided
 * "greater" like spdep::moran.mc's default, counted the usual (Hope; North et al.) way:
 * (#{I_perm ≥ I} + 1) / (nsim + 1), the observed arrangement being one of the nsim + 1. spdep
 * 1.2-7 computes max(#{I_perm > I}, 1) / (nsim + 1) (`diff <- nsim - xrank`), one fewer, as
 * its issue #172 points out. A permutation leaves the mean and Σz² unchanged, so comparing
 * Σ z_i (Wz)_i is comparing I.
 */
function permutationP(z: Float64Array, w: SpatialWeights, observed: number, nsim: number, seed: number): number {
  const rnd = mulberry32(seed);
  const perm = Float64Array.from(z);
  // Rounding differs between orders of summation; a permuted sum equal to the observed one up
  // to that noise counts as ≥, as it would in exact arithmetic.
  const tolerance = 1e-12 * Math.abs(observed) + Number.MIN_VALUE;
  let atLeast = 0;
  for (let s = 0; s < nsim; s++) {
    for (let i = perm.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    if (crossProduct(perm, w) >= observed - tolerance) atLeast++;
  }
  return (atLeast + 1) / (nsim + 1);
}
