// engine/geo: GeoJSON checks that name the bad part, the area index (holes, MultiPolygons,
// overlaps), Placement of fixed and mobile reads, and the real Columbus neighbourhoods.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AreaIndex, type AreaShape } from '../../engine/geo/area-index.js';
import {
  bboxOf,
  checkAreaGeometry,
  polygonContains,
  polygonsOf,
  type AreaGeometry,
  type PolygonCoords,
  type Ring,
} from '../../engine/geo/geojson.js';
import { Placement } from '../../engine/geo/placement.js';
import { thrownMessage } from '../helpers/thrown.js';
import { square } from '../helpers/shapes.js';

const poly = (...rings: Ring[]): AreaGeometry => ({ type: 'Polygon', coordinates: rings });
const multi = (...polygons: PolygonCoords[]): AreaGeometry => ({ type: 'MultiPolygon', coordinates: polygons });

const message = thrownMessage;

const P = 'body.features[0].geometry';

describe('checkAreaGeometry', () => {
  it('returns a valid Polygon and MultiPolygon unchanged', () => {
    const p = poly(square(0, 0, 10, 10), square(2, 2, 4, 4));
    expect(checkAreaGeometry(p, P)).toBe(p);
    const m = multi([square(0, 0, 1, 1)], [square(5, 5, 6, 6)]);
    expect(checkAreaGeometry(m, P)).toBe(m);
  });

  it('names a position that is not [x, y] numbers by its full path', () => {
    const ring = square(0, 0, 1, 1) as unknown[];
    ring[1] = [1, 'a'];
    expect(message(() => checkAreaGeometry({ type: 'Polygon', coordinates: [ring] }, P))).toBe(
      'body.features[0].geometry.coordinates[0][1]: must be [x, y] numbers',
    );
  });

  it('names non-finite, short and non-array positions', () => {
    for (const bad of [[1], [Number.NaN, 0], [0, Infinity], 'x', null, { x: 0, y: 0 }]) {
      const ring = square(0, 0, 1, 1) as unknown[];
      ring[2] = bad;
      expect(
        message(() => checkAreaGeometry({ type: 'Polygon', coordinates: [ring] }, P)),
        JSON.stringify(bad),
      ).toBe(`${P}.coordinates[0][2]: must be [x, y] numbers`);
    }
  });

  it('names a bad position in a hole', () => {
    const hole = square(2, 2, 4, 4) as unknown[];
    hole[3] = [3];
    expect(message(() => checkAreaGeometry({ type: 'Polygon', coordinates: [square(0, 0, 10, 10), hole] }, P))).toBe(
      `${P}.coordinates[1][3]: must be [x, y] numbers`,
    );
  });

  it('names a bad position inside a MultiPolygon with the polygon index', () => {
    const ring = square(5, 5, 6, 6) as unknown[];
    ring[2] = ['5', 6];
    const g = { type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], [ring]] };
    expect(message(() => checkAreaGeometry(g, P))).toBe(`${P}.coordinates[1][0][2]: must be [x, y] numbers`);
  });

  it('names a ring with fewer than 4 positions', () => {
    const g = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [0, 0],
        ],
      ],
    };
    expect(message(() => checkAreaGeometry(g, P))).toBe(`${P}.coordinates[0]: a ring needs at least 4 positions`);
    expect(message(() => checkAreaGeometry({ type: 'Polygon', coordinates: [square(0, 0, 9, 9), 'ring'] }, P))).toBe(
      `${P}.coordinates[1]: a ring needs at least 4 positions`,
    );
  });

  it('names a ring that is not closed', () => {
    const g = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 1],
        ],
      ],
    };
    expect(message(() => checkAreaGeometry(g, P))).toBe(`${P}.coordinates[0]: ring is not closed (first position ≠ last)`);
  });

  it('names missing or empty coordinates', () => {
    expect(message(() => checkAreaGeometry({ type: 'Polygon' }, P))).toBe(`${P}.coordinates: must be a non-empty array of rings`);
    expect(message(() => checkAreaGeometry({ type: 'Polygon', coordinates: [] }, P))).toBe(
      `${P}.coordinates: must be a non-empty array of rings`,
    );
    expect(message(() => checkAreaGeometry({ type: 'MultiPolygon', coordinates: [] }, P))).toBe(
      `${P}.coordinates: must be a non-empty array of polygons`,
    );
    expect(message(() => checkAreaGeometry({ type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], []] }, P))).toBe(
      `${P}.coordinates[1]: must be a non-empty array of rings`,
    );
  });

  it('names a type other than Polygon or MultiPolygon', () => {
    expect(message(() => checkAreaGeometry({ type: 'Point', coordinates: [0, 0] }, P))).toBe(
      `${P}.type: must be Polygon or MultiPolygon, got "Point"`,
    );
    expect(message(() => checkAreaGeometry({ coordinates: [] }, P))).toBe(`${P}.type: must be Polygon or MultiPolygon, got nothing`);
  });

  it('names a geometry that is not an object', () => {
    expect(message(() => checkAreaGeometry(null, P))).toBe(`${P}: must be a GeoJSON geometry`);
    expect(message(() => checkAreaGeometry('POLYGON((0 0, 1 0, 1 1, 0 0))', P))).toBe(`${P}: must be a GeoJSON geometry`);
  });
});

