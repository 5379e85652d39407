// Knox test: the Near Repeat Calculator's own tables for the Chicago burglaries and arsons, band
// semantics on hand-made pairs, option messages, and the fast path against brute force.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BandError,
  KNOX_DEFAULTS,
  knoxPermutations,
  knoxTest,
  validateKnoxOptions,
  type KnoxOptions,
} from '../../engine/analytics/knox.js';
import { Random } from '../../engine/util/random.js';
import { thrown } from '../helpers/thrown.js';

const FIXTURES = new URL('../fixtures/nearrepeat/', import.meta.url);

/** `x,y,date` rows; the date as a whole day number (days since 1970-01-01). */
function incidents(file: string): { x: number[]; y: number[]; day: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  const day: number[] = [];
  for (const line of readFileSync(new URL(file, FIXTURES), 'utf8').trim().split(/\r?\n/)) {
    const [xs, ys, date] = line.split(',');
    const [yy, mm, dd] = date.split('-').map(Number);
    x.push(Number(xs));
    y.push(Number(ys));
    day.push(Date.UTC(yy, mm - 1, dd) / 86_400_000);
  }
  return { x, y, day };
}

interface CalculatorCell {
  simulated: number[];
  observed: number;
  mean: number;
  p: number;
}

/** The calculator's verbose CSV: its observed table, then per cell every run, the mean and p. */
function calculatorRun(file: string): { observed: number[][]; cells: CalculatorCell[][] } {
  const text = readFileSync(new URL(file, FIXTURES), 'utf8').replace(/\r/g, '');
  const table = text.split('Observed frequencies distribution\n')[1].split('\n').slice(2, 7);
  // Rows "1, Same location,28,5,5,2," — an empty field is a zero.
  const observed = table.map((line) =>
    line
      .split(',')
      .slice(2, 6)
      .map((v) => Number(v || 0)),
  );
  const cells: CalculatorCell[][] = [[], [], [], [], []];
  const block = /Row (\d) Column (\d)\nExpected,([\s\S]*?)\nObserved, (\d+)\nMin, \d+\nMax, \d+\nMean, ([\d.E-]+)\nP value, ([\d.E-]+)/g;
  for (const m of text.matchAll(block)) {
    const simulated = m[3]
      .split(/[,\n]/)
      .filter((v) => v !== '')
      .map(Number);
    cells[Number(m[1]) - 1][Number(m[2]) - 1] = { simulated, observed: Number(m[4]), mean: Number(m[5]), p: Number(m[6]) };
  }
  return { observed, cells };
}

/** Our rows (distance-major) as a (K+1) × (L+1) matrix of one field. */
function matrix(rows: Array<Record<string, unknown>>, width: number, field: string): number[][] {
  const out: number[][] = [];
  rows.forEach((r, i) => (out[Math.floor(i / width)] ??= []).push(r[field] as number));
  return out;
}

const BURGLARY = 'chicago_be_month1_NRverbose_2019-09-23_143005.csv';
const ARSON = 'chicago_arson_NRverbose_2019-09-23_145637.csv';

