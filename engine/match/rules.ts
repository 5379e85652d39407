// Watchlists, their entries and geofences: the rules reads are matched against. Every
// watchlist states its legal basis; lists and entries may expire.

import type { FenceGeometry } from '../geo/fence-geometry.js';
import type { Schedule } from '../domain/schedule.js';

export type WatchlistKind = 'plate' | 'face';

export interface PlateMatchOptions {
  ocrEquivalence: boolean;
  maxEdits: number;
}
export interface FaceMatchOptions {
  threshold: number;
}

export interface Watchlist {
  id: string;
  name: string;
  kind: WatchlistKind;
  priority: number;
  legalBasis: string;
  /** Epoch ms; null = no expiry. */
  expiresAt: number | null;
  match: PlateMatchOptions | FaceMatchOptions;
  /** false: a read of a listed subject is not a hit by itself; the list only serves geofences. */
  alertOnRead: boolean;
  cooldownSeconds: number;
  createdAt: number;
  createdBy: string | null;
}

export interface WatchEntry {
  /** Normalised plate, or the face's key. */
  key: string;
  label: string | null;
  reference: string | null;
  expiresAt: number | null;
  embedding?: Float32Array;
}

export type FenceTrigger = 'enter' | 'exit' | 'inside' | 'dwell';

export interface Geofence {
  id: string;
  name: string;
  geometry: FenceGeometry;
  trigger: FenceTrigger;
  dwellSeconds: number | null;
  /** Read kinds it applies to; null = all. */
  kinds: string[] | null;
  /** Only subjects on these lists (a protection-order zone); null = anyone. */
  watchlists: string[] | null;
  schedule: Schedule | null;
  priority: number;
  cooldownSeconds: number;
  createdAt: number;
  createdBy: string | null;
}

export const DEFAULT_PLATE_MATCH: PlateMatchOptions = Object.freeze({ ocrEquivalence: true, maxEdits: 1 });
export const DEFAULT_FACE_MATCH: FaceMatchOptions = Object.freeze({ threshold: 0.6 });
export const DEFAULT_COOLDOWN_SECONDS = 60;

export function isPlateOptions(m: PlateMatchOptions | FaceMatchOptions): m is PlateMatchOptions {
  return 'maxEdits' in m;
}

/** A list or entry is live until its expiresAt. */
export function live(expiresAt: number | null, nowMs: number): boolean {
  return expiresAt === null || expiresAt > nowMs;
}
