// Knox test for near-repeat victimisation: pairs of incidents counted over distance × time bands,
// against Monte Carlo permutations of the dates, with the Near Repeat Calculator's band semantics.

import { VigilError } from '../errors.js';
import { Random } from '../util/random.js';

/**
 * Incidents as parallel arrays: planar coordinates in metres and whole days (e.g. days since the
 * epoch of the incident's calendar date in the city's time zone). Any array-like works, typed or not.
 */
export interface KnoxInput {
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly day: ArrayLike<number>;
}

export type KnoxDistance = 'manhattan' | 'euclidean';

export interface KnoxOptions {
  /** Ascending upper edges in metres; bands are [0, e1), [e1, e2), …, [eK, ∞). */
  readonly distanceBands: readonly number[];
  /** Ascending upper edges in days; bands are [0, t1), …, [tL, ∞) on the whole-day difference. */
  readonly timeBands: readonly number[];
  readonly distance: KnoxDistance;
  /** Monte Carlo permutations, 1..9999. */
  readonly iterations: number;
  readonly seed: number;
  /** Also return every permutation's table (the calculator's "verbose" output); for tests and CSV. */
  readonly keepSimulations?: boolean;
  /**
   * Memory cap: close pairs are stored (6 bytes each) up to this many, 2^24 by default; beyond it
   * they are found again for every permutation, slower but in constant memory.
   */
  readonly maxStoredPairs?: number;
}

/** A type, not an interface, so rows pass where a Record<string, unknown> is wanted (CSV, answers). */
export type KnoxRow = {
  distanceFrom: number;
  /** null for the open last band. */
  distanceTo: number | null;
  daysFrom: number;
  daysTo: number | null;
  observed: number;
  /** Mean count over the permutations. */
  expected: number;
  /** observed / expected; null when no permutation put a pair in the cell (expected 0). */
  ratio: number | null;
  /** (number of permutations with a count >= observed, + 1) / (iterations + 1), as the calculator. */
  p: number;
};

export interface KnoxResult {
  /** Distance-major: all time bands of the first distance band, then the next distance band … */
  rows: KnoxRow[];
  /** n(n−1)/2, every pair of incidents. */
  pairs: number;
  /** Pairs closer than the largest finite distance band: the only ones enumerated. */
  closePairs: number;
  /** With keepSimulations: one table per permutation, cell counts in the order of `rows`. */
  simulations?: Float64Array[];
}

/**
 * The Near Repeat Calculator 1.3's run on the Chicago burglaries (100 m × 3 bands Manhattan, 7 days
 * × 3 bands). Its labels map to our [from, to) bands: "Same location" → [0, 1), "1 to 100" →
 * [1, 100), "101 to 200" → [100, 200), "More than 300" → [300, ∞); "0 to 7" days → [0, 7), "8 to 14"
 * → [7, 14), "More than 21" → [21, ∞). These bands reproduce its observed table exactly. Its own
 * rules differ in two corners, seen on its arson run: "Same location" is a distance of exactly 0
 * (a pair 0.56 m apart counts as "1 to …", ours as [0, 1)), and it holds coordinates in single
 * precision (a pair 399.96 m apart becomes 400 m); vigil's bands are defined on the distance itself, so it keeps doubles.
 */
export const KNOX_DEFAULTS = Object.freeze({
  distanceBands: Object.freeze([1, 100, 200, 300]),
  timeBands: Object.freeze([7, 14, 21]),
  distance: 'manhattan' as KnoxDistance,
  iterations: 99,
  seed: 1,
});

const MAX_BANDS = 64;
const STORED_PAIR_LIMIT = 1 << 24;

/** A bad Knox option; the API answers 400 with this message, which names the parameter. */
export class BandError extends VigilError {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super('INPUT_INVALID', message);
    this.name = 'BandError';
  }
}

function checkEdges(name: string, edges: unknown): void {
  if (!Array.isArray(edges) || edges.length === 0) throw new BandError(name, `${name} must be a non-empty list of numbers`);
  if (edges.length > MAX_BANDS) throw new BandError(name, `${name} may hold at most ${MAX_BANDS} edges, got ${edges.length}`);
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i];
    if (typeof e !== 'number' || !Number.isFinite(e) || e <= 0)
      throw new BandError(name, `${name} must be positive numbers: got ${String(e)}`);
    if (i > 0 && e <= edges[i - 1]) throw new BandError(name, `${name} must be strictly ascending: ${edges[i - 1]} then ${e}`);
  }
}

