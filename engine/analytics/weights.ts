// Spatial weights between areas: queen/rook contiguity from polygons (as spdep::poly2nb), k
// nearest neighbours and distance bands between points, row-standardised (W) or binary (B).

import { M_PER_DEG_LAT, metresPerDegLon } from '../geo/earth.js';
import Flatbush from 'flatbush';
import type { PolygonCoords } from '../geo/geojson.js';

export interface SpatialWeights {
  n: number;
  /** Per area, its neighbours' positions in ascending order; self never included. */
  neighbours: Int32Array[];
  /** Per area, the weight of each neighbour in `neighbours` (same shape). */
  weights: Float64Array[];
  style: 'W' | 'B';
  /** Areas without neighbours: kept, with empty rows, so statistics follow spdep's zero.policy. */
  islands: number[];
}

/** spdep's default snap, `sqrt(.Machine$double.eps)`. */
export const DEFAULT_SNAP = Math.sqrt(Number.EPSILON);

/**
 * Neighbour lists as spdep::poly2nb: two areas are queen neighbours when at least one vertex of
 * one lies within `snap` of a vertex of the other, rook neighbours when at least two such vertex
 * pairs exist (a shared edge, in a clean coverage). Like poly2nb this looks at vertices only: an
 * area whose vertex sits on the middle of another's edge (a T-junction) does not touch it.
 */
export function contiguity(polygons: PolygonCoords[][], kind: 'queen' | 'rook', snap = DEFAULT_SNAP): number[][] {
  if (!(snap >= 0) || !Number.isFinite(snap)) throw new RangeError(`contiguity: snap must be a finite number ≥ 0, got ${snap}`);
  const n = polygons.length;
  const { xs, ys, owner, count } = vertices(polygons);
  const needed = kind === 'queen' ? 1 : 2;

  // A hash of vertices into square cells no smaller than `snap`: two vertices within snap lie in
  // the same or adjacent cells, so only those are compared, not every pair of polygons. Such a
  // pair's bounding boxes (grown by snap, as poly2nb grows them) always overlap, so the hash
  // already is the bounding-box filter poly2nb runs first. The cell is floored at a 2^-20 part of
  // the extent so cell numbers stay exact integers even with snap = 0 or a tiny snap.
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let v = 0; v < count; v++) {
    if (xs[v] < minX) minX = xs[v];
    if (ys[v] < minY) minY = ys[v];
    if (xs[v] > maxX) maxX = xs[v];
    if (ys[v] > maxY) maxY = ys[v];
  }
  const cell = Math.max(snap, Math.max(maxX - minX, maxY - minY) * 2 ** -20, Number.MIN_VALUE);
  const side = 2 ** 22; // > extent / cell + 2, so (cx, cy) ↦ cx * side + cy is one-to-one
  const cx = new Float64Array(count);
  const cy = new Float64Array(count);
  const heads = new Map<number, number>();
  const next = new Int32Array(count).fill(-1);
  for (let v = 0; v < count; v++) {
    cx[v] = Math.floor((xs[v] - minX) / cell) + 1;
    cy[v] = Math.floor((ys[v] - minY) / cell) + 1;
    const key = cx[v] * side + cy[v];
    const head = heads.get(key);
    if (head !== undefined) next[v] = head;
    heads.set(key, v);
  }

  // Count vertex pairs within snap per pair of areas, as poly2nb's polypoly() counts them.
  const pairs = new Map<number, number>();
  const snap2 = snap * snap;
  for (let v = 0; v < count; v++) {
    const a = owner[v];
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (let u = heads.get((cx[v] + dx) * side + cy[v] + dy) ?? -1; u !== -1; u = next[u]) {
          // Each unordered vertex pair once; vertices of the same area never count.
          if (u <= v || owner[u] === a) continue;
          const ddx = xs[u] - xs[v];
          const ddy = ys[u] - ys[v];
          if (Math.abs(ddx) > snap || Math.abs(ddy) > snap || ddx * ddx + ddy * ddy > snap2) continue;
          const b = owner[u];
          const key = a < b ? a * n + b : b * n + a;
          pairs.set(key, (pairs.get(key) ?? 0) + 1);
        }
      }
    }
  }

  const nb: number[][] = Array.from({ length: n }, () => []);
  for (const [key, k] of pairs) {
    if (k < needed) continue;
    const a = Math.floor(key / n);
    const b = key - a * n;
    nb[a].push(b);
    nb[b].push(a);
  }
  for (const list of nb) list.sort((p, q) => p - q);
  return nb;
}

/**
 * All vertices with the area that owns them. Each ring's closing position repeats its first one
 * and is left out, as poly2nb leaves it out: counted twice, one shared corner would look like
 * the two shared points of an edge.
 */
