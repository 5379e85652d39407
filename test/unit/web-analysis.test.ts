// The Analysis view's pure parts: Gi* bins and value classes to colours, the Mann–Kendall
// result in words, the near-repeat heat grid, the analysis window and the CSV file names.

import { describe, expect, it } from 'vitest';
import { BINS, binColour, binLabel, CLASS_COLOURS, classBreaks, classColour, classLegend } from '../../web/src/analysis/hotspot-palette.js';
import { formatP, mannKendallWords, pText } from '../../web/src/analysis/trend-words.js';
import { bandLabel, heatGrid, type KnoxRow, luminance, ratioColour, textOn } from '../../web/src/analysis/heat-grid.js';
import { addDays, analyticsUrl, cityDate, lastDays, windowParams, windowProblem } from '../../web/src/analysis/window.js';
import { csvFileName, csvUrl } from '../../web/src/csv-download.js';
import { sig } from '../../web/src/analysis/number-format.js';
import { factorsReadiness, hotspotReadiness, nearRepeatReadiness } from '../../web/src/analysis/readiness.js';

describe('Gi* bins', () => {
  it('gives each bin −3…3 its own colour, hot red and cold blue, 0 neutral', () => {
    expect(new Set(BINS.map(binColour)).size).toBe(7);
    expect(binColour(3)).toBe('#b2182b');
    expect(binColour(-3)).toBe('#2166ac');
    expect(binColour(0)).toBe('#f7f7f7');
  });

  it('draws anything that is not a bin as not significant', () => {
    for (const v of [4, -4, 1.5, Number.NaN]) expect(binColour(v)).toBe(binColour(0));
  });

  it('names the confidence of each bin', () => {
    expect(binLabel(3)).toBe('Hot spot, 99 % confidence');
    expect(binLabel(-2)).toBe('Cold spot, 95 % confidence');
    expect(binLabel(1)).toBe('Hot spot, 90 % confidence');
    expect(binLabel(0)).toBe('Not significant');
  });
});

describe('value classes', () => {
  it('splits values into five quantile classes, light to dark', () => {
    const values = Array.from({ length: 10 }, (_, i) => i + 1);
    const breaks = classBreaks(values);
    expect(breaks).toEqual([2, 4, 6, 8, 10]);
    expect(classColour(1, breaks)).toBe(CLASS_COLOURS[0]);
    expect(classColour(7, breaks)).toBe(CLASS_COLOURS[3]);
    expect(classColour(10, breaks)).toBe(CLASS_COLOURS[4]);
  });

  it('collapses tied classes, keeping the extremes of the palette', () => {
    const breaks = classBreaks([0, 0, 0, 0, 0, 0, 0, 0, 5, 9]);
    expect(breaks).toEqual([0, 9]);
    expect(classColour(0, breaks)).toBe(CLASS_COLOURS[0]);
    expect(classColour(9, breaks)).toBe(CLASS_COLOURS[4]);
    expect(classBreaks([])).toEqual([]);
  });

  it('labels the legend from the minimum', () => {
    const values = [0, 1, 2, 3, 4];
    const legend = classLegend(values, classBreaks(values));
    expect(legend[0].label).toBe('0');
    expect(legend[1].label).toBe('> 0 – 1');
    expect(legend.at(-1)?.colour).toBe(CLASS_COLOURS[4]);
  });
});

describe('Mann–Kendall in words', () => {
  it('says a significant rise or fall with τ and p', () => {
    expect(mannKendallWords({ tau: 0.4213, p: 0.0031 })).toBe("Incidents rose significantly: Kendall's τ = 0.42, p = 0.003");
    expect(mannKendallWords({ tau: -0.5, p: 0.00001 }, 'Burglary incidents')).toBe(
      "Burglary incidents fell significantly: Kendall's τ = -0.50, p < 0.001",
    );
  });

  it('says there is no significant trend at p ≥ 0.05', () => {
    expect(mannKendallWords({ tau: 0.1, p: 0.31 })).toBe("Incidents: no significant trend (Kendall's τ = 0.10, p = 0.310)");
    expect(mannKendallWords({ tau: 0, p: 0.01 })).toMatch(/no significant trend/);
  });

  it('passes on why there is no test', () => {
    expect(mannKendallWords({ note: 'fewer than 3 buckets' })).toBe('No trend test: fewer than 3 buckets.');
    expect(mannKendallWords(null)).toMatch(/no incidents/);
  });

  it('writes small p-values as a bound', () => {
    expect(formatP(0.0004)).toBe('p < 0.001');
    expect(pText(0.0004)).toBe('< 0.001');
    expect(pText(0.05)).toBe('0.050');
  });
});

