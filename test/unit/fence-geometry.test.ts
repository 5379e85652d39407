// engine/geo/fence-geometry: circle edges to the metre, conservative circle boxes, polygons with
// holes and MultiPolygons, FenceIndex against brute force, and the messages of
// checkFenceGeometry.

import { describe, expect, it } from 'vitest';
import { EARTH_RADIUS_M, M_PER_DEG_LAT } from '../../engine/geo/earth.js';
import {
  checkFenceGeometry,
  fenceBBox,
  fenceContains,
  FenceIndex,
  haversineM,
  type CircleGeometry,
  type FenceGeometry,
} from '../../engine/geo/fence-geometry.js';
import type { Ring } from '../../engine/geo/geojson.js';
import { mulberry32 } from '../../engine/util/random.js';
import { thrownMessage } from '../helpers/thrown.js';
import { square } from '../helpers/shapes.js';

const RAD = Math.PI / 180;

/** The point `distM` metres from (lon, lat) on initial bearing `bearingDeg` (great circle). */
function destination(lon: number, lat: number, bearingDeg: number, distM: number): [number, number] {
  const d = distM / EARTH_RADIUS_M;
  const th = bearingDeg * RAD;
  const p1 = lat * RAD;
  const l1 = lon * RAD;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(th));
  const l2 = l1 + Math.atan2(Math.sin(th) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [l2 / RAD, p2 / RAD];
}

const message = thrownMessage;

const TASHKENT: [number, number] = [69.2401, 41.2995];

describe('circles', () => {
  const circle: CircleGeometry = { type: 'Circle', center: TASHKENT, radiusM: 100 };

  it('the destination formula and haversine agree (the test tool itself)', () => {
    for (const bearing of [0, 37, 90, 180, 271]) {
      const [lon, lat] = destination(...TASHKENT, bearing, 1234.5);
      expect(haversineM(...TASHKENT, lon, lat)).toBeCloseTo(1234.5, 6);
    }
  });

  it('the edge holds to a metre on every bearing: 99 m inside, 101 m outside', () => {
    for (let bearing = 0; bearing < 360; bearing += 15) {
      const inside = destination(...TASHKENT, bearing, 99);
      const outside = destination(...TASHKENT, bearing, 101);
      expect(fenceContains(circle, ...inside), `99 m at ${bearing}°`).toBe(true);
      expect(fenceContains(circle, ...outside), `101 m at ${bearing}°`).toBe(false);
    }
    expect(fenceContains(circle, ...TASHKENT)).toBe(true);
  });

  it('to a decimetre as well, and the index agrees', () => {
    const index = new FenceIndex([{ id: 7, geometry: circle }]);
    const out: number[] = [];
    for (let bearing = 5; bearing < 360; bearing += 30) {
      const inside = destination(...TASHKENT, bearing, 99.9);
      const outside = destination(...TASHKENT, bearing, 100.1);
      expect(fenceContains(circle, ...inside)).toBe(true);
      expect(fenceContains(circle, ...outside)).toBe(false);
      expect(index.containing(...inside, out)).toEqual([7]);
      expect(index.containing(...outside, out)).toEqual([]);
    }
  });

  it('a degree of longitude is not a degree of latitude: east–west edges at 41.3 N', () => {
    // 0.01° of longitude at 41.3 N is ~835 m, of latitude ~1112 m.
    const c: CircleGeometry = { type: 'Circle', center: [69.24, 41.3], radiusM: 1000 };
    expect(fenceContains(c, 69.24 + 0.0115, 41.3)).toBe(true); // ~960 m east
    expect(fenceContains(c, 69.24 + 0.0125, 41.3)).toBe(false); // ~1043 m east
    expect(fenceContains(c, 69.24, 41.3 + 0.0089)).toBe(true); // ~990 m north
    expect(fenceContains(c, 69.24, 41.3 + 0.0091)).toBe(false); // ~1012 m north
  });

  it('the bbox holds the whole circle at 41.3 N, is not much bigger, and is wider than tall', () => {
    for (const radiusM of [1, 100, 5_000, 100_000]) {
      const c: CircleGeometry = { type: 'Circle', center: [69.24, 41.3], radiusM };
      const [minLon, minLat, maxLon, maxLat] = fenceBBox(c);
      let east = -Infinity;
      for (let bearing = 0; bearing < 360; bearing += 0.5) {
        const [lon, lat] = destination(69.24, 41.3, bearing, radiusM);
        expect(lon).toBeGreaterThanOrEqual(minLon);
        expect(lon).toBeLessThanOrEqual(maxLon);
        expect(lat).toBeGreaterThanOrEqual(minLat);
        expect(lat).toBeLessThanOrEqual(maxLat);
        east = Math.max(east, lon);
      }
      // Widened by 1/cos(lat) (~1.33), and tight: within 0.1 % of the sampled extent.
      expect((maxLon - minLon) / (maxLat - minLat)).toBeGreaterThan(1.3);
      expect(maxLon - 69.24).toBeLessThan((east - 69.24) * 1.001);
    }
  });

  it('the bbox holds the circle far north too, and the widest point is not due east', () => {
    const c: CircleGeometry = { type: 'Circle', center: [20, 80], radiusM: 100_000 };
    const [minLon, minLat, maxLon, maxLat] = fenceBBox(c);
    for (let bearing = 0; bearing < 360; bearing += 0.25) {
      const [lon, lat] = destination(20, 80, bearing, 100_000);
      expect(lon >= minLon && lon <= maxLon && lat >= minLat && lat <= maxLat, `bearing ${bearing}`).toBe(true);
    }
    // A naive box (δ / cos φ) would miss the widest point, which lies north of due east.
    const naive = 100_000 / EARTH_RADIUS_M / RAD / Math.cos(80 * RAD);
    const widest = Math.max(...Array.from({ length: 360 }, (_, b) => destination(20, 80, b, 100_000)[0]));
    expect(widest - 20).toBeGreaterThan(naive);
  });

  it('a circle over a pole or across the antimeridian gets the full longitude range', () => {
    expect(fenceBBox({ type: 'Circle', center: [10, 89.5], radiusM: 100_000 })).toEqual([-180, expect.any(Number), 180, 90]);
    const [minLon, , maxLon] = fenceBBox({ type: 'Circle', center: [179.9, 0], radiusM: 50_000 });
    expect([minLon, maxLon]).toEqual([-180, 180]);
    const c: CircleGeometry = { type: 'Circle', center: [179.9, 0], radiusM: 50_000 };
    const index = new FenceIndex([{ id: 1, geometry: c }]);
    expect(fenceContains(c, -179.9, 0)).toBe(true); // ~22 km across the antimeridian
    expect(index.containing(-179.9, 0, [])).toEqual([1]);
  });
});