describe('Knox test against the Near Repeat Calculator (Chicago burglaries, January 2016)', () => {
  const input = incidents('chicago_be_month1.csv');
  const calc = calculatorRun(BURGLARY);

  it('reproduces the calculator’s observed table exactly with the default bands 1/100/200/300 m, 7/14/21 days', () => {
    expect(input.day.length).toBe(970);
    const r = knoxTest(input, { ...KNOX_DEFAULTS, iterations: 9 });
    expect(matrix(r.rows, 4, 'observed')).toEqual(calc.observed);
    expect(calc.observed).toEqual([
      [28, 5, 5, 2],
      [44, 13, 8, 4],
      [97, 56, 19, 16],
      [77, 67, 45, 20],
      [182194, 146149, 95237, 45879],
    ]);
    expect(r.pairs).toBe((970 * 969) / 2);
    expect(r.closePairs).toBe(40 + 69 + 188 + 209);
    // The calculator's "Same location" row is our [0, 1 m) band; "1 to 100" is [1, 100) and so on.
    expect(r.rows.slice(0, 5).map((row) => [row.distanceFrom, row.distanceTo, row.daysFrom, row.daysTo])).toEqual([
      [0, 1, 0, 7],
      [0, 1, 7, 14],
      [0, 1, 14, 21],
      [0, 1, 21, null],
      [1, 100, 0, 7],
    ]);
    expect(r.rows[19]).toMatchObject({ distanceFrom: 300, distanceTo: null, daysFrom: 21, daysTo: null });
  });

  it('agrees with the summary page: its ratios are our observed counts over the calculator’s means', () => {
    const html = readFileSync(new URL('chicago_be_month1_NRsummary_2019-09-23_143005.htm', FIXTURES), 'utf8');
    const section = html.split('Observed over mean expected frequencies table')[1].split('Statistical significance table')[0];
    const ratios = [...section.matchAll(/<td[^>]*>\s*<[^>]*>\s*([\d.]+)\s*</g)].map((m) => Number(m[1]));
    expect(ratios).toHaveLength(20);
    const observed = matrix(knoxTest(input, { ...KNOX_DEFAULTS, iterations: 1 }).rows, 4, 'observed');
    ratios.forEach((ratio, c) => {
      const k = Math.floor(c / 4);
      const l = c % 4;
      expect(Math.round((observed[k][l] / calc.cells[k][l].mean) * 100) / 100).toBeCloseTo(ratio, 10);
    });
  });

  it('the calculator permutes dates and computes p as (runs >= observed, + 1) / (runs + 1), as knoxTest does', () => {
    for (const row of calc.cells) {
      for (const cell of row) {
        expect(cell.simulated).toHaveLength(19);
        const atLeast = cell.simulated.filter((v) => v >= cell.observed).length;
        expect(cell.p).toBeCloseTo((atLeast + 1) / 20, 12);
        expect(cell.mean).toBeCloseTo(cell.simulated.reduce((s, v) => s + v, 0) / 19, 6); // printed to 15 digits
      }
    }
    // Shuffling dates keeps every run's row totals (pairs per distance band) and column totals
    // (pairs per time band): the structure knoxTest's open-band subtraction relies on.
    for (let run = 0; run < 19; run++) {
      for (let k = 0; k < 5; k++) {
        expect(calc.cells[k].reduce((s, c) => s + c.simulated[run], 0)).toBe(calc.observed[k].reduce((s, v) => s + v, 0));
      }
      for (let l = 0; l < 4; l++) {
        expect(calc.cells.reduce((s, row) => s + row[l].simulated[run], 0)).toBe(calc.observed.reduce((s, row) => s + row[l], 0));
      }
    }
  });

  it('expected and p are close to the calculator’s, within Monte Carlo error', () => {
    const iterations = 999;
    const r = knoxTest(input, { ...KNOX_DEFAULTS, iterations, seed: 7, keepSimulations: true });
    const observed = matrix(r.rows, 4, 'observed');
    const expected = matrix(r.rows, 4, 'expected');
    const p = matrix(r.rows, 4, 'p');
    const rowTotal = observed.map((row) => row.reduce((s, v) => s + v, 0));
    const colTotal = [0, 1, 2, 3].map((l) => observed.reduce((s, row) => s + row[l], 0));
    for (let k = 0; k < 5; k++) {
      for (let l = 0; l < 4; l++) {
        // Under a random permutation of dates a pair's two dates are a random pair of the dates,
        // so the exact expectation is (pairs in the distance band)(pairs in the time band)/(all pairs).
        const exact = (rowTotal[k] * colTotal[l]) / r.pairs;
        const sims = r.simulations!.map((t) => t[k * 4 + l]);
        const sd = Math.sqrt(sims.reduce((s, v) => s + (v - exact) ** 2, 0) / iterations);
        // Tolerance: 4 standard errors of a mean of `iterations` (ours) or 19 (the calculator's) runs.
        expect(Math.abs(expected[k][l] - exact)).toBeLessThanOrEqual((4 * sd) / Math.sqrt(iterations) + 1e-9);
        expect(Math.abs(calc.cells[k][l].mean - exact)).toBeLessThanOrEqual((4 * sd) / Math.sqrt(19) + 1e-9);
        // The calculator's p is (X + 1)/20 with X ~ Binomial(19, true p): allow 3 of its standard
        // errors, its 1/20 step and 1/100 for our own error.
        const tolerance = 3 * Math.sqrt((p[k][l] * (1 - p[k][l])) / 19) + 1 / 20 + 0.01;
        expect(Math.abs(p[k][l] - calc.cells[k][l].p)).toBeLessThanOrEqual(tolerance);
      }
    }
    // Where the calculator found near repeats (p = 0.05, its floor with 19 runs), so do we.
    expect(p[0][0]).toBeLessThan(0.01);
    expect(p[1][0]).toBeLessThan(0.01);
    expect(p[2][0]).toBeLessThan(0.05);
    expect(r.rows[4].ratio).toBeGreaterThan(1.4); // 1 to 100 m, 0 to 7 days: the calculator's 1.69
  });

  it('is reproducible for a seed and differs between seeds', () => {
    const a = knoxTest(input, { ...KNOX_DEFAULTS, iterations: 49, seed: 42 });
    const b = knoxTest(input, { ...KNOX_DEFAULTS, iterations: 49, seed: 42 });
    const c = knoxTest(input, { ...KNOX_DEFAULTS, iterations: 49, seed: 43 });
    expect(b).toEqual(a);
    expect(c.rows.map((row) => row.observed)).toEqual(a.rows.map((row) => row.observed));
    expect(c.rows.map((row) => row.expected)).not.toEqual(a.rows.map((row) => row.expected));
  });
});

