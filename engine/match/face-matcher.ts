// Face watchlist matching: cosine similarity of L2-normalised embeddings against each list's
// entries, the top live entry per list at or above the list's threshold. Pure logic, no I/O.
//
// Two kernels compute the scores. `wasm-simd` (the default) is a small WebAssembly module, made
// here byte by byte, that multiplies four floats at once and meets four rows with two faces per
// pass; `js` is plain JavaScript, used when WebAssembly SIMD is missing. Within a kernel, a
// row's score for a face is the same sum in the same order whichever path computes it, so
// `match` and `matchMany` agree to the last bit and a tie goes to the lower entry. The kernels
// differ from each other only in rounding (float32 sums in lanes vs float64 sums): ~1e-7.

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

export type FaceKernel = 'wasm-simd' | 'js';

export interface FaceMatcherOptions {
  /** `auto` (default): wasm-simd where this runtime validates the module, else js. */
  kernel?: FaceKernel | 'auto';
}

/** One list, as both kernels see it; the vectors themselves live in the kernel. */
interface ListMeta {
  readonly list: number;
  readonly dim: number;
  /** The largest double below the threshold, so `score > floor` means `score >= threshold`. */
  readonly floor: number;
  readonly rows: number;
  readonly expiresAt: Float64Array;
  /** Entry index of each row, ascending. */
  readonly entries: Int32Array;
}

/** Computes, per face, the best live row of one list at or above its threshold (row -1: none). */
interface Scorer {
  readonly kernel: FaceKernel;
  readonly byteSize: number;
  scan(list: number, faces: readonly Float32Array[], now: number, bestScore: Float64Array, bestRow: Int32Array): void;
}

/** Rows per tile: a tile (~256 KiB) stays in cache while every face of a batch passes over it. */
const TILE_BYTES = 256 * 1024;

