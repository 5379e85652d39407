// A maintenance pass against a real DuckDB file: it seals the hot reads before the last
// store.sealMinutes boundary of the newest stored read, never past the clock (a camera stamping
// reads hours ahead must not seal what is still being read), folds the count deltas closed by
// the lateness into the rollups, and merges the seals of a day still open into runs.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listValue } from '@duckdb/node-api';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { validateConfig } from '../../engine/config.js';
import { createLogger } from '../../engine/logger.js';
import { EngineMetrics } from '../../engine/metrics.js';
import { StoreMaintenance } from '../../engine/store-maintenance.js';
import { Database } from '../../engine/store/database.js';
import { sightingFiles } from '../../engine/store/sighting-files.js';
import { RUN_SEALS } from '../../engine/store/sighting-seal.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const NOW = Date.UTC(2026, 10, 2, 10, 30); // 15:30 in Tashkent

let dir: string;
let db: Database;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-maint-'));
  db = await Database.open(dir, 'Asia/Tashkent', 256);
});

afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function read(ts: number, seq: number) {
  await db.transaction(async (conn) => {
    await conn.run(
      `INSERT INTO sightings VALUES (make_timestamptz($1::BIGINT * 1000), 'cam-1', 'plate', '01A123BC', 0.9, NULL, NULL, 'a1', NULL, NULL, $2, 0)`,
      [BigInt(ts), BigInt(seq)],
    );
    await conn.run(
      `INSERT INTO agg_camera_minute VALUES ('cam-1', date_trunc('minute', make_timestamptz($1::BIGINT * 1000)), 'plate', 1)`,
      [BigInt(ts)],
    );
  });
}

it('seals and rolls up what the watermark closed, the watermark capped by the clock', async () => {
  const store = validateConfig({}).store;
  const maintenance = new StoreMaintenance({
    db,
    files: sightingFiles(db),
    metrics: new EngineMetrics(),
    log: createLogger('silent'),
    store,
    now: () => NOW,
  });
  for (let h = 0; h < 6; h++) await read(NOW - 5 * HOUR + h * HOUR, h + 1); // 10:30 … 15:30
  await read(NOW - 4 * MINUTE, 7); // 15:26
  await read(NOW + 10 * HOUR, 99); // a camera's clock 10 h ahead

  const r = await maintenance.run();
  expect(r.errors).toEqual([]);
  expect(r.closedBefore).toBe(NOW - store.latenessSeconds * 1000);
  // Sealed: everything before the 5-minute boundary at 15:30 (no lateness), 15:26 included.
  expect(store.sealMinutes).toBe(5);
  expect(r.sealedReads).toBe(6);
  const hot = await db.query('SELECT seq FROM sightings ORDER BY seq');
  expect(hot.map((x) => Number(x.seq))).toEqual([6, 99]);
  const [files] = await sightingFiles(db).list();
  expect(files.rows).toBe(6);
  // Count buckets closed (before 15:25) are rolled up: one row per camera × day × kind.
  const [day] = await db.query('SELECT count(*)::BIGINT AS rows, sum(count)::BIGINT AS n FROM rollup_camera_day');
  expect({ rows: Number(day.rows), n: Number(day.n) }).toEqual({ rows: 1, n: 5 });
  const [open] = await db.query('SELECT count(*)::BIGINT AS n FROM agg_camera_minute');
  expect(Number(open.n)).toBe(3);
});

it('seals every few minutes of an open day, merges its seals into a run, and its runs into a day once it closes', async () => {
  const store = validateConfig({}).store;
  let now = Date.UTC(2026, 10, 2, 4, 0); // 09:00 in Tashkent
  const files = sightingFiles(db);
  const maintenance = new StoreMaintenance({ db, files, metrics: new EngineMetrics(), log: createLogger('silent'), store, now: () => now });
  const kinds = async () => (await files.list()).map((f) => /-(seal|run|day)-/.exec(f.path)?.[1]).sort();
  let seq = 0;
  // A read a minute; a pass every 5 minutes seals what came before its boundary.
  const t0 = now;
  for (let pass = 1; pass <= RUN_SEALS + 2; pass++) {
    for (let m = 5 * pass - 4; m <= 5 * pass; m++) await read(t0 + m * MINUTE, ++seq);
    now = t0 + 5 * pass * MINUTE;
    const r = await maintenance.run();
    expect(r.errors).toEqual([]);
    expect(r.sealedReads).toBeGreaterThan(0);
    // The hot table holds only the read on the boundary.
    const [{ n }] = await db.query('SELECT count(*)::BIGINT AS n FROM sightings');
    expect(Number(n)).toBe(1);
    if (pass === RUN_SEALS - 1) expect(await kinds()).toEqual(Array(RUN_SEALS - 1).fill('seal'));
  }
  // The 12th seal made a run of 12; two seals since.
  expect(await kinds()).toEqual(['run', 'seal', 'seal']);
  // The day closes (past midnight in Tashkent, plus the lateness): one day file, every read once.
  now = Date.UTC(2026, 10, 2, 19, 10);
  await read(now, ++seq);
  const r = await maintenance.run();
  expect(r.errors).toEqual([]);
  expect((await kinds()).filter((k) => k !== undefined)).toEqual(['day']);
  const sealed = await db.query(`SELECT count(*)::BIGINT AS n, count(DISTINCT seq)::BIGINT AS d FROM read_parquet($1::VARCHAR[])`, [
    listValue((await files.list()).filter((f) => f.day === '2026-11-02').map((f) => join(files.dir, f.path))),
  ]);
  expect({ n: Number(sealed[0].n), d: Number(sealed[0].d) }).toEqual({ n: seq - 1, d: seq - 1 });
});
