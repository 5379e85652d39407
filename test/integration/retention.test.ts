// Retention against a real engine (real nats-server, real DuckDB) and a clock the test moves:
// sightings, hits and audit rows at ages either side of each cutoff, expired watchlists and
// entries; one purge at a chosen "now", then exactly which rows remain, the metrics, the audit
// record, and that an expired entry no longer matches a read that hit it before the purge.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@msgpack/msgpack';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { Engine } from '../../app/engine.js';
import { createLogger } from '../../engine/logger.js';
import { EngineMetrics } from '../../engine/metrics.js';
import { RetentionSchedule } from '../../engine/retention-schedule.js';
import { AuditLog } from '../../engine/store/audit-log.js';
import { auth, eventually, testConfig } from '../helpers/engine.js';
import { TestNatsServer } from '../helpers/nats-server.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

let nats: TestNatsServer;
let engine: Engine;
let nc: NatsConnection;
let js: JetStreamClient;
let hitSub: Subscription;
const hits: Array<{ id: string; entry?: { key: string }; watchlist?: { id: string } }> = [];

/** The clock the engine purges by: the real time at the start, plus two days. */
const REAL = Date.now();
const T = REAL + 2 * DAY;
let clock = REAL;

// Plates far apart, exact matching only: a read hits its own entry or nothing.
const KEEP = '10A123BC'; // no expiry
const EXPIRING = '20M456DE'; // expires an hour from REAL: past at T
const LATER = '30N789FH'; // expires three days from REAL: still live at T
const ON_EXPIRING_LIST = '40P246JK'; // on a list that expires two hours from REAL

let listKeep = '';
let listExpiring = '';

const iso = (ms: number) => new Date(ms).toISOString();

