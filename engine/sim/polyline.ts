// A street or a route as a line of points, measured in metres, so cameras can be spaced along
// it and a patrol car can be found "d metres along" at any moment.

import { M_PER_DEG_LAT, M_PER_DEG_LON, type LatLon } from './local-frame.js';

/** A point on the line and the unit direction (east, north) of travel there. */
export interface LinePoint extends LatLon {
  east: number;
  north: number;
}

export class Polyline {
  /** Distance from the first point to each point, in metres. */
  private readonly along: Float64Array;

  constructor(readonly points: readonly LatLon[]) {
    if (points.length < 2) throw new Error(`Polyline: needs at least 2 points, got ${points.length}`);
    this.along = new Float64Array(points.length);
    for (let i = 1; i < points.length; i++) {
      const a = points[i - 1];
      const b = points[i];
      this.along[i] = this.along[i - 1] + Math.hypot((b.lon - a.lon) * M_PER_DEG_LON, (b.lat - a.lat) * M_PER_DEG_LAT);
    }
  }

  get length(): number {
    return this.along[this.along.length - 1];
  }

  /** The point `d` metres from the start, d clamped to the line. */
  at(d: number): LinePoint {
    const along = this.along;
    const x = Math.min(Math.max(d, 0), this.length);
    let lo = 1;
    let hi = along.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (along[mid] >= x) hi = mid;
      else lo = mid + 1;
    }
    const a = this.points[lo - 1];
    const b = this.points[lo];
    const span = along[lo] - along[lo - 1];
    const t = span > 0 ? (x - along[lo - 1]) / span : 0;
    const east = (b.lon - a.lon) * M_PER_DEG_LON;
    const north = (b.lat - a.lat) * M_PER_DEG_LAT;
    const norm = Math.hypot(east, north) || 1;
    return { lat: a.lat + t * (b.lat - a.lat), lon: a.lon + t * (b.lon - a.lon), east: east / norm, north: north / norm };
  }

  /** There and back again: a route a patrol can drive round and round. */
  loop(): Polyline {
    return new Polyline([...this.points, ...this.points.slice(0, -1).reverse()]);
  }
}
