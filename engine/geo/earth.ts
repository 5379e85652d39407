// The Earth as vigil measures it: a sphere of the mean radius (IUGG), and local flat
// (equirectangular) frames on it, whose error at city scale is far below a metre per kilometre.

export const EARTH_RADIUS_M = 6_371_008.8;

/** Metres a degree of latitude spans: 2πR / 360 ≈ 111,195 m. */
export const M_PER_DEG_LAT = (EARTH_RADIUS_M * Math.PI) / 180;

/** Metres a degree of longitude spans at latitude `lat` (degrees). */
export function metresPerDegLon(lat: number): number {
  return M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);
}