describe('near-repeat heat grid', () => {
  const row = (dFrom: number, dTo: number | null, tFrom: number, tTo: number | null, ratio: number | null, p: number): KnoxRow => ({
    distanceFrom: dFrom,
    distanceTo: dTo,
    daysFrom: tFrom,
    daysTo: tTo,
    observed: 10,
    expected: ratio ? 10 / ratio : 0,
    ratio,
    p,
  });

  it('lays rows out as distance bands × time bands, the open bands last', () => {
    const grid = heatGrid([
      row(0, 100, 0, 7, 2, 0.01),
      row(0, 100, 7, null, 1, 0.5),
      row(100, null, 0, 7, 0.5, 0.9),
      row(100, null, 7, null, null, 1),
    ]);
    expect(grid.distanceLabels).toEqual(['0–100 m', '100 m +']);
    expect(grid.timeLabels).toEqual(['0–7 days', '7 days +']);
    expect(grid.cells[0][0]).toMatchObject({ ratio: 2, significant: true });
    expect(grid.cells[1][0]).toMatchObject({ ratio: 0.5, significant: false });
    expect(grid.cells[1][1].ratio).toBeNull();
  });

  it('colours by ratio on a log scale around 1: twice and half equally strong', () => {
    expect(ratioColour(1)).toBe('#f7f7f7');
    const hot = ratioColour(2);
    const cold = ratioColour(0.5);
    expect(Number.parseInt(hot.slice(1, 3), 16)).toBeGreaterThan(Number.parseInt(hot.slice(5, 7), 16));
    expect(Number.parseInt(cold.slice(5, 7), 16)).toBeGreaterThan(Number.parseInt(cold.slice(1, 3), 16));
    // Saturated beyond the limit.
    expect(ratioColour(100)).toBe(ratioColour(4));
    expect(ratioColour(null)).toBe('#e0e0e0');
  });

  it('writes on each cell in the colour of higher contrast', () => {
    expect(textOn('#ffffff')).toBe('#000000');
    expect(textOn(ratioColour(4))).toBe('#ffffff');
    expect(textOn(ratioColour(1))).toBe('#000000');
    expect(luminance('#000000')).toBe(0);
    expect(bandLabel(0, 1, 'm')).toBe('0–1 m');
  });
});

describe('the analysis window', () => {
  it('sends whole days on the city clock, the last day included', () => {
    const q = windowParams({ from: '2026-11-01', to: '2026-11-30', type: '' });
    expect(Object.fromEntries(q)).toEqual({ from: '2026-11-01', to: '2026-12-01' });
    expect(analyticsUrl('/api/v1/analytics/trends', { from: '2026-02-27', to: '2026-02-28', type: 'burglary' }, { bucket: 'day' })).toBe(
      '/api/v1/analytics/trends?from=2026-02-27&to=2026-03-01&type=burglary&bucket=day',
    );
  });

  it("takes today's date on the city's clock", () => {
    // 20:00 UTC on 3 Dec is already 4 Dec in Tashkent (UTC+5).
    const now = Date.parse('2026-12-03T20:00:00Z');
    expect(cityDate(now, 'Asia/Tashkent')).toBe('2026-12-04');
    expect(lastDays(30, 'Asia/Tashkent', now)).toEqual({ from: '2026-11-05', to: '2026-12-04', type: '' });
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  });

  it('refuses a window out of order or incomplete', () => {
    expect(windowProblem({ from: '2026-12-02', to: '2026-12-01', type: '' })).toMatch(/not be after/);
    expect(windowProblem({ from: '', to: '2026-12-01', type: '' })).toMatch(/Choose/);
    expect(windowProblem({ from: '2026-12-01', to: '2026-12-01', type: '' })).toBeNull();
  });
});

describe('CSV downloads', () => {
  it('names the file by what it holds, the window and the filters', () => {
    expect(csvFileName('hotspots', { from: '2026-11-01', to: '2026-11-30' }, 'burglary', 'incidentRate')).toBe(
      'vigil-hotspots-2026-11-01-to-2026-11-30-burglary-incidentrate.csv',
    );
    expect(csvFileName('near-repeat', { from: '2026-11-01', to: '2026-11-30' }, '', null)).toBe(
      'vigil-near-repeat-2026-11-01-to-2026-11-30.csv',
    );
    expect(csvFileName('trends', {}, 'Car theft / "ugon"')).toBe('vigil-trends-car-theft-ugon.csv');
  });

  it('asks for the same answer as CSV', () => {
    expect(csvUrl('/api/v1/analytics/hotspots?from=2026-11-01&format=geojson')).toBe(
      '/api/v1/analytics/hotspots?from=2026-11-01&format=csv',
    );
    expect(csvUrl('/api/v1/analytics/trends')).toBe('/api/v1/analytics/trends?format=csv');
  });
});

describe('numbers in tables', () => {
  it('keeps four significant digits', () => {
    expect(sig(68.61904)).toBe('68.62');
    expect(sig(-0.27393)).toBe('-0.2739');
    expect(sig(0.00001234)).toBe('1.234e-5');
    expect(sig(null)).toBe('–');
  });
});

describe('what each panel needs before it asks', () => {
  it('waits for the counts, and asks anyway when a count could not be had', () => {
    expect(hotspotReadiness(null, 10)).toEqual({ ready: false, waiting: true });
    expect(nearRepeatReadiness(null)).toEqual({ ready: false, waiting: true });
    expect(factorsReadiness(undefined)).toEqual({ ready: true });
    expect(hotspotReadiness(undefined, undefined)).toEqual({ ready: true });
  });

  it('says why instead of asking a question the engine would refuse', () => {
    expect(hotspotReadiness(2, 50)).toMatchObject({
      ready: false,
      reason: expect.stringMatching(/At least 3 areas are needed; 2 are loaded/),
    });
    expect(hotspotReadiness(49, 0)).toMatchObject({ ready: false, reason: expect.stringMatching(/No incidents/) });
    expect(hotspotReadiness(0, 2)).toMatchObject({
      ready: false,
      reason: expect.stringMatching(/grid .* at least 3: 2 incidents in the window/),
    });
    expect(factorsReadiness(1)).toMatchObject({ ready: false, reason: expect.stringMatching(/1 is loaded/) });
    expect(nearRepeatReadiness(1)).toMatchObject({
      ready: false,
      reason: expect.stringMatching(/at least 2 incidents: 1 incident in the window/),
    });
  });

  it('asks when the engine can answer', () => {
    expect(hotspotReadiness(49, 1)).toEqual({ ready: true });
    expect(hotspotReadiness(0, 3)).toEqual({ ready: true });
    expect(factorsReadiness(3)).toEqual({ ready: true });
    expect(nearRepeatReadiness(2)).toEqual({ ready: true });
  });
});
