// Face embeddings of the city's residents and of a camera's view of them: unit vectors, each
// read the resident's own plus noise, so the same face scores high (~0.85) and others near 0.

import type { Random } from '../util/random.js';

/** As the common face models give (FaceNet and the like): random faces are far apart in 128 dimensions. */
export const FACE_DIM = 128;

export function buildFaces(rng: Random, n: number): number[][] {
  return Array.from({ length: n }, () => unit(Array.from({ length: FACE_DIM }, () => rng.normal())));
}

/** A camera's embedding of `face`: a worse view (angle, light) means more noise. */
export function faceRead(rng: Random, face: readonly number[]): number[] {
  const sd = rng.uniform(0.03, 0.07);
  return unit(face.map((x) => x + rng.normal(0, sd)));
}

export function unit(v: number[]): number[] {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum) || 1;
  return v.map((x) => x / norm);
}

/** As MessagePack bin: float32 little-endian. */
export function float32le(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((x, i) => view.setFloat32(i * 4, x, true));
  return bytes;
}
