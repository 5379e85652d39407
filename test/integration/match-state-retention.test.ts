// Retention of the matching state against a real engine (real nats-server, real DuckDB) and a
// purge clock the test moves: a plate not read for detectionsDays loses its geofence state and
// its watchlist cooldown from `match_state` at the next purge, counted in the metrics; a plate
// read recently keeps them; and the next read of each decides as if the purge had not run,
// because matching itself already ignores a state that old.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@msgpack/msgpack';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { Engine } from '../../app/engine.js';
import { createLogger } from '../../engine/logger.js';
import { auth, eventually, testConfig } from '../helpers/engine.js';
import { TestNatsServer } from '../helpers/nats-server.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const RETENTION = 30 * DAY; // retention.detectionsDays by default

let nats: TestNatsServer;
let engine: Engine;
let nc: NatsConnection;
let js: JetStreamClient;
let hitSub: Subscription;
const hits: Array<{ source: string; plate?: string; geofence?: { trigger: string } }> = [];

const REAL = Date.now();
let clock = REAL;

const ZONE = { lat: 41.3111, lon: 69.2797 };
const AWAY = { lat: 41.2931, lon: 69.2797 };
// Last read more than the retention before REAL: its state goes at a purge at REAL.
const GONE = '10A111AA';
// Last read an hour less than the retention before REAL: its state stays at that purge, but
// the matcher ignores it for a read a retention and an hour later, like GONE's.
const STALE = '20B222BB';
const RECENT = '30C333CC';
let listId = '';

