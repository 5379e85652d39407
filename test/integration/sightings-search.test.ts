// GET /api/v1/sightings as investigators use it: plate patterns, OCR look-alikes, NDJSON and
// CSV downloads streamed a chunk at a time, and JSON paged with a cursor. Real engine, real
// NATS and DuckDB; reads are written into the store directly (the way ingest stores them is
// covered by ingest.test.ts).

import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine.js';
import { auth, startEngine, testConfig } from '../helpers/engine.js';
import { TestNatsServer } from '../helpers/nats-server.js';

let nats: TestNatsServer;
let engine: Engine;

const REASON = 'case 41/2026 hit and run';
const HOUR = 3_600_000;
/** Reads of the last hours: inside the default window (the last 24 h) too. */
const T0 = Math.floor((Date.now() - 3 * HOUR) / 1000) * 1000;
const WINDOW = { from: new Date(T0 - HOUR).toISOString(), to: new Date(T0 + 2 * HOUR).toISOString() };

/** One read per plate, a second apart, each at its own position. */
const PLATES = [
  '01A123BC',
  '01A1BC',
  '01A199BC',
  '01A123XBC',
  '01A193BC',
  '01A123BD',
  '02A123BC',
  '01B123BC',
  '01O123AB', // a misread of 010123AB (O for 0)
  '01Q999AB',
  '51A123BC',
];

const BULK = 25_000;
const BULK_PLATE = '77B777BB';
/** The bulk reads in the answer's order (ts, seq, idx): ten per millisecond, seq falling within a millisecond. */
const BULK_ORDER = Array.from({ length: BULK }, (_, i) => ({
  id: `b${i}`,
  ts: T0 + Math.floor(i / 10),
  seq: 100_000 - Math.floor(i / 5),
  idx: i % 5,
}))
  .sort((a, b) => a.ts - b.ts || a.seq - b.seq || a.idx - b.idx)
  .map((r) => r.id);

beforeAll(async () => {
  nats = await TestNatsServer.start();
  engine = await startEngine(testConfig(nats.url));
  await engine.db.transaction(async (conn) => {
    for (const [i, plate] of PLATES.entries()) {
      await conn.run(
        `INSERT INTO sightings VALUES (make_timestamptz($1::BIGINT * 1000), 'cam-p', 'plate', $2, 0.9, $3, 69.2, 'centre', $4, '{"color":"red"}', $5, 0)`,
        [BigInt(T0 + i * 1000), plate, 41.3 + i / 1000, `p-${plate}`, BigInt(i + 1)],
      );
    }
    // Stored out of order, so the order is the query's.
    await conn.run(
      `INSERT INTO sightings
       SELECT make_timestamptz(($1::BIGINT + i // 10) * 1000), 'cam-bulk', 'plate', $2, 0.5, 41.2 + i / 1e6, 69.1, NULL, 'b' || i,
              '{"n":' || i || ',"note":"a, \\"b\\""}', 100000 - i // 5, (i % 5)::INTEGER
       FROM range(${BULK}) t(i) ORDER BY hash(i)`,
      [BigInt(T0), BULK_PLATE],
    );
  });
});

afterAll(async () => {
  await engine?.stop();
  await nats?.stop();
});

const url = (params: Record<string, string>) => `/api/v1/sightings?${new URLSearchParams({ reason: REASON, ...WINDOW, ...params })}`;
const asAnalyst = (u: string): InjectOptions => ({ method: 'GET', url: u, headers: auth('analyst') });

interface Page {
  rows: Array<{ id: string; plate: string; ts: string; lat: number | null; lon: number | null; attrs: unknown }>;
  plate: string;
  from: string;
  to: string;
  nextCursor: string | null;
}

async function search(params: Record<string, string>): Promise<Page> {
  const res = await engine.api.inject(asAnalyst(url(params)));
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  return res.json();
}

const plates = async (params: Record<string, string>) => (await search(params)).rows.map((r) => r.plate).sort();