describe('Knox test against the calculator (Chicago arsons, 2016)', () => {
  it('matches except for two pairs where the calculator’s rules differ from vigil’s', () => {
    const calc = calculatorRun(ARSON);
    const r = knoxTest(incidents('chicago_arson.csv'), {
      distanceBands: [1, 200, 400, 600],
      timeBands: [1, 2, 3],
      distance: 'manhattan',
      iterations: 1,
      seed: 1,
    });
    const ours = matrix(r.rows, 4, 'observed');
    // 1. Two arsons 0.56 m apart on the same day: the calculator's "Same location" is a distance of
    //    exactly 0, so it counts them in "1 to 200"; our first band is [0, 1 m).
    // 2. Two arsons 399.96 m apart (147 days): the calculator holds coordinates in single precision
    //    (float32 coordinates reproduce its whole table), which makes them 400.0 m; we keep doubles.
    const calculator = calc.observed.map((row) => [...row]);
    calculator[0][0] += 1;
    calculator[1][0] -= 1;
    calculator[2][3] += 1;
    calculator[3][3] -= 1;
    expect(ours).toEqual(calculator);
  });
});

/** O(n²) reference: every pair, vigil's [from, to) bands, distance-major cells. */
function bruteForce(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  day: ArrayLike<number>,
  opts: Pick<KnoxOptions, 'distanceBands' | 'timeBands' | 'distance'>,
): number[] {
  const { distanceBands: dE, timeBands: tE } = opts;
  const out = new Array<number>((dE.length + 1) * (tE.length + 1)).fill(0);
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const dx = Math.abs(x[i] - x[j]);
      const dy = Math.abs(y[i] - y[j]);
      const d = opts.distance === 'euclidean' ? Math.sqrt(dx * dx + dy * dy) : dx + dy;
      const dt = Math.abs(day[i] - day[j]);
      let k = 0;
      while (k < dE.length && d >= dE[k]) k++;
      let l = 0;
      while (l < tE.length && dt >= tE[l]) l++;
      out[k * (tE.length + 1) + l]++;
    }
  }
  return out;
}

