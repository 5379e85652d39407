// A geofence being drawn, and the geometry POST /api/v1/geofences takes for it
// (engine/geo/fence-geometry.ts): a Circle {center: [lon, lat], radiusM} or a GeoJSON Polygon in
// lon/lat with a closed ring. The map and the typed-coordinate fields both edit the same draft.

export interface LatLon {
  lat: number;
  lon: number;
}

export type FenceDraft = { shape: 'circle'; center: LatLon; radiusM: number } | { shape: 'polygon'; vertices: LatLon[] };

export type CircleGeometry = { type: 'Circle'; center: [number, number]; radiusM: number };
export type PolygonGeometry = { type: 'Polygon'; coordinates: [number, number][][] };

/** The engine's largest circle (MAX_CIRCLE_RADIUS_M). */
export const MAX_RADIUS_M = 100_000;

/** The engine's Earth (geo/earth.ts): radii shown while drawing agree with what it tests. */
const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

export function distanceM(a: LatLon, b: LatLon): number {
  const sLat = Math.sin(((b.lat - a.lat) * RAD) / 2);
  const sLon = Math.sin(((b.lon - a.lon) * RAD) / 2);
  const h = sLat * sLat + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * sLon * sLon;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Six decimals: about 0.1 m, finer than a click can mean. */
export function roundDegrees(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** A point clicked on the map, rounded, its longitude brought back into [-180, 180] (Leaflet's world repeats). */
export function clickedPoint(lat: number, lng: number): LatLon {
  const lon = lng >= -180 && lng <= 180 ? lng : ((((lng + 180) % 360) + 360) % 360) - 180;
  return { lat: roundDegrees(lat), lon: roundDegrees(lon) };
}

function pointProblem(p: LatLon, what: string): string | null {
  if (!Number.isFinite(p.lat) || p.lat < -90 || p.lat > 90) return `${what}: latitude must be between -90 and 90`;
  if (!Number.isFinite(p.lon) || p.lon < -180 || p.lon > 180) return `${what}: longitude must be between -180 and 180`;
  return null;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

export function fenceGeometry(draft: FenceDraft): Checked<CircleGeometry | PolygonGeometry> {
  if (draft.shape === 'circle') {
    const problem = pointProblem(draft.center, 'The centre');
    if (problem) return { ok: false, error: problem };
    const r = draft.radiusM;
    if (!Number.isFinite(r) || r <= 0 || r > MAX_RADIUS_M) {
      return { ok: false, error: `The radius must be more than 0 and at most ${MAX_RADIUS_M.toLocaleString('en-GB')} m` };
    }
    return { ok: true, value: { type: 'Circle', center: [draft.center.lon, draft.center.lat], radiusM: r } };
  }
  // A vertex clicked twice in a row (the clicks of a double-click) is one vertex.
  const ring = draft.vertices.filter((v, i, all) => i === 0 || v.lat !== all[i - 1].lat || v.lon !== all[i - 1].lon);
  if (ring.length > 1 && ring[0].lat === ring[ring.length - 1].lat && ring[0].lon === ring[ring.length - 1].lon) ring.pop();
  for (const [i, v] of ring.entries()) {
    const problem = pointProblem(v, `Vertex ${i + 1}`);
    if (problem) return { ok: false, error: problem };
  }
  if (ring.length < 3) return { ok: false, error: 'A polygon needs at least 3 distinct vertices' };
  const coordinates = ring.map((v): [number, number] => [v.lon, v.lat]);
  coordinates.push([ring[0].lon, ring[0].lat]);
  return { ok: true, value: { type: 'Polygon', coordinates: [coordinates] } };
}

/** A number typed in a field: the whole text, or null (no partial "41.3abc"). */
export function typedNumber(text: string): number | null {
  const t = text.trim();
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)$/.test(t)) return null;
  return Number(t);
}

/** A circle from its typed centre and radius, or what is wrong with them. */
export function typedCircle(lat: string, lon: string, radius: string): Checked<FenceDraft> {
  const la = typedNumber(lat);
  const lo = typedNumber(lon);
  const r = typedNumber(radius);
  if (la === null) return { ok: false, error: 'The centre latitude is not a number' };
  if (lo === null) return { ok: false, error: 'The centre longitude is not a number' };
  if (r === null) return { ok: false, error: 'The radius is not a number of metres' };
  const draft: FenceDraft = { shape: 'circle', center: { lat: la, lon: lo }, radiusM: r };
  const checked = fenceGeometry(draft);
  return checked.ok ? { ok: true, value: draft } : checked;
}

/** Polygon vertices typed one per line as "lat, lon" (or "lat lon"). */
export function typedPolygon(text: string): Checked<FenceDraft> {
  const vertices: LatLon[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const parts = line.trim().split(/\s*[,;\s]\s*/);
    const lat = parts.length === 2 ? typedNumber(parts[0]) : null;
    const lon = parts.length === 2 ? typedNumber(parts[1]) : null;
    if (lat === null || lon === null) return { ok: false, error: `Line ${i + 1}: write a vertex as "lat, lon"` };
    vertices.push({ lat, lon });
  }
  const draft: FenceDraft = { shape: 'polygon', vertices };
  const checked = fenceGeometry(draft);
  return checked.ok ? { ok: true, value: draft } : checked;
}

/** "1,250 m": a radius as the admin reads it while drawing, in the unit the API takes. */
export function formatRadius(m: number): string {
  return `${Math.round(m).toLocaleString('en-GB')} m`;
}