/** Throws a BandError naming the first bad option; call it before fetching any data. */
export function validateKnoxOptions(opts: KnoxOptions): void {
  checkEdges('distanceBands', opts.distanceBands);
  checkEdges('timeBands', opts.timeBands);
  if (opts.distance !== 'manhattan' && opts.distance !== 'euclidean') {
    throw new BandError('distance', `distance must be manhattan or euclidean, got ${JSON.stringify(opts.distance)}`);
  }
  if (!Number.isInteger(opts.iterations) || opts.iterations < 1 || opts.iterations > 9999) {
    throw new BandError('iterations', `iterations must be an integer from 1 to 9999, got ${String(opts.iterations)}`);
  }
  if (!Number.isSafeInteger(opts.seed)) throw new BandError('seed', `seed must be an integer, got ${String(opts.seed)}`);
  if (opts.maxStoredPairs !== undefined && !(Number.isSafeInteger(opts.maxStoredPairs) && opts.maxStoredPairs >= 0)) {
    throw new BandError('maxStoredPairs', `maxStoredPairs must be a whole number, got ${String(opts.maxStoredPairs)}`);
  }
}

function checkInput(input: KnoxInput): void {
  const n = input.day.length;
  if (input.x.length !== n || input.y.length !== n) {
    throw new RangeError(`knox: x, y and day must have the same length (${input.x.length}, ${input.y.length}, ${n})`);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(input.x[i]) || !Number.isFinite(input.y[i])) throw new RangeError(`knox: incident ${i} has no finite x, y`);
    if (!Number.isSafeInteger(input.day[i])) throw new RangeError(`knox: incident ${i} has day ${input.day[i]}, not a whole day`);
  }
}

/**
 * The permuted dates, in input order: permutation k is a Fisher–Yates shuffle (seeded `Random`)
 * of permutation k−1, starting from the dates as given. Any fixed start gives a uniform random
 * permutation, so chaining saves a copy. The same array is yielded each time: copy it to keep it.
 */
export function* knoxPermutations(day: ArrayLike<number>, iterations: number, seed: number): Generator<Float64Array> {
  const rng = new Random(seed);
  const perm = Float64Array.from(day);
  for (let k = 0; k < iterations; k++) {
    for (let i = perm.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    yield perm;
  }
}

/**
 * Pairs per time band over all n(n−1)/2 pairs, from the sorted dates (two pointers per edge).
 * It depends only on the multiset of dates, so it is the same for every permutation.
 */
function timeBandTotals(day: ArrayLike<number>, edges: readonly number[]): Float64Array {
  const d = Float64Array.from(day).sort();
  const n = d.length;
  const totals = new Float64Array(edges.length + 1);
  let below = 0; // pairs with a difference under the previous edge
  for (let l = 0; l < edges.length; l++) {
    let c = 0;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      if (hi < i + 1) hi = i + 1;
      while (hi < n && d[hi] - d[i] < edges[l]) hi++;
      c += hi - i - 1;
    }
    totals[l] = c - below;
    below = c;
  }
  totals[edges.length] = (n > 1 ? (n * (n - 1)) / 2 : 0) - below;
  return totals;
}

/** Incidents sorted into square cells as wide as the largest finite distance band. */
interface Grid {
  x: Float64Array;
  y: Float64Array;
  /** Sorted position → input index. */
  source: Int32Array;
  cellStart: Int32Array;
  cellEnd: Int32Array;
  cellX: Float64Array;
  cellY: Float64Array;
  cellOf: Map<number, number>;
  rows: number;
}