function vertices(polygons: PolygonCoords[][]): { xs: Float64Array; ys: Float64Array; owner: Int32Array; count: number } {
  let total = 0;
  for (const area of polygons) for (const polygon of area) for (const ring of polygon) total += ring.length;
  const xs = new Float64Array(total);
  const ys = new Float64Array(total);
  const owner = new Int32Array(total);
  let count = 0;
  polygons.forEach((area, i) => {
    for (const polygon of area) {
      for (const ring of polygon) {
        const m = ring.length;
        const closed = m > 1 && ring[0][0] === ring[m - 1][0] && ring[0][1] === ring[m - 1][1];
        for (let k = 0; k < (closed ? m - 1 : m); k++) {
          xs[count] = ring[k][0];
          ys[count] = ring[k][1];
          owner[count++] = i;
        }
      }
    }
  });
  return { xs, ys, owner, count };
}

function pointIndex(points: readonly [number, number][]): Flatbush {
  const index = new Flatbush(points.length);
  for (const [x, y] of points) index.add(x, y, x, y);
  index.finish();
  return index;
}

/**
 * The k nearest other points of each point, as spdep::knn2nb(knearneigh(xy, k)): asymmetric
 * (j among i's nearest does not make i among j's). Ties at the k-th distance go to the lower
 * position, as spdep's own C search (without dbscan) breaks them.
 */
export function knn(points: [number, number][], k: number): number[][] {
  const n = points.length;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`knn: k must be an integer ≥ 1, got ${k}`);
  if (k >= n) throw new RangeError(`knn: k = ${k} needs more than ${k} points, got ${n}`);
  const index = pointIndex(points);
  return points.map(([x, y], i) => {
    // The R-tree's nearest k (itself excluded) fix the k-th distance; the exact answer with
    // ties broken by position is then everything within that distance, sorted.
    const nearest = index.neighbors(x, y, k, Infinity, (j) => j !== i);
    const far = nearest[nearest.length - 1];
    const dk = Math.hypot(points[far][0] - x, points[far][1] - y);
    return index
      .search(x - dk, y - dk, x + dk, y + dk, (j) => j !== i)
      .map((j) => ({ j, d: Math.hypot(points[j][0] - x, points[j][1] - y) }))
      .filter((c) => c.d <= dk)
      .sort((p, q) => p.d - q.d || p.j - q.j)
      .slice(0, k)
      .map((c) => c.j)
      .sort((p, q) => p - q);
  });
}

/** Every other point within `maxDist` (inclusive), as spdep::dnearneigh(xy, 0, maxDist): symmetric. */
export function distanceBand(points: [number, number][], maxDist: number): number[][] {
  if (!(maxDist >= 0) || !Number.isFinite(maxDist))
    throw new RangeError(`distanceBand: maxDist must be a finite number ≥ 0, got ${maxDist}`);
  const index = pointIndex(points);
  return points.map(([x, y], i) =>
    index
      .search(x - maxDist, y - maxDist, x + maxDist, y + maxDist, (j) => j !== i)
      .filter((j) => Math.hypot(points[j][0] - x, points[j][1] - y) <= maxDist)
      .sort((p, q) => p - q),
  );
}

/**
 * Weights from neighbour lists as spdep::nb2listw: B gives each link 1, W gives each of an
 * area's k links 1/k. Islands keep an empty row (spdep's zero.policy = TRUE) and are listed.
 */
export function toWeights(nb: number[][], style: 'W' | 'B'): SpatialWeights {
  const n = nb.length;
  const neighbours: Int32Array[] = [];
  const weights: Float64Array[] = [];
  const islands: number[] = [];
  nb.forEach((list, i) => {
    const ids = Int32Array.from(new Set(list)).sort();
    for (const j of ids) {
      if (j === i || j < 0 || j >= n)
        throw new RangeError(`toWeights: area ${i} lists neighbour ${j}, which is itself or not one of the ${n} areas`);
    }
    if (ids.length === 0) islands.push(i);
    neighbours.push(ids);
    weights.push(new Float64Array(ids.length).fill(style === 'W' ? 1 / ids.length : 1));
  });
  return { n, neighbours, weights, style, islands };
}

/**
 * Lon/lat (degrees) to planar metres by a local equirectangular projection around the points'
 * centroid. Adequate at city scale: north-south distances are exact up to the sphere's
 * approximation, and east-west ones scale with cos(lat)/cos(lat0), which within ±20 km of the
 * centre is off by at most tan(lat0)·Δlat ≈ 0.3 % at 45° latitude: enough to rank neighbours
 * and to test distance bands of tens of metres or more. Not for areas spanning the antimeridian.
 */
export function projectToMetres(lonLat: [number, number][]): [number, number][] {
  if (lonLat.length === 0) return [];
  let lon0 = 0;
  let lat0 = 0;
  for (const [lon, lat] of lonLat) {
    lon0 += lon;
    lat0 += lat;
  }
  lon0 /= lonLat.length;
  lat0 /= lonLat.length;
  const kx = metresPerDegLon(lat0);
  return lonLat.map(([lon, lat]) => [(lon - lon0) * kx, (lat - lat0) * M_PER_DEG_LAT]);
}
