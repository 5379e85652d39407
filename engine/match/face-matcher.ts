// Face watchlist matching: cosine similarity of L2-normalised embeddings against each list's
// entries, the top live entry per list at or above the list's threshold. Pure logic, no I/O.
//
// Two kernels compute the scores. `wasm-simd` (the default) is a small WebAssembly module, made
// here byte by byte, that multiplies four floats at once and meets four rows with two faces per
// pass; `js` is plain JavaScript, used when WebAssembly SIMD is missing. Within a kernel, a
// row's score for a face is the same sum in the same order whichever path computes it, so
// `match` and `matchMany` agree to the last bit and a tie goes to the lower entry. The kernels
// differ from each other only in rounding (float32 sums in lanes vs float64 sums): ~1e-7.

import { JsScorer } from './face-js.js';
import type { FaceKernel, ListMeta, Scorer } from './face-scorer.js';
import { SimdScorer, simdModule } from './face-simd.js';

export type { FaceKernel };

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

export interface FaceMatcherOptions {
  /** `auto` (default): wasm-simd where this runtime validates the module, else js. */
  kernel?: FaceKernel | 'auto';
}

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
  readonly #lists: readonly ListMeta[];
  /** Indices into #lists by dim, in list order. */
  readonly #byDim: ReadonlyMap<number, readonly number[]>;
  readonly #scorer: Scorer;
  readonly #size: number;
  readonly #one = { score: new Float64Array(1), row: new Int32Array(1) };

  private constructor(lists: ListMeta[], scorer: Scorer, size: number) {
    this.#lists = lists;
    this.#scorer = scorer;
    this.#size = size;
    const byDim = new Map<number, number[]>();
    lists.forEach((l, i) => {
      const group = byDim.get(l.dim);
      if (group) group.push(i);
      else byDim.set(l.dim, [i]);
    });
    this.#byDim = byDim;
  }

  /** Compiles lists and entries; throws naming the list or entry that is malformed. */
  static build(lists: readonly FaceListSpec[], entries: readonly FaceEntrySpec[], options: FaceMatcherOptions = {}): FaceMatcher {
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

    const metas: ListMeta[] = [];
    const units: Float32Array[][] = [];
    lists.forEach((l, li) => {
      const ids = rowsOf[li];
      const expiresAt = new Float64Array(ids.length);
      units.push(
        ids.map((entry, row) => {
          const unit = l2normalise(entries[entry].embedding);
          if (unit === null) throw new Error(`face entry ${entry}: embedding is zero or not finite`);
          expiresAt[row] = entries[entry].expiresAt;
          return unit;
        }),
      );
      metas.push({ list: li, dim: l.dim, floor: nextDown(l.threshold), rows: ids.length, expiresAt, entries: Int32Array.from(ids) });
    });

    const wanted = options.kernel ?? 'auto';
    let scorer: Scorer;
    if (wanted === 'js') scorer = new JsScorer(metas, units);
    else {
      const module = simdModule();
      if (module !== null) scorer = new SimdScorer(module, metas, units);
      else if (wanted === 'auto') scorer = new JsScorer(metas, units);
      else throw new Error('face matcher: this runtime has no WebAssembly SIMD');
    }
    return new FaceMatcher(metas, scorer, entries.length);
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** Bytes held: the embeddings (in the kernel's layout), expiry times and entry indices. */
  get byteSize(): number {
    let bytes = this.#scorer.byteSize;
    for (const l of this.#lists) bytes += l.expiresAt.byteLength + l.entries.byteLength;
    return bytes;
  }

  /** Which kernel computes the scores. */
  get kernel(): FaceKernel {
    return this.#scorer.kernel;
  }

  /**
   * Top live match per list whose score >= the list's threshold; only lists whose dim equals
   * embedding.length are searched. Writes into out from index 0 (and trims it), returns count.
   */
  match(embedding: Float32Array, nowMs: number, out: FaceMatch[]): number {
    let count = 0;
    const group = this.#byDim.get(embedding.length);
    const unit = group === undefined ? null : l2normalise(embedding);
    if (group !== undefined && unit !== null) {
      const { score, row } = this.#one;
      const faces = [unit];
      for (const li of group) {
        this.#scorer.scan(li, faces, nowMs, score, row);
        if (row[0] >= 0) out[count++] = { list: li, entry: this.#lists[li].entries[row[0]], score: clampCosine(score[0]) };
      }
    }
    out.length = count;
    return count;
  }

  /**
   * Same as match for many faces at once; results per face, in order. Each tile of a list's rows
   * is loaded once for the whole batch, and several rows meet several faces per pass.
   */
  matchMany(embeddings: readonly Float32Array[], nowMs: number): FaceMatch[][] {
    const results: FaceMatch[][] = embeddings.map(() => []);
    const facesByDim = new Map<number, { index: number[]; unit: Float32Array[] }>();
    embeddings.forEach((e, i) => {
      if (!this.#byDim.has(e.length)) return;
      const unit = l2normalise(e);
      if (unit === null) return;
      let group = facesByDim.get(e.length);
      if (group === undefined) facesByDim.set(e.length, (group = { index: [], unit: [] }));
      group.index.push(i);
      group.unit.push(unit);
    });
    for (const [dim, faces] of facesByDim) {
      const nq = faces.unit.length;
      const bestScore = new Float64Array(nq);
      const bestRow = new Int32Array(nq);
      for (const li of this.#byDim.get(dim)!) {
        this.#scorer.scan(li, faces.unit, nowMs, bestScore, bestRow);
        const entries = this.#lists[li].entries;
        for (let k = 0; k < nq; k++) {
          if (bestRow[k] >= 0) results[faces.index[k]].push({ list: li, entry: entries[bestRow[k]], score: clampCosine(bestScore[k]) });
        }
      }
    }
    return results;
  }
}

/** Rounding can carry a face's score against its own image just past 1. */
function clampCosine(s: number): number {
  return s > 1 ? 1 : s < -1 ? -1 : s;
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