describe('polygons', () => {
  const withHole: FenceGeometry = { type: 'Polygon', coordinates: [square(0, 0, 10, 10), square(4, 4, 6, 6)] };
  const multi: FenceGeometry = {
    type: 'MultiPolygon',
    coordinates: [[square(0, 0, 1, 1)], [square(5, 5, 6, 6), square(5.4, 5.4, 5.6, 5.6)]],
  };

  it('a hole is outside', () => {
    expect(fenceContains(withHole, 2, 2)).toBe(true);
    expect(fenceContains(withHole, 5, 5)).toBe(false);
    expect(fenceContains(withHole, 6.5, 5)).toBe(true);
    expect(fenceContains(withHole, 11, 5)).toBe(false);
    expect(fenceBBox(withHole)).toEqual([0, 0, 10, 10]);
  });

  it('a MultiPolygon holds each part, its holes excepted, and nothing between', () => {
    expect(fenceContains(multi, 0.5, 0.5)).toBe(true);
    expect(fenceContains(multi, 5.2, 5.2)).toBe(true);
    expect(fenceContains(multi, 5.5, 5.5)).toBe(false); // the hole of the second part
    expect(fenceContains(multi, 3, 3)).toBe(false); // between the parts
    expect(fenceBBox(multi)).toEqual([0, 0, 6, 6]);
    const index = new FenceIndex([{ id: 3, geometry: multi }]);
    expect(index.containing(3, 3, [])).toEqual([]);
    expect(index.containing(5.5, 5.5, [])).toEqual([]);
    expect(index.containing(5.2, 5.8, [])).toEqual([3]);
  });

  it('a concave polygon: the notch is outside though inside the bbox', () => {
    const u: FenceGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [3, 0],
          [3, 3],
          [2, 3],
          [2, 1],
          [1, 1],
          [1, 3],
          [0, 3],
          [0, 0],
        ],
      ],
    };
    expect(fenceContains(u, 1.5, 2)).toBe(false);
    expect(fenceContains(u, 0.5, 2)).toBe(true);
    expect(new FenceIndex([{ id: 1, geometry: u }]).containing(1.5, 2, [])).toEqual([]);
  });
});

