// Geofence shapes: GeoJSON (Multi)Polygons in lon/lat, or circles given by a centre and a
// radius in metres. Checks that name the bad part, the exact containment test, a conservative
// bounding box, and FenceIndex: a flatbush R-tree over the boxes narrows the candidates, the
// exact test decides (as in area-index.ts). Pure logic, immutable once built.

import { badInput } from '../errors.js';
import { shownValue } from '../util/shown-value.js';
import { EARTH_RADIUS_M } from './earth.js';
import Flatbush from 'flatbush';
import {
  bboxOf,
  checkAreaGeometry,
  polygonContains,
  polygonsOf,
  type MultiPolygonGeometry,
  type PolygonCoords,
  type PolygonGeometry,
} from './geojson.js';

export interface CircleGeometry {
  type: 'Circle';
  /** [lon, lat] in degrees. */
  center: [number, number];
  radiusM: number;
}

export type FenceGeometry = PolygonGeometry | MultiPolygonGeometry | CircleGeometry;

/** Largest circle radius accepted, metres. Circles are on the sphere of geo/earth.ts. */
export const MAX_CIRCLE_RADIUS_M = 100_000;

const RAD = Math.PI / 180;
const DEG = 180 / Math.PI;

/**
 * Validates a fence geometry. Throws an Error whose message starts with `path` and names the
 * bad part (`body.geometry.radiusM must be > 0 and <= 100000, got 0`). Polygons get the ring
 * checks of checkAreaGeometry plus lon in [-180, 180], lat in [-90, 90]. Circles come back as a
 * fresh object holding only type, center and radiusM; polygons come back as given.
 */
export function checkFenceGeometry(g: unknown, path: string): FenceGeometry {
  if (typeof g !== 'object' || g === null || Array.isArray(g)) {
    throw badInput(`${path} must be a GeoJSON Polygon or MultiPolygon, or a Circle {type, center, radiusM}`);
  }
  const type = (g as { type?: unknown }).type;
  if (type === 'Circle') return checkCircle(g as Record<string, unknown>, path);
  if (type !== 'Polygon' && type !== 'MultiPolygon') {
    throw badInput(`${path}.type must be Polygon, MultiPolygon or Circle, got ${shownValue(type)}`);
  }
  const area = checkAreaGeometry(g, path);
  if (area.type === 'Polygon') {
    checkPolygonRanges(area.coordinates, `${path}.coordinates`);
  } else {
    area.coordinates.forEach((p, i) => checkPolygonRanges(p, `${path}.coordinates[${i}]`));
  }
  return area;
}

function checkCircle(g: Record<string, unknown>, path: string): CircleGeometry {
  const c = g.center;
  if (
    !Array.isArray(c) ||
    c.length !== 2 ||
    typeof c[0] !== 'number' ||
    typeof c[1] !== 'number' ||
    !Number.isFinite(c[0]) ||
    !Number.isFinite(c[1])
  ) {
    throw badInput(`${path}.center must be [lon, lat] numbers`);
  }
  const [lon, lat] = c as [number, number];
  checkLonLat(lon, lat, `${path}.center`);
  const r = g.radiusM;
  if (typeof r !== 'number' || !Number.isFinite(r) || r <= 0 || r > MAX_CIRCLE_RADIUS_M) {
    throw badInput(`${path}.radiusM must be > 0 and <= ${MAX_CIRCLE_RADIUS_M}, got ${shownValue(r)}`);
  }
  return { type: 'Circle', center: [lon, lat], radiusM: r };
}

function checkPolygonRanges(rings: PolygonCoords, path: string): void {
  rings.forEach((ring, r) => ring.forEach((p, k) => checkLonLat(p[0], p[1], `${path}[${r}][${k}]`)));
}

function checkLonLat(lon: number, lat: number, path: string): void {
  if (lon < -180 || lon > 180) throw badInput(`${path}: longitude ${lon} is out of range [-180, 180]`);
  if (lat < -90 || lat > 90) throw badInput(`${path}: latitude ${lat} is out of range [-90, 90]`);
}

// ---------------------------------------------------------------------------------------------
// Circles, precomputed: d <= r  ⇔  hav(d/R) <= hav(r/R), so the hot test needs no sqrt/asin.

interface CompiledCircle {
  lonR: number;
  latR: number;
  cosLat: number;
  /** sin²(r / 2R): the haversine `a` of the radius. */
  aMax: number;
}

function compileCircle(c: CircleGeometry): CompiledCircle {
  const latR = c.center[1] * RAD;
  const s = Math.sin(c.radiusM / (2 * EARTH_RADIUS_M));
  return { lonR: c.center[0] * RAD, latR, cosLat: Math.cos(latR), aMax: s * s };
}

/** The haversine `a` term between the circle's centre and (lonR, latR), both in radians. */
function haversineA(c: CompiledCircle, lonR: number, latR: number): number {
  const sLat = Math.sin((latR - c.latR) / 2);
  const sLon = Math.sin((lonR - c.lonR) / 2);
  return sLat * sLat + c.cosLat * Math.cos(latR) * sLon * sLon;
}

