// The wasm-simd face-scoring kernel: a small WebAssembly module, made here byte by byte.
// The kernel: rows padded to a multiple of four floats, stored in the module's memory;
// per (row, face) four float32 lanes summed over the dimensions, then (l0 + l1) + (l2 + l3).

import { tileRows, type ListMeta, type Scorer } from './face-scorer.js';

/** (rows, nRows, q, nq, strideBytes, out, outStride): out[f * outStride + r] = row r · face f, as float32. */
type SimdKernel = (rows: number, nRows: number, q: number, nq: number, strideBytes: number, out: number, outStride: number) => void;

interface SimdList extends ListMeta {
  /** Byte offset of row 0 in the module's memory. */
  readonly offset: number;
  /** Floats per row: dim rounded up to a multiple of four, the padding zero. */
  readonly stride: number;
}

const PAGE = 65536;

export class SimdScorer implements Scorer {
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
export function simdModule(): WebAssembly.Module | null {
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
  0x03,
  0x40,
  ...body,
  ...get(counter),
  ...i32(step),
  ...I32_ADD,
  ...tee(counter),
  ...get(limit),
  ...I32_LT_U,
  0x0d,
  0,
  0x0b,
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
    ...get(base),
    ...get(index),
    ...(k > 0 ? [...i32(k), ...I32_ADD] : []),
    ...get(scale),
    ...I32_MUL,
    ...I32_ADD,
  ];
  const dims: number[] = [];
  for (let j = 0; j < F; j++) dims.push(...get(pq[j]), ...get(d), ...I32_ADD, ...V128_LOAD, ...set(x[j]));
  for (let k = 0; k < R; k++) {
    dims.push(...get(pr[k]), ...get(d), ...I32_ADD, ...V128_LOAD, ...set(m));
    for (let j = 0; j < F; j++)
      dims.push(...get(acc[k * F + j]), ...get(m), ...get(x[j]), ...F32X4_MUL, ...F32X4_ADD, ...set(acc[k * F + j]));
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
      rowsPass.push(
        ...get(a),
        ...lane(0),
        ...get(a),
        ...lane(1),
        ...F32_ADD,
        ...get(a),
        ...lane(2),
        ...get(a),
        ...lane(3),
        ...F32_ADD,
        ...F32_ADD,
        ...F32_STORE,
      );
    }
  }
  const facesPass: number[] = [];
  for (let j = 0; j < F; j++) facesPass.push(...plus(2, f, j, 4), ...set(pq[j]));
  facesPass.push(...i32(0), ...set(r), ...loopWhileLess(r, R, 1, rowsPass));
  const code = [2, ...uleb(i32Locals), 0x7f, ...uleb(v128Locals), 0x7b, ...i32(0), ...set(f), ...loopWhileLess(f, F, 3, facesPass), 0x0b];
  return [...uleb(code.length), ...code];
}

/** The module's bytes (engine/match/face-simd.wat is the same module as text; a test keeps them equal). */
export function simdModuleBytes(): Uint8Array<ArrayBuffer> {
  const shapes: [string, number, number][] = [
    ['k42', 4, 2],
    ['k41', 4, 1],
    ['k11', 1, 1],
  ];
  const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
  const name = (s: string): number[] => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  const exports = shapes.flatMap(([n], i) => [...name(n), 0, i]);
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 7, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]), // (i32 × 7) -> ()
    ...section(2, [1, ...name('env'), ...name('mem'), 0x02, 0x00, 0x01]), // memory, at least one page
    ...section(3, [shapes.length, ...shapes.map(() => 0)]),
    ...section(7, [shapes.length, ...exports]),
    ...section(10, [shapes.length, ...shapes.flatMap(([, R, F]) => kernelBody(R, F))]),
  ]);
}