function tileRows(dimOrStride: number): number {
  return Math.max(4, Math.floor(TILE_BYTES / (dimOrStride * 4 * 4)) * 4);
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

// ---------------------------------------------------------------------------------------------
// The js kernel: float64 sums of float32 products, one dimension after another.

interface JsList extends ListMeta {
  readonly vectors: Float32Array;
}

class JsScorer implements Scorer {
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

// ---------------------------------------------------------------------------------------------
// The wasm-simd kernel: rows padded to a multiple of four floats, stored in the module's memory;
// per (row, face) four float32 lanes summed over the dimensions, then (l0 + l1) + (l2 + l3).

/** (rows, nRows, q, nq, strideBytes, out, outStride): out[f * outStride + r] = row r · face f, as float32. */
type SimdKernel = (rows: number, nRows: number, q: number, nq: number, strideBytes: number, out: number, outStride: number) => void;

interface SimdList extends ListMeta {
  /** Byte offset of row 0 in the module's memory. */
  readonly offset: number;
  /** Floats per row: dim rounded up to a multiple of four, the padding zero. */
  readonly stride: number;
}

const PAGE = 65536;

class SimdScorer implements Scorer {
  readonly kernel = 'wasm-simd';
  readonly byteSize: number;
  readonly #lists: SimdList[];
  readonly #memory: WebAssembly.Memory;
  /** Start of the scratch space (queries, then a tile of scores) after the lists. */
  readonly #scratch: number;
  #f32: Float32Array;
  readonly #k42: SimdKernel;
  readonly #k41: SimdKernel;
  readonly #k11: SimdKernel;

  constructor(module: WebAssembly.Module, metas: readonly ListMeta[], units: readonly Float32Array[][]) {
    let offset = 0;
    this.#lists = metas.map((m) => {
      const l = { ...m, offset, stride: (m.dim + 3) & ~3 };
      offset += m.rows * l.stride * 4;
      return l;
    });
    this.byteSize = offset;
    this.#scratch = offset;
    this.#memory = new WebAssembly.Memory({ initial: Math.ceil((offset + PAGE) / PAGE) });
    const exports = new WebAssembly.Instance(module, { env: { mem: this.#memory } }).exports;
    this.#k42 = exports.k42 as SimdKernel;
    this.#k41 = exports.k41 as SimdKernel;
    this.#k11 = exports.k11 as SimdKernel;
    this.#f32 = new Float32Array(this.#memory.buffer);
    this.#lists.forEach((l, i) => units[i].forEach((u, row) => this.#f32.set(u, l.offset / 4 + row * l.stride)));
  }

  scan(list: number, faces: readonly Float32Array[], now: number, bestScore: Float64Array, bestRow: Int32Array): void {
    const m = this.#lists[list];
    const nq = faces.length;
    bestScore.fill(m.floor, 0, nq);
    bestRow.fill(-1, 0, nq);
    if (m.rows === 0 || nq === 0) return;
    const strideBytes = m.stride * 4;
    const tile = tileRows(m.stride);
    const q = this.#scratch;
    const out = q + nq * strideBytes;
    const f32 = this.#reserve(out + nq * tile * 4);
    faces.forEach((u, f) => {
      const base = q / 4 + f * m.stride;
      f32.set(u, base);
      f32.fill(0, base + m.dim, base + m.stride); // padding, zero like the rows'
    });
    const exp = m.expiresAt;
    const pairs = nq & ~1;
    for (let t0 = 0; t0 < m.rows; t0 += tile) {
      const rows = Math.min(tile, m.rows - t0);
      const fours = rows & ~3;
      const at = m.offset + t0 * strideBytes;
      if (fours > 0) {
        if (pairs > 0) this.#k42(at, fours, q, pairs, strideBytes, out, tile);
        if (nq > pairs) this.#k41(at, fours, q + pairs * strideBytes, 1, strideBytes, out + pairs * tile * 4, tile);
      }
      if (rows > fours) this.#k11(at + fours * strideBytes, rows - fours, q, nq, strideBytes, out + fours * 4, tile);
      // Rows in ascending order with a strict comparison: a tie keeps the lower entry.
      for (let f = 0; f < nq; f++) {
        const o = out / 4 + f * tile;
        let bs = bestScore[f];
        let br = bestRow[f];
        for (let r = 0; r < rows; r++) {
          const s = f32[o + r];
          if (s > bs && exp[t0 + r] > now) {
            bs = s;
            br = t0 + r;
          }
        }
        bestScore[f] = bs;
        bestRow[f] = br;
      }
    }
  }

  /** The memory as float32, grown first if it is shorter than `bytes`. */
  #reserve(bytes: number): Float32Array {
    const have = this.#memory.buffer.byteLength;
    if (bytes > have) {
      this.#memory.grow(Math.ceil((bytes - have) / PAGE));
      this.#f32 = new Float32Array(this.#memory.buffer);
    }
    return this.#f32;
  }
}

let simdCompiled: WebAssembly.Module | null | undefined;

/** The kernels' module, compiled once; null where WebAssembly or its SIMD is missing. */
function simdModule(): WebAssembly.Module | null {
  if (simdCompiled === undefined) {
    const bytes = simdModuleBytes();
    simdCompiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return simdCompiled;
}

// WebAssembly encoding, just what the kernels use.
const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
/** i32.const for 0 <= n < 2^31 (signed LEB128: a last byte with bit 6 set would read as negative). */
const i32 = (n: number): number[] => {
  const out = [0x41];
  for (;;) {
    const b = n & 0x7f;
    n >>>= 7;
    if (n === 0 && (b & 0x40) === 0) return [...out, b];
    out.push(b | 0x80);
  }
};
const get = (i: number): number[] => [0x20, i];
const set = (i: number): number[] => [0x21, i];
const tee = (i: number): number[] => [0x22, i];
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
const I32_ADD = [0x6a];
const I32_MUL = [0x6c];
const I32_SHL = [0x74];
const I32_LT_U = [0x49];
const F32_ADD = [0x92];
const F32_STORE = [0x38, 2, 0];
const V128_LOAD = simd(0, 4, 0);
const V128_ZERO = simd(12, ...new Array<number>(16).fill(0));
const F32X4_ADD = simd(228);
const F32X4_MUL = simd(230);
const lane = (l: number): number[] => simd(31, l); // f32x4.extract_lane
const loopWhileLess = (counter: number, step: number, limit: number, body: number[]): number[] => [
  0x03, 0x40, ...body, ...get(counter), ...i32(step), ...I32_ADD, ...tee(counter), ...get(limit), ...I32_LT_U, 0x0d, 0, 0x0b,
];

/** Body of a kernel meeting R rows with F faces per pass. */
function kernelBody(R: number, F: number): number[] {
  // Parameters 0..6: rows, nRows, q, nq, strideBytes, out, outStride.
  let next = 7;
  const f = next++;
  const r = next++;
  const d = next++;
  const pr = Array.from({ length: R }, () => next++);
  const pq = Array.from({ length: F }, () => next++);
  const i32Locals = next - 7;
  const acc = Array.from({ length: R * F }, () => next++);
  const m = next++;
  const x = Array.from({ length: F }, () => next++);
  const v128Locals = next - 7 - i32Locals;

  const plus = (base: number, index: number, k: number, scale: number): number[] => [
    ...get(base), ...get(index), ...(k > 0 ? [...i32(k), ...I32_ADD] : []), ...get(scale), ...I32_MUL, ...I32_ADD,
  ];
  const dims: number[] = [];
  for (let j = 0; j < F; j++) dims.push(...get(pq[j]), ...get(d), ...I32_ADD, ...V128_LOAD, ...set(x[j]));
  for (let k = 0; k < R; k++) {
    dims.push(...get(pr[k]), ...get(d), ...I32_ADD, ...V128_LOAD, ...set(m));
    for (let j = 0; j < F; j++) dims.push(...get(acc[k * F + j]), ...get(m), ...get(x[j]), ...F32X4_MUL, ...F32X4_ADD, ...set(acc[k * F + j]));
  }
  const rowsPass: number[] = [];
  for (let k = 0; k < R; k++) rowsPass.push(...plus(0, r, k, 4), ...set(pr[k]));
  for (const a of acc) rowsPass.push(...V128_ZERO, ...set(a));
  rowsPass.push(...i32(0), ...set(d), ...loopWhileLess(d, 16, 4, dims));
  for (let k = 0; k < R; k++) {
    for (let j = 0; j < F; j++) {
      const a = acc[k * F + j];
      // out + ((f + j) * outStride + r + k) * 4
      rowsPass.push(...get(5), ...get(f), ...(j > 0 ? [...i32(j), ...I32_ADD] : []), ...get(6), ...I32_MUL, ...get(r), ...I32_ADD);
      rowsPass.push(...(k > 0 ? [...i32(k), ...I32_ADD] : []), ...i32(2), ...I32_SHL, ...I32_ADD);
      rowsPass.push(...get(a), ...lane(0), ...get(a), ...lane(1), ...F32_ADD, ...get(a), ...lane(2), ...get(a), ...lane(3), ...F32_ADD, ...F32_ADD, ...F32_STORE);
    }
  }
  const facesPass: number[] = [];
  for (let j = 0; j < F; j++) facesPass.push(...plus(2, f, j, 4), ...set(pq[j]));
  facesPass.push(...i32(0), ...set(r), ...loopWhileLess(r, R, 1, rowsPass));
  const code = [2, ...uleb(i32Locals), 0x7f, ...uleb(v128Locals), 0x7b, ...i32(0), ...set(f), ...loopWhileLess(f, F, 3, facesPass), 0x0b];
  return [...uleb(code.length), ...code];
}

function simdModuleBytes(): Uint8Array<ArrayBuffer> {
  const shapes: [string, number, number][] = [['k42', 4, 2], ['k41', 4, 1], ['k11', 1, 1]];
  const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
  const name = (s: string): number[] => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  const exports = shapes.flatMap(([n], i) => [...name(n), 0, i]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 7, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]), // (i32 × 7) -> ()
    ...section(2, [1, ...name('env'), ...name('mem'), 0x02, 0x00, 0x01]), // memory, at least one page
    ...section(3, [shapes.length, ...shapes.map(() => 0)]),
    ...section(7, [shapes.length, ...exports]),
    ...section(10, [shapes.length, ...shapes.flatMap(([, R, F]) => kernelBody(R, F))]),
  ]);
}
