// engine/analytics/weights: queen/rook contiguity, kNN and distance bands on the real Columbus
// neighbourhoods against R spdep, snapping, islands, and the local metric projection.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contiguity, distanceBand, knn, projectToMetres, toWeights } from '../../engine/analytics/weights.js';
import { polygonsOf, type AreaGeometry, type PolygonCoords, type Ring } from '../../engine/geo/geojson.js';
import { square } from '../helpers/shapes.js';

const columbus = JSON.parse(readFileSync(new URL('../fixtures/columbus.geojson', import.meta.url), 'utf8')) as {
  features: Array<{ geometry: AreaGeometry; properties: { id: number; X: number; Y: number } }>;
};
const shared = JSON.parse(readFileSync(new URL('../fixtures/columbus_neighbours.json', import.meta.url), 'utf8')) as {
  queen_poly2nb: Record<string, number[]>;
};
// Written by test/fixtures/r/moran_gistar.R with R 4.2.2, spdep 1.2-7, sf 1.0-9; neighbour lists
// there are 0-based positions of the features in columbus.geojson.
const R = JSON.parse(readFileSync(new URL('../fixtures/r/moran_gistar.json', import.meta.url), 'utf8')) as {
  queen: number[][];
  queenLinks: number;
  rook: number[][];
  rookLinks: number;
  knn4: number[][];
  knn4Links: number;
  knn4Symmetric: boolean;
  band5: number[][];
  band5Links: number;
};

const areas = columbus.features.map((f) => polygonsOf(f.geometry));
const ids = columbus.features.map((f) => f.properties.id);
const centroids = columbus.features.map((f): [number, number] => [f.properties.X, f.properties.Y]);
const links = (nb: number[][]) => nb.reduce((s, l) => s + l.length, 0);

function isSymmetric(nb: number[][]): boolean {
  return nb.every((list, i) => list.every((j) => nb[j].includes(i)));
}

const area = (...rings: Ring[]): PolygonCoords[] => [rings];

describe('contiguity on Columbus', () => {
  it('queen equals spdep::poly2nb(queen = TRUE): 236 links, the same as shared/data queen_poly2nb by id', () => {
    const queen = contiguity(areas, 'queen');
    expect(links(queen)).toBe(236);
    expect(R.queenLinks).toBe(236);
    expect(queen).toEqual(R.queen);
    for (const [i, list] of queen.entries()) {
      expect(list.map((j) => ids[j]).sort((a, b) => a - b)).toEqual([...shared.queen_poly2nb[String(ids[i])]].sort((a, b) => a - b));
    }
    expect(isSymmetric(queen)).toBe(true);
  });

  it('rook equals spdep::poly2nb(queen = FALSE): 200 links, a subset of queen', () => {
    const rook = contiguity(areas, 'rook');
    const queen = contiguity(areas, 'queen');
    expect(links(rook)).toBe(R.rookLinks);
    expect(R.rookLinks).toBe(200);
    expect(rook).toEqual(R.rook);
    rook.forEach((list, i) => list.forEach((j) => expect(queen[i]).toContain(j)));
  });
});