function buildGrid(input: KnoxInput, reach: number): Grid {
  const n = input.x.length;
  // A hair wider than the band, so float rounding in the division cannot put two incidents closer
  // than `reach` two cells apart; the exact distance test below still decides every pair.
  const size = reach * (1 + 1e-6);
  let minX = Infinity;
  let minY = Infinity;
  for (let i = 0; i < n; i++) {
    if (input.x[i] < minX) minX = input.x[i];
    if (input.y[i] < minY) minY = input.y[i];
  }
  const cx = new Float64Array(n);
  const cy = new Float64Array(n);
  let rows = 1;
  let cols = 1;
  for (let i = 0; i < n; i++) {
    cx[i] = Math.floor((input.x[i] - minX) / size);
    cy[i] = Math.floor((input.y[i] - minY) / size);
    if (cy[i] + 1 > rows) rows = cy[i] + 1;
    if (cx[i] + 1 > cols) cols = cx[i] + 1;
  }
  if (rows * cols > Number.MAX_SAFE_INTEGER / 4) {
    throw new RangeError(`knox: incidents span too many ${reach} m cells (${cols} × ${rows}) to index`);
  }
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) key[i] = cx[i] * rows + cy[i];
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => key[a] - key[b] || a - b);

  const g: Grid = {
    x: new Float64Array(n),
    y: new Float64Array(n),
    source: order,
    cellStart: new Int32Array(n),
    cellEnd: new Int32Array(n),
    cellX: new Float64Array(n),
    cellY: new Float64Array(n),
    cellOf: new Map(),
    rows,
  };
  let cells = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r];
    g.x[r] = input.x[i];
    g.y[r] = input.y[i];
    if (r === 0 || key[i] !== key[order[r - 1]]) {
      g.cellOf.set(key[i], cells);
      g.cellStart[cells] = r;
      g.cellX[cells] = cx[i];
      g.cellY[cells] = cy[i];
      cells++;
    }
    g.cellEnd[cells - 1] = r + 1;
  }
  g.cellStart = g.cellStart.subarray(0, cells);
  return g;
}

/** Neighbour cells ahead of a cell (the rest see it as ahead of them): each pair is visited once. */
const AHEAD: ReadonlyArray<readonly [number, number]> = [
  [0, 1],
  [1, -1],
  [1, 0],
  [1, 1],
];

/**
 * Calls visit(a, b, band) once for every pair of incidents (sorted positions a < b) closer than
 * the largest finite distance band, with the index of their distance band.
 */
function forEachClosePair(
  g: Grid,
  edges: readonly number[],
  euclidean: boolean,
  visit: (a: number, b: number, band: number) => void,
): void {
  const reach = edges[edges.length - 1];
  const { x, y } = g;
  const pair = (a: number, b: number): void => {
    const dx = Math.abs(x[a] - x[b]);
    const dy = Math.abs(y[a] - y[b]);
    const d = euclidean ? Math.sqrt(dx * dx + dy * dy) : dx + dy;
    if (d >= reach) return;
    let band = 0;
    while (d >= edges[band]) band++;
    visit(a, b, band);
  };
  for (let c = 0; c < g.cellStart.length; c++) {
    const s = g.cellStart[c];
    const e = g.cellEnd[c];
    for (let a = s; a < e; a++) for (let b = a + 1; b < e; b++) pair(a, b);
    for (const [ox, oy] of AHEAD) {
      const ny = g.cellY[c] + oy;
      if (ny < 0 || ny >= g.rows) continue;
      const other = g.cellOf.get((g.cellX[c] + ox) * g.rows + ny);
      if (other === undefined) continue;
      const s2 = g.cellStart[other];
      const e2 = g.cellEnd[other];
      for (let a = s; a < e; a++) for (let b = s2; b < e2; b++) pair(a, b);
    }
  }
}

/** Close pairs by first incident (CSR), each with the offset of its distance band's row in the table. */
interface ClosePairs {
  start: Int32Array;
  other: Int32Array;
  rowOffset: Uint16Array;
}

/**
 * How it stays fast. Only pairs closer than the largest finite distance band are enumerated (a
 * grid of cells that wide, each cell against itself and its neighbours), once, and kept with their
 * distance band. A permutation only moves dates, so per permutation just those pairs get a new time
 * band. The open distance band needs no pairs: per time band, the total over all pairs comes from
 * the sorted dates (the dates' multiset, so the same for every permutation), and the open-distance
 * cell is that total minus the finite-distance cells of the same time band.
 * Cost: O(n log n + close pairs × (iterations + 1)); memory 6 bytes per close pair.
 */
