// engine/match/face-simd.wat is the readable source of the wasm-simd face kernels that
// engine/match/face-simd.ts assembles byte by byte. Assembled with wabt it must give exactly
// the bytes face-simd.ts emits, so the two cannot drift apart; and the kernels it describes
// must compute the dot products the way its comments say.

import { readFileSync } from 'node:fs';
import createWabt from 'wabt';
import { describe, expect, it } from 'vitest';
import { simdModuleBytes } from '../../engine/match/face-simd.js';

const WAT = new URL('../../engine/match/face-simd.wat', import.meta.url);

/** (rows, nRows, q, nq, strideBytes, out, outStride) -> (), as in face-simd.ts. */
type Kernel = (rows: number, nRows: number, q: number, nq: number, strideBytes: number, out: number, outStride: number) => void;

/** The .wat assembled by wabt with SIMD on, no name section (face-simd.ts writes none), minimal LEB128s. */
async function assembleWat(): Promise<Uint8Array<ArrayBuffer>> {
  const wabt = await createWabt();
  const module = wabt.parseWat('face-simd.wat', readFileSync(WAT, 'utf8'), { simd: true });
  try {
    module.validate();
    // A copy: the bytes as a plain ArrayBuffer-backed array, for WebAssembly.Module.
    return new Uint8Array(module.toBinary({ canonicalize_lebs: true, write_debug_names: false }).buffer);
  } finally {
    module.destroy();
  }
}

/** Offset of the first byte where a and b differ (the shorter's length if one is a prefix), or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

const hex = (bytes: Uint8Array, at: number): string =>
  Array.from(bytes.subarray(Math.max(0, at - 8), at + 8), (b) => b.toString(16).padStart(2, '0')).join(' ');

/** A row · face score computed as the kernels' comments say: four float32 lanes, then (l0 + l1) + (l2 + l3). */
function laneDot(a: Float32Array, b: Float32Array): number {
  const f = Math.fround;
  const lanes = [0, 0, 0, 0];
  for (let d = 0; d < a.length; d += 4) {
    for (let i = 0; i < 4; i++) lanes[i] = f(lanes[i] + f(a[d + i] * b[d + i]));
  }
  return f(f(lanes[0] + lanes[1]) + f(lanes[2] + lanes[3]));
}

describe('face-simd.wat', () => {
  it('assembles to exactly the bytes face-simd.ts emits', async () => {
    const fromWat = await assembleWat();
    const fromTs = simdModuleBytes();
    const at = firstDifference(fromWat, fromTs);
    expect(
      at,
      at < 0
        ? ''
        : `first difference at byte ${at} of ${fromWat.length} (.wat) / ${fromTs.length} (.ts):\n  .wat ${hex(fromWat, at)}\n  .ts  ${hex(fromTs, at)}`,
    ).toBe(-1);
  });

  it('computes blocked float32 dot products, as SimdScorer calls them', async () => {
    const module = new WebAssembly.Module(await assembleWat());
    const mem = new WebAssembly.Memory({ initial: 1 });
    const exports = new WebAssembly.Instance(module, { env: { mem } }).exports;
    const [k42, k41, k11] = ['k42', 'k41', 'k11'].map((k) => exports[k] as Kernel);

    // Five rows and three faces of dim 6, padded with zeros to a stride of 8 floats.
    const dim = 6,
      stride = 8,
      strideBytes = stride * 4,
      nRows = 5,
      nq = 3;
    let seed = 12345;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    const padded = (): Float32Array => {
      const v = new Float32Array(stride);
      for (let i = 0; i < dim; i++) v[i] = next();
      return v;
    };
    const rows = Array.from({ length: nRows }, padded);
    const faces = Array.from({ length: nq }, padded);

    const f32 = new Float32Array(mem.buffer);
    const at = { rows: 0, q: nRows * strideBytes, out: (nRows + nq) * strideBytes };
    rows.forEach((v, r) => f32.set(v, at.rows / 4 + r * stride));
    faces.forEach((v, f) => f32.set(v, at.q / 4 + f * stride));
    f32.fill(NaN, at.out / 4, at.out / 4 + nq * nRows); // every score must be written

    // As SimdScorer.scan splits a tile: rows in fours with faces in pairs (k42), the odd face
    // (k41), then the row left over with every face (k11). outStride: the tile's row count.
    k42(at.rows, 4, at.q, 2, strideBytes, at.out, nRows);
    k41(at.rows, 4, at.q + 2 * strideBytes, 1, strideBytes, at.out + 2 * nRows * 4, nRows);
    k11(at.rows + 4 * strideBytes, 1, at.q, nq, strideBytes, at.out + 4 * 4, nRows);

    for (let f = 0; f < nq; f++) {
      for (let r = 0; r < nRows; r++) {
        const score = f32[at.out / 4 + f * nRows + r];
        // Exactly the lane-wise float32 sum, whichever kernel computed it ...
        expect(score, `row ${r}, face ${f}`).toBe(laneDot(rows[r], faces[f]));
        // ... and, within float32 rounding, the dot product.
        let plain = 0;
        for (let i = 0; i < dim; i++) plain += rows[r][i] * faces[f][i];
        expect(score).toBeCloseTo(plain, 5);
      }
    }
  });
});
