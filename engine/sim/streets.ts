// The street network cameras stand along and patrols drive: ring roads round the centre and
// avenues out from it, as Tashkent has them, plus the streets between mahallas and a lane
// through the middle of each. Every street lies inside the city.

import type { CityMap } from './city-map.js';
import { CITY_CENTRE } from './city-map.js';
import { offsetMetres, type LatLon } from './local-frame.js';
import { Polyline } from './polyline.js';
import type { Random } from '../util/random.js';

export type StreetKind = 'ring' | 'avenue' | 'street' | 'lane';

export interface Street {
  name: string;
  kind: StreetKind;
  line: Polyline;
}

const RINGS = [
  { name: 'Kichik halqa yoʻli', km: 2.6 },
  { name: 'Katta halqa yoʻli', km: 6.2 },
  { name: 'Toshkent halqa avtomobil yoʻli', km: 10.5 },
];
const AVENUES = [
  'Amir Temur',
  'Mustaqillik',
  'Bunyodkor',
  'Shota Rustaveli',
  'Fargʻona yoʻli',
  'Chilonzor',
  'Beruniy',
  'Sharof Rashidov',
  'Bogʻishamol',
  'Qatortol',
  'Mirzo Ulugʻbek',
  'Bobur',
];

export function buildStreets(rng: Random, map: CityMap): Street[] {
  const inside = (p: LatLon) => map.locate(p.lat, p.lon) >= 0;
  const streets: Street[] = [];
  const add = (name: string, kind: StreetKind, runs: LatLon[][]) => {
    runs.forEach((points, k) => {
      if (points.length >= 2) streets.push({ name: runs.length > 1 ? `${name} (${k + 1})` : name, kind, line: new Polyline(points) });
    });
  };

  for (const ring of RINGS) {
    // Wavy rather than round, as a ring road bends round what was there before it.
    const [p1, p2] = [rng.uniform(0, 2 * Math.PI), rng.uniform(0, 2 * Math.PI)];
    const points: LatLon[] = [];
    for (let k = 0; k <= 180; k++) {
      const theta = (2 * Math.PI * k) / 180;
      const r = ring.km * 1000 * (1 + 0.07 * Math.sin(2 * theta + p1) + 0.04 * Math.sin(5 * theta + p2));
      points.push(offsetMetres(CITY_CENTRE, r * Math.cos(theta), r * Math.sin(theta)));
    }
    add(ring.name, 'ring', runsWhere(points, inside));
  }

  AVENUES.forEach((name, k) => {
    const heading0 = (2 * Math.PI * k) / AVENUES.length + rng.uniform(-0.12, 0.12);
    let heading = heading0;
    let p = offsetMetres(CITY_CENTRE, 250 * Math.cos(heading), 250 * Math.sin(heading));
    const points: LatLon[] = [];
    while (inside(p) && points.length < 150) {
      points.push(p);
      // An avenue drifts a little but keeps its general direction out of town.
      heading = Math.min(heading0 + 0.35, Math.max(heading0 - 0.35, heading + rng.normal(0, 0.04)));
      p = offsetMetres(p, 150 * Math.cos(heading), 150 * Math.sin(heading));
    }
    add(name, 'avenue', [points]);
  });

  // Streets between mahallas: lattice edges with the city on both sides.
  for (let j = 1; j < map.rows; j++) {
    const points = Array.from({ length: map.cols + 1 }, (_, i) => map.vertex(i, j));
    add(
      `Koʻcha ${j}`,
      'street',
      runsOfEdges(points, (i) => map.mahallaAt(i, j - 1) >= 0 && map.mahallaAt(i, j) >= 0),
    );
  }
  for (let i = 1; i < map.cols; i++) {
    const points = Array.from({ length: map.rows + 1 }, (_, j) => map.vertex(i, j));
    add(
      `Tor koʻcha ${i}`,
      'street',
      runsOfEdges(points, (j) => map.mahallaAt(i - 1, j) >= 0 && map.mahallaAt(i, j) >= 0),
    );
  }
  // Lanes through the middle of each mahalla, joining up across neighbours (they meet at the
  // midpoint of the shared edge).
  const mid = (a: LatLon, b: LatLon): LatLon => ({ lat: (a.lat + b.lat) / 2, lon: (a.lon + b.lon) / 2 });
  for (let j = 0; j < map.rows; j++) {
    const points = Array.from({ length: map.cols + 1 }, (_, i) => mid(map.vertex(i, j), map.vertex(i, j + 1)));
    add(
      `Berk koʻcha ${j + 1}`,
      'lane',
      runsOfEdges(points, (i) => map.mahallaAt(i, j) >= 0),
    );
  }
  for (let i = 0; i < map.cols; i++) {
    const points = Array.from({ length: map.rows + 1 }, (_, j) => mid(map.vertex(i, j), map.vertex(i + 1, j)));
    add(
      `Berk tor koʻcha ${i + 1}`,
      'lane',
      runsOfEdges(points, (j) => map.mahallaAt(i, j) >= 0),
    );
  }
  return streets;
}

/** Consecutive points that pass `keep`, as separate runs. */
function runsWhere(points: LatLon[], keep: (p: LatLon) => boolean): LatLon[][] {
  const runs: LatLon[][] = [[]];
  for (const p of points) {
    if (keep(p)) runs[runs.length - 1].push(p);
    else if (runs[runs.length - 1].length > 0) runs.push([]);
  }
  return runs.filter((r) => r.length >= 2);
}

/** Runs of the edges points[k] → points[k + 1] for which `keep(k)` holds. */
function runsOfEdges(points: LatLon[], keep: (k: number) => boolean): LatLon[][] {
  const runs: LatLon[][] = [];
  let run: LatLon[] = [];
  for (let k = 0; k + 1 < points.length; k++) {
    if (keep(k)) {
      if (run.length === 0) run.push(points[k]);
      run.push(points[k + 1]);
    } else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
