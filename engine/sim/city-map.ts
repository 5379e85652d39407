// The city's ground plan: a lattice of blocks about 1 km a side over Tashkent's bounding box,
// corners shifted a little so blocks look drawn by streets rather than by a ruler, and an
// irregular oval of blocks that is the city. Each block is one mahalla. Neighbouring blocks
// share their corner points exactly, so the mahallas tile the city without gaps or overlaps
// and polygon contiguity (queen, rook) sees every neighbour.

import type { Position } from '../geo/geojson.js';
import { polygonContains } from '../geo/geojson.js';
import type { LatLon } from './local-frame.js';
import { round6 } from './local-frame.js';
import type { Random } from '../util/random.js';

export const TASHKENT_BBOX = { south: 41.2, north: 41.4, west: 69.1, east: 69.4 } as const;
/** Amir Temur square: where the ring roads and the avenues meet. */
export const CITY_CENTRE: LatLon = { lat: 41.3111, lon: 69.2797 };

const COLS = 25; // 0.012° of longitude ≈ 1.0 km
const ROWS = 22; // 0.0091° of latitude ≈ 1.0 km
// Corners move up to this share of a block: enough to look irregular, little enough that every
// block stays convex and a point's block is always among the 3 × 3 around its lattice cell.
const JITTER = 0.2;

export class CityMap {
  readonly cols = COLS;
  readonly rows = ROWS;
  readonly dLon = (TASHKENT_BBOX.east - TASHKENT_BBOX.west) / COLS;
  readonly dLat = (TASHKENT_BBOX.north - TASHKENT_BBOX.south) / ROWS;
  private readonly vLon: Float64Array;
  private readonly vLat: Float64Array;
  /** Per lattice cell (i + j·cols): its mahalla, or -1 outside the city. */
  private readonly mahallaOfCell: Int32Array;
  /** Per mahalla: its lattice cell. */
  readonly cells: number[] = [];
  /** Per mahalla: its outline, counter-clockwise and closed, as GeoJSON wants it. */
  readonly rings: Position[][] = [];

  constructor(rng: Random) {
    const { south, west } = TASHKENT_BBOX;
    this.vLon = new Float64Array((COLS + 1) * (ROWS + 1));
    this.vLat = new Float64Array((COLS + 1) * (ROWS + 1));
    for (let j = 0; j <= ROWS; j++) {
      for (let i = 0; i <= COLS; i++) {
        // The bounding box's own edges stay straight: the city never leaves it.
        const dx = i === 0 || i === COLS ? 0 : rng.uniform(-JITTER, JITTER);
        const dy = j === 0 || j === ROWS ? 0 : rng.uniform(-JITTER, JITTER);
        this.vLon[this.v(i, j)] = round6(west + (i + dx) * this.dLon);
        this.vLat[this.v(i, j)] = round6(south + (j + dy) * this.dLat);
      }
    }

    // An oval that fills most of the box, its edge wavy so the city is not a perfect ellipse.
    const phase1 = rng.uniform(0, 2 * Math.PI);
    const phase2 = rng.uniform(0, 2 * Math.PI);
    this.mahallaOfCell = new Int32Array(COLS * ROWS).fill(-1);
    // North to south, west to east: mahallas are numbered as a map is read.
    for (let j = ROWS - 1; j >= 0; j--) {
      for (let i = 0; i < COLS; i++) {
        const u = (i + 0.5) / COLS - 0.5;
        const v = (j + 0.5) / ROWS - 0.5;
        const theta = Math.atan2(v, u);
        const reach = 0.93 + 0.06 * Math.sin(3 * theta + phase1) + 0.04 * Math.sin(2 * theta + phase2);
        if (Math.hypot(2 * u, 2 * v) > reach) continue;
        this.mahallaOfCell[i + j * COLS] = this.cells.length;
        this.cells.push(i + j * COLS);
        const corner = (a: number, b: number): Position => [this.vLon[this.v(a, b)], this.vLat[this.v(a, b)]];
        this.rings.push([corner(i, j), corner(i + 1, j), corner(i + 1, j + 1), corner(i, j + 1), corner(i, j)]);
      }
    }
  }

  get size(): number {
    return this.cells.length;
  }

  private v(i: number, j: number): number {
    return i + j * (COLS + 1);
  }

  vertex(i: number, j: number): LatLon {
    return { lat: this.vLat[this.v(i, j)], lon: this.vLon[this.v(i, j)] };
  }

  /** The mahalla of lattice cell (i, j), or -1 when the cell is outside the city or the box. */
  mahallaAt(i: number, j: number): number {
    if (i < 0 || j < 0 || i >= COLS || j >= ROWS) return -1;
    return this.mahallaOfCell[i + j * COLS];
  }

  /** The mahalla containing the point, or -1 outside the city. The same test the engine's area index runs. */
  locate(lat: number, lon: number): number {
    const { south, west } = TASHKENT_BBOX;
    const i0 = Math.floor((lon - west) / this.dLon);
    const j0 = Math.floor((lat - south) / this.dLat);
    for (let dj = -1; dj <= 1; dj++) {
      for (let di = -1; di <= 1; di++) {
        const m = this.mahallaAt(i0 + di, j0 + dj);
        if (m >= 0 && polygonContains([this.rings[m]], lon, lat)) return m;
      }
    }
    return -1;
  }

  /** The point at (u, v) ∈ [0, 1]² across mahalla m: inside it, since every block is convex. */
  pointIn(m: number, u: number, v: number): LatLon {
    const cell = this.cells[m];
    const i = cell % COLS;
    const j = Math.floor(cell / COLS);
    const a = this.vertex(i, j);
    const b = this.vertex(i + 1, j);
    const c = this.vertex(i + 1, j + 1);
    const d = this.vertex(i, j + 1);
    const w = [(1 - u) * (1 - v), u * (1 - v), u * v, (1 - u) * v];
    return {
      lat: w[0] * a.lat + w[1] * b.lat + w[2] * c.lat + w[3] * d.lat,
      lon: w[0] * a.lon + w[1] * b.lon + w[2] * c.lon + w[3] * d.lon,
    };
  }

  /** A point anywhere in mahalla m, kept a few metres off its edges. */
  randomPointIn(m: number, rng: Random): LatLon {
    return this.pointIn(m, rng.uniform(0.02, 0.98), rng.uniform(0.02, 0.98));
  }

  centre(m: number): LatLon {
    return this.pointIn(m, 0.5, 0.5);
  }

  /** Lattice column and row of mahalla m. */
  cellOf(m: number): { i: number; j: number } {
    return { i: this.cells[m] % COLS, j: Math.floor(this.cells[m] / COLS) };
  }
}
