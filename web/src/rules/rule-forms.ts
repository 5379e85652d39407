// What the Rules view's forms send: the fields as typed → the bodies of POST /api/v1/watchlists
// and POST /api/v1/geofences, or the first thing to fix, said before the API is asked. The
// shapes of the API's answers the view reads are copied here (web/ imports nothing of api/).

import { startOfCityDay } from './city-date.js';
import { type FenceDraft, fenceGeometry } from './fence-shape.js';

export interface WatchlistRow {
  id: string;
  name: string;
  kind: 'plate' | 'face';
  priority: number;
  legalBasis: string;
  expiresAt: string | null;
  match: { ocrEquivalence?: boolean; maxEdits?: number; editPriority?: number | null; threshold?: number };
  entries: number;
  hits24h: number;
  precision: number | null;
}

export interface GeofenceRow {
  id: string;
  name: string;
  geometry: { type: 'Circle'; center: [number, number]; radiusM: number } | { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
  trigger: Trigger;
  dwellSeconds: number | null;
  kinds: string[] | null;
  watchlists: string[] | null;
  priority: number;
  cooldownSeconds: number;
}

export type Trigger = 'enter' | 'exit' | 'inside' | 'dwell';
export const TRIGGERS: readonly Trigger[] = ['enter', 'exit', 'inside', 'dwell'];

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** The engine's default cooldown (DEFAULT_COOLDOWN_SECONDS). */
export const DEFAULT_COOLDOWN_SECONDS = 60;

function wholeNumber(text: string, what: string, min: number, max: number): Result<number> {
  const t = text.trim();
  const n = /^\d+$/.test(t) ? Number(t) : Number.NaN;
  if (!(n >= min && n <= max)) return { ok: false, error: `${what} must be a whole number from ${min} to ${max}` };
  return { ok: true, value: n };
}

export interface WatchlistFields {
  name: string;
  kind: 'plate' | 'face';
  priority: string;
  legalBasis: string;
  /** YYYY-MM-DD on the city's clock, or '' for none. */
  expires: string;
  ocrEquivalence: boolean;
  maxEdits: string;
  /** '' for the engine's default (the list's priority − 20). */
  editPriority: string;
  threshold: string;
  alertOnRead: boolean;
  cooldown: string;
}

export const NEW_WATCHLIST: WatchlistFields = {
  name: '',
  kind: 'plate',
  priority: '50',
  legalBasis: '',
  expires: '',
  // The engine's precise default: exact plates and look-alikes, no edits.
  ocrEquivalence: true,
  maxEdits: '0',
  editPriority: '',
  threshold: '0.6',
  alertOnRead: true,
  cooldown: String(DEFAULT_COOLDOWN_SECONDS),
};

export function watchlistBody(f: WatchlistFields, timeZone: string, now: number): Result<Record<string, unknown>> {
  const name = f.name.trim();
  if (name === '') return { ok: false, error: 'The list needs a name' };
  if (f.legalBasis.trim().length < 3) return { ok: false, error: 'State the legal basis: the law, order or warrant this list rests on' };
  const priority = wholeNumber(f.priority, 'Priority', 0, 100);
  if (!priority.ok) return priority;
  const cooldown = wholeNumber(f.cooldown, 'Cooldown', 0, 86_400);
  if (!cooldown.ok) return cooldown;
  const body: Record<string, unknown> = {
    name,
    kind: f.kind,
    priority: priority.value,
    legalBasis: f.legalBasis.trim(),
    alertOnRead: f.alertOnRead,
    cooldownSeconds: cooldown.value,
  };
  if (f.expires !== '') {
    const at = startOfCityDay(f.expires, timeZone);
    if (at === null) return { ok: false, error: 'The expiry is not a date' };
    // A list expired on creation would match nothing, silently.
    if (Date.parse(at) <= now) return { ok: false, error: 'The expiry must be a day still to come' };
    body.expiresAt = at;
  }
  if (f.kind === 'plate') {
    const maxEdits = wholeNumber(f.maxEdits, 'Edits', 0, 2);
    if (!maxEdits.ok) return maxEdits;
    const match: Record<string, unknown> = { ocrEquivalence: f.ocrEquivalence, maxEdits: maxEdits.value };
    if (f.editPriority.trim() !== '') {
      const editPriority = wholeNumber(f.editPriority, 'Priority of a hit by edit', 0, 100);
      if (!editPriority.ok) return editPriority;
      match.editPriority = editPriority.value;
    }
    body.match = match;
  } else {
    const t = f.threshold.trim();
    const threshold = /^-?\d*\.?\d+$/.test(t) ? Number(t) : Number.NaN;
    if (!(threshold >= -1 && threshold <= 1)) return { ok: false, error: 'The face threshold must be a number from -1 to 1' };
    body.match = { threshold };
  }
  return { ok: true, value: body };
}

export interface GeofenceFields {
  name: string;
  trigger: Trigger;
  dwell: string;
  /** Read kinds ticked (plate, face) and any others typed, comma-separated. */
  kinds: string[];
  otherKinds: string;
  watchlists: string[];
  priority: string;
  cooldown: string;
}

export const NEW_GEOFENCE: GeofenceFields = {
  name: '',
  trigger: 'enter',
  dwell: '300',
  kinds: [],
  otherKinds: '',
  watchlists: [],
  priority: '50',
  cooldown: String(DEFAULT_COOLDOWN_SECONDS),
};

export function geofenceBody(f: GeofenceFields, draft: FenceDraft | null): Result<Record<string, unknown>> {
  const name = f.name.trim();
  if (name === '') return { ok: false, error: 'The geofence needs a name' };
  if (!draft) return { ok: false, error: 'Draw the geofence on the map, or type its coordinates' };
  const geometry = fenceGeometry(draft);
  if (!geometry.ok) return geometry;
  const priority = wholeNumber(f.priority, 'Priority', 0, 100);
  if (!priority.ok) return priority;
  const cooldown = wholeNumber(f.cooldown, 'Cooldown', 0, 86_400);
  if (!cooldown.ok) return cooldown;
  const body: Record<string, unknown> = {
    name,
    geometry: geometry.value,
    trigger: f.trigger,
    priority: priority.value,
    cooldownSeconds: cooldown.value,
  };
  if (f.trigger === 'dwell') {
    const dwell = wholeNumber(f.dwell, 'Dwell', 1, 7 * 86_400);
    if (!dwell.ok) return dwell;
    body.dwellSeconds = dwell.value;
  }
  const kinds = [
    ...new Set([
      ...f.kinds,
      ...f.otherKinds
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k !== ''),
    ]),
  ];
  if (kinds.some((k) => k.length > 32)) return { ok: false, error: 'A read kind is at most 32 characters' };
  // None ticked means every kind: the API reads an absent list so, and refuses an empty one.
  if (kinds.length > 0) body.kinds = kinds;
  if (f.watchlists.length > 0) body.watchlists = [...new Set(f.watchlists)];
  return { ok: true, value: body };
}
