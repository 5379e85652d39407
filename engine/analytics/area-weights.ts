// Spatial weights for the loaded areas from the `weights` and `style` parameters: queen or
// rook contiguity from the polygons, k nearest or a distance band between centroids (in metres).

import { ParamError } from '../errors.js';
import { polygonsOf } from '../geo/geojson.js';
import type { Area } from '../domain/places.js';
import { contiguity, distanceBand, knn, projectToMetres, toWeights, type SpatialWeights } from './weights.js';

export type WeightsSpec = { kind: 'queen' | 'rook' } | { kind: 'knn'; k: number } | { kind: 'distance'; metres: number };

export function parseWeights(text: string): WeightsSpec {
  if (text === 'queen' || text === 'rook') return { kind: text };
  let m = /^knn:(\d{1,4})$/.exec(text);
  if (m && Number(m[1]) >= 1) return { kind: 'knn', k: Number(m[1]) };
  m = /^distance:(\d{1,7}(\.\d+)?)$/.exec(text);
  if (m && Number(m[1]) > 0) return { kind: 'distance', metres: Number(m[1]) };
  throw new ParamError('weights', ` must be queen, rook, knn:K (K ≥ 1) or distance:METRES, got '${text.slice(0, 40)}'`);
}

/** Area centroid as the mean of its outer rings' vertices: enough to rank neighbours. */
function centroid(area: Area): [number, number] {
  let x = 0;
  let y = 0;
  let n = 0;
  for (const polygon of polygonsOf(area.geometry)) {
    const ring = polygon[0];
    for (let i = 0; i < ring.length - 1; i++) {
      x += ring[i][0];
      y += ring[i][1];
      n++;
    }
  }
  return [x / n, y / n];
}

export function areaWeights(areas: readonly Area[], spec: WeightsSpec, style: 'W' | 'B'): SpatialWeights {
  switch (spec.kind) {
    case 'queen':
    case 'rook':
      return toWeights(
        contiguity(
          areas.map((a) => polygonsOf(a.geometry)),
          spec.kind,
        ),
        style,
      );
    case 'knn':
      if (spec.k >= areas.length)
        throw new ParamError('weights', ` knn:${spec.k} needs more than ${spec.k} areas; ${areas.length} are loaded`);
      return toWeights(knn(projectToMetres(areas.map(centroid)), spec.k), style);
    case 'distance':
      return toWeights(distanceBand(projectToMetres(areas.map(centroid)), spec.metres), style);
  }
}