describe('fast path against brute force', () => {
  // 300 events in a 3 km square, half of them around 10 hotspots, some repeats at the very same
  // spot or close by: every band gets pairs, including the open ones.
  const rng = new Random(2024);
  const x: number[] = [];
  const y: number[] = [];
  const day: number[] = [];
  for (let i = 0; i < 300; i++) {
    const repeat = i > 0 ? rng.next() : 1;
    if (repeat < 0.16) {
      // A repeat at the very spot (or within 30 m) of an earlier event, up to 44 days later.
      const j = rng.int(i);
      const near = repeat >= 0.08;
      x.push(x[j] + (near ? rng.uniform(-15, 15) : 0));
      y.push(y[j] + (near ? rng.uniform(-15, 15) : 0));
      day.push(day[j] + rng.int(45));
    } else if (rng.chance(0.5)) {
      const h = rng.int(10);
      x.push(500 + h * 200 + rng.normal(0, 80));
      y.push(1500 + rng.normal(0, 80));
      day.push(16_800 + rng.int(60));
    } else {
      x.push(rng.uniform(0, 3000));
      y.push(rng.uniform(0, 3000));
      day.push(16_800 + rng.int(365));
    }
  }

  for (const distance of ['manhattan', 'euclidean'] as const) {
    for (const maxStoredPairs of [undefined, 0]) {
      it(`${distance}, close pairs ${maxStoredPairs === 0 ? 'recounted per permutation' : 'stored'}: observed and every permutation equal brute force`, () => {
        const opts = {
          distanceBands: [1, 50, 100, 200, 300],
          timeBands: [1, 7, 14, 30],
          distance,
          iterations: 25,
          seed: 5,
          keepSimulations: true,
          maxStoredPairs,
        };
        const r = knoxTest({ x: Float64Array.from(x), y, day }, opts);
        expect(r.rows.map((row) => row.observed)).toEqual(bruteForce(x, y, day, opts));
        let k = 0;
        for (const perm of knoxPermutations(day, opts.iterations, opts.seed)) {
          expect(Array.from(r.simulations![k++])).toEqual(bruteForce(x, y, perm, opts));
        }
        expect(k).toBe(25);
        for (const row of r.rows) expect(row.observed).toBeGreaterThan(0);
      });
    }
  }

  it('p and expected follow from the simulations', () => {
    const r = knoxTest({ x, y, day }, { ...KNOX_DEFAULTS, iterations: 19, seed: 3, keepSimulations: true });
    r.rows.forEach((row, c) => {
      const sims = r.simulations!.map((t) => t[c]);
      expect(row.expected).toBeCloseTo(sims.reduce((s, v) => s + v, 0) / 19, 12);
      expect(row.p).toBe((sims.filter((v) => v >= row.observed).length + 1) / 20);
      expect(row.ratio).toBe(row.expected > 0 ? row.observed / row.expected : null);
    });
  });
});

describe('band semantics on hand-made pairs', () => {
  const bands = { distanceBands: [1, 100, 200], timeBands: [7, 14], iterations: 1, seed: 1 };
  const cell = (r: ReturnType<typeof knoxTest>, k: number, l: number) => r.rows[k * 3 + l].observed;

  it('Manhattan and Euclidean distance put the same pair in different bands', () => {
    // (0,0)–(60,60): 120 m Manhattan, 84.85 m Euclidean. Same day.
    const input = { x: [0, 60], y: [0, 60], day: [100, 100] };
    const man = knoxTest(input, { ...bands, distance: 'manhattan' });
    const euc = knoxTest(input, { ...bands, distance: 'euclidean' });
    expect(cell(man, 2, 0)).toBe(1);
    expect(cell(euc, 1, 0)).toBe(1);
    expect(man.rows.reduce((s, r) => s + r.observed, 0)).toBe(1);
    expect(euc.rows.reduce((s, r) => s + r.observed, 0)).toBe(1);
  });

  it('a pair falls in the band with from <= d < to, in metres and in whole days', () => {
    // A(0,0) day 0, B(100,0) day 7, C(0,0) day −6, D(100,100) day 14. Pairs:
    //   A–B 100 m, 7 d; B–C 100 m, 13 d; B–D 100 m, 7 d  → [100, 200) × [7, 14) in both metrics
    //   A–C 0 m, 6 d                                     → [0, 1) × [0, 7)
    //   A–D 14 d, C–D 20 d: 200 m Manhattan → [200, ∞) × [14, ∞); 141.4 m Euclidean → [100, 200) × [14, ∞)
    const input = { x: [0, 100, 0, 100], y: [0, 0, 0, 100], day: [0, 7, -6, 14] };
    const man = knoxTest(input, { ...bands, distance: 'manhattan' });
    const euc = knoxTest(input, { ...bands, distance: 'euclidean' });
    expect(man.rows.map((r) => r.observed)).toEqual([1, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 2]);
    expect(euc.rows.map((r) => r.observed)).toEqual([1, 0, 0, 0, 0, 0, 0, 3, 2, 0, 0, 0]);
    expect(cell(man, 3, 2)).toBe(2);
  });

  it('handles no incidents, one incident and all on one day', () => {
    for (const n of [0, 1]) {
      const r = knoxTest(
        { x: new Array(n).fill(0), y: new Array(n).fill(0), day: new Array(n).fill(5) },
        { ...bands, distance: 'manhattan', iterations: 9 },
      );
      expect(r.pairs).toBe(0);
      for (const row of r.rows) expect(row).toMatchObject({ observed: 0, expected: 0, ratio: null, p: 1 });
    }
    const same = knoxTest({ x: [0, 500, 1000], y: [0, 0, 0], day: [3, 3, 3] }, { ...bands, distance: 'manhattan', iterations: 9 });
    expect(same.rows.map((r) => r.observed)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0]);
    expect(same.rows[9]).toMatchObject({ expected: 3, ratio: 1, p: 1 });
  });
});

