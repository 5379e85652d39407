// Cameras and areas through the API, reads through real NATS JetStream, counted per area and
// city-local day: a read is placed by its own position (mobile camera) or its camera's, and
// replacing the areas re-places the cameras for the reads that follow.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@msgpack/msgpack';
import type { JetStreamClient } from '@nats-io/jetstream';
import { auth, eventually } from '../helpers/engine.js';
import type { Engine } from '../../app/engine.js';
import { startStack, stopStack, type Stack } from '../helpers/stack.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

// M: the latest city-local midnight (Asia/Tashkent, UTC+5: 19:00Z) at least two hours ago, so
// every read below is in the past and the reads straddle a local day boundary.
const M = Math.floor((Date.now() - 2 * HOUR - 19 * HOUR) / DAY) * DAY + 19 * HOUR;
const WINDOW = { from: iso(M - DAY), to: iso(M + DAY) };
/** The city-local date that starts at M, e.g. 2026-11-28. */
const LOCAL_DATE = iso(M + 5 * HOUR).slice(0, 10);
const NEXT_LOCAL_DATE = iso(M + DAY + 5 * HOUR).slice(0, 10);

type Ring = number[][];
const box = (lon0: number, lat0: number, lon1: number, lat1: number): Ring => [
  [lon0, lat0],
  [lon1, lat0],
  [lon1, lat1],
  [lon0, lat1],
  [lon0, lat0],
];
const WEST = { type: 'Polygon', coordinates: [box(69.2, 41.28, 69.25, 41.32)] };
const EAST = { type: 'Polygon', coordinates: [box(69.25, 41.28, 69.3, 41.32)] };
const NORTH = { type: 'MultiPolygon', coordinates: [[box(69.2, 41.295, 69.3, 41.32)]] };
const SOUTH = { type: 'Polygon', coordinates: [box(69.2, 41.28, 69.3, 41.295)] };

const CAMERAS = [
  { id: 'cam-w1', lat: 41.3, lon: 69.22 },
  { id: 'cam-w2', lat: 41.29, lon: 69.23, kind: 'fixed', attrs: { street: 'Amir Temur' } },
  { id: 'cam-e1', lat: 41.3, lon: 69.27 },
  { id: 'cam-m', lat: 41.31, lon: 69.21, kind: 'mobile' },
  { id: 'cam-out', lat: 41.4, lon: 69.4 },
];

let stack: Stack;
let engine: Engine;
let js: JetStreamClient;

type TrafficRow = { camera?: string; area?: string; bucket: string; kind: string; count: number };

async function get(url: string, role: 'admin' | 'analyst' = 'analyst') {
  const res = await engine.api.inject({ url, headers: auth(role) });
  expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBe(200);
  return res.json();
}

async function traffic(params: Record<string, string>): Promise<TrafficRow[]> {
  const q = new URLSearchParams({ ...WINDOW, ...params });
  return (await get(`/api/v1/analytics/traffic?${q}`)).rows as TrafficRow[];
}

async function put(url: string, payload: unknown) {
  const res = await engine.api.inject({ method: 'PUT', url, headers: auth('admin'), payload: payload as object });
  expect(res.statusCode, `PUT ${url}: ${res.body.slice(0, 300)}`).toBe(200);
  return res.json();
}

async function publish(camera: string, read: Record<string, unknown>): Promise<void> {
  await js.publish(`vigil.det.${camera}`, encode(read));
}

const sum = (rows: TrafficRow[]) => rows.reduce((s, r) => s + r.count, 0);

beforeAll(async () => {
  stack = await startStack();
  ({ engine, js } = stack);
});

afterAll(() => stopStack(stack));