/** Great-circle distance in metres (haversine on the sphere of radius EARTH_RADIUS_M). */
export function haversineM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const sLat = Math.sin(((lat2 - lat1) * RAD) / 2);
  const sLon = Math.sin(((lon2 - lon1) * RAD) / 2);
  const a = sLat * sLat + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * sLon * sLon;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Is (lon, lat) inside the fence? Circles include their edge (distance <= radiusM). */
export function fenceContains(g: FenceGeometry, lon: number, lat: number): boolean {
  if (g.type === 'Circle') {
    const c = compileCircle(g);
    return haversineA(c, lon * RAD, lat * RAD) <= c.aMax;
  }
  for (const polygon of polygonsOf(g)) if (polygonContains(polygon, lon, lat)) return true;
  return false;
}

type BBox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

/**
 * [minLon, minLat, maxLon, maxLat]. For a circle the box is exact on the sphere (the widest
 * longitude of a cap of angular radius δ around latitude φ is asin(sin δ / cos φ), wider than
 * δ / cos φ would suggest), padded by a millionth; a circle reaching a pole or crossing the
 * antimeridian gets the full longitude range.
 */
export function fenceBBox(g: FenceGeometry): BBox {
  if (g.type === 'Circle') return circleBBox(g);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const polygon of polygonsOf(g)) {
    const [x0, y0, x1, y1] = bboxOf(polygon);
    if (x0 < minX) minX = x0;
    if (y0 < minY) minY = y0;
    if (x1 > maxX) maxX = x1;
    if (y1 > maxY) maxY = y1;
  }
  return [minX, minY, maxX, maxY];
}

function circleBBox(c: CircleGeometry): BBox {
  const [lon, lat] = c.center;
  const delta = (c.radiusM / EARTH_RADIUS_M) * (1 + 1e-6); // angular radius, padded
  const dLat = delta * DEG;
  const minLat = lat - dLat;
  const maxLat = lat + dLat;
  if (minLat <= -90 || maxLat >= 90) return [-180, Math.max(-90, minLat), 180, Math.min(90, maxLat)];
  const dLon = Math.asin(Math.min(1, Math.sin(delta) / Math.cos(lat * RAD))) * DEG;
  const minLon = lon - dLon;
  const maxLon = lon + dLon;
  if (minLon < -180 || maxLon > 180) return [-180, minLat, 180, maxLat];
  return [minLon, minLat, maxLon, maxLat];
}

// ---------------------------------------------------------------------------------------------

/** One R-tree item: a circle or one polygon of a fence (MultiPolygons give one per part). */
type Part = { circle: CompiledCircle; polygon: null } | { circle: null; polygon: PolygonCoords };

export class FenceIndex {
  private readonly tree: Flatbush | null;
  private readonly parts: Part[] = [];
  private readonly owners: number[] = [];
  private readonly count: number;

  constructor(fences: readonly { id: number; geometry: FenceGeometry }[]) {
    this.count = fences.length;
    const boxes: BBox[] = [];
    for (const { id, geometry } of fences) {
      if (geometry.type === 'Circle') {
        this.parts.push({ circle: compileCircle(geometry), polygon: null });
        this.owners.push(id);
        boxes.push(circleBBox(geometry));
      } else {
        for (const polygon of polygonsOf(geometry)) {
          this.parts.push({ circle: null, polygon });
          this.owners.push(id);
          boxes.push(bboxOf(polygon));
        }
      }
    }
    if (boxes.length === 0) {
      this.tree = null;
      return;
    }
    this.tree = new Flatbush(boxes.length);
    for (const b of boxes) this.tree.add(b[0], b[1], b[2], b[3]);
    this.tree.finish();
  }

  /** Number of fences given to the constructor. */
  get size(): number {
    return this.count;
  }

  /** Ids of the fences containing (lon, lat), ascending and unique; `out` is emptied first. */
  containing(lon: number, lat: number, out: number[]): number[] {
    out.length = 0;
    if (!this.tree) return out;
    const candidates = this.tree.search(lon, lat, lon, lat);
    if (candidates.length === 0) return out;
    const lonR = lon * RAD;
    const latR = lat * RAD;
    for (let c = 0; c < candidates.length; c++) {
      const i = candidates[c];
      const part = this.parts[i];
      const inside = part.circle ? haversineA(part.circle, lonR, latR) <= part.circle.aMax : polygonContains(part.polygon, lon, lat);
      if (inside) insertSorted(out, this.owners[i]);
    }
    return out;
  }
}

/** Insert into an ascending array unless present (hits per point are few: linear is fine). */
function insertSorted(out: number[], id: number): void {
  let k = out.length;
  while (k > 0 && out[k - 1] > id) k--;
  if (k > 0 && out[k - 1] === id) return;
  if (k === out.length) out.push(id);
  else out.splice(k, 0, id);
}
