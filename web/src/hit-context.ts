// What dispatch draws around one hit (GET /api/v1/hits/:id/context): the plate's sightings of the
// hour before as a trail, and the nearest rapid-response units with their distance and the time
// of their last position. Pure, so it is unit-tested; hit-map.tsx draws it.

export interface TrailRow {
  ts: string;
  camera: string | null;
  lat: number | null;
  lon: number | null;
  area: string | null;
}

export interface Unit {
  camera: string;
  lat: number;
  lon: number;
  /** When the unit was last at that position, ISO 8601. */
  at: string;
  distanceM: number;
}

export interface HitContext {
  hit: string;
  plate: string | null;
  lat: number | null;
  lon: number | null;
  trail: { from: string; to: string; rows: TrailRow[] };
  units: Unit[];
}

export interface PlacedRow extends TrailRow {
  lat: number;
  lon: number;
}

/** The trail's rows that can be drawn (a camera without a known position cannot), in time order. */
export function placedTrail(context: HitContext): PlacedRow[] {
  return context.trail.rows
    .filter((r): r is PlacedRow => r.lat !== null && r.lon !== null)
    .sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
}

/** A straight-line distance as a dispatcher reads it: metres near, kilometres with one decimal far. */
export function formatDistance(metres: number): string {
  if (metres < 1000) return `${Math.round(metres)} m`;
  return `${(metres / 1000).toFixed(metres < 10_000 ? 1 : 0)} km`;
}

/** How old a position is, said plainly: "just now", "4 min ago", "1 h 5 min ago". */
export function formatAge(at: string, nowMs: number): string {
  const minutes = Math.floor(Math.max(0, nowMs - Date.parse(at)) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min ago`;
}

/** The panel's one-line summary of a context. */
export function contextSummary(context: HitContext): string {
  const seen = context.trail.rows.length;
  const trail =
    context.plate === null
      ? 'No plate: no trail.'
      : `${context.plate}: ${seen} ${seen === 1 ? 'sighting' : 'sightings'} from an hour before the hit on.`;
  const units = context.units.length;
  return `${trail} ${units === 0 ? 'No unit with a recent position.' : `${units} nearest ${units === 1 ? 'unit' : 'units'}.`}`;
}