describe('areas, cameras and traffic', () => {
  it('takes areas and cameras, and places each camera in its area', async () => {
    const areas = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { id: 'west', name: 'West district', population: 12000, schools: 3, note: 'old town', ok: true },
          geometry: WEST,
        },
        { type: 'Feature', properties: { id: 'east', population: 8000, lighting: 0.4 }, geometry: EAST },
      ],
    };
    expect(await put('/api/v1/areas', areas)).toEqual({ areas: 2 });
    expect(await put('/api/v1/cameras', CAMERAS)).toEqual({ upserted: CAMERAS.length });

    const rows = (await get('/api/v1/cameras')).rows as Array<Record<string, unknown>>;
    expect(Object.fromEntries(rows.map((r) => [r.id, r.area]))).toEqual({
      'cam-e1': 'east',
      'cam-m': 'west',
      'cam-out': null,
      'cam-w1': 'west',
      'cam-w2': 'west',
    });
    expect(rows.find((r) => r.id === 'cam-w2')).toMatchObject({ lat: 41.29, lon: 69.23, kind: 'fixed', attrs: { street: 'Amir Temur' } });
  });

  it('lists areas with their numeric properties as factors, and the geometry on request', async () => {
    const plain = (await get('/api/v1/areas')).rows;
    expect(plain).toEqual([
      { id: 'east', name: null, factors: { population: 8000, lighting: 0.4 } },
      { id: 'west', name: 'West district', factors: { population: 12000, schools: 3 } },
    ]);
    const withGeometry = (await get('/api/v1/areas?geometry=true')).rows;
    expect(withGeometry).toEqual([
      { id: 'east', name: null, factors: { population: 8000, lighting: 0.4 }, geometry: EAST },
      { id: 'west', name: 'West district', factors: { population: 12000, schools: 3 }, geometry: WEST },
    ]);
  });

  it('answers areas and cameras as GeoJSON: areas that PUT /areas takes back, cameras as points', async () => {
    const res = await engine.api.inject({ url: '/api/v1/areas?format=geojson', headers: auth('analyst') });
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    const areas = res.json();
    expect(areas).toEqual({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', id: 'east', geometry: EAST, properties: { id: 'east', name: null, population: 8000, lighting: 0.4 } },
        { type: 'Feature', id: 'west', geometry: WEST, properties: { id: 'west', name: 'West district', population: 12000, schools: 3 } },
      ],
    });
    const before = (await get('/api/v1/areas?geometry=true')).rows;
    expect(await put('/api/v1/areas', areas)).toEqual({ areas: 2 });
    expect((await get('/api/v1/areas?geometry=true')).rows).toEqual(before);

    const cameras = await get('/api/v1/cameras?format=geojson');
    expect(cameras.type).toBe('FeatureCollection');
    expect(cameras.features).toHaveLength(CAMERAS.length);
    expect(cameras.features.find((f: { id: string }) => f.id === 'cam-w2')).toEqual({
      type: 'Feature',
      id: 'cam-w2',
      geometry: { type: 'Point', coordinates: [69.23, 41.29] },
      properties: { id: 'cam-w2', kind: 'fixed', attrs: { street: 'Amir Temur' }, area: 'west' },
    });
    const bad = await engine.api.inject({ url: '/api/v1/cameras?format=kml', headers: auth('analyst') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/format/);
  });

  it('counts reads per area and UTC hour, a mobile read in the area where it was made', async () => {
    await publish('cam-w1', { ts: M - 30 * MINUTE, kind: 'plate', plate: '01 A 111 AA' });
    await publish('cam-w1', { ts: M - 20 * MINUTE, kind: 'vehicle' });
    await publish('cam-w2', { ts: M + 10 * MINUTE, kind: 'vehicle' });
    await publish('cam-e1', { ts: M + 15 * MINUTE, kind: 'vehicle' });
    await publish('cam-e1', { ts: M + 70 * MINUTE, kind: 'plate', plate: '01B222BB' });
    // A mobile camera registered in the west, reading in the east.
    await publish('cam-m', { ts: M + 20 * MINUTE, kind: 'plate', plate: '01M333MM', lat: 41.3, lon: 69.28 });
    await publish('cam-out', { ts: M + 25 * MINUTE, kind: 'vehicle' }); // outside every area
    await publish('cam-x', { ts: M + 25 * MINUTE, kind: 'vehicle' }); // never registered
    await eventually(async () => sum(await traffic({ groupBy: 'camera', bucket: 'hour' })) === 8, 20_000, '8 reads counted');

    expect(await traffic({ groupBy: 'area', bucket: 'hour' })).toEqual([
      { area: 'west', bucket: iso(M - HOUR), kind: 'plate', count: 1 },
      { area: 'west', bucket: iso(M - HOUR), kind: 'vehicle', count: 1 },
      { area: 'east', bucket: iso(M), kind: 'plate', count: 1 },
      { area: 'east', bucket: iso(M), kind: 'vehicle', count: 1 },
      { area: 'west', bucket: iso(M), kind: 'vehicle', count: 1 },
      { area: 'east', bucket: iso(M + HOUR), kind: 'plate', count: 1 },
    ]);
  });

  it('day buckets start at midnight in the city (19:00Z the day before), as ISO UTC strings', async () => {
    expect(iso(M)).toMatch(/T19:00:00\.000Z$/);
    expect(await traffic({ groupBy: 'area', bucket: 'day' })).toEqual([
      { area: 'west', bucket: iso(M - DAY), kind: 'plate', count: 1 },
      { area: 'west', bucket: iso(M - DAY), kind: 'vehicle', count: 1 },
      { area: 'east', bucket: iso(M), kind: 'plate', count: 2 },
      { area: 'east', bucket: iso(M), kind: 'vehicle', count: 1 },
      { area: 'west', bucket: iso(M), kind: 'vehicle', count: 1 },
    ]);
    // Per camera too: reads outside every area still count for their camera.
    const cameras = await traffic({ groupBy: 'camera', bucket: 'day' });
    expect(cameras).toContainEqual({ camera: 'cam-w1', bucket: iso(M - DAY), kind: 'vehicle', count: 1 });
    expect(cameras).toContainEqual({ camera: 'cam-out', bucket: iso(M), kind: 'vehicle', count: 1 });
    expect(cameras).toContainEqual({ camera: 'cam-x', bucket: iso(M), kind: 'vehicle', count: 1 });
    expect(sum(cameras)).toBe(8);
  });

  it('reads a date without a time as midnight in the city', async () => {
    const q = new URLSearchParams({ groupBy: 'area', bucket: 'day', from: LOCAL_DATE, to: NEXT_LOCAL_DATE });
    const res = await get(`/api/v1/analytics/traffic?${q}`);
    expect(res.from).toBe(iso(M));
    expect(res.to).toBe(iso(M + DAY));
    expect(res.rows).toEqual([
      { area: 'east', bucket: iso(M), kind: 'plate', count: 2 },
      { area: 'east', bucket: iso(M), kind: 'vehicle', count: 1 },
      { area: 'west', bucket: iso(M), kind: 'vehicle', count: 1 },
    ]);
  });

  it('filters by kind, by area and by camera', async () => {
    expect(await traffic({ groupBy: 'area', bucket: 'day', kind: 'plate' })).toEqual([
      { area: 'west', bucket: iso(M - DAY), kind: 'plate', count: 1 },
      { area: 'east', bucket: iso(M), kind: 'plate', count: 2 },
    ]);
    expect(await traffic({ groupBy: 'area', bucket: 'hour', area: 'east' })).toEqual([
      { area: 'east', bucket: iso(M), kind: 'plate', count: 1 },
      { area: 'east', bucket: iso(M), kind: 'vehicle', count: 1 },
      { area: 'east', bucket: iso(M + HOUR), kind: 'plate', count: 1 },
    ]);
    expect(await traffic({ groupBy: 'camera', bucket: 'hour', camera: 'cam-e1' })).toEqual([
      { camera: 'cam-e1', bucket: iso(M), kind: 'vehicle', count: 1 },
      { camera: 'cam-e1', bucket: iso(M + HOUR), kind: 'plate', count: 1 },
    ]);
    // From M: minute counts are kept 48 h (store.minuteBucketsHours), and M - DAY may be older.
    expect(await traffic({ bucket: 'minute', camera: 'cam-m', from: iso(M) })).toEqual([
      { camera: 'cam-m', bucket: iso(M + 20 * MINUTE), kind: 'plate', count: 1 },
    ]);
    expect(await traffic({ groupBy: 'camera', bucket: 'hour', camera: 'cam-e1', kind: 'face' })).toEqual([]);
    expect(await traffic({ groupBy: 'area', bucket: 'day', area: 'nowhere' })).toEqual([]);
  });

  it('keeps where each plate read was made: the mobile read at its own position', async () => {
    const q = (plate: string) => `/api/v1/sightings?${new URLSearchParams({ plate, reason: 'test of placement', ...WINDOW })}`;
    expect((await get(q('01M333MM'))).rows).toEqual([
      expect.objectContaining({
        ts: iso(M + 20 * MINUTE),
        camera: 'cam-m',
        kind: 'plate',
        plate: '01M333MM',
        lat: 41.3,
        lon: 69.28,
        area: 'east',
      }),
    ]);
    expect((await get(q('01A111AA'))).rows).toEqual([
      expect.objectContaining({ ts: iso(M - 30 * MINUTE), camera: 'cam-w1', plate: '01A111AA', lat: 41.3, lon: 69.22, area: 'west' }),
    ]);
  });

  it('replacing the areas re-places the cameras for the reads that follow', async () => {
    const areas = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { id: 'north', population: 5000 }, geometry: NORTH },
        { type: 'Feature', properties: { id: 'south' }, geometry: SOUTH },
      ],
    };
    expect(await put('/api/v1/areas', areas)).toEqual({ areas: 2 });
    expect((await get('/api/v1/areas')).rows).toEqual([
      { id: 'north', name: null, factors: { population: 5000 } },
      { id: 'south', name: null, factors: {} },
    ]);
    const cameras = (await get('/api/v1/cameras')).rows as Array<{ id: string; area: string | null }>;
    expect(Object.fromEntries(cameras.map((r) => [r.id, r.area]))).toEqual({
      'cam-e1': 'north',
      'cam-m': 'north',
      'cam-out': null,
      'cam-w1': 'north',
      'cam-w2': 'south',
    });

    const t = M + 105 * MINUTE;
    await publish('cam-w1', { ts: t, kind: 'vehicle' });
    await publish('cam-w2', { ts: t, kind: 'vehicle' });
    await publish('cam-e1', { ts: t, kind: 'person' });
    await publish('cam-m', { ts: t, kind: 'vehicle', lat: 41.285, lon: 69.29 }); // mobile, in the south
    await eventually(
      async () =>
        sum(await traffic({ groupBy: 'area', bucket: 'hour', area: 'north' })) +
          sum(await traffic({ groupBy: 'area', bucket: 'hour', area: 'south' })) ===
        4,
      20_000,
      '4 reads in the new areas',
    );
    expect(await traffic({ groupBy: 'area', bucket: 'hour', area: 'north' })).toEqual([
      { area: 'north', bucket: iso(M + HOUR), kind: 'person', count: 1 },
      { area: 'north', bucket: iso(M + HOUR), kind: 'vehicle', count: 1 },
    ]);
    expect(await traffic({ groupBy: 'area', bucket: 'hour', area: 'south' })).toEqual([
      { area: 'south', bucket: iso(M + HOUR), kind: 'vehicle', count: 2 },
    ]);
  });

  it('moving a camera re-places it too', async () => {
    expect(await put('/api/v1/cameras', [{ id: 'cam-out', lat: 41.285, lon: 69.21 }])).toEqual({ upserted: 1 });
    const cameras = (await get('/api/v1/cameras')).rows as Array<{ id: string; area: string | null; lat: number }>;
    expect(cameras.find((c) => c.id === 'cam-out')).toMatchObject({ lat: 41.285, area: 'south' });
    expect(cameras).toHaveLength(CAMERAS.length);
  });
});

