// The shapes the app reads from the API (docs/interface.md, "Hits"), copied here: browser code
// imports nothing from the engine.

export type AckStatus = 'accepted' | 'rejected';

export interface Ack {
  status: AckStatus;
  reason: string | null;
  by: string | null;
  /** ISO 8601. */
  at: string;
}

/** An `event: ack` of the hit stream, and the answer of POST /api/v1/hits/:id/ack. */
export interface AckEvent extends Ack {
  hit: string;
}

export interface Hit {
  id: string;
  source: 'watchlist' | 'geofence' | 'panic' | string;
  priority: number;
  /** Event time of the read or incident, ISO 8601. */
  ts: string;
  emittedAt: string;
  camera: string | null;
  lat: number | null;
  lon: number | null;
  kind: string | null;
  plate?: string;
  watchlist?: { id: string; name: string };
  entry?: { key: string; label: string | null; reference: string | null };
  match?: { type: string; distance: number; score: number };
  geofence?: { id: string; name: string; trigger: string };
  incident?: Record<string, unknown>;
  retro?: true;
  /** The latest decision; rows of GET /api/v1/hits carry it, stream events do not. */
  ack?: Ack | null;
}

export interface Me {
  name: string;
  role: string;
  roles: string[];
}

/** A panic button: priority 100, the one alarm a desk must never miss. */
export function isPanic(hit: Hit): boolean {
  return hit.source === 'panic';
}

/** What a desk reads first on a row: the plate and list, the fence, or the alarm. */
export function headline(hit: Hit): string {
  if (isPanic(hit)) return 'PANIC ALARM';
  if (hit.watchlist) return `${hit.plate ?? hit.entry?.key ?? hit.kind ?? 'match'} on ${hit.watchlist.name}`;
  if (hit.geofence) return `${hit.plate ?? hit.kind ?? 'subject'} ${hit.geofence.trigger} ${hit.geofence.name}`;
  return hit.kind ?? hit.source;
}