export function knoxTest(input: KnoxInput, opts: KnoxOptions): KnoxResult {
  validateKnoxOptions(opts);
  checkInput(input);
  const dEdges = opts.distanceBands;
  const tEdges = opts.timeBands;
  const n = input.day.length;
  const K = dEdges.length; // finite distance bands; band K is open
  const L = tEdges.length;
  const width = L + 1;
  const cells = (K + 1) * width;

  let minDay = Infinity;
  let maxDay = -Infinity;
  for (let i = 0; i < n; i++) {
    if (input.day[i] < minDay) minDay = input.day[i];
    if (input.day[i] > maxDay) maxDay = input.day[i];
  }
  if (n > 0 && maxDay - minDay > 0x7fffffff) throw new RangeError(`knox: days span ${maxDay - minDay}, more than fits`);

  // Whole-day difference → time band, for differences below the last finite edge (and no longer
  // than the dates span: a 10⁹-day band needs no 10⁹-entry table).
  const tableLen = n === 0 ? 0 : Math.min(Math.ceil(tEdges[L - 1]), maxDay - minDay + 1);
  const timeBandOf = new Uint8Array(tableLen);
  for (let dt = 0, l = 0; dt < tableLen; dt++) {
    while (dt >= tEdges[l]) l++;
    timeBandOf[dt] = l;
  }
  const timeTotals = timeBandTotals(input.day, tEdges);
  const grid = buildGrid(input, dEdges[K - 1]);
  const euclidean = opts.distance === 'euclidean';

  // Pass 1 counts close pairs per first incident; pass 2 stores them, when they fit.
  const start = new Int32Array(n + 1);
  forEachClosePair(grid, dEdges, euclidean, (a) => start[a + 1]++);
  for (let a = 0; a < n; a++) start[a + 1] += start[a];
  const closePairs = start[n];
  let stored: ClosePairs | null = null;
  if (closePairs <= (opts.maxStoredPairs ?? STORED_PAIR_LIMIT)) {
    const fill = start.slice(0, n);
    const other = new Int32Array(closePairs);
    const rowOffset = new Uint16Array(closePairs);
    forEachClosePair(grid, dEdges, euclidean, (a, b, band) => {
      const p = fill[a]++;
      other[p] = b;
      rowOffset[p] = band * width;
    });
    stored = { start, other, rowOffset };
  }

  // Dates in grid order, relative to the first day, so differences index `timeBandOf`.
  const sortedDay = new Int32Array(n);
  const table = (day: ArrayLike<number>): Float64Array => {
    for (let r = 0; r < n; r++) sortedDay[r] = day[grid.source[r]] - minDay;
    const t = new Float64Array(cells);
    if (stored) countStored(stored, sortedDay, timeBandOf, L, t);
    else {
      forEachClosePair(grid, dEdges, euclidean, (a, b, band) => {
        const dt = Math.abs(sortedDay[a] - sortedDay[b]);
        t[band * width + (dt < tableLen ? timeBandOf[dt] : L)]++;
      });
    }
    for (let l = 0; l <= L; l++) {
      let finite = 0;
      for (let k = 0; k < K; k++) finite += t[k * width + l];
      t[K * width + l] = timeTotals[l] - finite;
    }
    return t;
  };

  const observed = table(input.day);
  const sum = new Float64Array(cells);
  const atLeast = new Float64Array(cells);
  const simulations: Float64Array[] = [];
  for (const perm of knoxPermutations(input.day, opts.iterations, opts.seed)) {
    const sim = table(perm);
    for (let c = 0; c < cells; c++) {
      sum[c] += sim[c];
      if (sim[c] >= observed[c]) atLeast[c]++;
    }
    if (opts.keepSimulations) simulations.push(sim);
  }

  const rows: KnoxRow[] = [];
  for (let k = 0; k <= K; k++) {
    for (let l = 0; l <= L; l++) {
      const c = k * width + l;
      const expected = sum[c] / opts.iterations;
      rows.push({
        distanceFrom: k === 0 ? 0 : dEdges[k - 1],
        distanceTo: k === K ? null : dEdges[k],
        daysFrom: l === 0 ? 0 : tEdges[l - 1],
        daysTo: l === L ? null : tEdges[l],
        observed: observed[c],
        expected,
        ratio: expected > 0 ? observed[c] / expected : null,
        p: (atLeast[c] + 1) / (opts.iterations + 1),
      });
    }
  }
  const result: KnoxResult = { rows, pairs: n > 1 ? (n * (n - 1)) / 2 : 0, closePairs };
  if (opts.keepSimulations) result.simulations = simulations;
  return result;
}

/** The hot loop: one pass over the stored close pairs with the dates of one permutation. */
function countStored(pairs: ClosePairs, day: Int32Array, timeBandOf: Uint8Array, open: number, t: Float64Array): void {
  const { start, other, rowOffset } = pairs;
  const tableLen = timeBandOf.length;
  const n = day.length;
  for (let a = 0; a < n; a++) {
    const da = day[a];
    const end = start[a + 1];
    for (let p = start[a]; p < end; p++) {
      let dt = da - day[other[p]];
      if (dt < 0) dt = -dt;
      t[rowOffset[p] + (dt < tableLen ? timeBandOf[dt] : open)]++;
    }
  }
}