describe('service documents', () => {
  it('GET /docs/json is an OpenAPI document listing the /api/v1 paths', async () => {
    const doc = await get('/docs/json');
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info).toMatchObject({ title: 'vigil' });
    const paths = Object.keys(doc.paths ?? {});
    for (const p of ['/api/v1/cameras', '/api/v1/areas', '/api/v1/analytics/traffic', '/api/v1/sightings', '/api/v1/audit']) {
      expect(paths, p).toContain(p);
    }
    expect(
      paths.filter((p) => !p.startsWith('/api/v1/')),
      'only API paths are documented',
    ).toEqual([]);
    expect(Object.keys(doc.paths['/api/v1/cameras']).sort()).toEqual(['get', 'put']);
    const trafficParams = (doc.paths['/api/v1/analytics/traffic'].get.parameters as Array<{ name: string; in: string }>).map((p) => p.name);
    expect(trafficParams).toEqual(expect.arrayContaining(['groupBy', 'bucket', 'kind', 'from', 'to']));
    const sightingParams = doc.paths['/api/v1/sightings'].get.parameters as Array<{ name: string; required?: boolean }>;
    expect(sightingParams.find((p) => p.name === 'reason')).toMatchObject({ required: true });
    expect(doc.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('GET /readyz says ready with nats, store and ingest all true', async () => {
    const res = await engine.api.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ready: true, checks: { nats: true, store: true, ingest: true } });
  });
});