async function admin(method: 'POST' | 'PUT', url: string, body: unknown) {
  const res = await engine.api.inject({ method, url, headers: auth('admin'), payload: body as object });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

async function count(sql: string): Promise<number> {
  const [row] = await engine.db.query(sql);
  return Number(row.n);
}

async function metricsText(): Promise<string> {
  return (await engine.api.inject({ url: '/metrics' })).body;
}

// Rows inserted straight into the store at ages (in days) relative to T.
const SIGHTING_AGES = [0.5, 29, 29.9, 30.1, 31, 45];
const HIT_AGES = [10, 364, 364.9, 365.1, 366, 400];
const AUDIT_AGES = [1, 729, 729.9, 730.1, 731, 900];

async function insertAgedRows(): Promise<void> {
  await engine.db.transaction(async (conn) => {
    for (const [i, age] of SIGHTING_AGES.entries()) {
      await conn.run(
        `INSERT INTO sightings VALUES (make_timestamptz($1::BIGINT * 1000), 'cam-old', 'plate', $2, 0.9, NULL, NULL, NULL, NULL, NULL, $3, 0)`,
        [BigInt(Math.round(T - age * DAY)), `S${age}`, BigInt(1_000_000 + i)],
      );
    }
    // Aggregates and incidents of any age are kept.
    await conn.run(`INSERT INTO agg_camera_minute VALUES ('cam-old', make_timestamptz($1::BIGINT * 1000), 'plate', 5)`, [
      BigInt(T - 400 * DAY),
    ]);
    await conn.run(`INSERT INTO agg_area_hour VALUES ('area-old', make_timestamptz($1::BIGINT * 1000), 'plate', 5)`, [
      BigInt(T - 400 * DAY),
    ]);
    await conn.run(
      `INSERT INTO incidents VALUES ('inc-old', make_timestamptz($1::BIGINT * 1000), 'burglary', 41.3, 69.2, 3, 'call', NULL, NULL, 1)`,
      [BigInt(T - 800 * DAY)],
    );
    for (const age of HIT_AGES) {
      const emitted = BigInt(Math.round(T - age * DAY));
      await conn.run(
        `INSERT INTO hits VALUES ($1, 'watchlist', 50, make_timestamptz($2::BIGINT * 1000), make_timestamptz($2::BIGINT * 1000), 'cam-old', 'plate', false, '{}')`,
        [`h${age}`, emitted],
      );
      // Two acknowledgements each: a hit's acks go with it.
      for (const status of ['rejected', 'accepted']) {
        await conn.run(`INSERT INTO hit_acks VALUES ($1, $2, 'r', 'desk', make_timestamptz($3::BIGINT * 1000))`, [
          `h${age}`,
          status,
          emitted + 60_000n,
        ]);
      }
    }
    // A past-read hit: its read is 400 days old, but it was emitted 10 days ago, so it stays.
    await conn.run(
      `INSERT INTO hits VALUES ('h-retro', 'watchlist', 50, make_timestamptz($1::BIGINT * 1000), make_timestamptz($2::BIGINT * 1000), 'cam-old', 'plate', true, '{}')`,
      [BigInt(T - 400 * DAY), BigInt(T - 10 * DAY)],
    );
    await conn.run(`INSERT INTO hit_acks VALUES ('h-retro', 'accepted', NULL, 'desk', make_timestamptz($1::BIGINT * 1000))`, [
      BigInt(T - 9 * DAY),
    ]);
  });
  const audit = new AuditLog(engine.db);
  for (const age of AUDIT_AGES)
    await audit.record({ actor: 'old-analyst', role: 'analyst', action: 'sightings.search', target: `a${age}` }, Math.round(T - age * DAY));
}

beforeAll(async () => {
  nats = await TestNatsServer.start();
  engine = await Engine.start(testConfig(nats.url), createLogger(process.env.VIGIL_TEST_LOG ?? 'silent'), {
    listen: false,
    now: () => clock,
  });
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  hitSub = nc.subscribe('vigil.hit.>');
  void (async () => {
    for await (const m of hitSub) hits.push(m.json());
  })();

  await admin('PUT', '/api/v1/cameras', [{ id: 'cam-ret', lat: 41.31, lon: 69.28, kind: 'plate' }]);
  const match = { ocrEquivalence: false, maxEdits: 0 };
  ({ id: listKeep } = await admin('POST', '/api/v1/watchlists', {
    name: 'stolen cars',
    kind: 'plate',
    priority: 60,
    legalBasis: 'court order 1',
    match,
    cooldownSeconds: 0,
  }));
  ({ id: listExpiring } = await admin('POST', '/api/v1/watchlists', {
    name: 'temporary',
    kind: 'plate',
    priority: 60,
    legalBasis: 'court order 2',
    match,
    cooldownSeconds: 0,
    expiresAt: iso(REAL + 2 * HOUR),
  }));
  await admin('POST', `/api/v1/watchlists/${listKeep}/entries`, [
    { key: KEEP },
    { key: EXPIRING, expiresAt: iso(REAL + HOUR) },
    { key: LATER, expiresAt: iso(REAL + 3 * DAY) },
  ]);
  await admin('POST', `/api/v1/watchlists/${listExpiring}/entries`, [{ key: ON_EXPIRING_LIST }]);
  await insertAgedRows();
});

afterAll(async () => {
  hitSub?.unsubscribe();
  await nc?.close();
  await engine?.stop();
  await nats?.stop();
});

const metric = (text: string, name: string, label: string) => {
  const m = new RegExp(`^${name}\\{${label}\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
};

async function purgeAudits(): Promise<Array<Record<string, any>>> {
  const q = new URLSearchParams({ actor: 'vigil', action: 'retention.purge', from: iso(REAL - DAY), to: iso(T + 2 * DAY), limit: '100' });
  const res = await engine.api.inject({ url: `/api/v1/audit?${q}`, headers: auth('admin') });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().rows;
}

/** Sends reads of `plates` (event time REAL) and waits until every one of them is stored. */
async function readAll(plates: string[]): Promise<string[]> {
  const before = hits.length;
  const stored = await count(`SELECT count(*) AS n FROM sightings WHERE camera = 'cam-ret'`);
  for (const plate of plates) await js.publish('vigil.det.cam-ret', encode({ ts: REAL, kind: 'plate', plate }));
  // Hits are published before their batch commits: once the reads are stored, every hit is out.
  await eventually(
    async () => (await count(`SELECT count(*) AS n FROM sightings WHERE camera = 'cam-ret'`)) === stored + plates.length,
    20_000,
    'reads stored',
  );
  await new Promise((r) => setTimeout(r, 100)); // the hits' last hop: NATS to this subscription
  return hits
    .slice(before)
    .map((h) => h.entry?.key ?? '?')
    .sort();
}

describe('a purge at a chosen time', () => {
  beforeAll(async () => {
    // The test drives every run itself; the engine's own timer would purge at a time of its choosing.
    await engine.retention!.stop();
  });

  it('before it, every listed plate hits: the reads are within every expiry', async () => {
    expect(await readAll([EXPIRING, ON_EXPIRING_LIST, LATER, KEEP])).toEqual([EXPIRING, ON_EXPIRING_LIST, LATER, KEEP].sort());
  });

  it('deletes exactly the rows past each cutoff, and the expired rules', async () => {
    clock = T;
    const report = await engine.retention!.run();
    expect(report.errors).toEqual([]);
    expect(report.at).toBe(T);
    expect(report.rows).toEqual({ watchlists: 1, watchlist_entries: 2, sightings: 3, hits: 3, hit_acks: 6, audit: 3, match_state: 0 });
    expect(report.rules).toEqual({ watchlists: [{ id: listExpiring, entries: 1 }], entries: [{ watchlist: listKeep, keys: [EXPIRING] }] });

    const sightings = await engine.db.query(`SELECT plate FROM sightings WHERE camera = 'cam-old' ORDER BY ts`);
    expect(sightings.map((r) => r.plate)).toEqual(['S29.9', 'S29', 'S0.5']);
    // The reads ingested through NATS are two days old: all kept.
    expect(await count(`SELECT count(*) AS n FROM sightings WHERE camera = 'cam-ret'`)).toBe(4);
    const hitIds = await engine.db.query(`SELECT id FROM hits WHERE camera = 'cam-old' ORDER BY emitted_at`);
    expect(hitIds.map((r) => r.id)).toEqual(['h364.9', 'h364', 'h10', 'h-retro']);
    const acks = await engine.db.query(`SELECT DISTINCT hit FROM hit_acks ORDER BY hit`);
    expect(acks.map((r) => r.hit)).toEqual(['h-retro', 'h10', 'h364', 'h364.9']);
    expect(await count(`SELECT count(*) AS n FROM hit_acks`)).toBe(7);
    const audit = await engine.db.query(`SELECT target FROM audit WHERE actor = 'old-analyst' ORDER BY ts`);
    expect(audit.map((r) => r.target)).toEqual(['a729.9', 'a729', 'a1']);
    // The engine's own hits and the API's audit rows are young: kept.
    expect(await count(`SELECT count(*) AS n FROM hits WHERE camera = 'cam-ret'`)).toBe(4);
    expect(await count(`SELECT count(*) AS n FROM audit WHERE action = 'watchlist.create'`)).toBe(2);
    // Aggregates and incidents carry no identity: kept whatever their age.
    expect(await count("SELECT count(*) AS n FROM agg_camera_minute WHERE camera = 'cam-old'")).toBe(1);
    expect(await count("SELECT count(*) AS n FROM agg_area_hour WHERE area = 'area-old'")).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM incidents WHERE id = 'inc-old'`)).toBe(1);

    // The rules, in the store and in the live rule book.
    expect(await count('SELECT count(*) AS n FROM watchlists')).toBe(1);
    const entries = await engine.db.query('SELECT key FROM watchlist_entries ORDER BY key');
    expect(entries.map((r) => r.key)).toEqual([KEEP, LATER]);
    expect(engine.rules.watchlists().map((w) => [w.id, w.entries])).toEqual([[listKeep, 2]]);
  });

  it('counts what it deleted, by table, and the run', async () => {
    const text = await metricsText();
    const purged = (table: string) => metric(text, 'vigil_purged_rows_total', `table="${table}"`);
    expect(purged('sightings')).toBe(3);
    expect(purged('hits')).toBe(3);
    expect(purged('hit_acks')).toBe(6);
    expect(purged('audit')).toBe(3);
    expect(purged('watchlists')).toBe(1);
    expect(purged('watchlist_entries')).toBe(2);
    expect(metric(text, 'vigil_purge_runs_total', 'outcome="ok"')).toBe(1);
    expect(metric(text, 'vigil_purge_runs_total', 'outcome="error"')).toBe(0);
  });

  it('writes one audit record saying what it deleted and why', async () => {
    const rows = await purgeAudits();
    expect(rows).toHaveLength(1);
    const [r] = rows;
    expect(r.ts).toBe(iso(T));
    expect(r.actor).toBe('vigil');
    expect(r.reason).toBe('retention: detectionsDays 30, hitsDays 365, auditDays 730, expiredRulesGraceDays 0');
    expect(r.detail.rows).toEqual({ watchlists: 1, watchlist_entries: 2, sightings: 3, hits: 3, hit_acks: 6, audit: 3, match_state: 0 });
    expect(r.detail.cutoffs).toEqual({ sightings: iso(T - 30 * DAY), hits: iso(T - 365 * DAY), audit: iso(T - 730 * DAY), rules: iso(T) });
    expect(r.detail.watchlists).toEqual([{ id: listExpiring, entries: 1 }]);
    expect(r.detail.entries).toEqual([{ watchlist: listKeep, keys: [EXPIRING] }]);
  });

  it('after it, the removed entry and list no longer match the same reads', async () => {
    expect(await readAll([EXPIRING, ON_EXPIRING_LIST, LATER, KEEP])).toEqual([LATER, KEEP].sort());
  });

  it('a second run finds nothing: counted, not audited', async () => {
    const report = await engine.retention!.run();
    expect(Object.values(report.rows).every((n) => n === 0)).toBe(true);
    expect(metric(await metricsText(), 'vigil_purge_runs_total', 'outcome="ok"')).toBe(2);
    expect(await purgeAudits()).toHaveLength(1);
  });

  it('joins a run in progress instead of starting a second', async () => {
    const a = engine.retention!.run();
    const b = engine.retention!.run();
    expect(b).toBe(a);
    await a;
    expect(metric(await metricsText(), 'vigil_purge_runs_total', 'outcome="ok"')).toBe(3);
  });

  it('survives a failing step: the others still run, the error is counted and audited, the next run recovers', async () => {
    await engine.db.transaction(async (conn) => {
      await conn.run(
        `INSERT INTO sightings VALUES (make_timestamptz($1::BIGINT * 1000), 'cam-old', 'plate', 'S40', 0.9, NULL, NULL, NULL, NULL, NULL, 2000000, 0)`,
        [BigInt(T - 40 * DAY)],
      );
      await conn.run(
        `INSERT INTO hits VALUES ('h500', 'watchlist', 50, make_timestamptz($1::BIGINT * 1000), make_timestamptz($1::BIGINT * 1000), 'cam-old', 'plate', false, '{}')`,
        [BigInt(T - 500 * DAY)],
      );
      await conn.run('ALTER TABLE hit_acks RENAME TO hit_acks_away');
    });
    let failed;
    try {
      failed = await engine.retention!.run();
    } finally {
      await engine.db.transaction((conn) => conn.run('ALTER TABLE hit_acks_away RENAME TO hit_acks'));
    }
    expect(failed.errors).toHaveLength(1);
    expect(failed.errors[0]).toMatch(/^hits: .*hit_acks/);
    expect(failed.rows.sightings).toBe(1);
    expect(failed.rows.hits).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM hits WHERE id = 'h500'`)).toBe(1);
    let text = await metricsText();
    expect(metric(text, 'vigil_purge_runs_total', 'outcome="error"')).toBe(1);
    expect(metric(text, 'vigil_purged_rows_total', 'table="sightings"')).toBe(4);
    const audits = await purgeAudits();
    expect(audits).toHaveLength(2);
    expect(audits.filter((a) => a.detail.errors).map((a) => a.detail.errors)).toEqual([failed.errors]);

    const recovered = await engine.retention!.run();
    expect(recovered.errors).toEqual([]);
    expect(recovered.rows.hits).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM hits WHERE id = 'h500'`)).toBe(0);
    text = await metricsText();
    expect(metric(text, 'vigil_purge_runs_total', 'outcome="ok"')).toBe(4);
    expect(metric(text, 'vigil_purged_rows_total', 'table="hits"')).toBe(4);
  });
});

