// Detections and incidents through real NATS JetStream into a real DuckDB file, counted
// through the HTTP API; bad input lands in the DLQ with a reason.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@msgpack/msgpack';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { auth, eventually } from '../helpers/engine.js';
import type { Engine } from '../../app/engine.js';
import { startStack, stopStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let engine: Engine;
let nc: NatsConnection;
let js: JetStreamClient;
const now = Date.now();
const minute = now - (now % 60_000);

async function traffic(query: string) {
  const res = await engine.api.inject({ url: `/api/v1/analytics/traffic?${query}`, headers: auth('analyst') });
  expect(res.statusCode).toBe(200);
  return res.json().rows as Array<{ camera?: string; area?: string; bucket: string; kind: string; count: number }>;
}

async function total(query: string) {
  return (await traffic(query)).reduce((s, r) => s + r.count, 0);
}

beforeAll(async () => {
  stack = await startStack();
  ({ engine, nc, js } = stack);
});

afterAll(() => stopStack(stack));

describe('ingest', () => {
  it('counts single reads and gateway batches per camera and minute', async () => {
    await js.publish('vigil.det.cam-1', encode({ ts: minute + 1000, kind: 'plate', plate: '01 a 123-bc' }));
    const batch = Array.from({ length: 150 }, (_, i) => ({
      ts: minute + 2000 + i,
      kind: i % 3 === 0 ? 'face' : 'vehicle',
      camera: 'cam-2',
      embedding: i % 3 === 0 ? [0.1, 0.2, 0.3] : undefined,
    }));
    await js.publish('vigil.det.gw-1', encode(batch));
    await eventually(async () => (await total('bucket=minute')) === 151, 20_000, '151 reads counted');
    const rows = await traffic('bucket=minute');
    expect(rows).toContainEqual({ camera: 'cam-1', bucket: new Date(minute).toISOString(), kind: 'plate', count: 1 });
    expect(rows).toContainEqual({ camera: 'cam-2', bucket: new Date(minute).toISOString(), kind: 'face', count: 50 });
    expect(rows).toContainEqual({ camera: 'cam-2', bucket: new Date(minute).toISOString(), kind: 'vehicle', count: 100 });
  });

  it('stores a sighting per plate read, found by normalised plate with an audited reason', async () => {
    const res = await engine.api.inject({
      url: `/api/v1/sightings?plate=01A123BC&reason=${encodeURIComponent('case 77/2026 stolen car')}`,
      headers: auth('analyst'),
    });
    expect(res.statusCode).toBe(200);
    const rows = res.json().rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ camera: 'cam-1', plate: '01A123BC', kind: 'plate' });
    const audit = await engine.api.inject({ url: '/api/v1/audit?action=sightings.search', headers: auth('admin') });
    expect(audit.json().rows[0]).toMatchObject({ actor: 'analyst-user', target: '01A123BC', reason: 'case 77/2026 stolen car' });
  });

  it('sends malformed messages and bad batch records to the DLQ with a reason, counting the good ones', async () => {
    const jsm = await jetstreamManager(nc);
    const dlq = await js.consumers.get('VIGIL_DLQ');
    const before = await total('bucket=minute');
    await js.publish('vigil.det.cam-3', new Uint8Array([0xc1, 0x00, 0xff])); // 0xc1: never valid MessagePack
    await js.publish('vigil.det.cam-3', encode({ kind: 'plate', plate: 'AB123' })); // no ts
    await js.publish('vigil.det.cam-3', encode({ ts: 'yesterday', kind: 'vehicle' }));
    await js.publish('vigil.det.cam-3', encode({ ts: minute, kind: 'vehicle', lat: 123, lon: 69 }));
    await js.publish('vigil.det.cam-3', encode({ ts: now + 3 * 86_400_000, kind: 'vehicle' }));
    await js.publish(
      'vigil.det.gw-2',
      encode([
        { ts: minute + 1, kind: 'vehicle' },
        { ts: minute + 2, kind: 'plate' }, // plate missing
        { ts: minute + 3, kind: 'vehicle' },
        'not a map',
        { ts: minute + 4, kind: 'face', embedding: new Uint8Array(6) }, // not float32
      ]),
    );
    await eventually(async () => (await total('bucket=minute')) === before + 2, 20_000, 'good batch records counted');

    const got: Array<{ error: string; subject: string; index?: string }> = [];
    const iter = await dlq.fetch({ max_messages: 8, expires: 3000 });
    for await (const m of iter) {
      got.push({
        error: m.headers?.get('Vigil-Error') ?? '',
        subject: m.headers?.get('Vigil-Subject') ?? '',
        index: m.headers?.get('Vigil-Index') || undefined,
      });
      if (got.length === 8) break;
    }
    expect(got).toHaveLength(8);
    expect(got[0]).toMatchObject({ subject: 'vigil.det.cam-3', index: undefined });
    expect(got[0].error).toMatch(/MessagePack/);
    expect(got[1].error).toMatch(/^ts: required/);
    expect(got[2].error).toMatch(/^ts: must be an integer/);
    expect(got[3].error).toMatch(/^lat: must be within/);
    expect(got[4].error).toMatch(/^ts: .* in the future/);
    expect(got.slice(5).map((g) => [g.index, g.subject])).toEqual([
      ['1', 'vigil.det.gw-2'],
      ['3', 'vigil.det.gw-2'],
      ['4', 'vigil.det.gw-2'],
    ]);
    expect(got[5].error).toMatch(/^plate: required/);
    expect((await jsm.streams.info('VIGIL_DLQ')).state.messages).toBe(8);

    const metrics = (await engine.api.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/vigil_rejected_total\{reason="undecodable",input="det"\} 1/);
    expect(metrics).toMatch(/vigil_rejected_total\{reason="missing_field",input="det"\} 2/);
    expect(metrics).toMatch(/vigil_rejected_total\{reason="bad_embedding",input="det"\} 1/);
  });

  it('stores incidents sent as JSON or MessagePack, once per id', async () => {
    const incident = { id: 'inc-1', ts: now - 1000, type: 'burglary', lat: 41.3, lon: 69.25, severity: 3, source: 'call' };
    await js.publish('vigil.incident.burglary', JSON.stringify(incident));
    await js.publish('vigil.incident.burglary', JSON.stringify(incident)); // producer retry
    await js.publish('vigil.incident.theft', encode({ id: 'inc-2', ts: now - 500, lat: 41.31, lon: 69.26 }));
    await js.publish('vigil.incident.theft', encode({ id: 'inc-3', ts: now, lat: 41.31 })); // no lon
    await eventually(async () => {
      const rows = await engine.db.query('SELECT id, type FROM incidents ORDER BY id');
      return rows.length === 2;
    });
    const rows = await engine.db.query('SELECT id, type FROM incidents ORDER BY id');
    expect(rows).toEqual([
      { id: 'inc-1', type: 'burglary' },
      { id: 'inc-2', type: 'theft' },
    ]);
    await eventually(async () =>
      /vigil_rejected_total\{reason="missing_field",input="incident"\} 1/.test((await engine.api.inject({ url: '/metrics' })).body),
    );
  });
});

describe('incidents in bulk', () => {
  it('keeps the first of an id sent twice in one batch, and every new one of a burst, once', async () => {
    const base = Date.now() - 60_000;
    const burst = Array.from({ length: 1500 }, (_, i) => ({
      id: `bulk-${i}`,
      ts: base + i,
      type: 'theft',
      lat: 41.3,
      lon: 69.25,
      severity: 1 + (i % 5),
    }));
    // The same id again, differing: the first one published is the one stored.
    burst.splice(10, 0, { ...burst[3], severity: 5, type: 'robbery' });
    await Promise.all(burst.map((r) => js.publish(`vigil.incident.${r.type}`, JSON.stringify(r))));
    await eventually(
      async () => Number((await engine.db.query("SELECT count(*) AS n FROM incidents WHERE id LIKE 'bulk-%'"))[0].n) === 1500,
      30_000,
    );
    const [third] = await engine.db.query("SELECT type, severity FROM incidents WHERE id = 'bulk-3'");
    expect(third).toEqual({ type: 'theft', severity: 4 });
  });
});
