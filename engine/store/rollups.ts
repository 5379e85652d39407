// Read counts of closed buckets, one row per key × bucket × kind. Ingest appends per-batch
// delta rows to agg_camera_minute and agg_area_hour; compactRollups moves the deltas of the
// buckets that have closed into the tiers below, so a query sums at most a row per key, bucket
// and kind of a tier, plus the deltas of the buckets still open. At 20 M reads the unmerged
// minute deltas were 17.7 M rows, and a 30-day traffic query per camera and day took 5.8 s.
//
// Buckets are the city's: the writer connection's TimeZone is config.timezone, so
// date_trunc('day', …) on a TIMESTAMPTZ is the local midnight. Area deltas come per UTC hour
// (engine/ingest/read-aggregates.ts), so in a half-hour zone an area's hours and days are off
// by that half hour, as they were before the tiers.
//
// No primary keys: DuckDB's ART index at tens of millions of rows costs more memory and
// insert time than it saves here. A merge instead sums each tier's rows of the cells the
// deltas touch with the deltas (a join on a small temporary table, whose bucket range or list
// DuckDB checks against each row group's zone map before reading it), deletes those rows and
// inserts the sums; rows go in ordered by bucket, which keeps the zone maps narrow. With 30
// days of 42,750 cameras in the tiers (15 M hour rows), an hour of deltas (30,000 camera and
// 20,000 area rows) compacted in 0.2–0.3 s, the same plus 2,000 late deltas spread over the
// week before in 0.6 s.

import type { DuckDBConnection } from '@duckdb/node-api';
import type { Database } from './database.js';

// The closed deltas, summed per cell: a minute delta is closed when minute + 60 s ≤ $1, an
// hour delta when hour + 3600 s ≤ $1 ($1: closedBefore, epoch ms). The DELETEs at the end use
// the same predicates, in the same transaction: they remove exactly the rows summed here.
const STAGE_CAMERA = `CREATE OR REPLACE TEMP TABLE rollup_closed_camera AS
  SELECT camera, minute, kind, sum(count)::BIGINT AS count FROM agg_camera_minute
  WHERE minute <= make_timestamptz(($1::BIGINT - 60000) * 1000) GROUP BY ALL`;
const STAGE_AREA = `CREATE OR REPLACE TEMP TABLE rollup_closed_area AS
  SELECT area, hour, kind, sum(count)::BIGINT AS count FROM agg_area_hour
  WHERE hour <= make_timestamptz(($1::BIGINT - 3600000) * 1000) GROUP BY ALL`;
const DROP_CAMERA_DELTAS = `DELETE FROM agg_camera_minute WHERE minute <= make_timestamptz(($1::BIGINT - 60000) * 1000)`;
const DROP_AREA_DELTAS = `DELETE FROM agg_area_hour WHERE hour <= make_timestamptz(($1::BIGINT - 3600000) * 1000)`;
/** Minutes that ended at or before $1 (minuteKeepFrom): the minute holding $1 is kept whole. */
const EXPIRE_MINUTES = `DELETE FROM rollup_camera_minute WHERE bucket <= make_timestamptz(($1::BIGINT - 60000) * 1000)`;

interface Tier {
  /** Fills rollup_merged: the tier's rows of the cells the deltas touch plus the deltas, summed. */
  merge: string;
  drop: string;
  insert: string;
  /** Whether `merge` takes $1 = minuteKeepFrom. */
  keepParam: boolean;
}

// One statement set per tier. A merge touches the cells (key × bucket × kind) that have deltas,
// not every row of their buckets: a backfill of a few reads in each hour of last week rewrote
// 3.6 M hour rows (4.4 s) when whole buckets were merged. Table and column names cannot be
// parameters: they come from the constant list below (reviewed in sql-parameterised.test.ts).
function tier(table: string, key: 'camera' | 'area', source: string, bucket: string, keepFrom = ''): Tier {
  return {
    merge: `CREATE OR REPLACE TEMP TABLE rollup_merged AS
      WITH d AS (SELECT ${key}, ${bucket} AS bucket, kind, count FROM ${source}${keepFrom})
      SELECT ${key}, bucket, kind, sum(count)::BIGINT AS count FROM (
        SELECT ${key}, bucket, kind, count FROM ${table} SEMI JOIN d USING (${key}, bucket, kind)
        UNION ALL SELECT ${key}, bucket, kind, count FROM d)
      GROUP BY ALL`,
    drop: `DELETE FROM ${table} t USING rollup_merged m WHERE t.${key} = m.${key} AND t.bucket = m.bucket AND t.kind = m.kind`,
    insert: `INSERT INTO ${table} SELECT ${key}, bucket, kind, count FROM rollup_merged ORDER BY bucket, ${key}, kind`,
    keepParam: keepFrom !== '',
  };
}

