// Face watchlist matching: cosine similarity of L2-normalised embeddings against each list's
// entries, the top live entry per list at or above the list's threshold. Pure logic, no I/O.
//
// Every score is the same sum in the same order whichever path computes it: the products of
// float32 components, exact in float64, added one dimension after another in a float64. So
// `match`, `matchMany` and a plain loop agree to the last bit, and ties go to the lower entry.

export interface FaceListSpec {
  dim: number;
  threshold: number /* cosine, -1..1 */;
}

export interface FaceEntrySpec {
  list: number /* index into lists */;
  embedding: Float32Array /* any scale; normalised here */;
  expiresAt: number /* ms or Infinity */;
}

export interface FaceMatch {
  list: number;
  entry: number /* index into entries */;
  score: number /* cosine similarity */;
}

/** One list's entries as a contiguous rows × dim matrix of unit vectors. */
interface ListMatrix {
  readonly list: number;
  /** The largest double below the threshold, so `score > floor` means `score >= threshold`. */
  readonly floor: number;
  readonly rows: number;
  readonly vectors: Float32Array;
  readonly expiresAt: Float64Array;
  /** Entry index of each row, ascending. */
  readonly entries: Int32Array;
}

/** Rows per tile in matchMany: a tile (~256 KiB) stays in cache while every face of the batch passes over it. */
const TILE_BYTES = 256 * 1024;

/** A unit-length copy of v in float32, or null for a zero, empty or non-finite vector. */
export function l2normalise(v: Float32Array): Float32Array | null {
  let ss = 0;
  for (let i = 0; i < v.length; i++) ss += v[i] * v[i];
  if (!(ss > 0) || !Number.isFinite(ss)) return null;
  const inv = 1 / Math.sqrt(ss);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * inv;
  return out;
}

export class FaceMatcher {
  readonly #byDim: ReadonlyMap<number, readonly ListMatrix[]>;
  readonly #size: number;
  readonly #byteSize: number;
  /** Scratch for match(): the normalised query in float64, one per dimension. */
  readonly #query = new Map<number, Float64Array>();
  readonly #best = { score: 0, row: -1 };

  private constructor(byDim: Map<number, ListMatrix[]>, size: number) {
    this.#byDim = byDim;
    this.#size = size;
    let bytes = 0;
    for (const lists of byDim.values()) {
      for (const m of lists) bytes += m.vectors.byteLength + m.expiresAt.byteLength + m.entries.byteLength;
    }
    this.#byteSize = bytes;
  }