describe('the schedule', () => {
  const schedule = (overrides: Partial<typeof engine.config.retention>, now: () => number, metrics = new EngineMetrics()) =>
    new RetentionSchedule({
      db: engine.db,
      rules: engine.rules,
      audit: new AuditLog(engine.db),
      metrics,
      log: createLogger('silent'),
      retention: { ...engine.config.retention, ...overrides },
      now,
      firstRunDelayMs: 20,
    });

  it('runs on its timer, one run after another, never two at once, until stopped', async () => {
    const metrics = new EngineMetrics();
    const starts: number[] = []; // the clock is read once, as each run starts
    const s = schedule(
      { purgeIntervalMinutes: 0.001 },
      () => {
        starts.push(Date.now());
        return T;
      },
      metrics,
    );
    const runs = async () => (await metrics.purgeRuns.get()).values.find((v) => v.labels.outcome === 'ok')?.value ?? 0;
    // Hold the writer for 400 ms: the first run (due at 20 ms) waits for it. A timer that did not
    // wait for the run before would start about six more meanwhile (every 60 ms).
    const t0 = Date.now();
    const held = engine.db.transaction(() => new Promise((r) => setTimeout(r, 400)));
    s.start();
    await held;
    expect(starts.filter((t) => t < t0 + 380)).toHaveLength(1);
    await eventually(async () => (await runs()) >= 3, 10_000, 'three timed runs');
    await s.stop();
    const after = await runs();
    expect(starts).toHaveLength(after);
    await new Promise((r) => setTimeout(r, 300));
    expect(await runs()).toBe(after);
    // Each run starts about purgeIntervalMinutes (60 ms) after the one before has ended.
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(55);
  });

  it('keeps expired entries for expiredRulesGraceDays', async () => {
    await admin('POST', `/api/v1/watchlists/${listKeep}/entries`, [
      { key: '50R135LM', expiresAt: iso(REAL + 0.5 * DAY) }, // expired 1.5 days before T
      { key: '60S975NP', expiresAt: iso(REAL + 1.5 * DAY) }, // expired 0.5 days before T
    ]);
    const graced = schedule({ expiredRulesGraceDays: 1 }, () => T);
    expect((await graced.run()).rules).toEqual({ watchlists: [], entries: [{ watchlist: listKeep, keys: ['50R135LM'] }] });
    const later = schedule({ expiredRulesGraceDays: 1 }, () => T + DAY);
    expect((await later.run()).rules).toEqual({ watchlists: [], entries: [{ watchlist: listKeep, keys: ['60S975NP'] }] });
    const entries = await engine.db.query('SELECT key FROM watchlist_entries ORDER BY key');
    expect(entries.map((r) => r.key)).toEqual([KEEP, LATER]);
  });
});