describe('FenceIndex', () => {
  /** A star-shaped ring of n vertices around (lon, lat), radii in metres. */
  function star(rnd: () => number, lon: number, lat: number, n: number, rMin: number, rMax: number): Ring {
    const mPerDegLat = M_PER_DEG_LAT;
    const mPerDegLon = mPerDegLat * Math.cos(lat * RAD);
    const ring: Ring = [];
    for (let k = 0; k < n; k++) {
      const a = (2 * Math.PI * k) / n;
      const r = rMin + rnd() * (rMax - rMin);
      ring.push([lon + (r * Math.cos(a)) / mPerDegLon, lat + (r * Math.sin(a)) / mPerDegLat]);
    }
    ring.push([ring[0][0], ring[0][1]]);
    return ring;
  }

  /** 500 random fences over Tashkent: circles, polygons (some with holes), MultiPolygons. */
  function randomFences(seed: number, count: number): { id: number; geometry: FenceGeometry }[] {
    const rnd = mulberry32(seed);
    const ids = Array.from({ length: count }, (_, i) => 1000 + i * 7);
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [ids[i], ids[j]] = [ids[j], ids[i]];
    }
    return ids.map((id) => {
      const lon = 69.1 + rnd() * 0.3;
      const lat = 41.2 + rnd() * 0.2;
      const kind = rnd();
      let geometry: FenceGeometry;
      if (kind < 0.4) {
        geometry = { type: 'Circle', center: [lon, lat], radiusM: 50 + rnd() * 2500 };
      } else if (kind < 0.8) {
        const rings = [star(rnd, lon, lat, 4 + Math.floor(rnd() * 36), 600, 2500)];
        if (rnd() < 0.3) rings.push(star(rnd, lon, lat, 8, 100, 500));
        geometry = { type: 'Polygon', coordinates: rings };
      } else {
        geometry = {
          type: 'MultiPolygon',
          coordinates: [
            [star(rnd, lon, lat, 12, 200, 1200)],
            [star(rnd, lon + 0.03, lat - 0.02, 20, 300, 1500), star(rnd, lon + 0.03, lat - 0.02, 6, 50, 250)],
          ],
        };
      }
      // Every generated fence is valid.
      return { id, geometry: checkFenceGeometry(geometry, 'fence') };
    });
  }

  it('equals brute force for 10,000 random points over 500 random fences', () => {
    const fences = randomFences(20260101, 500);
    const index = new FenceIndex(fences);
    expect(index.size).toBe(500);
    const rnd = mulberry32(42);
    const out: number[] = [99, 98, 97]; // stale content the index must clear
    let withHits = 0;
    let withSeveral = 0;
    for (let k = 0; k < 10_000; k++) {
      const lon = 69.05 + rnd() * 0.4; // a little beyond the fences on every side
      const lat = 41.15 + rnd() * 0.3;
      const want = fences
        .filter((f) => fenceContains(f.geometry, lon, lat))
        .map((f) => f.id)
        .sort((a, b) => a - b);
      const got = index.containing(lon, lat, out);
      expect(got).toBe(out);
      if (got.length !== want.length || got.some((id, i) => id !== want[i])) {
        expect(got, `point ${lon}, ${lat}`).toEqual(want);
      }
      if (want.length > 0) withHits++;
      if (want.length > 1) withSeveral++;
    }
    // The comparison is not vacuous: many points hit, many hit overlapping fences.
    expect(withHits).toBeGreaterThan(3000);
    expect(withSeveral).toBeGreaterThan(1000);
  });

  it('ids come back ascending and once, whatever the input order or overlaps', () => {
    const c = (r: number): CircleGeometry => ({ type: 'Circle', center: TASHKENT, radiusM: r });
    const overlapping: FenceGeometry = {
      type: 'MultiPolygon',
      coordinates: [[square(69.2, 41.2, 69.3, 41.4)], [square(69.22, 41.25, 69.26, 41.35)]],
    };
    const index = new FenceIndex([
      { id: 30, geometry: c(300) },
      { id: 2, geometry: c(200) },
      { id: 17, geometry: overlapping },
      { id: 5, geometry: c(500) },
    ]);
    expect(index.containing(...TASHKENT, [1, 2, 3, 4, 5, 6])).toEqual([2, 5, 17, 30]);
    expect(index.containing(...destination(...TASHKENT, 90, 250), [])).toEqual([5, 17, 30]);
    expect(index.containing(0, 0, [8])).toEqual([]);
  });

  it('an empty index contains nothing', () => {
    const index = new FenceIndex([]);
    expect(index.size).toBe(0);
    expect(index.containing(69.24, 41.3, [1])).toEqual([]);
  });
});