describe('option and input checks', () => {
  const good: KnoxOptions = { ...KNOX_DEFAULTS };
  const input = { x: [0, 1], y: [0, 1], day: [0, 1] };
  const message = (opts: Partial<Record<keyof KnoxOptions, unknown>>, parameter: string): string => {
    const err = thrown(() => knoxTest(input, { ...good, ...opts } as KnoxOptions), BandError);
    expect(err.parameter).toBe(parameter);
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('VIGIL_ERR_INPUT_INVALID');
    return err.message;
  };

  it('names the parameter in every message', () => {
    expect(message({ distanceBands: [1, 100, 50] }, 'distanceBands')).toBe('distanceBands must be strictly ascending: 100 then 50');
    expect(message({ timeBands: [7, 7] }, 'timeBands')).toBe('timeBands must be strictly ascending: 7 then 7');
    expect(message({ distanceBands: [] }, 'distanceBands')).toBe('distanceBands must be a non-empty list of numbers');
    expect(message({ timeBands: [0, 7] }, 'timeBands')).toBe('timeBands must be positive numbers: got 0');
    expect(message({ distanceBands: [1, Number.NaN] }, 'distanceBands')).toBe('distanceBands must be positive numbers: got NaN');
    expect(message({ timeBands: Array.from({ length: 65 }, (_, i) => i + 1) }, 'timeBands')).toBe(
      'timeBands may hold at most 64 edges, got 65',
    );
    expect(message({ distance: 'chebyshev' }, 'distance')).toBe('distance must be manhattan or euclidean, got "chebyshev"');
    expect(message({ iterations: 0 }, 'iterations')).toBe('iterations must be an integer from 1 to 9999, got 0');
    expect(message({ iterations: 10_000 }, 'iterations')).toBe('iterations must be an integer from 1 to 9999, got 10000');
    expect(message({ iterations: 9.5 }, 'iterations')).toBe('iterations must be an integer from 1 to 9999, got 9.5');
    expect(message({ seed: 1.5 }, 'seed')).toBe('seed must be an integer, got 1.5');
    expect(message({ maxStoredPairs: -1 }, 'maxStoredPairs')).toBe('maxStoredPairs must be a whole number, got -1');
  });

  it('validates options on their own, before any data is fetched', () => {
    expect(() => validateKnoxOptions(good)).not.toThrow();
    expect(thrown(() => validateKnoxOptions({ ...good, timeBands: [14, 7] }), BandError).message).toBe(
      'timeBands must be strictly ascending: 14 then 7',
    );
  });

  it('refuses inputs it cannot count', () => {
    expect(() => knoxTest({ x: [0, 1], y: [0], day: [0, 1] }, good)).toThrow(/same length/);
    expect(() => knoxTest({ x: [0, Number.NaN], y: [0, 1], day: [0, 1] }, good)).toThrow(/incident 1 has no finite x, y/);
    expect(() => knoxTest({ x: [0, 1], y: [0, 1], day: [0, 1.5] }, good)).toThrow(/incident 1 has day 1.5, not a whole day/);
  });
});