async function admin(method: 'POST' | 'PUT', url: string, body: unknown) {
  const res = await engine.api.inject({ method, url, headers: auth('admin'), payload: body as object });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

async function stateKeys(): Promise<string[]> {
  const rows = await engine.db.query('SELECT key FROM match_state ORDER BY key');
  return rows.map((r) => String(r.key));
}

async function purgedMetric(): Promise<number | null> {
  const text = (await engine.api.inject({ url: '/metrics' })).body;
  const m = /^vigil_purged_rows_total\{table="match_state"\} (\d+)$/m.exec(text);
  return m ? Number(m[1]) : null;
}

async function committed(stream: string, seq: number): Promise<boolean> {
  const rows = await engine.db.query('SELECT count(*) AS n FROM stream_applied WHERE stream = $1 AND $2 BETWEEN from_seq AND to_seq', [
    stream,
    seq,
  ]);
  return Number(rows[0].n) > 0;
}

/** Sends one read, waits until its batch committed, and returns the hits it raised as `source:trigger`. */
async function read(plate: string, ts: number, camera = 'cam-zone'): Promise<string[]> {
  const before = hits.length;
  const ack = await js.publish(`vigil.det.${camera}`, encode({ ts, kind: 'plate', plate }));
  await eventually(() => committed(ack.stream, ack.seq), 20_000, `read of ${plate} committed`);
  await new Promise((r) => setTimeout(r, 100)); // hits go out before the commit; this is their last hop
  return hits
    .slice(before)
    .filter((h) => h.plate === plate)
    .map((h) => `${h.source}:${h.geofence?.trigger ?? ''}`)
    .sort();
}

beforeAll(async () => {
  nats = await TestNatsServer.start();
  engine = await Engine.start(testConfig(nats.url), createLogger(process.env.VIGIL_TEST_LOG ?? 'silent'), {
    listen: false,
    now: () => clock,
  });
  // The test runs every purge itself, at the clock it chose.
  await engine.retention!.stop();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  hitSub = nc.subscribe('vigil.hit.>');
  void (async () => {
    for await (const m of hitSub) hits.push(m.json());
  })();

  await admin('PUT', '/api/v1/cameras', [
    { id: 'cam-zone', ...ZONE, kind: 'plate' },
    { id: 'cam-away', ...AWAY, kind: 'plate' },
  ]);
  await admin('POST', '/api/v1/geofences', {
    name: 'depot',
    geometry: { type: 'Circle', center: [ZONE.lon, ZONE.lat], radiusM: 300 },
    trigger: 'enter',
    priority: 80,
    cooldownSeconds: 0,
  });
  ({ id: listId } = await admin('POST', '/api/v1/watchlists', {
    name: 'stolen cars',
    kind: 'plate',
    priority: 60,
    legalBasis: 'court order 7',
    match: { ocrEquivalence: false, maxEdits: 0 },
    cooldownSeconds: 600,
  }));
  await admin('POST', `/api/v1/watchlists/${listId}/entries`, [{ key: GONE }]);
});

afterAll(async () => {
  hitSub?.unsubscribe();
  await nc?.close();
  await engine?.stop();
  await nats?.stop();
});

describe('matching state and retention', () => {
  it('each plate enters the zone, and its state is stored', async () => {
    expect(await read(GONE, REAL - RETENTION - 2 * HOUR)).toEqual(['geofence:enter', 'watchlist:']);
    expect(await read(STALE, REAL - RETENTION + HOUR)).toEqual(['geofence:enter']);
    expect(await read(RECENT, REAL - HOUR)).toEqual(['geofence:enter']);
    expect(await stateKeys()).toEqual([`s|p:${GONE}`, `s|p:${STALE}`, `s|p:${RECENT}`, `w|${listId}|${GONE}`]);
  });

  it('a purge deletes the state of a plate not read for detectionsDays, keeps the others, and counts it', async () => {
    expect(await purgedMetric()).toBe(0);
    clock = REAL;
    const report = await engine.retention!.run();
    expect(report.errors).toEqual([]);
    expect(report.rows.match_state).toBe(2);
    expect(await stateKeys()).toEqual([`s|p:${STALE}`, `s|p:${RECENT}`]);
    expect(await purgedMetric()).toBe(2);
  });

  it('the next reads decide as if no purge had run: a plate not read for detectionsDays enters anew', async () => {
    // Both a retention and an hour after their last read: GONE's state was deleted, STALE's is
    // still stored (seen above); both enter again. GONE's cooldown is long over: it hits too.
    expect(await read(GONE, REAL - RETENTION - 2 * HOUR + RETENTION + HOUR)).toEqual(['geofence:enter', 'watchlist:']);
    expect(await read(STALE, REAL - RETENTION + HOUR + RETENTION + HOUR)).toEqual(['geofence:enter']);
    // Read an hour ago and still in the zone: no new entry.
    expect(await read(RECENT, REAL)).toEqual([]);
    expect(await read(RECENT, REAL + HOUR, 'cam-away')).toEqual([]);
    expect(await read(RECENT, REAL + 2 * HOUR)).toEqual(['geofence:enter']);
  });

  it('a purge while reads stream in deletes exactly the expired state, in memory too', async () => {
    const before = (await purgedMetric())!;
    const keys = await stateKeys();
    expect(keys).toEqual([`s|p:${GONE}`, `s|p:${STALE}`, `s|p:${RECENT}`, `w|${listId}|${GONE}`]);
    // Reads of other plates outside the zone: batches in flight (the sweep mostly rides with one)
    // that leave no state of their own.
    let streaming = true;
    let sent = 0;
    let last = { stream: '', seq: 0 };
    const traffic = (async () => {
      while (streaming) {
        last = await js.publish(
          'vigil.det.cam-away',
          encode({ ts: REAL + 3 * HOUR, kind: 'plate', plate: `77X${String(sent++).padStart(4, '0')}` }),
        );
        if (sent % 20 === 0) await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    clock = REAL + 2 * HOUR + RETENTION + 1; // every state above was last refreshed before this cutoff
    const report = await engine.retention!.run();
    streaming = false;
    await traffic;
    await eventually(() => committed(last.stream, last.seq), 20_000, 'the traffic committed');
    expect(sent).toBeGreaterThan(20);
    expect(report.errors).toEqual([]);
    expect(report.rows.match_state).toBe(keys.length);
    expect(await stateKeys()).toEqual([]);
    expect(await purgedMetric()).toBe(before + keys.length);
    expect(engine.readiness().checks.ingest).toBe(true);
    // Gone from memory as well: two hours after its last read, inside, RECENT enters anew.
    expect(await read(RECENT, REAL + 4 * HOUR)).toEqual(['geofence:enter']);
  });
});