async function badRequest(u: string): Promise<string> {
  const res = await engine.api.inject(asAnalyst(u));
  expect(res.statusCode, res.body.slice(0, 300)).toBe(400);
  expect(res.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VIGIL_ERR_INPUT_INVALID' });
  return res.json().message;
}

async function lastAudit(): Promise<{ target: string; reason: string; detail: Record<string, unknown> }> {
  const res = await engine.api.inject({ url: '/api/v1/audit?action=sightings.search&limit=1', headers: auth('admin') });
  return res.json().rows[0];
}

const auditCount = async () =>
  (await engine.api.inject({ url: '/api/v1/audit?action=sightings.search&limit=10000', headers: auth('admin') })).json().rows
    .length as number;

describe('plate patterns', () => {
  it('* matches any run, also an empty one, on the normalised plate', async () => {
    expect(await plates({ plate: '01a1*bc' })).toEqual(['01A123BC', '01A123XBC', '01A193BC', '01A199BC', '01A1BC']);
    expect(await plates({ plate: '01 А 1*ВС' })).toEqual(['01A123BC', '01A123XBC', '01A193BC', '01A199BC', '01A1BC']); // Cyrillic А, В, С
    expect(await plates({ plate: '*123*' })).toEqual(['01A123BC', '01A123BD', '01A123XBC', '01B123BC', '01O123AB', '02A123BC', '51A123BC']);
  });

  it('? matches exactly one character', async () => {
    expect(await plates({ plate: '01A1?3BC' })).toEqual(['01A123BC', '01A193BC']);
    expect(await plates({ plate: '?1A123BC' })).toEqual(['01A123BC', '51A123BC']);
    expect(await plates({ plate: '01A1??BC' })).toEqual(['01A123BC', '01A193BC', '01A199BC']);
  });

  it('a plate without wildcards is found exactly, as before, with its position and the pattern answered', async () => {
    const page = await search({ plate: '01-a-123-bc' });
    expect(page).toMatchObject({ plate: '01A123BC', from: WINDOW.from, to: WINDOW.to, nextCursor: null });
    expect(page.rows).toEqual([
      {
        ts: new Date(T0).toISOString(),
        camera: 'cam-p',
        kind: 'plate',
        plate: '01A123BC',
        conf: expect.closeTo(0.9, 5),
        lat: 41.3,
        lon: 69.2,
        area: 'centre',
        id: 'p-01A123BC',
        attrs: { color: 'red' },
      },
    ]);
    expect((await search({ plate: '01A1*BC' })).plate).toBe('01A1*BC');
  });

  it('refuses a pattern with fewer than 3 letters and digits, naming querystring.plate, before auditing', async () => {
    const before = await auditCount();
    for (const plate of ['*', '01*', '?1*', '0??', '*A*B*']) {
      expect(await badRequest(url({ plate })), plate).toMatch(/^querystring\.plate .*at least 3/);
    }
    for (const plate of ['01A1%', '01A1_BC', "01A1*' OR '1'='1", '01[A]1*', '01A1*\\']) {
      expect(await badRequest(url({ plate })), plate).toMatch(/^querystring\.plate /);
    }
    expect(await badRequest(url({ plate: '*1*2*3*' }))).toMatch(/^querystring\.plate .*at most 3/);
    expect(await auditCount()).toBe(before);
  });
});

describe('fuzzy=true', () => {
  it('finds a misread by its OCR look-alike class, and only with fuzzy', async () => {
    expect(await plates({ plate: '010123AB' })).toEqual([]);
    expect(await plates({ plate: '010123AB', fuzzy: 'true' })).toEqual(['01O123AB']);
    expect(await plates({ plate: '010123A8', fuzzy: 'true' })).toEqual(['01O123AB']); // B/8 too
    expect(await plates({ plate: '01O123AB', fuzzy: 'false' })).toEqual(['01O123AB']);
  });

  it('combines with wildcards', async () => {
    expect(await plates({ plate: '010*AB' })).toEqual([]);
    expect(await plates({ plate: '010*AB', fuzzy: 'true' })).toEqual(['01O123AB', '01Q999AB']);
    expect(await plates({ plate: '?IA1*8C', fuzzy: 'true' })).toEqual([
      '01A123BC',
      '01A123XBC',
      '01A193BC',
      '01A199BC',
      '01A1BC',
      '51A123BC',
    ]);
  });

  it('is audited as such', async () => {
    await search({ plate: '010*AB', fuzzy: 'true' });
    expect(await lastAudit()).toMatchObject({ target: '010*AB', reason: REASON, detail: { fuzzy: true, format: 'json', ...WINDOW } });
  });
});

describe('downloads', () => {
  it('format=ndjson streams every row, in order, with positions, audited first', async () => {
    const res = await engine.api.inject(asAnalyst(url({ plate: BULK_PLATE, format: 'ndjson' })));
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="sightings-${BULK_PLATE}.ndjson"`);
    const lines = res.body.split('\n');
    expect(lines.pop()).toBe('');
    const rows = lines.map((l) => JSON.parse(l));
    expect(rows.map((r) => r.id)).toEqual(BULK_ORDER);
    expect(rows[0]).toEqual({
      ts: new Date(T0).toISOString(),
      camera: 'cam-bulk',
      kind: 'plate',
      plate: BULK_PLATE,
      conf: 0.5,
      lat: expect.closeTo(41.2, 3),
      lon: 69.1,
      area: null,
      id: BULK_ORDER[0],
      attrs: { n: Number(BULK_ORDER[0].slice(1)), note: 'a, "b"' },
    });
    expect(await lastAudit()).toMatchObject({ target: BULK_PLATE, reason: REASON, detail: { format: 'ndjson', fuzzy: false, ...WINDOW } });
  });

  it('format=csv streams a header and every row, RFC 4180 quoted, attrs as JSON text', async () => {
    const res = await engine.api.inject(asAnalyst(url({ plate: '77B7*', format: 'csv' })));
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="sightings-77B7_.csv"');
    const lines = res.body.split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(BULK + 1);
    expect(lines[0]).toBe('ts,camera,kind,plate,conf,lat,lon,area,id,attrs');
    const n = Number(BULK_ORDER[0].slice(1));
    expect(lines[1]).toMatch(
      new RegExp(
        `^${new Date(T0).toISOString()},cam-bulk,plate,${BULK_PLATE},0\\.5,41\\.2\\d*,69\\.1,,${BULK_ORDER[0]},"\\{""n"":${n},""note"":""a, \\\\""b\\\\""""\\}"$`,
      ),
    );
    expect(lines.slice(1).map((l) => l.split(',')[8])).toEqual(BULK_ORDER);
    expect(await lastAudit()).toMatchObject({ target: '77B7*', detail: { format: 'csv' } });
  });

  it('limit caps a download; a JSON answer stays at most 10000 rows', async () => {
    const res = await engine.api.inject(asAnalyst(url({ plate: BULK_PLATE, format: 'ndjson', limit: '2500' })));
    expect(
      res.body
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l).id),
    ).toEqual(BULK_ORDER.slice(0, 2500));
    expect(await badRequest(url({ plate: BULK_PLATE, limit: '10001' }))).toMatch(/^querystring\.limit .*10000/);
    expect(await badRequest(url({ plate: BULK_PLATE, format: 'csv', limit: '1000001' }))).toMatch(/querystring\.limit/);
    expect((await search({ plate: BULK_PLATE, limit: '10000' })).rows).toHaveLength(10000);
  });

  it('over HTTP, is sent chunked while it is read, and a client that goes leaves the store answering', async () => {
    // Closed with the engine.
    const base = await engine.api.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${base}${url({ plate: BULK_PLATE, format: 'ndjson' })}`, { headers: auth('analyst') });
    expect(res.status).toBe(200);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(res.headers.get('content-length')).toBeNull();
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    await reader.cancel(); // hangs up mid-way
    for (let i = 0; i < 3; i++) expect((await search({ plate: '01A1*BC' })).rows).toHaveLength(5);
    const again = await fetch(`${base}${url({ plate: BULK_PLATE, format: 'csv' })}`, { headers: auth('analyst') });
    expect((await again.text()).split('\r\n')).toHaveLength(BULK + 2);
  });
});

describe('cursor paging (JSON)', () => {
  async function allPages(params: Record<string, string>, withWindow = true): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: Record<string, string> = { reason: REASON, ...(withWindow ? WINDOW : {}), ...params, ...(cursor ? { cursor } : {}) };
      const res = await engine.api.inject(asAnalyst(`/api/v1/sightings?${new URLSearchParams(q)}`));
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      const page = res.json() as Page;
      expect(page.rows.length).toBeLessThanOrEqual(Number(params.limit));
      if (page.nextCursor !== null) expect(page.rows).toHaveLength(Number(params.limit));
      ids.push(...page.rows.map((r) => r.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 100);
    return { ids, pages };
  }

  it('pages reproduce the whole ordered answer, no row twice, none left out, across ties in ts', async () => {
    const { ids, pages } = await allPages({ plate: BULK_PLATE, limit: '999' });
    expect(pages).toBe(Math.ceil(BULK / 999));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(BULK_ORDER);
  });

  it('continues the default window (the last 24 h up to the first page)', async () => {
    const { ids, pages } = await allPages({ plate: BULK_PLATE, limit: '10000' }, false);
    expect(pages).toBe(3);
    expect(ids).toEqual(BULK_ORDER);
  });

  it('pages a pattern search, and the last page has nextCursor: null', async () => {
    const { ids } = await allPages({ plate: '01A1*BC', limit: '2' });
    expect(ids).toEqual(['p-01A123BC', 'p-01A1BC', 'p-01A199BC', 'p-01A123XBC', 'p-01A193BC']);
    const exact = await search({ plate: '01A1*BC', limit: '5' });
    expect(exact.rows).toHaveLength(5);
    expect(exact.nextCursor).toBeNull();
  });

  it('audits every page', async () => {
    const before = await auditCount();
    const first = await search({ plate: BULK_PLATE, limit: '3' });
    await search({ plate: BULK_PLATE, limit: '3', cursor: first.nextCursor! });
    expect(await auditCount()).toBe(before + 2);
    expect(await lastAudit()).toMatchObject({ target: BULK_PLATE, detail: { cursor: true, format: 'json' } });
  });

  it('refuses a cursor it did not make, or of another search, naming querystring.cursor', async () => {
    const { nextCursor: next } = await search({ plate: BULK_PLATE, limit: '3' });
    expect(next).toEqual(expect.any(String));
    const cursor = next!;
    const before = await auditCount();
    for (const bad of ['nonsense', `${cursor.slice(0, -4)}`, Buffer.from('[1,2,3]').toString('base64url')]) {
      expect(await badRequest(url({ plate: BULK_PLATE, cursor: bad })), bad).toMatch(/^querystring\.cursor /);
    }
    const others: Record<string, string>[] = [
      { plate: '77B77*' },
      { plate: BULK_PLATE, fuzzy: 'true' },
      { plate: BULK_PLATE, to: new Date(T0 + 3 * HOUR).toISOString() },
      { plate: BULK_PLATE, from: new Date(T0 - 2 * HOUR).toISOString() },
    ];
    for (const other of others) {
      expect(await badRequest(url({ ...other, cursor })), JSON.stringify(other)).toMatch(/^querystring\.cursor .*another search/);
    }
    expect(await badRequest(url({ plate: BULK_PLATE, format: 'csv', cursor }))).toMatch(/^querystring\.cursor /);
    expect(await auditCount()).toBe(before);
    // The same search, with or without its window given again, continues.
    expect((await search({ plate: BULK_PLATE, limit: '3', cursor })).rows.map((r) => r.id)).toEqual(BULK_ORDER.slice(3, 6));
  });
});
