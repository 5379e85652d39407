// A maintenance pass against a real DuckDB file: it seals the hours closed by the newest stored
// read less the lateness, never past the clock (a camera stamping reads hours ahead must not
// close the hours still being read), and folds the closed count deltas into the rollups.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { validateConfig } from '../../engine/config.js';
import { createLogger } from '../../engine/logger.js';
import { EngineMetrics } from '../../engine/metrics.js';
import { StoreMaintenance } from '../../engine/store-maintenance.js';
import { Database } from '../../engine/store/database.js';
import { sightingFiles } from '../../engine/store/sighting-files.js';

const HOUR = 3_600_000;
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
  await read(NOW + 10 * HOUR, 99); // a camera's clock 10 h ahead

  const r = await maintenance.run();
  expect(r.errors).toEqual([]);
  expect(r.closedBefore).toBe(NOW - store.latenessSeconds * 1000);
  // Sealed: the whole hours before 15:00 (less lateness: 15:25 → 15:00): 10:30 … 14:30.
  expect(r.sealedReads).toBe(5);
  const hot = await db.query('SELECT seq FROM sightings ORDER BY seq');
  expect(hot.map((x) => Number(x.seq))).toEqual([6, 99]);
  const [files] = await sightingFiles(db).list();
  expect(files.rows).toBe(5);
  // Count buckets closed (before 15:25) are rolled up: one row per camera × day × kind.
  const [day] = await db.query('SELECT count(*)::BIGINT AS rows, sum(count)::BIGINT AS n FROM rollup_camera_day');
  expect({ rows: Number(day.rows), n: Number(day.n) }).toEqual({ rows: 1, n: 5 });
  const [open] = await db.query('SELECT count(*)::BIGINT AS n FROM agg_camera_minute');
  expect(Number(open.n)).toBe(2);
});
