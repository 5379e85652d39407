// The stateless part of matching — plate lookups, face similarity, which zones hold a mobile
// read — as one function that runs the same on the main thread or in a worker. What depends
// on keyed state (enter/exit/dwell, cooldowns) stays on the main thread (ReadMatcher).

import type { FenceGeometry } from '../geo/fence-geometry.js';
import { FenceIndex } from '../geo/fence-geometry.js';
import { FaceMatcher, type FaceEntrySpec, type FaceListSpec, type FaceMatch } from './face-matcher.js';
import { PlateMatcher, type PlateEntrySpec, type PlateListSpec, type PlateMatch } from './plate-matcher.js';
import type { Detection } from '../domain/detection.js';

/** The plate base index and its small delta, numbered base first (see LivePlateIndex). */
export interface PlateKernels {
  base: PlateMatcher;
  delta: PlateMatcher;
}

export interface Kernels {
  plates: PlateKernels;
  faces: FaceMatcher;
  fences: FenceIndex;
}

const rank = (m: PlateMatch) => (m.type === 'exact' ? 0 : m.type === 'ocr' ? 1 : 1 + m.distance);

/** Best match per list across base and delta; the base wins ties (its entries are older). */
export function matchPlate(k: PlateKernels, plate: string, nowMs: number, scratch: PlateMatch[]): PlateMatch[] | null {
  const out: PlateMatch[] = [];
  const nb = k.base.size > 0 ? k.base.match(plate, nowMs, scratch) : 0;
  for (let i = 0; i < nb; i++) out.push({ ...scratch[i] });
  const nd = k.delta.size > 0 ? k.delta.match(plate, nowMs, scratch) : 0;
  for (let i = 0; i < nd; i++) {
    const d = { ...scratch[i], entry: scratch[i].entry + k.base.size };
    const j = out.findIndex((m) => m.list === d.list);
    if (j < 0) out.push(d);
    else if (rank(d) < rank(out[j])) out[j] = d;
  }
  return out.length > 0 ? out : null;
}

/**
 * A plate list's entries packed for a thread hop: one string and two typed arrays clone in
 * milliseconds, where a million small objects take seconds and block the event loop.
 */
export interface PackedPlateEntries {
  keys: string;
  lists: Uint32Array;
  expiresAt: Float64Array;
}

function unpackPlateEntries(p: PackedPlateEntries): PlateEntrySpec[] {
  if (p.lists.length === 0) return [];
  return p.keys.split('\n').map((key, i) => ({ key, list: p.lists[i], expiresAt: p.expiresAt[i] }));
}

/** What a worker needs to build its own kernels for one snapshot version. */
export interface KernelSpec {
  version: number;
  plates: {
    baseVersion: number;
    baseLists: PlateListSpec[];
    /** Sent with every version (a new worker needs it); rebuilt only when baseVersion changes. */
    base: PackedPlateEntries;
    retired: number[];
    lists: PlateListSpec[];
    delta: PackedPlateEntries;
  };
  faces: { lists: FaceListSpec[]; entries: FaceEntrySpec[] };
  fences: Array<{ id: number; geometry: FenceGeometry }>;
}

/** A worker's kernels; `previous` lends its plate base when the base did not change. */
export function buildKernels(spec: KernelSpec, previous: { baseVersion: number; kernels: Kernels } | null): Kernels {
  const p = spec.plates;
  const base =
    previous && previous.baseVersion === p.baseVersion
      ? previous.kernels.plates.base
      : PlateMatcher.build(p.baseLists, unpackPlateEntries(p.base));
  for (const slot of p.retired) base.retire(slot);
  return {
    plates: { base, delta: PlateMatcher.build(p.lists, unpackPlateEntries(p.delta)) },
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
    if (r.plate !== undefined && k.plates.base.size + k.plates.delta.size > 0) pre.plates[i] = matchPlate(k.plates, r.plate, nowMs, out);
    if (r.embedding && k.faces.size > 0) faceAt.push(i);
    if (r.lat !== undefined && r.lon !== undefined && k.fences.size > 0) {
      const z = k.fences.containing(r.lon, r.lat, []);
      if (z.length > 0) pre.zones[i] = z;
    }
  }
  // Faces in one pass over each list: every block of embeddings is loaded once for all faces.
  if (faceAt.length > 0) {
    const results = k.faces.matchMany(
      faceAt.map((i) => reads[i].embedding!),
      nowMs,
    );
    faceAt.forEach((i, j) => {
      if (results[j].length > 0) pre.faces[i] = results[j];
    });
  }
  return pre;
}