const TIERS: readonly Tier[] = [
  // Minutes that would be expired at once are not merged in.
  tier('rollup_camera_minute', 'camera', 'rollup_closed_camera', 'minute', ' WHERE minute > make_timestamptz(($1::BIGINT - 60000) * 1000)'),
  tier('rollup_camera_hour', 'camera', 'rollup_closed_camera', "date_trunc('hour', minute)"),
  tier('rollup_camera_day', 'camera', 'rollup_closed_camera', "date_trunc('day', minute)"),
  tier('rollup_area_hour', 'area', 'rollup_closed_area', 'hour'),
  tier('rollup_area_day', 'area', 'rollup_closed_area', "date_trunc('day', hour)"),
];

export interface Compaction {
  /** Delta rows merged into the tiers and deleted. */
  cameraDeltas: number;
  areaDeltas: number;
  /** rollup_camera_minute rows deleted for being older than the minute window. */
  minutesExpired: number;
}

async function mergeTier(conn: DuckDBConnection, tier: Tier, minuteKeepFrom: number): Promise<void> {
  await conn.run(tier.merge, tier.keepParam ? [BigInt(minuteKeepFrom)] : undefined);
  await conn.run(tier.drop);
  await conn.run(tier.insert);
}

/**
 * Merges every delta of a closed bucket (its end ≤ closedBefore, epoch ms) into the minute,
 * hour and day tiers and deletes it, and deletes the minute rows that ended at or before
 * minuteKeepFrom; one transaction, so a crash leaves all of it or none. A late delta of a bucket
 * closed long ago is added to that bucket's row. Running it again with the same arguments
 * changes nothing. Its cost follows the deltas and the tier rows of the buckets they touch,
 * not the size of the tiers.
 */
export function compactRollups(db: Database, closedBefore: number, minuteKeepFrom: number): Promise<Compaction> {
  const cut = [BigInt(Math.floor(closedBefore))];
  return db.transaction(async (conn) => {
    await conn.run(STAGE_CAMERA, cut);
    await conn.run(STAGE_AREA, cut);
    for (const tier of TIERS) await mergeTier(conn, tier, minuteKeepFrom);
    const camera = await conn.run(DROP_CAMERA_DELTAS, cut);
    const area = await conn.run(DROP_AREA_DELTAS, cut);
    const expired = await conn.run(EXPIRE_MINUTES, [BigInt(Math.floor(minuteKeepFrom))]);
    // Emptied, not dropped: the writer connection keeps them for the next run.
    await conn.run('DELETE FROM rollup_closed_camera');
    await conn.run('DELETE FROM rollup_closed_area');
    await conn.run('DELETE FROM rollup_merged');
    return { cameraDeltas: camera.rowsChanged, areaDeltas: area.rowsChanged, minutesExpired: expired.rowsChanged };
  });
}

const DAY_MS = 86_400_000;

/**
 * compactRollups in steps of a day from the oldest delta: each step is its own transaction, so
 * ingest commits in between. A store not compacted for long (made before the tiers existed, or
 * stopped for days) held the single writer for over a minute when folded at once.
 */
export async function compactRollupsByDay(db: Database, closedBefore: number, minuteKeepFrom: number): Promise<Compaction> {
  const [r] = await db.query(
    'SELECT epoch_ms(least((SELECT min(minute) FROM agg_camera_minute), (SELECT min(hour) FROM agg_area_hour))) AS oldest',
  );
  const total: Compaction = { cameraDeltas: 0, areaDeltas: 0, minutesExpired: 0 };
  const step = async (cut: number) => {
    const c = await compactRollups(db, cut, minuteKeepFrom);
    total.cameraDeltas += c.cameraDeltas;
    total.areaDeltas += c.areaDeltas;
    total.minutesExpired += c.minutesExpired;
  };
  if (r.oldest !== null) for (let cut = Number(r.oldest) + DAY_MS; cut < closedBefore; cut += DAY_MS) await step(cut);
  await step(closedBefore);
  return total;
}
