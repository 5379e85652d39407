// What both face-scoring kernels share: a list as they see it, the scorer interface, the tile size.

export type FaceKernel = 'wasm-simd' | 'js';

/** One list, as both kernels see it; the vectors themselves live in the kernel. */
export interface ListMeta {
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
export interface Scorer {
  readonly kernel: FaceKernel;
  readonly byteSize: number;
  scan(list: number, faces: readonly Float32Array[], now: number, bestScore: Float64Array, bestRow: Int32Array): void;
}

/** Rows per tile: a tile (~256 KiB) stays in cache while every face of a batch passes over it. */
const TILE_BYTES = 256 * 1024;

export function tileRows(dimOrStride: number): number {
  return Math.max(4, Math.floor(TILE_BYTES / (dimOrStride * 4 * 4)) * 4);
}
