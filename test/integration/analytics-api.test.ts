// The analytics endpoints end to end: areas uploaded as GeoJSON, incidents through NATS, numbers
// through the HTTP API, checked against published and R reference values.
// Sources: Columbus (Anselin 1988, via R spData; test/fixtures/README.md); R 4.2.2 / spdep 1.2-7
// values in test/fixtures/r/moran_gistar.json; Chicago burglaries, January 2016
// (test/fixtures/nearrepeat, from the NearRepeat R package).

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import type { Engine } from '../../app/engine.js';
import { TestNatsServer } from '../helpers/nats-server.js';
import { auth, startEngine, testConfig } from '../helpers/engine.js';
import { chicago, loadChicago } from '../helpers/chicago.js';

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url);
const columbus = JSON.parse(readFileSync(fixture('columbus.geojson'), 'utf8'));
const R = JSON.parse(readFileSync(fixture('r/moran_gistar.json'), 'utf8'));
let nats: TestNatsServer;
let engine: Engine;
let nc: NatsConnection;

async function get(url: string) {
  const res = await engine.api.inject({ url, headers: auth('analyst') });
  return {
    status: res.statusCode,
    body: res.headers['content-type']?.toString().startsWith('application/json') ? res.json() : res.body,
    type: String(res.headers['content-type']),
  };
}

beforeAll(async () => {
  nats = await TestNatsServer.start();
  engine = await startEngine(testConfig(nats.url));
  nc = await connect({ servers: nats.url });
  // Chicago burglaries as incidents, noon on their day in the city's zone (Asia/Tashkent, UTC+5).
  await loadChicago(jetstream(nc), engine);
}, 120_000);

afterAll(async () => {
  await nc?.close();
  await engine?.stop();
  await nats?.stop();
});

const JAN = 'from=2015-12-01&to=2016-02-15';

describe('without areas', () => {
  it('maps incidents on a grid whose cell size comes from the data', async () => {
    const { status, body } = await get(`/api/v1/analytics/hotspots?${JAN}`);
    expect(status).toBe(200);
    expect(body.grid.cellMetres).toBeGreaterThanOrEqual(50);
    expect(body.grid.how).toMatch(/4 incidents per cell/);
    expect(body.rows.reduce((s: number, r: { value: number }) => s + r.value, 0)).toBe(chicago.length);
    expect(body.rows.some((r: { bin: number }) => r.bin === 3)).toBe(true);
  });

  it("draws the grid as GeoJSON points at the cells' centres", async () => {
    const json = (await get(`/api/v1/analytics/hotspots?${JAN}`)).body;
    const fc = JSON.parse((await get(`/api/v1/analytics/hotspots?${JAN}&format=geojson`)).body as string);
    expect(fc.grid).toEqual(json.grid);
    expect(fc.features.map((f: any) => f.id)).toEqual(json.rows.map((r: any) => r.cell));
    expect(fc.features[0].geometry).toEqual({ type: 'Point', coordinates: [json.rows[0].lon, json.rows[0].lat] });
  });

  it('runs the Knox test over distance × time bands; the cells hold every pair', async () => {
    const { status, body } = await get(`/api/v1/analytics/near-repeat?${JAN}&iterations=19&seed=7`);
    expect(status).toBe(200);
    expect(body.rows).toHaveLength(5 * 4);
    const pairs = body.rows.reduce((s: number, r: { observed: number }) => s + r.observed, 0);
    expect(pairs).toBe((chicago.length * (chicago.length - 1)) / 2);
    expect(body.rows[0]).toMatchObject({ distanceFrom: 0, distanceTo: 1, daysFrom: 0, daysTo: 7 });
    const again = await get(`/api/v1/analytics/near-repeat?${JAN}&iterations=19&seed=7`);
    expect(again.body.rows).toEqual(body.rows);
  });

  it('counts per day with the change against the day before, the hour-of-week profile and Mann–Kendall', async () => {
    const { status, body } = await get(`/api/v1/analytics/trends?from=2016-01-01&to=2016-02-01&bucket=day`);
    expect(status).toBe(200);
    expect(body.rows).toHaveLength(31);
    const jan = chicago.filter((c) => c.date.startsWith('2016-01'));
    expect(body.rows.reduce((s: number, r: { count: number }) => s + r.count, 0)).toBe(jan.length);
    const jan2 = jan.filter((c) => c.date === '2016-01-02').length;
    const jan1 = jan.filter((c) => c.date === '2016-01-01').length;
    expect(body.rows[1]).toMatchObject({ bucket: '2016-01-01T19:00:00.000Z', count: jan2, change: jan2 - jan1 });
    expect(body.rows[0].change).toBeNull();
    expect(body.hourOfWeek.counts).toHaveLength(168);
    expect(body.hourOfWeek.df).toBe(167);
    expect(body.mannKendall).toHaveProperty('tau');
  });

  it('groups trends by type when asked', async () => {
    const { status, body } = await get(`/api/v1/analytics/trends?from=2016-01-01&to=2016-02-01&bucket=week&groupBy=type`);
    expect(status).toBe(200);
    expect(new Set(body.rows.map((r: { type: string }) => r.type))).toEqual(new Set(['burglary']));
    expect(body.mannKendall[0]).toMatchObject({ type: 'burglary' });
  });

  it('area statistics without areas say how many are needed', async () => {
    const { status, body } = await get(`/api/v1/analytics/autocorrelation?${JAN}`);
    expect(status).toBe(400);
    expect(body.message).toMatch(/at least 3 areas are needed.*0 are loaded/);
  });

  it('refuses bands out of order, naming them', async () => {
    const { status, body } = await get(`/api/v1/analytics/near-repeat?${JAN}&distanceBands=100,50`);
    expect(status).toBe(400);
    expect(body.message).toMatch(/distanceBands/);
  });
});