describe('contiguity rules', () => {
  it('a shared corner makes queen but not rook neighbours; a shared edge makes both', () => {
    const polys = [area(square(0, 0, 1, 1)), area(square(1, 1, 2, 2)), area(square(1, 0, 2, 1))];
    expect(contiguity(polys, 'queen')).toEqual([
      [1, 2],
      [0, 2],
      [0, 1],
    ]);
    expect(contiguity(polys, 'rook')).toEqual([[2], [2], [0, 1]]);
  });

  it("the ring's closing position is not counted twice: a corner at the ring start is still only a corner", () => {
    // Both rings start (and end) at the shared corner (1, 1).
    const a: Ring = [
      [1, 1],
      [0, 1],
      [0, 0],
      [1, 0],
      [1, 1],
    ];
    const b: Ring = [
      [1, 1],
      [2, 1],
      [2, 2],
      [1, 2],
      [1, 1],
    ];
    expect(contiguity([area(a), area(b)], 'rook')).toEqual([[], []]);
    expect(contiguity([area(a), area(b)], 'queen')).toEqual([[1], [0]]);
  });

  it('snaps vertices within the tolerance: a 1e-9 gap touches by default, not with snap = 0 or past the snap', () => {
    const polys = [area(square(0, 0, 1, 1)), area(square(1 + 1e-9, 0, 2, 1))];
    expect(contiguity(polys, 'rook')).toEqual([[1], [0]]);
    expect(contiguity(polys, 'queen', 0)).toEqual([[], []]);
    const far = [area(square(0, 0, 1, 1)), area(square(1 + 1e-7, 0, 2, 1))];
    expect(contiguity(far, 'queen')).toEqual([[], []]);
    expect(contiguity(far, 'rook', 1e-6)).toEqual([[1], [0]]);
  });

  it('looks at every polygon and ring of a MultiPolygon area', () => {
    const multi: PolygonCoords[] = [[square(0, 0, 1, 1)], [square(5, 0, 6, 1)]];
    const polys = [multi, area(square(6, 0, 7, 1)), area(square(20, 20, 21, 21))];
    expect(contiguity(polys, 'rook')).toEqual([[1], [0], []]);
  });

  it('a 30 × 40 grid of squares has the textbook queen and rook link counts', () => {
    const rows = 30;
    const cols = 40;
    const polys: PolygonCoords[][] = [];
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) polys.push(area(square(c * 250, r * 250, (c + 1) * 250, (r + 1) * 250)));
    const rookLinks = 2 * (rows * (cols - 1) + cols * (rows - 1));
    expect(links(contiguity(polys, 'rook'))).toBe(rookLinks);
    expect(links(contiguity(polys, 'queen'))).toBe(rookLinks + 4 * (rows - 1) * (cols - 1));
  });
});

describe('knn and distance bands', () => {
  it('knn(k = 4) equals spdep::knn2nb(knearneigh(xy, 4)) and, like it, is not symmetric', () => {
    const nb = knn(centroids, 4);
    expect(nb).toEqual(R.knn4);
    expect(links(nb)).toBe(R.knn4Links);
    expect(isSymmetric(nb)).toBe(R.knn4Symmetric);
    expect(R.knn4Symmetric).toBe(false);
  });

  it('knn breaks ties at the k-th distance by position and refuses k ≥ n', () => {
    const pts: [number, number][] = [
      [0, 0],
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ];
    expect(knn(pts, 2)[0]).toEqual([1, 2]);
    expect(() => knn(pts, 5)).toThrow(RangeError);
  });

  it('distanceBand(5) equals spdep::dnearneigh(xy, 0, 5), bounds inclusive', () => {
    const nb = distanceBand(centroids, 5);
    expect(nb).toEqual(R.band5);
    expect(links(nb)).toBe(R.band5Links);
    expect(
      distanceBand(
        [
          [0, 0],
          [3, 4],
          [3, 4.0001],
        ],
        5,
      ),
    ).toEqual([[1], [0, 2], [1]]);
  });
});

describe('toWeights', () => {
  it('row-standardises (W) or keeps 1 (B), keeps islands with empty rows and lists them', () => {
    const nb = [[1, 2], [0], [0], []];
    const W = toWeights(nb, 'W');
    expect(W.n).toBe(4);
    expect(Array.from(W.weights[0])).toEqual([0.5, 0.5]);
    expect(Array.from(W.weights[1])).toEqual([1]);
    expect(W.neighbours[3]).toHaveLength(0);
    expect(W.islands).toEqual([3]);
    const B = toWeights(nb, 'B');
    expect(Array.from(B.weights[0])).toEqual([1, 1]);
    expect(B.style).toBe('B');
  });

  it('sorts and de-duplicates neighbours, and rejects self or out-of-range ids', () => {
    expect(Array.from(toWeights([[2, 1, 2], [0], [0]], 'B').neighbours[0])).toEqual([1, 2]);
    expect(() => toWeights([[0]], 'W')).toThrow(RangeError);
    expect(() => toWeights([[3], []], 'W')).toThrow(RangeError);
  });
});

describe('projectToMetres', () => {
  it('gives metres around the centroid: 0.01° of latitude ≈ 1,112 m, of longitude ≈ 1,112 m · cos(lat)', () => {
    const [a, b, c] = projectToMetres([
      [69.25, 41.3],
      [69.25, 41.31],
      [69.26, 41.3],
    ]);
    expect(Math.hypot(b[0] - a[0], b[1] - a[1])).toBeCloseTo(1111.95, 1);
    // cos at the centroid's latitude (41.30333…°), not at the points' own.
    expect(Math.hypot(c[0] - a[0], c[1] - a[1])).toBeCloseTo(1111.95 * Math.cos((41.303333333 * Math.PI) / 180), 1);
    expect(projectToMetres([])).toEqual([]);
  });
});