describe('checkFenceGeometry', () => {
  const p = 'body.geometry';
  const circle = { type: 'Circle', center: [69.24, 41.3], radiusM: 250 };

  it('accepts circles (as a fresh object), Polygons and MultiPolygons', () => {
    expect(checkFenceGeometry({ ...circle, extra: true }, p)).toEqual(circle);
    const polygon = { type: 'Polygon', coordinates: [square(69.2, 41.2, 69.3, 41.3)] };
    expect(checkFenceGeometry(polygon, p)).toEqual(polygon);
    const multi = { type: 'MultiPolygon', coordinates: [[square(-180, -90, 180, 90)]] };
    expect(checkFenceGeometry(multi, p)).toEqual(multi);
    expect(checkFenceGeometry({ ...circle, radiusM: 100_000 }, p)).toMatchObject({ radiusM: 100_000 });
  });

  it('names the bad part', () => {
    expect(message(() => checkFenceGeometry({ type: 'Point', coordinates: [69.24, 41.3] }, p))).toBe(
      'body.geometry.type must be Polygon, MultiPolygon or Circle, got "Point"',
    );
    expect(message(() => checkFenceGeometry({ coordinates: [] }, p))).toBe(
      'body.geometry.type must be Polygon, MultiPolygon or Circle, got nothing',
    );
    expect(message(() => checkFenceGeometry(null, p))).toMatch(/^body\.geometry must be a GeoJSON Polygon/);
    expect(message(() => checkFenceGeometry('Circle', p))).toMatch(/^body\.geometry must be/);

    expect(message(() => checkFenceGeometry({ ...circle, radiusM: 0 }, p))).toBe('body.geometry.radiusM must be > 0 and <= 100000, got 0');
    expect(message(() => checkFenceGeometry({ ...circle, radiusM: -5 }, p))).toBe(
      'body.geometry.radiusM must be > 0 and <= 100000, got -5',
    );
    expect(message(() => checkFenceGeometry({ ...circle, radiusM: 1e9 }, p))).toBe(
      'body.geometry.radiusM must be > 0 and <= 100000, got 1000000000',
    );
    expect(message(() => checkFenceGeometry({ ...circle, radiusM: '250' }, p))).toBe(
      'body.geometry.radiusM must be > 0 and <= 100000, got "250"',
    );
    expect(message(() => checkFenceGeometry({ ...circle, radiusM: undefined }, p))).toBe(
      'body.geometry.radiusM must be > 0 and <= 100000, got nothing',
    );
    expect(message(() => checkFenceGeometry({ ...circle, radiusM: NaN }, p))).toMatch(/^body\.geometry\.radiusM /);
    expect(message(() => checkFenceGeometry({ ...circle, radiusM: Infinity }, p))).toMatch(/^body\.geometry\.radiusM /);

    expect(message(() => checkFenceGeometry({ ...circle, center: [190, 41.3] }, p))).toBe(
      'body.geometry.center: longitude 190 is out of range [-180, 180]',
    );
    expect(message(() => checkFenceGeometry({ ...circle, center: [69.24, -91] }, p))).toBe(
      'body.geometry.center: latitude -91 is out of range [-90, 90]',
    );
    for (const center of [undefined, [69.24], [69.24, 41.3, 0], ['69.24', 41.3], [69.24, NaN], { lon: 69, lat: 41 }]) {
      expect(message(() => checkFenceGeometry({ ...circle, center }, p))).toBe('body.geometry.center must be [lon, lat] numbers');
    }

    const open = [
      [69.2, 41.2],
      [69.3, 41.2],
      [69.3, 41.3],
      [69.2, 41.3],
      [69.2, 41.25],
    ];
    expect(message(() => checkFenceGeometry({ type: 'Polygon', coordinates: [open] }, p))).toBe(
      'body.geometry.coordinates[0]: ring is not closed (first position ≠ last)',
    );
    const lat95 = [
      [69.2, 41.2],
      [69.3, 41.2],
      [69.3, 95],
      [69.2, 41.2],
    ];
    expect(message(() => checkFenceGeometry({ type: 'Polygon', coordinates: [lat95] }, p))).toBe(
      'body.geometry.coordinates[0][2]: latitude 95 is out of range [-90, 90]',
    );
    const lon200 = [
      [69.2, 41.2],
      [200, 41.2],
      [69.3, 41.3],
      [69.2, 41.2],
    ];
    expect(
      message(() => checkFenceGeometry({ type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], [square(0, 0, 1, 1), lon200]] }, p)),
    ).toBe('body.geometry.coordinates[1][1][1]: longitude 200 is out of range [-180, 180]');
    expect(
      message(() =>
        checkFenceGeometry(
          {
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [1, 0],
                [0, 0],
              ],
            ],
          },
          p,
        ),
      ),
    ).toBe('body.geometry.coordinates[0]: a ring needs at least 4 positions');
    expect(message(() => checkFenceGeometry({ type: 'MultiPolygon', coordinates: [] }, p))).toBe(
      'body.geometry.coordinates: must be a non-empty array of polygons',
    );
  });
});
