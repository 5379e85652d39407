// Mobile cameras: patrol cars driving round their beat (a few blocks of streets, or a stretch
// of a ring road or avenue and back) and drones circling over busy places. Where a unit is
// depends only on the (simulated) time, so its reads trace its route whatever the read rate.

import type { CityMap } from './city-map.js';
import { offsetMetres, type LatLon } from './local-frame.js';
import type { Places } from './places.js';
import { Polyline, type LinePoint } from './polyline.js';
import type { Random } from '../util/random.js';
import type { Street } from './streets.js';

export interface MobileUnit {
  id: string;
  kind: 'patrol' | 'drone';
  /** A closed route: the unit goes round and round it. */
  route: Polyline;
  /** Metres per second. */
  speed: number;
  /** Where on the route it is at the epoch, so units do not move in step. */
  phase: number;
}

export function buildMobiles(rng: Random, map: CityMap, streets: readonly Street[], places: Places, cameras: number): MobileUnit[] {
  const patrols = Math.min(40, Math.max(4, Math.round(cameras / 1800)));
  const drones = Math.min(8, Math.max(1, Math.round(cameras / 8000)));
  const arterials = streets.filter((s) => (s.kind === 'ring' || s.kind === 'avenue') && s.line.length > 1000);
  const units: MobileUnit[] = [];

  for (let k = 0; k < patrols; k++) {
    const route =
      (arterials.length > 0 && rng.chance(0.3) ? stretchOf(rng, rng.pick(arterials)) : beat(rng, map)) ??
      stretchOf(rng, rng.pick(arterials));
    units.push({
      id: `patrol-${String(k + 1).padStart(2, '0')}`,
      kind: 'patrol',
      route,
      speed: rng.uniform(6, 10),
      phase: rng.uniform(0, route.length),
    });
  }
  const over = [...places.bazaars, ...places.metro];
  for (let k = 0; k < drones; k++) {
    const route = circuit(rng, map, rng.pick(over));
    units.push({
      id: `drone-${String(k + 1).padStart(2, '0')}`,
      kind: 'drone',
      route,
      speed: rng.uniform(10, 14),
      phase: rng.uniform(0, route.length),
    });
  }
  return units;
}

export function positionAt(unit: MobileUnit, ts: number): LinePoint {
  const d = ((unit.speed * ts) / 1000 + unit.phase) % unit.route.length;
  return unit.route.at(d);
}

/** Round a block of 2–3 × 2–3 mahallas along the streets between them, well inside the city. */
function beat(rng: Random, map: CityMap): Polyline | null {
  for (let attempt = 0; attempt < 200; attempt++) {
    const w = rng.int(2, 4);
    const h = rng.int(2, 4);
    const i0 = rng.int(1, map.cols - w);
    const j0 = rng.int(1, map.rows - h);
    let inside = true;
    // The block and the ring of mahallas around it: so its outer streets have the city on both sides.
    for (let j = j0 - 1; j <= j0 + h && inside; j++) for (let i = i0 - 1; i <= i0 + w && inside; i++) inside = map.mahallaAt(i, j) >= 0;
    if (!inside) continue;
    const points: LatLon[] = [];
    for (let i = i0; i < i0 + w; i++) points.push(map.vertex(i, j0));
    for (let j = j0; j < j0 + h; j++) points.push(map.vertex(i0 + w, j));
    for (let i = i0 + w; i > i0; i--) points.push(map.vertex(i, j0 + h));
    for (let j = j0 + h; j >= j0; j--) points.push(map.vertex(i0, j));
    return new Polyline(points);
  }
  return null;
}

/** 2–5 km of an arterial road, driven there and back. */
function stretchOf(rng: Random, street: Street): Polyline {
  const length = Math.min(street.line.length, rng.uniform(2000, 5000));
  const start = rng.uniform(0, street.line.length - length);
  const points = Array.from({ length: 41 }, (_, k): LatLon => {
    const p = street.line.at(start + (length * k) / 40);
    return { lat: p.lat, lon: p.lon };
  });
  return new Polyline(points).loop();
}

/** A loop of 300–700 m radius round a place, smaller where the city's edge is near. */
function circuit(rng: Random, map: CityMap, centre: LatLon): Polyline {
  for (let radius = rng.uniform(300, 700); ; radius *= 0.7) {
    const points = Array.from({ length: 13 }, (_, k) => {
      const theta = (2 * Math.PI * (k % 12)) / 12;
      return offsetMetres(centre, radius * Math.cos(theta), radius * Math.sin(theta));
    });
    if (radius < 20 || points.every((p) => map.locate(p.lat, p.lon) >= 0)) return new Polyline(points);
  }
}
