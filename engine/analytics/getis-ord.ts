// Hot spots: Getis-Ord Gi* per area (self included) with normal p-values, the Benjamini–Hochberg
// correction and ArcGIS-style confidence bins (±3/±2/±1 for 99/95/90 %).

import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { DegenerateDataError } from './moran.js';
import type { SpatialWeights } from './weights.js';

export type ConfidenceBin = -3 | -2 | -1 | 0 | 1 | 2 | 3;

/**
 * Gi* z-scores and two-sided normal p-values, as spdep::localG(x, nb2listw(include.self(nb),
 * style)) and ArcGIS's Hot Spot Analysis:
 *
 *   z_i = Σ_j w_ij (x_j − x̄) / ( s · sqrt((n Σ_j w_ij² − (Σ_j w_ij)²) / (n − 1)) ),  s² = Σ (x − x̄)² / n,
 *
 * the sums running over i's neighbours and i itself. The weights are rebuilt from `w`'s
 * neighbour lists and style the way spdep rebuilds them after include.self: B gives self and
 * each neighbour 1; W gives each of the k + 1 entries 1 / (k + 1) (spdep's choice; ArcGIS's
 * formula is the same one applied to whatever weights it is given). Scaling a row by a constant
 * cancels in z_i, so with these uniform rows W and B give the same z. Islands have self only.
 */
export function localGStar(x: ArrayLike<number>, w: SpatialWeights): Array<{ z: number; p: number }> {
  const n = x.length;
  if (n !== w.n) throw new RangeError(`localGStar: ${n} values for ${w.n} areas`);
  if (n === 0) return [];
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i])) throw new DegenerateDataError(`the variable is not a finite number in area ${i} (${x[i]})`);
  }
  let mean = 0;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    mean += x[i];
    scale = Math.max(scale, Math.abs(x[i]));
  }
  mean /= n;
  let m2 = 0;
  for (let i = 0; i < n; i++) m2 += (x[i] - mean) ** 2;
  if (m2 <= n * (scale * 1e-12) ** 2) {
    throw new DegenerateDataError(`the variable is constant (${x[0]} in every area): Gi* is undefined`);
  }
  const s = Math.sqrt(m2 / n);

  const out: Array<{ z: number; p: number }> = new Array(n);
  for (let i = 0; i < n; i++) {
    const nb = w.neighbours[i];
    const k = nb.length + 1; // with self
    const wij = w.style === 'W' ? 1 / k : 1;
    // Centred sum: Σ w_ij (x_j − x̄) equals Σ w_ij x_j − W_i x̄ without the cancellation.
    let lag = x[i] - mean;
    for (let m = 0; m < nb.length; m++) lag += x[nb[m]] - mean;
    lag *= wij;
    const Wi = k * wij;
    const S1i = k * wij * wij;
    const spread = n * S1i - Wi * Wi;
    if (spread <= 1e-12 * n * S1i) {
      // i neighbours every area, so its local sum is the global sum: no evidence either way.
      out[i] = { z: 0, p: 1 };
      continue;
    }
    const z = lag / (s * Math.sqrt(spread / (n - 1)));
    out[i] = { z, p: 2 * normalCdf(-Math.abs(z), 0, 1) };
  }
  return out;
}

/** Benjamini–Hochberg adjusted p-values, as R's p.adjust(p, method = "BH"); same order as `p`. */
export function benjaminiHochberg(p: number[]): number[] {
  const m = p.length;
  for (let i = 0; i < m; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) throw new RangeError(`benjaminiHochberg: p[${i}] = ${p[i]} is not a probability`);
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => p[b] - p[a]);
  const adjusted = new Array<number>(m);
  let running = 1;
  // From the largest p down: min over ranks ≥ r of m/rank · p, capped at 1.
  order.forEach((idx, pos) => {
    const rank = m - pos;
    running = Math.min(running, (m / rank) * p[idx]);
    adjusted[idx] = running;
  });
  return adjusted;
}

/**
 * ArcGIS's Gi_Bin: ±3, ±2, ±1 when the (FDR-adjusted, if `fdr`) p-value is at most 0.01, 0.05,
 * 0.10, signed by z; 0 otherwise. "At most" because a BH-adjusted p ≤ α is exactly the BH
 * procedure rejecting at level α.
 */
export function confidenceBin(z: number, p: number, fdr: boolean, pFdr: number): ConfidenceBin {
  const q = fdr ? pFdr : p;
  if (!(q <= 0.1) || z === 0 || Number.isNaN(z)) return 0;
  const level = q <= 0.01 ? 3 : q <= 0.05 ? 2 : 1;
  return (z > 0 ? level : -level) as ConfidenceBin;
}
