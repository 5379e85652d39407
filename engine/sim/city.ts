// A small synthetic Tashkent for demos and tests: districts on a grid over the city's bounding
// box, cameras strung along a few streets, the plates and faces that move through it.

import type { PolygonGeometry, Position } from '../geo/geojson.js';
import type { Camera } from '../store/catalog.js';
import { Random } from './random.js';

export const TASHKENT_BBOX = { south: 41.2, north: 41.4, west: 69.1, east: 69.4 } as const;
export const PLATE_REGIONS = ['01', '10', '20', '25', '30', '40', '50', '60', '70', '75', '80', '85', '90', '95'] as const;
export const FACE_DIM = 8;

// Tashkent's own districts lend the grid cells their names; the shapes are not theirs.
const DISTRICT_NAMES = [
  'Bektemir', 'Chilonzor', 'Mirobod', 'Mirzo Ulugʻbek', 'Olmazor', 'Sergeli',
  'Shayxontohur', 'Uchtepa', 'Yakkasaroy', 'Yangihayot', 'Yashnobod', 'Yunusobod',
];
// Letters of the Uzbek Latin alphabet (no C, no W); O, B, I and S stay in so OCR noise has
// look-alikes to confuse.
const PLATE_LETTERS = 'ABDEFGHIJKLMNOPQRSTUVXYZ';
// Most cars are registered in the city (01) or the region around it (10).
const REGION_WEIGHTS = PLATE_REGIONS.map((r): [string, number] => [r, r === '01' ? 24 : r === '10' ? 6 : 1]);

export interface DistrictFeature {
  type: 'Feature';
  geometry: PolygonGeometry;
  properties: { id: string; name: string; population: number };
}

export interface SimCity {
  cameras: Camera[];
  /** What `PUT /api/v1/areas` takes. */
  areas: { type: 'FeatureCollection'; features: DistrictFeature[] };
  /** Plates in their printed form, e.g. '01 A 123 BC' (private) or '01 123 ABC' (company). */
  plates: string[];
  /** Unit face embeddings of the city's residents, FACE_DIM long. */
  faces: number[][];
}

export interface CityOptions {
  seed: number;
  cameras: number;
  districts?: number;
  plates?: number;
  faces?: number;
}

export function buildCity(opts: CityOptions): SimCity {
  const { seed, cameras, districts = 12, plates = 20_000, faces = 2_000 } = opts;
  for (const [name, v, min] of [['cameras', cameras, 0], ['districts', districts, 1], ['plates', plates, 1], ['faces', faces, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new Error(`buildCity: ${name} must be an integer ≥ ${min}, got ${v}`);
  }
  const rng = new Random(seed);
  // Separate streams: asking for more cameras must not change the districts or the plates.
  return {
    areas: { type: 'FeatureCollection', features: buildDistricts(rng.fork(1), districts) },
    cameras: buildCameras(rng.fork(2), cameras),
    plates: buildPlates(rng.fork(3), plates),
    faces: buildFaces(rng.fork(4), faces),
  };
}

/**
 * Rows of near-equal cells covering the bounding box exactly. When neighbouring rows have
 * different column counts, each cell also carries the other row's corners on its shared edge,
 * so contiguity (queen/rook weights) sees the neighbours.
 */
function buildDistricts(rng: Random, n: number): DistrictFeature[] {
  const { south, north, west, east } = TASHKENT_BBOX;
  const rows = Math.max(1, Math.round(Math.sqrt(n)));
  const colsIn = (r: number) => Math.floor(n / rows) + (r < n % rows ? 1 : 0);
  const xBreaks = (r: number) => Array.from({ length: colsIn(r) + 1 }, (_, c) => west + ((east - west) * c) / colsIn(r));
  const yAt = (r: number) => south + ((north - south) * r) / rows;
  const between = (xs: number[], a: number, b: number) => xs.filter((x) => x > a && x < b);

  const features: DistrictFeature[] = [];
  for (let r = 0; r < rows; r++) {
    const xs = xBreaks(r);
    const below = r > 0 ? xBreaks(r - 1) : [];
    const above = r < rows - 1 ? xBreaks(r + 1) : [];
    const [y0, y1] = [yAt(r), yAt(r + 1)];
    for (let c = 0; c < xs.length - 1; c++) {
      const [x0, x1] = [xs[c], xs[c + 1]];
      // Counter-clockwise, as RFC 7946 asks of an outer ring.
      const ring: Position[] = [
        [x0, y0],
        ...between(below, x0, x1).map((x): Position => [x, y0]),
        [x1, y0],
        [x1, y1],
        ...between(above, x0, x1).reverse().map((x): Position => [x, y1]),
        [x0, y1],
        [x0, y0],
      ];
      const i = features.length;
      features.push({
        type: 'Feature',
        geometry: { type: 'Polygon', coordinates: [ring] },
        properties: {
          id: `district-${String(i + 1).padStart(2, '0')}`,
          name: DISTRICT_NAMES[i] ?? `District ${i + 1}`,
          population: 100 * rng.int(1200, 3600),
        },
      });
    }
  }
  return features;
}

/** Most cameras sit along a few straight streets across the city, the rest anywhere. */
function buildCameras(rng: Random, n: number): Camera[] {
  const { south, north, west, east } = TASHKENT_BBOX;
  // Keep clear of the outer edge: a point on a polygon's boundary belongs to no district.
  const margin = 0.001;
  const inside = (lat: number, lon: number) =>
    lat > south + margin && lat < north - margin && lon > west + margin && lon < east - margin;
  const streets = Array.from({ length: 5 }, () =>
    rng.chance(0.5)
      ? { a: [rng.uniform(south, north), west], b: [rng.uniform(south, north), east] }
      : { a: [south, rng.uniform(west, east)], b: [north, rng.uniform(west, east)] },
  );

  const cameras: Camera[] = [];
  for (let i = 0; i < n; i++) {
    let lat: number;
    let lon: number;
    do {
      if (rng.chance(0.65)) {
        const { a, b } = rng.pick(streets);
        const t = rng.next();
        // Within ~150 m of the street's centre line.
        lat = a[0] + t * (b[0] - a[0]) + rng.normal(0, 0.0015);
        lon = a[1] + t * (b[1] - a[1]) + rng.normal(0, 0.0015);
      } else {
        lat = rng.uniform(south, north);
        lon = rng.uniform(west, east);
      }
    } while (!inside(lat, lon));
    const kind = rng.weighted<string>([['plate', 0.55], ['face', 0.25], ['panoramic', 0.2]]);
    cameras.push({ id: `cam-${String(i + 1).padStart(5, '0')}`, lat, lon, kind });
  }
  return cameras;
}

function buildPlates(rng: Random, n: number): string[] {
  const letters = (k: number) => Array.from({ length: k }, () => PLATE_LETTERS[rng.int(PLATE_LETTERS.length)]).join('');
  const digits = () => String(rng.int(1, 1000)).padStart(3, '0');
  const seen = new Set<string>();
  // The pool is far smaller than the format space, so this loop ends quickly.
  while (seen.size < n) {
    const region = rng.weighted(REGION_WEIGHTS);
    seen.add(rng.chance(0.85) ? `${region} ${letters(1)} ${digits()} ${letters(2)}` : `${region} ${digits()} ${letters(3)}`);
  }
  return [...seen];
}

function buildFaces(rng: Random, n: number): number[][] {
  return Array.from({ length: n }, () => unit(Array.from({ length: FACE_DIM }, () => rng.normal())));
}

export function unit(v: number[]): number[] {
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}
