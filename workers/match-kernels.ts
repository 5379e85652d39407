// The stateless part of matching — plate lookups, face similarity, which zones hold a mobile
// read — as one function that runs the same on the main thread or in a worker. What depends
// on keyed state (enter/exit/dwell, cooldowns) stays on the main thread (ReadMatcher).

import type { FenceGeometry } from '../engine/geo/fence-geometry.js';
import { FenceIndex } from '../engine/geo/fence-geometry.js';
import { FaceMatcher, type FaceEntrySpec, type FaceListSpec, type FaceMatch } from '../engine/match/face-matcher.js';
import { PlateMatcher, type PlateEntrySpec, type PlateListSpec, type PlateMatch } from '../engine/match/plate-matcher.js';
import type { Detection } from '../engine/domain/detection.js';

export interface Kernels {
  plates: PlateMatcher;
  faces: FaceMatcher;
  fences: FenceIndex;
}

/** What a worker needs to build its own kernels for one snapshot version. */
export interface KernelSpec {
  version: number;
  plates: { lists: PlateListSpec[]; entries: PlateEntrySpec[] };
  faces: { lists: FaceListSpec[]; entries: FaceEntrySpec[] };
  fences: Array<{ id: number; geometry: FenceGeometry }>;
}

export function buildKernels(spec: KernelSpec): Kernels {
  return {
    plates: PlateMatcher.build(spec.plates.lists, spec.plates.entries),
    faces: FaceMatcher.build(spec.faces.lists, spec.faces.entries),
    fences: new FenceIndex(spec.fences),
  };
}

/** Per read (same index as the reads): its plate and face matches, and a mobile read's zones. */
export interface Precomputed {
  plates: Array<PlateMatch[] | null>;
  faces: Array<FaceMatch[] | null>;
  zones: Array<number[] | null>;
}

type ReadInput = Pick<Detection, 'plate' | 'embedding' | 'lat' | 'lon'>;

export function precompute(reads: readonly ReadInput[], k: Kernels, nowMs: number): Precomputed {
  const n = reads.length;
  const pre: Precomputed = { plates: new Array(n).fill(null), faces: new Array(n).fill(null), zones: new Array(n).fill(null) };
  const out: PlateMatch[] = [];
  const faceAt: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = reads[i];
    if (r.plate !== undefined && k.plates.size > 0) {
      const m = k.plates.match(r.plate, nowMs, out);
      if (m > 0) pre.plates[i] = out.slice(0, m).map((x) => ({ ...x }));
    }
    if (r.embedding && k.faces.size > 0) faceAt.push(i);
    if (r.lat !== undefined && r.lon !== undefined && k.fences.size > 0) {
      const z = k.fences.containing(r.lon, r.lat, []);
      if (z.length > 0) pre.zones[i] = z;
    }
  }
  // Faces in one pass over each list: every block of embeddings is loaded once for all faces.
  if (faceAt.length > 0) {
    const results = k.faces.matchMany(faceAt.map((i) => reads[i].embedding!), nowMs);
    faceAt.forEach((i, j) => {
      if (results[j].length > 0) pre.faces[i] = results[j];
    });
  }
  return pre;
}