describe('polygon helpers', () => {
  const withHole: PolygonCoords = [square(0, 0, 10, 10), square(4, 4, 6, 6)];

  it('polygonContains: inside the outer ring, not in the hole, not outside', () => {
    expect(polygonContains(withHole, 1, 1)).toBe(true);
    expect(polygonContains(withHole, 9, 5)).toBe(true);
    expect(polygonContains(withHole, 5, 5)).toBe(false);
    expect(polygonContains(withHole, 11, 5)).toBe(false);
    expect(polygonContains(withHole, -0.1, 5)).toBe(false);
  });

  it('polygonContains: a concave polygon', () => {
    // A "U": the notch between the arms is outside.
    const u: PolygonCoords = [
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
    ];
    expect(polygonContains(u, 0.5, 2)).toBe(true);
    expect(polygonContains(u, 2.5, 2)).toBe(true);
    expect(polygonContains(u, 1.5, 2)).toBe(false);
    expect(polygonContains(u, 1.5, 0.5)).toBe(true);
  });

  it('polygonsOf lists the polygons of either type', () => {
    const p = poly(square(0, 0, 1, 1));
    expect(polygonsOf(p)).toEqual([[square(0, 0, 1, 1)]]);
    const m = multi([square(0, 0, 1, 1)], [square(2, 2, 3, 3)]);
    expect(polygonsOf(m)).toHaveLength(2);
  });

  it('bboxOf is the outer ring’s box', () => {
    expect(bboxOf([square(-2, 1, 5, 7), square(0, 2, 1, 3)])).toEqual([-2, 1, 5, 7]);
  });
});

describe('AreaIndex', () => {
  it('locates a point in a polygon with a hole, and not in the hole', () => {
    const index = new AreaIndex([{ id: 'ring', geometry: poly(square(0, 0, 10, 10), square(4, 4, 6, 6)) }]);
    expect(index.locate(1, 1)).toBe('ring');
    expect(index.locate(5, 5)).toBeNull();
  });

  it('locates the area that fills another’s hole', () => {
    const index = new AreaIndex([
      { id: 'ring', geometry: poly(square(0, 0, 10, 10), square(4, 4, 6, 6)) },
      { id: 'island', geometry: poly(square(4, 4, 6, 6)) },
    ]);
    expect(index.locate(5, 5)).toBe('island');
    expect(index.locate(2, 2)).toBe('ring');
  });

  it('locates either part of a MultiPolygon, and nothing between them', () => {
    const index = new AreaIndex([{ id: 'split', geometry: multi([square(0, 0, 1, 1)], [square(5, 5, 6, 6)]) }]);
    expect(index.locate(0.5, 0.5)).toBe('split');
    expect(index.locate(5.5, 5.5)).toBe('split');
    expect(index.locate(3, 3)).toBeNull();
    expect(index.size).toBe(1);
  });

  it('resolves overlapping areas to the first uploaded', () => {
    const a: AreaShape = { id: 'a', geometry: poly(square(0, 0, 10, 10)) };
    const b: AreaShape = { id: 'b', geometry: poly(square(5, 5, 15, 15)) };
    expect(new AreaIndex([a, b]).locate(7, 7)).toBe('a');
    expect(new AreaIndex([b, a]).locate(7, 7)).toBe('b');
    expect(new AreaIndex([a, b]).locate(12, 12)).toBe('b');
  });

  it('resolves overlaps by upload order also when the first area is a later part of a MultiPolygon', () => {
    const a: AreaShape = { id: 'a', geometry: multi([square(100, 100, 101, 101)], [square(0, 0, 10, 10)]) };
    const b: AreaShape = { id: 'b', geometry: poly(square(5, 5, 15, 15)) };
    expect(new AreaIndex([a, b]).locate(7, 7)).toBe('a');
    expect(new AreaIndex([b, a]).locate(7, 7)).toBe('b');
  });

  it('gives null for a point outside every area, including inside a bounding box but outside the shape', () => {
    const triangle = poly([
      [0, 0],
      [10, 0],
      [0, 10],
      [0, 0],
    ]);
    const index = new AreaIndex([{ id: 't', geometry: triangle }]);
    expect(index.locate(2, 2)).toBe('t');
    expect(index.locate(9, 9)).toBeNull();
    expect(index.locate(-1, -1)).toBeNull();
    expect(index.locate(200, 0)).toBeNull();
  });

  it('gives null with no areas', () => {
    const index = new AreaIndex([]);
    expect(index.locate(0, 0)).toBeNull();
    expect(index.size).toBe(0);
  });

  it('counts areas, not polygons', () => {
    const index = new AreaIndex([
      { id: 'x', geometry: multi([square(0, 0, 1, 1)], [square(2, 2, 3, 3)]) },
      { id: 'y', geometry: poly(square(4, 4, 5, 5)) },
    ]);
    expect(index.size).toBe(2);
  });
});

