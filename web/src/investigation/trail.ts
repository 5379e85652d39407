// A plate's trail: the sightings of a search (and of its later pages) in time order, and the
// points of them that can be drawn.

export interface Sighting {
  ts: string;
  camera: string | null;
  kind?: string;
  plate: string;
  conf?: number | null;
  lat: number | null;
  lon: number | null;
  area: string | null;
  id?: string | null;
  attrs?: unknown;
}

/**
 * Pages appended to the rows so far, in time order. The API gives each page in time order and
 * every later page after the last row (keyset paging); the sort is stable, so equal times keep
 * the API's order (stream sequence), and a row met twice (same id and time) is kept once.
 */
export function appendPage(rows: readonly Sighting[], page: readonly Sighting[]): Sighting[] {
  const seen = new Set(rows.map(rowKey));
  const merged = [...rows, ...page.filter((r) => !seen.has(rowKey(r)))];
  return trailOrder(merged);
}

function rowKey(r: Sighting): string {
  return `${r.ts}|${r.id ?? ''}|${r.camera ?? ''}|${r.plate}`;
}

/** Stable sort by time. */
export function trailOrder(rows: readonly Sighting[]): Sighting[] {
  return rows
    .map((r, i) => ({ r, i, t: Date.parse(r.ts) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.r);
}

export interface TrailPoint {
  lat: number;
  lon: number;
  /** Position of the row in the table (1-based): the marker and the row say the same number. */
  n: number;
  row: Sighting;
}

/** The rows that have a position, in time order, numbered as the table numbers them. */
export function trailPoints(rows: readonly Sighting[]): TrailPoint[] {
  const points: TrailPoint[] = [];
  rows.forEach((row, i) => {
    if (typeof row.lat === 'number' && typeof row.lon === 'number' && Number.isFinite(row.lat) && Number.isFinite(row.lon)) {
      points.push({ lat: row.lat, lon: row.lon, n: i + 1, row });
    }
  });
  return points;
}

export interface PlateSearch {
  plate: string;
  reason: string;
  /** First day, `YYYY-MM-DD` on the city's clock, or '' (with `to` '': the API's last 24 hours). */
  from: string;
  /** Last day, included, or ''. */
  to: string;
  fuzzy: boolean;
}

/** The day after `date` (`YYYY-MM-DD`): a date alone is midnight on the city's clock to the API. */
function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The query of GET /api/v1/sightings; `cursor` for a later page (same plate, reason and window). */
export function sightingsUrl(s: PlateSearch, cursor?: string | null): string {
  const q = new URLSearchParams({ plate: s.plate.trim(), reason: s.reason.trim() });
  if (s.from !== '') q.set('from', s.from);
  if (s.to !== '') q.set('to', nextDay(s.to));
  if (s.fuzzy) q.set('fuzzy', 'true');
  if (cursor) q.set('cursor', cursor);
  // URLSearchParams writes `?` as %3F, as the API asks, and `*` as it is.
  return `/api/v1/sightings?${q}`;
}
