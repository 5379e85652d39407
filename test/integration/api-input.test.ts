// Hostile and wrong input: every parameter given a bad value answers 400 in the API's
// error shape with a message that names the parameter — never 500, never a query run with it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { TestNatsServer } from '../helpers/nats-server.js';
import { auth, startEngine, testConfig } from '../helpers/engine.js';
import type { Engine } from '../../app/engine.js';

let nats: TestNatsServer;
let engine: Engine;

beforeAll(async () => {
  nats = await TestNatsServer.start();
  engine = await startEngine(testConfig(nats.url));
});

afterAll(async () => {
  await engine?.stop();
  await nats?.stop();
});

interface BadCase {
  /** What is wrong, as the test's name. */
  what: string;
  request: InjectOptions;
  /** The parameter the message must name (matched as a word, dots and brackets literal); a list: any of them. */
  names: string | string[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** 400, {statusCode: 400, error: 'Bad Request', message} and the message names `names`. */
async function expectBadRequest(request: InjectOptions, names: string | string[]): Promise<string> {
  const res = await engine.api.inject(request);
  expect(res.statusCode, res.body.slice(0, 300)).toBe(400);
  const body = res.json();
  expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
  const alternatives = (Array.isArray(names) ? names : [names]).map(escapeRegExp).join('|');
  expect(body.message).toMatch(new RegExp(`(^|[^A-Za-z0-9_])(${alternatives})($|[^A-Za-z0-9_])`));
  return body.message as string;
}

function query(path: string, params: Record<string, string | string[]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

const asAnalyst = (url: string): InjectOptions => ({ method: 'GET', url, headers: auth('analyst') });
const asAdmin = (url: string): InjectOptions => ({ method: 'GET', url, headers: auth('admin') });
const put = (url: string, payload: unknown): InjectOptions => ({
  method: 'PUT',
  url,
  headers: { ...auth('admin'), 'content-type': 'application/json' },
  payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
});

const traffic = (params: Record<string, string | string[]>) => asAnalyst(query('/api/v1/analytics/traffic', params));
const sightings = (params: Record<string, string | string[]>) => asAnalyst(query('/api/v1/sightings', params));
const REASON = 'case 12/2026 stolen car';

const square = (x: number, y: number, d = 0.01): number[][] => [
  [x, y],
  [x + d, y],
  [x + d, y + d],
  [x, y + d],
  [x, y],
];
const feature = (id: unknown, geometry: unknown = { type: 'Polygon', coordinates: [square(69.2, 41.3)] }) => ({
  type: 'Feature',
  properties: { id },
  geometry,
});
const fc = (...features: unknown[]) => ({ type: 'FeatureCollection', features });

describe('GET /api/v1/analytics/traffic', () => {
  const cases: BadCase[] = [
    { what: 'groupBy=x', request: traffic({ groupBy: 'x' }), names: 'groupBy' },
    { what: 'groupBy given twice', request: traffic({ groupBy: ['camera', 'area'] }), names: 'groupBy' },
    { what: 'bucket=week', request: traffic({ bucket: 'week' }), names: 'bucket' },
    { what: 'bucket=minute with groupBy=area', request: traffic({ groupBy: 'area', bucket: 'minute' }), names: 'bucket' },
    { what: 'limit=0', request: traffic({ limit: '0' }), names: 'limit' },
    { what: 'limit=-1', request: traffic({ limit: '-1' }), names: 'limit' },
    { what: 'limit=abc', request: traffic({ limit: 'abc' }), names: 'limit' },
    { what: 'limit=1e9', request: traffic({ limit: '1e9' }), names: 'limit' },
    { what: 'limit=1.5', request: traffic({ limit: '1.5' }), names: 'limit' },
    { what: "from='yesterday'", request: traffic({ from: 'yesterday' }), names: 'from' },
    { what: 'to=2026-13-01', request: traffic({ to: '2026-13-01' }), names: 'to' },
    { what: 'from=2026-02-30 (no such day)', request: traffic({ from: '2026-02-30' }), names: 'from' },
    { what: 'from without a zone', request: traffic({ from: '2026-11-01T10:00:00' }), names: 'from' },
    { what: 'from after to', request: traffic({ from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }), names: 'from' },
    { what: 'from equal to to', request: traffic({ from: '2026-11-01', to: '2026-11-01' }), names: 'from' },
    { what: 'from with SQL', request: traffic({ from: "2026-01-01'; DROP TABLE sightings;--" }), names: 'from' },
    { what: 'from far too long', request: traffic({ from: `2026-01-01${' OR 1=1'.repeat(20)}` }), names: 'from' },
    { what: 'unknown parameter foo=1', request: traffic({ foo: '1' }), names: 'foo' },
    { what: 'kind empty', request: traffic({ kind: '' }), names: 'kind' },
    { what: 'camera of 500 characters', request: traffic({ camera: 'c'.repeat(500) }), names: 'camera' },
  ];
  it.each(cases)('$what → 400 naming the parameter', async ({ request, names }) => {
    await expectBadRequest(request, names);
  });

  it('the store is untouched by the SQL in a parameter, and quotes in well-formed values are only data', async () => {
    await expectBadRequest(traffic({ from: "2026-01-01'; DROP TABLE sightings;--" }), 'from');
    expect(await engine.db.query('SELECT count(*) AS n FROM sightings')).toHaveLength(1);
    const hostile: Array<Record<string, string>> = [
      { kind: "' OR 1=1--" },
      { camera: "x' OR '1'='1" },
      { groupBy: 'area', area: "a'); DROP TABLE areas;--" },
    ];
    for (const params of hostile) {
      const res = await engine.api.inject(traffic(params));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().rows).toEqual([]);
    }
    expect(await engine.db.query('SELECT count(*) AS n FROM areas')).toHaveLength(1);
  });

  it('a date in the years 0000–0099 is refused or read as that year, not as 19xx', async () => {
    const res = await engine.api.inject(traffic({ from: '0050-01-01', to: '0050-01-02' }));
    if (res.statusCode === 400) {
      expect(res.json().message).toMatch(/\bfrom\b/);
    } else {
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      // City-local midnight of 1 January 50 (Tashkent then kept local mean time, UTC+4:37).
      expect(res.json().from).toMatch(/^00(49|50)-/);
    }
  });

  it('control characters and broken percent-encoding are refused or treated as data, never 500', async () => {
    for (const url of [
      '/api/v1/analytics/traffic?camera=%00',
      '/api/v1/analytics/traffic?kind=a%00b',
      '/api/v1/analytics/traffic?camera=%FF%FE',
      '/api/v1/analytics/traffic?camera=%E0%A4%A',
      '/api/v1/analytics/traffic?from=%',
    ]) {
      const res = await engine.api.inject(asAnalyst(url));
      expect([200, 400], `${url}: ${res.body.slice(0, 200)}`).toContain(res.statusCode);
    }
  });
});

describe('GET /api/v1/sightings', () => {
  const cases: BadCase[] = [
    { what: 'reason missing', request: sightings({ plate: '01A123BC' }), names: 'reason' },
    { what: 'plate missing', request: sightings({ reason: REASON }), names: 'plate' },
    { what: "plate '!!'", request: sightings({ plate: '!!', reason: REASON }), names: 'plate' },
    { what: 'plate of one character', request: sightings({ plate: 'A', reason: REASON }), names: 'plate' },
    { what: 'plate too long', request: sightings({ plate: 'A'.repeat(65), reason: REASON }), names: 'plate' },
    { what: 'plate with SQL', request: sightings({ plate: "01A123BC' OR '1'='1", reason: REASON }), names: 'plate' },
    { what: 'plate with a statement', request: sightings({ plate: '01A123BC; DROP TABLE sightings;--', reason: REASON }), names: 'plate' },
    {
      what: 'plate with a NUL byte',
      request: asAnalyst(`/api/v1/sightings?plate=01A%00123&reason=${encodeURIComponent(REASON)}`),
      names: 'plate',
    },
    { what: 'reason too short', request: sightings({ plate: '01A123BC', reason: 'ab' }), names: 'reason' },
    { what: 'reason only blanks', request: sightings({ plate: '01A123BC', reason: '      ' }), names: 'reason' },
    { what: 'reason empty', request: sightings({ plate: '01A123BC', reason: '' }), names: 'reason' },
    { what: 'reason too long', request: sightings({ plate: '01A123BC', reason: 'x'.repeat(501) }), names: 'reason' },
    { what: 'from not a date', request: sightings({ plate: '01A123BC', reason: REASON, from: 'now-1d' }), names: 'from' },
    { what: 'limit=0', request: sightings({ plate: '01A123BC', reason: REASON, limit: '0' }), names: 'limit' },
    { what: 'unknown parameter', request: sightings({ plate: '01A123BC', reason: REASON, camera: 'cam-1' }), names: 'camera' },
  ];
  it.each(cases)('$what → 400 naming the parameter', async ({ request, names }) => {
    await expectBadRequest(request, names);
  });

  it('a refused search is not audited as a search', async () => {
    const before = (await engine.api.inject(asAdmin('/api/v1/audit?action=sightings.search'))).json().rows.length;
    await expectBadRequest(sightings({ plate: '!!', reason: REASON }), 'plate');
    await expectBadRequest(sightings({ plate: '01A123BC', reason: 'ab' }), 'reason');
    const after = (await engine.api.inject(asAdmin('/api/v1/audit?action=sightings.search'))).json().rows.length;
    expect(after).toBe(before);
  });

  it('a reason with control characters or broken encoding is stored or refused, never 500', async () => {
    for (const reason of ['case%0012', 'case%FF%FE12', 'case%0A%0D12%1B[31m']) {
      const res = await engine.api.inject(asAnalyst(`/api/v1/sightings?plate=01A123BC&reason=${reason}`));
      expect([200, 400], `${reason}: ${res.body.slice(0, 200)}`).toContain(res.statusCode);
    }
  });
});

describe('GET /api/v1/audit', () => {
  const cases: BadCase[] = [
    { what: 'limit=-1', request: asAdmin('/api/v1/audit?limit=-1'), names: 'limit' },
    { what: 'limit=10001', request: asAdmin('/api/v1/audit?limit=10001'), names: 'limit' },
    { what: 'action empty', request: asAdmin('/api/v1/audit?action='), names: 'action' },
    { what: 'from not a date', request: asAdmin('/api/v1/audit?from=last%20week'), names: 'from' },
    { what: 'unknown parameter', request: asAdmin('/api/v1/audit?who=me'), names: 'who' },
  ];
  it.each(cases)('$what → 400 naming the parameter', async ({ request, names }) => {
    await expectBadRequest(request, names);
  });
});

describe('GET /api/v1/areas', () => {
  it('geometry=maybe → 400 naming geometry', async () => {
    await expectBadRequest(asAnalyst('/api/v1/areas?geometry=maybe'), 'geometry');
  });
});

describe('PUT /api/v1/cameras', () => {
  const cam = { id: 'cam-1', lat: 41.3, lon: 69.25 };
  const cases: BadCase[] = [
    { what: 'lat 91', request: put('/api/v1/cameras', [{ ...cam, lat: 91 }]), names: 'lat' },
    {
      what: 'lat -90.5 in the second camera',
      request: put('/api/v1/cameras', [cam, { ...cam, id: 'cam-2', lat: -90.5 }]),
      names: 'body[1].lat',
    },
    { what: 'lon 181', request: put('/api/v1/cameras', [{ ...cam, lon: 181 }]), names: 'lon' },
    { what: 'lat a word', request: put('/api/v1/cameras', [{ ...cam, lat: 'north' }]), names: 'lat' },
    { what: 'lat null', request: put('/api/v1/cameras', [{ ...cam, lat: null }]), names: 'lat' },
    { what: 'lat true', request: put('/api/v1/cameras', [{ ...cam, lat: true }]), names: 'lat' },
    { what: 'lon missing', request: put('/api/v1/cameras', [{ id: 'cam-1', lat: 41.3 }]), names: 'lon' },
    { what: 'id missing', request: put('/api/v1/cameras', [{ lat: 41.3, lon: 69.25 }]), names: 'id' },
    { what: 'id with spaces', request: put('/api/v1/cameras', [{ ...cam, id: 'cam 1' }]), names: 'id' },
    { what: 'id with a dot (a NATS subject separator)', request: put('/api/v1/cameras', [{ ...cam, id: 'cam.1' }]), names: 'id' },
    { what: 'id with a wildcard', request: put('/api/v1/cameras', [{ ...cam, id: 'cam>' }]), names: 'id' },
    { what: 'id empty', request: put('/api/v1/cameras', [{ ...cam, id: '' }]), names: 'id' },
    { what: 'id of 129 characters', request: put('/api/v1/cameras', [{ ...cam, id: 'c'.repeat(129) }]), names: 'id' },
    { what: 'id an object', request: put('/api/v1/cameras', [{ ...cam, id: { $ne: null } }]), names: 'id' },
    { what: 'kind of 33 characters', request: put('/api/v1/cameras', [{ ...cam, kind: 'k'.repeat(33) }]), names: 'kind' },
    { what: 'attrs not an object', request: put('/api/v1/cameras', [{ ...cam, attrs: 'x' }]), names: 'attrs' },
    { what: 'unknown field', request: put('/api/v1/cameras', [{ ...cam, height: 5 }]), names: 'height' },
    { what: 'not an array', request: put('/api/v1/cameras', cam), names: 'body' },
    { what: 'an array of strings', request: put('/api/v1/cameras', ['cam-1']), names: 'body[0]' },
  ];
  it.each(cases)('$what → 400 naming the parameter', async ({ request, names }) => {
    await expectBadRequest(request, names);
  });

  it('a valid upload is accepted (the control for the refusals above)', async () => {
    const res = await engine.api.inject(
      put('/api/v1/cameras', [{ id: 'cam-valid', lat: 41.3, lon: 69.25, kind: 'fixed', attrs: { note: "it's fine" } }]),
    );
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.json()).toEqual({ upserted: 1 });
  });

  it('a refused upload changes nothing', async () => {
    await expectBadRequest(
      put('/api/v1/cameras', [
        { id: 'cam-ok', lat: 41.3, lon: 69.25 },
        { id: 'cam-bad', lat: 100, lon: 69.25 },
      ]),
      'lat',
    );
    const res = await engine.api.inject(asAnalyst('/api/v1/cameras'));
    expect(res.json().rows.map((r: { id: string }) => r.id)).not.toContain('cam-ok');
  });

  it('bodies that are not JSON arrays of cameras are 400, never 500', async () => {
    for (const payload of ['', 'null', '[', '{"__proto__": {"admin": true}}', '[{"id":"c","lat":1e400,"lon":0}]']) {
      const res = await engine.api.inject(put('/api/v1/cameras', payload));
      expect(res.statusCode, `${payload}: ${res.body.slice(0, 200)}`).toBe(400);
      expect(res.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
    }
  });

  it('the same id twice in one upload is refused naming the id, or the last one wins; never 500', async () => {
    const res = await engine.api.inject(
      put('/api/v1/cameras', [
        { id: 'cam-twice', lat: 41.3, lon: 69.25 },
        { id: 'cam-twice', lat: 41.31, lon: 69.26 },
      ]),
    );
    expect([200, 400], res.body.slice(0, 300)).toContain(res.statusCode);
    if (res.statusCode === 400) {
      expect(res.json().message).toMatch(/\bid\b/);
    } else {
      const rows = (await engine.api.inject(asAnalyst('/api/v1/cameras'))).json().rows as Array<{ id: string; lat: number }>;
      expect(rows.filter((r) => r.id === 'cam-twice')).toEqual([expect.objectContaining({ lat: 41.31 })]);
    }
  });

  it('a camera id with a control character is stored or refused naming the id, never 500', async () => {
    const res = await engine.api.inject(put('/api/v1/cameras', [{ id: 'cam\u00001', lat: 41.3, lon: 69.25 }]));
    expect([200, 400], res.body.slice(0, 300)).toContain(res.statusCode);
    if (res.statusCode === 400) expect(res.json().message).toMatch(/\bid\b/);
  });
});

describe('PUT /api/v1/areas', () => {
  const cases: BadCase[] = [
    { what: 'a Feature instead of a FeatureCollection', request: put('/api/v1/areas', feature('a')), names: ['type', 'features'] },
    { what: 'type Topology', request: put('/api/v1/areas', { type: 'Topology', features: [feature('a')] }), names: 'type' },
    { what: 'an array', request: put('/api/v1/areas', [feature('a')]), names: 'body' },
    { what: 'features missing', request: put('/api/v1/areas', { type: 'FeatureCollection' }), names: 'features' },
    { what: 'features not an array', request: put('/api/v1/areas', { type: 'FeatureCollection', features: {} }), names: 'features' },
    {
      what: 'a feature without properties.id',
      request: put('/api/v1/areas', fc({ ...feature('a'), properties: { name: 'x' } })),
      names: 'properties.id',
    },
    {
      what: 'a feature with properties null',
      request: put('/api/v1/areas', fc({ ...feature('a'), properties: null })),
      names: 'properties.id',
    },
    { what: 'properties.id an object', request: put('/api/v1/areas', fc(feature({ x: 1 }))), names: 'properties.id' },
    { what: 'properties.id empty', request: put('/api/v1/areas', fc(feature(''))), names: 'properties.id' },
    {
      what: 'an unclosed ring',
      request: put(
        '/api/v1/areas',
        fc(
          feature('a', {
            type: 'Polygon',
            coordinates: [
              square(69.2, 41.3)
                .slice(0, 4)
                .concat([[69.2, 41.305]]),
            ],
          }),
        ),
      ),
      names: 'geometry.coordinates[0]',
    },
    {
      what: 'a ring of three positions',
      request: put(
        '/api/v1/areas',
        fc(
          feature('a', {
            type: 'Polygon',
            coordinates: [
              [
                [69.2, 41.3],
                [69.3, 41.3],
                [69.2, 41.3],
              ],
            ],
          }),
        ),
      ),
      names: 'geometry.coordinates[0]',
    },
    {
      what: 'a position of strings',
      request: put(
        '/api/v1/areas',
        fc(
          feature('a', {
            type: 'Polygon',
            coordinates: [
              [
                ['69.2', '41.3'],
                [69.3, 41.3],
                [69.3, 41.4],
                [69.2, 41.3],
              ],
            ],
          }),
        ),
      ),
      names: 'geometry.coordinates[0][0]',
    },
    { what: 'duplicate ids', request: put('/api/v1/areas', fc(feature('a'), feature('b'), feature('a'))), names: 'properties.id' },
    { what: 'duplicate ids as number and string', request: put('/api/v1/areas', fc(feature(7), feature('7'))), names: 'properties.id' },
    {
      what: 'geometry Point',
      request: put('/api/v1/areas', fc(feature('a', { type: 'Point', coordinates: [69.2, 41.3] }))),
      names: 'geometry.type',
    },
    { what: 'geometry null', request: put('/api/v1/areas', fc(feature('a', null))), names: 'geometry' },
    { what: 'geometry missing', request: put('/api/v1/areas', fc({ type: 'Feature', properties: { id: 'a' } })), names: 'geometry' },
    {
      what: 'an empty MultiPolygon',
      request: put('/api/v1/areas', fc(feature('a', { type: 'MultiPolygon', coordinates: [] }))),
      names: 'geometry.coordinates',
    },
    { what: 'a feature of another type', request: put('/api/v1/areas', fc({ ...feature('a'), type: 'Area' })), names: 'type' },
  ];
  it.each(cases)('$what → 400 naming the parameter', async ({ request, names }) => {
    await expectBadRequest(request, names);
  });

  it('names the feature at fault', async () => {
    const message = await expectBadRequest(
      put('/api/v1/areas', fc(feature('a'), feature('b', { type: 'Point', coordinates: [0, 0] }))),
      'geometry.type',
    );
    expect(message).toContain('features[1]');
  });

  it('a refused upload leaves the areas as they were', async () => {
    const ok = await engine.api.inject(put('/api/v1/areas', fc(feature('keep'))));
    expect(ok.statusCode, ok.body).toBe(200);
    await expectBadRequest(
      put('/api/v1/areas', fc(feature('new'), feature('broken', { type: 'Point', coordinates: [0, 0] }))),
      'geometry.type',
    );
    const res = await engine.api.inject(asAnalyst('/api/v1/areas'));
    expect(res.json().rows.map((r: { id: string }) => r.id)).toEqual(['keep']);
  });

  it('non-finite coordinates are 400, never 500', async () => {
    const raw =
      '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Polygon","coordinates":[[[1e400,0],[1,0],[1,1],[1e400,0]]]}}]}';
    const res = await engine.api.inject(put('/api/v1/areas', raw));
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().message).toMatch(/coordinates/);
  });
});

describe('the engine names a parameter, the API says where it was', () => {
  it('prefixes querystring. to the engine’s own messages', async () => {
    const at = (url: string) => expectBadRequest(asAnalyst(url), 'querystring');
    expect(await at(query('/api/v1/analytics/traffic', { groupBy: 'area', bucket: 'minute' }))).toBe(
      'querystring.bucket=minute needs groupBy=camera (areas are counted per hour)',
    );
    expect(await at(query('/api/v1/hits', { cursor: 'not-a-cursor' }))).toBe('querystring.cursor is not a cursor this API returned');
  });
});