describe('Columbus neighbourhoods', () => {
  beforeAll(async () => {
    const res = await engine.api.inject({ method: 'PUT', url: '/api/v1/areas', headers: auth('admin'), payload: columbus });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('OLS of CRIME on INC and HOVAL equals Anselin (1988) to the published digits', async () => {
    const { status, body } = await get('/api/v1/analytics/factors?response=CRIME&factors=INC,HOVAL&model=ols');
    expect(status).toBe(200);
    const [intercept, inc, hoval] = body.rows;
    expect(intercept.term).toBe('(Intercept)');
    expect([intercept.estimate.toFixed(4), intercept.stdError.toFixed(4)]).toEqual(['68.6190', '4.7355']);
    expect([inc.estimate.toFixed(4), inc.stdError.toFixed(4)]).toEqual(['-1.5973', '0.3341']);
    expect([hoval.estimate.toFixed(4), hoval.stdError.toFixed(4)]).toEqual(['-0.2739', '0.1032']);
    expect(body.fit.r2.toFixed(4)).toBe('0.5524');
    expect(body.residualAutocorrelation.I).toBeGreaterThan(0);
  });

  it("Moran's I of CRIME with queen weights equals spdep's moran.test to 1e-5", async () => {
    const { status, body } = await get('/api/v1/analytics/autocorrelation?variable=property:CRIME&weights=queen&style=W');
    expect(status).toBe(200);
    for (const k of ['I', 'expected', 'variance', 'z', 'zNormal'] as const) expect(body[k]).toBeCloseTo(R.moranQueenW[k], 5);
  });

  it("Gi* of CRIME equals spdep's localG (include.self) to 1e-5, area by area", async () => {
    const { status, body } = await get('/api/v1/analytics/hotspots?variable=CRIME');
    expect(status).toBe(200);
    const zById = new Map<string, number>(body.rows.map((r: { area: string; z: number }) => [r.area, r.z]));
    R.ids.forEach((id: number, i: number) => expect(zById.get(String(id))).toBeCloseTo(R.gstarQueenW.z[i], 5));
    expect(body.rows.every((r: { bin: number }) => r.bin >= -3 && r.bin <= 3)).toBe(true);
  });

  it('draws hotspots and autocorrelation as GeoJSON: each area with its row', async () => {
    const shape = new Map<string, unknown>(columbus.features.map((f: any) => [String(f.properties.id), f.geometry]));
    const json = (await get('/api/v1/analytics/hotspots?variable=CRIME')).body;
    const { status, body, type } = await get('/api/v1/analytics/hotspots?variable=CRIME&format=geojson');
    expect(status).toBe(200);
    expect(type).toMatch(/^application\/geo\+json/);
    const hot = JSON.parse(body as string);
    expect(hot).toMatchObject({ type: 'FeatureCollection', variable: 'CRIME', weights: 'queen', fdr: true });
    expect(hot.features).toHaveLength(49);
    for (const [i, f] of hot.features.entries()) {
      expect(f.geometry).toEqual(shape.get(f.id));
      expect(f.properties).toEqual({ name: null, ...json.rows[i] });
    }

    const moran = JSON.parse((await get('/api/v1/analytics/autocorrelation?variable=CRIME&format=geojson')).body as string);
    expect(moran.I).toBeCloseTo(R.moranQueenW.I, 5);
    expect(moran.features).toHaveLength(49);
    expect(moran.features.every((f: any) => f.geometry === null || f.geometry.type.endsWith('Polygon'))).toBe(true);
    // Row-standardised, the scatterplot's slope is I itself.
    const points = moran.features.map((f: any) => f.properties);
    const mean = points.reduce((a: number, p: any) => a + p.value, 0) / points.length;
    const slope =
      points.reduce((a: number, p: any) => a + (p.value - mean) * (p.lag - mean), 0) /
      points.reduce((a: number, p: any) => a + (p.value - mean) ** 2, 0);
    expect(slope).toBeCloseTo(moran.I, 10);
    expect(new Set(points.map((p: any) => p.quadrant))).toEqual(new Set(['high-high', 'low-low', 'high-low', 'low-high']));
    // An answer that cannot be drawn refuses the format, naming it.
    const trends = await get('/api/v1/analytics/trends?format=geojson');
    expect(trends.status).toBe(400);
    expect(trends.body.message).toMatch(/format/);
  });

  it('answers as CSV, and the export is audited', async () => {
    const { status, body, type } = await get('/api/v1/analytics/hotspots?variable=CRIME&format=csv');
    expect(status).toBe(200);
    expect(type).toMatch(/text\/csv/);
    const lines = (body as string).trim().split('\r\n');
    expect(lines[0]).toBe('area,value,z,p,pFdr,bin');
    expect(lines).toHaveLength(50);
    const audit = await engine.api.inject({ url: '/api/v1/audit?action=analytics.export', headers: auth('admin') });
    expect(audit.json().rows[0].target).toMatch(/hotspots/);
  });

  it('takes dynamic factors from the stream: cameras per area', async () => {
    // One camera inside each of the first ten neighbourhoods (at its ring's mean vertex).
    const cameras = columbus.features.slice(0, 10).map((f: any) => {
      const ring = f.geometry.coordinates[0] as number[][];
      const pts = ring.slice(0, -1);
      return {
        id: `cam-${f.properties.id}`,
        lon: pts.reduce((s, p) => s + p[0], 0) / pts.length,
        lat: pts.reduce((s, p) => s + p[1], 0) / pts.length,
      };
    });
    const put = await engine.api.inject({ method: 'PUT', url: '/api/v1/cameras', headers: auth('admin'), payload: cameras });
    expect(put.statusCode).toBe(200);
    const { status, body } = await get('/api/v1/analytics/factors?response=CRIME&factors=INC,cameras');
    expect(status).toBe(200);
    expect(body.rows.map((r: { term: string }) => r.term)).toEqual(['(Intercept)', 'INC', 'cameras']);
    const csv = await get('/api/v1/analytics/factors?response=CRIME&factors=INC,cameras&format=csv');
    expect((csv.body as string).split('\r\n')[0]).toBe('term,estimate,stdError,statistic,p,ciLow,ciHigh');
  });

  it('a count model refuses a response that is not a count, naming it', async () => {
    const { status, body } = await get('/api/v1/analytics/factors?response=CRIME&factors=INC&model=poisson&exposure=HOVAL');
    expect(status).toBe(400);
    expect(body.message).toMatch(/'CRIME' must be a count/);
  });

  it('names the bad parameter: unknown variable, weights, a constant factor', async () => {
    const unknown = await get('/api/v1/analytics/autocorrelation?variable=NOPE');
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/variable.*NOPE/);
    const weights = await get('/api/v1/analytics/autocorrelation?variable=CRIME&weights=knn:0');
    expect(weights.status).toBe(400);
    expect(weights.body.message).toMatch(/weights/);
    const constant = await get('/api/v1/analytics/autocorrelation?variable=incidents');
    expect(constant.status).toBe(400);
    expect(constant.body.message).toMatch(/constant/);
    const model = await get('/api/v1/analytics/factors?response=CRIME&factors=INC,INC');
    expect(model.status).toBe(400);
    expect(model.body.message).toMatch(/factors/);
  });
});
