// What the simulated city's tests measure it with.

import { AreaIndex } from '../../engine/geo/area-index.js';
import type { SimCity } from '../../engine/sim/city.js';
import { type LatLon, offsetMetres } from '../../engine/sim/local-frame.js';

export function areaIndex(city: SimCity): AreaIndex {
  return new AreaIndex(city.areas.features.map((f) => ({ id: f.properties.id, geometry: f.geometry })));
}

/** Distance from p to the segment a–b, in metres. */
export function toSegment(p: LatLon, a: LatLon, b: LatLon): number {
  // In metres east and north of p, so p is the origin.
  const metres = (q: LatLon): [number, number] => [
    (q.lon - p.lon) / (offsetMetres(p, 1, 0).lon - p.lon),
    (q.lat - p.lat) / (offsetMetres(p, 0, 1).lat - p.lat),
  ];
  const [ax, ay] = metres(a);
  const [bx, by] = metres(b);
  const [dx, dy] = [bx - ax, by - ay];
  const t = Math.max(0, Math.min(1, -(ax * dx + ay * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(ax + t * dx, ay + t * dy);
}
