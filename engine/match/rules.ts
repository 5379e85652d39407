// Watchlists, their entries and geofences: the rules reads are matched against. Every
// watchlist states its legal basis; lists and entries may expire.

import type { FenceGeometry } from '../geo/fence-geometry.js';
import type { Schedule } from '../domain/schedule.js';

export type WatchlistKind = 'plate' | 'face';

export interface PlateMatchOptions {
  ocrEquivalence: boolean;
  maxEdits: number;
  /** Priority of a hit by edit (a fuzzy hit); absent or null: the list's priority − 20. */
  editPriority?: number | null;
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
  /**
   * Plate lists with edits on: false hits by edit per 1,000 reads, as estimated when the
   * list's edits or entries last changed (see fuzzy-estimate); null when never estimated.
   */
  estimatedFuzzyHitRate?: number | null;
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

/**
 * Exact plates and look-alikes, no edits: with one edit a 10,000-plate list hit 4.8 % of the
 * reads of unlisted plates. Edits are opt-in, and refused above matching.maxFuzzyHitRate.
 */
export const DEFAULT_PLATE_MATCH: PlateMatchOptions = Object.freeze({ ocrEquivalence: true, maxEdits: 0 });
/** A fuzzy hit ranks this far below the list's own priority unless the list says otherwise. */
export const EDIT_PRIORITY_DROP = 20;
export const DEFAULT_FACE_MATCH: FaceMatchOptions = Object.freeze({ threshold: 0.6 });
export const DEFAULT_COOLDOWN_SECONDS = 60;

export function isPlateOptions(m: PlateMatchOptions | FaceMatchOptions): m is PlateMatchOptions {
  return 'maxEdits' in m;
}

/** The priority of a list's hit: a hit by edit takes the list's editPriority. */
export function hitPriority(list: Watchlist, matchType: string): number {
  if (matchType !== 'edit' || !isPlateOptions(list.match)) return list.priority;
  return list.match.editPriority ?? Math.max(0, list.priority - EDIT_PRIORITY_DROP);
}

/** A list or entry is live until its expiresAt. */
export function live(expiresAt: number | null, nowMs: number): boolean {
  return expiresAt === null || expiresAt > nowMs;
}

export interface StoredRules {
  watchlists: Watchlist[];
  entries: Map<string, WatchEntry[]>;
  geofences: Geofence[];
}

/**
 * Where the rule book keeps the rules (store/rules-store.ts has the DuckDB one). Each change is
 * kept before the rule book applies it, so a failed write changes nothing.
 */
export interface RuleRepository {
  load(): Promise<StoredRules>;
  insertWatchlist(w: Watchlist): Promise<void>;
  updateWatchlistMatch(id: string, match: Watchlist['match'], fuzzyHitRate: number | null): Promise<void>;
  deleteWatchlist(id: string): Promise<void>;
  /** With `fuzzyHitRate` (a number or null), the list's estimate is kept with the entries. */
  upsertEntries(listId: string, entries: readonly WatchEntry[], fuzzyHitRate?: number | null): Promise<void>;
  deleteEntry(listId: string, key: string): Promise<void>;
  /** Deletes those of `keys` still expired at `cutoff`. */
  deleteExpiredEntries(listId: string, keys: readonly string[], cutoff: number): Promise<number>;
  insertGeofence(g: Geofence): Promise<void>;
  deleteGeofence(id: string): Promise<void>;
}
