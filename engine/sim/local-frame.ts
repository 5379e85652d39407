// Metres around Tashkent: a flat (equirectangular) frame for laying out streets, routes and
// near-repeat distances (geo/earth.ts).

import { M_PER_DEG_LAT, metresPerDegLon } from '../geo/earth.js';

export { M_PER_DEG_LAT };
const FRAME_LAT = 41.3;
export const M_PER_DEG_LON = metresPerDegLon(FRAME_LAT);

export interface LatLon {
  lat: number;
  lon: number;
}

/** The point `east` and `north` metres away from p. */
export function offsetMetres(p: LatLon, east: number, north: number): LatLon {
  return { lat: p.lat + north / M_PER_DEG_LAT, lon: p.lon + east / M_PER_DEG_LON };
}

export function distanceMetres(a: LatLon, b: LatLon): number {
  return Math.hypot((b.lon - a.lon) * M_PER_DEG_LON, (b.lat - a.lat) * M_PER_DEG_LAT);
}

/**
 * Six decimals (~10 cm): what a GPS or a survey gives, and a third of the JSON of full doubles
 * when 42,750 cameras are registered in one request.
 */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