  /** Compiles lists and entries; throws naming the list or entry that is malformed. */
  static build(lists: readonly FaceListSpec[], entries: readonly FaceEntrySpec[]): FaceMatcher {
    lists.forEach((l, i) => {
      if (!Number.isInteger(l.dim) || l.dim < 1) throw new Error(`face list ${i}: dim must be a positive integer, got ${l.dim}`);
      if (!(l.threshold >= -1 && l.threshold <= 1)) throw new Error(`face list ${i}: threshold must be within -1..1, got ${l.threshold}`);
    });
    const rowsOf = lists.map(() => [] as number[]);
    entries.forEach((e, i) => {
      const list = lists[e.list];
      if (!Number.isInteger(e.list) || list === undefined) throw new Error(`face entry ${i}: no list ${e.list}`);
      if (e.embedding.length !== list.dim) {
        throw new Error(`face entry ${i}: embedding has ${e.embedding.length} values, list ${e.list} expects ${list.dim}`);
      }
      if (typeof e.expiresAt !== 'number' || Number.isNaN(e.expiresAt)) throw new Error(`face entry ${i}: expiresAt is not a number`);
      rowsOf[e.list].push(i);
    });

    const byDim = new Map<number, ListMatrix[]>();
    lists.forEach((l, li) => {
      const ids = rowsOf[li];
      const vectors = new Float32Array(ids.length * l.dim);
      const expiresAt = new Float64Array(ids.length);
      ids.forEach((entry, row) => {
        const unit = l2normalise(entries[entry].embedding);
        if (unit === null) throw new Error(`face entry ${entry}: embedding is zero or not finite`);
        vectors.set(unit, row * l.dim);
        expiresAt[row] = entries[entry].expiresAt;
      });
      const m: ListMatrix = { list: li, floor: nextDown(l.threshold), rows: ids.length, vectors, expiresAt, entries: Int32Array.from(ids) };
      const group = byDim.get(l.dim);
      if (group) group.push(m);
      else byDim.set(l.dim, [m]);
    });
    return new FaceMatcher(byDim, entries.length);
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** Bytes held in typed arrays (embeddings, expiry times, entry indices). */
  get byteSize(): number {
    return this.#byteSize;
  }

  /**
   * Top live match per list whose score >= the list's threshold; only lists whose dim equals
   * embedding.length are searched. Writes into out from index 0 (and trims it), returns count.
   */
  match(embedding: Float32Array, nowMs: number, out: FaceMatch[]): number {
    let count = 0;
    const lists = this.#byDim.get(embedding.length);
    const dim = embedding.length;
    let q = this.#query.get(dim);
    if (q === undefined) this.#query.set(dim, (q = new Float64Array(dim)));
    if (lists !== undefined && normaliseInto(embedding, q, 0)) {
      const best = this.#best;
      for (const m of lists) {
        scanRange(m.vectors, m.expiresAt, dim, 0, m.rows, q, 0, nowMs, m.floor, -1, best);
        if (best.row >= 0) out[count++] = { list: m.list, entry: m.entries[best.row], score: best.score };
      }
    }
    out.length = count;
    return count;
  }

  /**
   * Same as match for many faces at once; results per face, in order. Each tile of a list's rows
   * is loaded once for the whole batch, and four rows meet four faces per pass of the inner loop.
   */
  matchMany(embeddings: readonly Float32Array[], nowMs: number): FaceMatch[][] {
    const results: FaceMatch[][] = embeddings.map(() => []);
    const facesByDim = new Map<number, number[]>();
    embeddings.forEach((e, i) => {
      if (!this.#byDim.has(e.length)) return;
      const group = facesByDim.get(e.length);
      if (group) group.push(i);
      else facesByDim.set(e.length, [i]);
    });
    for (const [dim, faces] of facesByDim) {
      const q = new Float64Array(faces.length * dim);
      const live: number[] = [];
      for (const f of faces) if (normaliseInto(embeddings[f], q, live.length * dim)) live.push(f);
      const nq = live.length;
      if (nq === 0) continue;
      const bestScore = new Float64Array(nq);
      const bestRow = new Int32Array(nq);
      for (const m of this.#byDim.get(dim)!) {
        scanMany(m, dim, q, nq, nowMs, bestScore, bestRow);
        for (let k = 0; k < nq; k++) {
          if (bestRow[k] >= 0) results[live[k]].push({ list: m.list, entry: m.entries[bestRow[k]], score: bestScore[k] });
        }
      }
    }
    return results;
  }
}

/** Unit-length v written into q at offset as float64 (via float32, so every path scores alike); false if v cannot be normalised. */
function normaliseInto(v: Float32Array, q: Float64Array, offset: number): boolean {
  const unit = l2normalise(v);
  if (unit === null) return false;
  for (let d = 0; d < unit.length; d++) q[offset + d] = unit[d];
  return true;
}

const bits = new Float64Array(1);
const bitsInt = new BigInt64Array(bits.buffer);

/** The largest double below x (x finite). */
function nextDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  bits[0] = x;
  bitsInt[0] += x > 0 ? -1n : 1n;
  return bits[0];
}

/** Best live row of m for each of nq queries packed in q, in tiles of rows shared by the batch. */
function scanMany(m: ListMatrix, dim: number, q: Float64Array, nq: number, now: number, bestScore: Float64Array, bestRow: Int32Array): void {
  const v = m.vectors;
  const exp = m.expiresAt;
  const n = m.rows;
  bestScore.fill(m.floor);
  bestRow.fill(-1);
  const tile = Math.max(4, Math.floor(TILE_BYTES / (dim * 4 * 4)) * 4);
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
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
        let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        let s20 = 0, s21 = 0, s22 = 0, s23 = 0;
        let s30 = 0, s31 = 0, s32 = 0, s33 = 0;
        for (let d = 0; d < dim; d++) {
          const x0 = q[p0 + d];
          const x1 = q[p1 + d];
          const x2 = q[p2 + d];
          const x3 = q[p3 + d];
          const m0 = v[o0 + d];
          const m1 = v[o1 + d];
          const m2 = v[o2 + d];
          const m3 = v[o3 + d];
          s00 += m0 * x0; s01 += m0 * x1; s02 += m0 * x2; s03 += m0 * x3;
          s10 += m1 * x0; s11 += m1 * x1; s12 += m1 * x2; s13 += m1 * x3;
          s20 += m2 * x0; s21 += m2 * x1; s22 += m2 * x2; s23 += m2 * x3;
          s30 += m3 * x0; s31 += m3 * x1; s32 += m3 * x2; s33 += m3 * x3;
        }
        // Rows in ascending order with a strict comparison: a tie keeps the lower entry.
        const e0 = exp[r] > now;
        const e1 = exp[r + 1] > now;
        const e2 = exp[r + 2] > now;
        const e3 = exp[r + 3] > now;
        if (s00 > b0 && e0) { b0 = s00; r0 = r; }
        if (s10 > b0 && e1) { b0 = s10; r0 = r + 1; }
        if (s20 > b0 && e2) { b0 = s20; r0 = r + 2; }
        if (s30 > b0 && e3) { b0 = s30; r0 = r + 3; }
        if (s01 > b1 && e0) { b1 = s01; r1 = r; }
        if (s11 > b1 && e1) { b1 = s11; r1 = r + 1; }
        if (s21 > b1 && e2) { b1 = s21; r1 = r + 2; }
        if (s31 > b1 && e3) { b1 = s31; r1 = r + 3; }
        if (s02 > b2 && e0) { b2 = s02; r2 = r; }
        if (s12 > b2 && e1) { b2 = s12; r2 = r + 1; }
        if (s22 > b2 && e2) { b2 = s22; r2 = r + 2; }
        if (s32 > b2 && e3) { b2 = s32; r2 = r + 3; }
        if (s03 > b3 && e0) { b3 = s03; r3 = r; }
        if (s13 > b3 && e1) { b3 = s13; r3 = r + 1; }
        if (s23 > b3 && e2) { b3 = s23; r3 = r + 2; }
        if (s33 > b3 && e3) { b3 = s33; r3 = r + 3; }
      }
      // The tile's last rows (fewer than four), one row and one face at a time.
      for (let r = full; r < t1; r++) {
        const o = r * dim;
        if (!(exp[r] > now)) continue;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let d = 0; d < dim; d++) {
          const x = v[o + d];
          s0 += x * q[p0 + d];
          s1 += x * q[p1 + d];
          s2 += x * q[p2 + d];
          s3 += x * q[p3 + d];
        }
        if (s0 > b0) { b0 = s0; r0 = r; }
        if (s1 > b1) { b1 = s1; r1 = r; }
        if (s2 > b2) { b2 = s2; r2 = r; }
        if (s3 > b3) { b3 = s3; r3 = r; }
      }
      bestScore[f] = b0; bestScore[f + 1] = b1; bestScore[f + 2] = b2; bestScore[f + 3] = b3;
      bestRow[f] = r0; bestRow[f + 1] = r1; bestRow[f + 2] = r2; bestRow[f + 3] = r3;
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
  v: Float32Array, exp: Float64Array, dim: number, r0: number, r1: number,
  q: Float64Array, qo: number, now: number, bs: number, br: number, best: { score: number; row: number },
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
    if (s0 > bs && exp[r] > now) { bs = s0; br = r; }
    if (s1 > bs && exp[r + 1] > now) { bs = s1; br = r + 1; }
    if (s2 > bs && exp[r + 2] > now) { bs = s2; br = r + 2; }
    if (s3 > bs && exp[r + 3] > now) { bs = s3; br = r + 3; }
  }
  for (; r < r1; r++) {
    const o = r * dim;
    let s = 0;
    for (let d = 0; d < dim; d++) s += v[o + d] * q[qo + d];
    if (s > bs && exp[r] > now) { bs = s; br = r; }
  }
  best.score = bs;
  best.row = br;
}
