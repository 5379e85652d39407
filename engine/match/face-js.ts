// The js face-scoring kernel: float64 sums of float32 products, one dimension after another.

import { tileRows, type ListMeta, type Scorer } from './face-scorer.js';

interface JsList extends ListMeta {
  readonly vectors: Float32Array;
}

export class JsScorer implements Scorer {
  readonly kernel = 'js';
  readonly byteSize: number;
  readonly #lists: JsList[];
  #q = new Float64Array(0);
  readonly #best = { score: 0, row: -1 };

  constructor(metas: readonly ListMeta[], units: readonly Float32Array[][]) {
    this.#lists = metas.map((m, i) => {
      const vectors = new Float32Array(m.rows * m.dim);
      units[i].forEach((u, row) => vectors.set(u, row * m.dim));
      return { ...m, vectors };
    });
    this.byteSize = this.#lists.reduce((sum, l) => sum + l.vectors.byteLength, 0);
  }

  scan(list: number, faces: readonly Float32Array[], now: number, bestScore: Float64Array, bestRow: Int32Array): void {
    const m = this.#lists[list];
    const dim = m.dim;
    const nq = faces.length;
    if (this.#q.length < nq * dim) this.#q = new Float64Array(nq * dim);
    const q = this.#q;
    faces.forEach((u, f) => {
      for (let d = 0; d < dim; d++) q[f * dim + d] = u[d];
    });
    if (nq === 1) {
      scanRange(m.vectors, m.expiresAt, dim, 0, m.rows, q, 0, now, m.floor, -1, this.#best);
      bestScore[0] = this.#best.score;
      bestRow[0] = this.#best.row;
    } else {
      scanMany(m, dim, q, nq, now, bestScore, bestRow);
    }
  }
}

/** Best live row of m for each of nq queries packed in q, in tiles of rows shared by the batch. */
function scanMany(m: JsList, dim: number, q: Float64Array, nq: number, now: number, bestScore: Float64Array, bestRow: Int32Array): void {
  const v = m.vectors;
  const exp = m.expiresAt;
  const n = m.rows;
  bestScore.fill(m.floor);
  bestRow.fill(-1);
  const tile = tileRows(dim);
  const one = { score: 0, row: -1 };
  for (let t0 = 0; t0 < n; t0 += tile) {
    const t1 = Math.min(n, t0 + tile);
    const full = t0 + Math.floor((t1 - t0) / 4) * 4;
    let f = 0;
    for (; f + 4 <= nq; f += 4) {
      const p0 = f * dim;
      const p1 = p0 + dim;
      const p2 = p1 + dim;
      const p3 = p2 + dim;
      let b0 = bestScore[f];
      let b1 = bestScore[f + 1];
      let b2 = bestScore[f + 2];
      let b3 = bestScore[f + 3];
      let r0 = bestRow[f];
      let r1 = bestRow[f + 1];
      let r2 = bestRow[f + 2];
      let r3 = bestRow[f + 3];
      for (let r = t0; r < full; r += 4) {
        const o0 = r * dim;
        const o1 = o0 + dim;
        const o2 = o1 + dim;
        const o3 = o2 + dim;
        // s<row><face>: four rows against four faces, sixteen independent sums.
        let s00 = 0,
          s01 = 0,
          s02 = 0,
          s03 = 0;
        let s10 = 0,
          s11 = 0,
          s12 = 0,
          s13 = 0;
        let s20 = 0,
          s21 = 0,
          s22 = 0,
          s23 = 0;
        let s30 = 0,
          s31 = 0,
          s32 = 0,
          s33 = 0;
        for (let d = 0; d < dim; d++) {
          const x0 = q[p0 + d];
          const x1 = q[p1 + d];
          const x2 = q[p2 + d];
          const x3 = q[p3 + d];
          const m0 = v[o0 + d];
          const m1 = v[o1 + d];
          const m2 = v[o2 + d];
          const m3 = v[o3 + d];
          s00 += m0 * x0;
          s01 += m0 * x1;
          s02 += m0 * x2;
          s03 += m0 * x3;
          s10 += m1 * x0;
          s11 += m1 * x1;
          s12 += m1 * x2;
          s13 += m1 * x3;
          s20 += m2 * x0;
          s21 += m2 * x1;
          s22 += m2 * x2;
          s23 += m2 * x3;
          s30 += m3 * x0;
          s31 += m3 * x1;
          s32 += m3 * x2;
          s33 += m3 * x3;
        }
        // Rows in ascending order with a strict comparison: a tie keeps the lower entry.
        const e0 = exp[r] > now;
        const e1 = exp[r + 1] > now;
        const e2 = exp[r + 2] > now;
        const e3 = exp[r + 3] > now;
        if (s00 > b0 && e0) {
          b0 = s00;
          r0 = r;
        }
        if (s10 > b0 && e1) {
          b0 = s10;
          r0 = r + 1;
        }
        if (s20 > b0 && e2) {
          b0 = s20;
          r0 = r + 2;
        }
        if (s30 > b0 && e3) {
          b0 = s30;
          r0 = r + 3;
        }
        if (s01 > b1 && e0) {
          b1 = s01;
          r1 = r;
        }
        if (s11 > b1 && e1) {
          b1 = s11;
          r1 = r + 1;
        }
        if (s21 > b1 && e2) {
          b1 = s21;
          r1 = r + 2;
        }
        if (s31 > b1 && e3) {
          b1 = s31;
          r1 = r + 3;
        }
        if (s02 > b2 && e0) {
          b2 = s02;
          r2 = r;
        }
        if (s12 > b2 && e1) {
          b2 = s12;
          r2 = r + 1;
        }
        if (s22 > b2 && e2) {
          b2 = s22;
          r2 = r + 2;
        }
        if (s32 > b2 && e3) {
          b2 = s32;
          r2 = r + 3;
        }
        if (s03 > b3 && e0) {
          b3 = s03;
          r3 = r;
        }
        if (s13 > b3 && e1) {
          b3 = s13;
          r3 = r + 1;
        }
        if (s23 > b3 && e2) {
          b3 = s23;
          r3 = r + 2;
        }
        if (s33 > b3 && e3) {
          b3 = s33;
          r3 = r + 3;
        }
      }
      // The tile's last rows (fewer than four), one row and one face at a time.
      for (let r = full; r < t1; r++) {
        const o = r * dim;
        if (!(exp[r] > now)) continue;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        for (let d = 0; d < dim; d++) {
          const x = v[o + d];
          s0 += x * q[p0 + d];
          s1 += x * q[p1 + d];
          s2 += x * q[p2 + d];
          s3 += x * q[p3 + d];
        }
        if (s0 > b0) {
          b0 = s0;
          r0 = r;
        }
        if (s1 > b1) {
          b1 = s1;
          r1 = r;
        }
        if (s2 > b2) {
          b2 = s2;
          r2 = r;
        }
        if (s3 > b3) {
          b3 = s3;
          r3 = r;
        }
      }
      bestScore[f] = b0;
      bestScore[f + 1] = b1;
      bestScore[f + 2] = b2;
      bestScore[f + 3] = b3;
      bestRow[f] = r0;
      bestRow[f + 1] = r1;
      bestRow[f + 2] = r2;
      bestRow[f + 3] = r3;
    }
    // Faces left over after groups of four: the single-face scan over this tile.
    for (; f < nq; f++) {
      scanRange(v, exp, dim, t0, t1, q, f * dim, now, bestScore[f], bestRow[f], one);
      bestScore[f] = one.score;
      bestRow[f] = one.row;
    }
  }
}

/** Rows [r0, r1) of a list against one query, four rows per pass, continuing from the best so far (bs, br). */
function scanRange(
  v: Float32Array,
  exp: Float64Array,
  dim: number,
  r0: number,
  r1: number,
  q: Float64Array,
  qo: number,
  now: number,
  bs: number,
  br: number,
  best: { score: number; row: number },
): void {
  let r = r0;
  for (; r + 4 <= r1; r += 4) {
    const o0 = r * dim;
    const o1 = o0 + dim;
    const o2 = o1 + dim;
    const o3 = o2 + dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let d = 0; d < dim; d++) {
      const x = q[qo + d];
      s0 += v[o0 + d] * x;
      s1 += v[o1 + d] * x;
      s2 += v[o2 + d] * x;
      s3 += v[o3 + d] * x;
    }
    if (s0 > bs && exp[r] > now) {
      bs = s0;
      br = r;
    }
    if (s1 > bs && exp[r + 1] > now) {
      bs = s1;
      br = r + 1;
    }
    if (s2 > bs && exp[r + 2] > now) {
      bs = s2;
      br = r + 2;
    }
    if (s3 > bs && exp[r + 3] > now) {
      bs = s3;
      br = r + 3;
    }
  }
  for (; r < r1; r++) {
    const o = r * dim;
    let s = 0;
    for (let d = 0; d < dim; d++) s += v[o + d] * q[qo + d];
    if (s > bs && exp[r] > now) {
      bs = s;
      br = r;
    }
  }
  best.score = bs;
  best.row = br;
}
