// A hit: what dispatch receives on `<prefix>.hit.<source>` and what GET /api/v1/hits lists.
// Its id derives from the read (stream sequence, index in batch) and the rule, so a batch
// replayed after a crash produces the same ids and JetStream drops the repeats.

import type { FenceTrigger } from './rules.js';
import type { PlateMatchType } from './plate-matcher.js';

export type HitSource = 'watchlist' | 'geofence' | 'panic';

export interface Hit {
  id: string;
  source: HitSource;
  priority: number;
  /** Event time of the read (or incident), ISO 8601. */
  ts: string;
  emittedAt: string;
  camera: string | null;
  lat: number | null;
  lon: number | null;
  kind: string | null;
  readId?: string;
  plate?: string;
  attrs?: Record<string, unknown>;
  watchlist?: { id: string; name: string };
  entry?: { key: string; label: string | null; reference: string | null };
  match?: { type: PlateMatchType | 'face'; distance: number; score: number };
  geofence?: { id: string; name: string; trigger: FenceTrigger };
  incident?: Record<string, unknown>;
  /** Found by matching new entries against stored sightings (past-read matching). */
  retro?: true;
}

export function watchlistHitId(seq: number, index: number, listId: string): string {
  return `d${seq}.${index}.w.${listId}`;
}

export function geofenceHitId(seq: number, index: number, fenceId: string): string {
  return `d${seq}.${index}.g.${fenceId}`;
}

export function panicHitId(incidentId: string): string {
  return `p.${incidentId}`;
}

export function retroHitId(seq: number, index: number, listId: string): string {
  return `r${seq}.${index}.w.${listId}`;
}

/** A watchlist hit found by past-read matching: its id `r…` for the live `d…`, and `retro`. */
export function asRetro(hit: Hit): Hit {
  return { ...hit, id: `r${hit.id.slice(1)}`, retro: true };
}