describe('Placement', () => {
  const west: AreaShape = { id: 'west', geometry: poly(square(69.0, 41.0, 69.2, 41.4)) };
  const east: AreaShape = { id: 'east', geometry: poly(square(69.2, 41.0, 69.4, 41.4)) };

  it('places a fixed camera in its area', () => {
    const p = new Placement();
    p.setAreas([west, east]);
    p.upsertCameras([{ id: 'c1', lat: 41.3, lon: 69.1 }]);
    expect(p.camera('c1')?.area).toBe('west');
    expect(p.areaOf('c1')).toBe('west');
    expect(p.positionOf('c1')).toMatchObject({ lat: 41.3, lon: 69.1 });
    expect(p.cameraCount).toBe(1);
    expect(p.areaCount).toBe(2);
  });

  it('recomputes a fixed camera’s area when the areas change', () => {
    const p = new Placement();
    p.upsertCameras([{ id: 'c1', lat: 41.3, lon: 69.1 }]);
    expect(p.areaOf('c1')).toBeNull();
    p.setAreas([west]);
    expect(p.areaOf('c1')).toBe('west');
    // The same place, now covered by a different area uploaded first.
    p.setAreas([{ id: 'centre', geometry: poly(square(69.05, 41.2, 69.15, 41.35)) }, west]);
    expect(p.areaOf('c1')).toBe('centre');
    p.setAreas([east]);
    expect(p.areaOf('c1')).toBeNull();
  });

  it('recomputes a camera’s area when the camera moves', () => {
    const p = new Placement();
    p.setAreas([west, east]);
    p.upsertCameras([{ id: 'c1', lat: 41.3, lon: 69.1 }]);
    p.upsertCameras([{ id: 'c1', lat: 41.3, lon: 69.3 }]);
    expect(p.areaOf('c1')).toBe('east');
    expect(p.cameraCount).toBe(1);
  });

  it('uses a mobile read’s own lat/lon over its camera’s', () => {
    const p = new Placement();
    p.setAreas([west, east]);
    p.upsertCameras([{ id: 'patrol-7', lat: 41.3, lon: 69.1, kind: 'mobile' }]);
    expect(p.areaOf('patrol-7', 41.2, 69.3)).toBe('east');
    expect(p.positionOf('patrol-7', 41.2, 69.3)).toEqual({ lat: 41.2, lon: 69.3 });
    // Outside every area: null, not the camera's area.
    expect(p.areaOf('patrol-7', 40.0, 69.3)).toBeNull();
  });

  it('places a read with its own position even from an unknown camera', () => {
    const p = new Placement();
    p.setAreas([west, east]);
    expect(p.areaOf('drone-1', 41.1, 69.1)).toBe('west');
    expect(p.positionOf('drone-1', 41.1, 69.1)).toEqual({ lat: 41.1, lon: 69.1 });
  });

  it('falls back to the camera when the read has only one of lat and lon', () => {
    const p = new Placement();
    p.setAreas([west, east]);
    p.upsertCameras([{ id: 'c1', lat: 41.3, lon: 69.1 }]);
    expect(p.areaOf('c1', 41.2, undefined)).toBe('west');
    expect(p.positionOf('c1', undefined, 69.3)).toMatchObject({ lat: 41.3, lon: 69.1 });
  });

  it('gives null for an unknown camera and a read without a position', () => {
    const p = new Placement();
    p.setAreas([west]);
    expect(p.areaOf('nobody')).toBeNull();
    expect(p.positionOf('nobody')).toBeNull();
    expect(p.camera('nobody')).toBeUndefined();
  });
});

