// Small geometries for geometry tests.

import type { Ring } from '../../engine/geo/geojson.js';

/** Closed axis-aligned square ring, counter-clockwise. */
export function square(x0: number, y0: number, x1: number, y1: number): Ring {
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
    [x0, y0],
  ];
}