describe('Columbus neighbourhoods (real polygons)', () => {
  interface ColumbusFeature {
    properties: { id: number; X: number; Y: number; CRIME: number };
    geometry: AreaGeometry;
  }
  const fc = JSON.parse(readFileSync(new URL('../fixtures/columbus.geojson', import.meta.url), 'utf8')) as {
    features: ColumbusFeature[];
  };
  const features = fc.features;
  const shapes: AreaShape[] = features.map((f, i) => ({
    id: String(f.properties.id),
    geometry: checkAreaGeometry(f.geometry, `body.features[${i}].geometry`),
  }));
  const index = new AreaIndex(shapes);

  /** Area-weighted centroid of the outer ring (the shoelace formula). */
  function areaCentroid(ring: Ring): [number, number] {
    let a = 0;
    let cx = 0;
    let cy = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const c = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      a += c;
      cx += (ring[j][0] + ring[i][0]) * c;
      cy += (ring[j][1] + ring[i][1]) * c;
    }
    return [cx / (3 * a), cy / (3 * a)];
  }

  /** Least-squares line y = a + b x. */
  function linearFit(xs: number[], ys: number[]): [number, number] {
    const n = xs.length;
    const mx = xs.reduce((s, v) => s + v, 0) / n;
    const my = ys.reduce((s, v) => s + v, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      sxy += (xs[i] - mx) * (ys[i] - my);
      sxx += (xs[i] - mx) ** 2;
    }
    const b = sxy / sxx;
    return [my - b * mx, b];
  }

  it('has 49 valid single-polygon features with ids 1..49', () => {
    expect(features).toHaveLength(49);
    expect(features.map((f) => f.properties.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 49 }, (_, i) => i + 1));
    expect(index.size).toBe(49);
  });

  it('locates each polygon’s area centroid in its own feature (49 of 49)', () => {
    const wrong = features
      .map((f) => {
        const [x, y] = areaCentroid(polygonsOf(f.geometry)[0][0]);
        return { id: String(f.properties.id), got: index.locate(x, y) };
      })
      .filter((r) => r.got !== r.id);
    expect(wrong).toEqual([]);
  });

  it('locates each X, Y centroid property in its own feature, once X, Y are brought to the polygons’ units', () => {
    // X and Y are in the original digitising units, not the polygons' (X 24–51 against x 5.9–11.3):
    // as given, not one of them falls in any neighbourhood.
    expect(features.filter((f) => index.locate(f.properties.X, f.properties.Y) !== null)).toEqual([]);
    // The two are related by a scale and a shift per axis; fit it on the polygons' centroids.
    const centroids = features.map((f) => areaCentroid(polygonsOf(f.geometry)[0][0]));
    const [ax, bx] = linearFit(
      features.map((f) => f.properties.X),
      centroids.map((c) => c[0]),
    );
    const [ay, by] = linearFit(
      features.map((f) => f.properties.Y),
      centroids.map((c) => c[1]),
    );
    expect(bx).toBeCloseTo(0.175, 2);
    expect(by).toBeCloseTo(0.173, 2);
    const located = features.map((f) => ({
      id: String(f.properties.id),
      got: index.locate(ax + bx * f.properties.X, ay + by * f.properties.Y),
    }));
    const wrong = located.filter((r) => r.got !== r.id);
    // 48 of 49 fall in their own neighbourhood. Neighbourhood 42 is a narrow strip whose X, Y
    // lies just west of it, in its neighbour 41 (a property of the data, not of the index).
    expect(wrong).toEqual([{ id: '42', got: '41' }]);
    expect(located.length - wrong.length).toBe(48);
  });

  it('places cameras at the centroids and moves them when the areas are replaced', () => {
    const p = new Placement();
    const cams = features.map((f) => {
      const [x, y] = areaCentroid(polygonsOf(f.geometry)[0][0]);
      return { id: `cam-${f.properties.id}`, lon: x, lat: y };
    });
    p.upsertCameras(cams);
    expect(cams.every((c) => p.areaOf(c.id) === null)).toBe(true);
    p.setAreas(shapes);
    expect(cams.filter((c) => p.areaOf(c.id) !== c.id.slice(4))).toEqual([]);
    p.setAreas(shapes.filter((s) => s.id !== '7'));
    expect(p.areaOf('cam-7')).toBeNull();
    expect(p.areaOf('cam-8')).toBe('8');
  });
});

describe('error messages about hostile values', () => {
  it('show a value nested 10,000 deep without walking it (JSON.stringify would throw)', async () => {
    const { checkAreaGeometry } = await import('../../engine/geo/geojson.js');
    const { checkFenceGeometry } = await import('../../engine/geo/fence-geometry.js');
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(() => checkAreaGeometry({ type: deep, coordinates: [] }, 'g')).toThrow(
      'g.type: must be Polygon or MultiPolygon, got an array of 1',
    );
    expect(() => checkFenceGeometry({ type: { a: deep } }, 'f')).toThrow('f.type must be Polygon, MultiPolygon or Circle, got an object');
  });
});
