// Read counts per camera or area and bucket on the city's clock: the closed buckets from the
// rollup tier of the bucket asked for (engine/store/rollups.ts), the open ones summed from the
// deltas ingest appends. A bucket is counted whole, and every bucket that overlaps [from, to) is
// in the answer: a tier's row cannot be cut at `from`, and the deltas are read the same way so
// that an answer does not change when its deltas are compacted.

import { ParamError } from '../errors.js';
import type { Database } from './database.js';

export type TrafficGroup = 'camera' | 'area';
export type TrafficBucket = 'minute' | 'hour' | 'day';

export interface TrafficQuery {
  groupBy: TrafficGroup;
  bucket: TrafficBucket;
  from: number;
  to: number;
  kind?: string;
  key?: string;
  limit: number;
}

export interface TrafficRow {
  camera?: string;
  area?: string;
  bucket: string;
  kind: string;
  count: number;
}

const TIERS = {
  camera: { minute: 'rollup_camera_minute', hour: 'rollup_camera_hour', day: 'rollup_camera_day' },
  area: { hour: 'rollup_area_hour', day: 'rollup_area_day' },
} as const;

/**
 * Counts per key × bucket × kind, ordered by bucket, key and kind. `minuteKeepFrom` (epoch ms)
 * is where the minute rows kept (store.minuteBucketsHours) begin: minute buckets before it are
 * refused with a ParamError naming `bucket`, as they are no longer stored.
 */
export async function trafficCounts(db: Database, q: TrafficQuery, minuteKeepFrom: number): Promise<TrafficRow[]> {
  // Area counts are kept per hour: a minute bucket cannot be made from them.
  if (q.groupBy === 'area' && q.bucket === 'minute') {
    throw new ParamError('bucket', '=minute needs groupBy=camera (areas are counted per hour)');
  }
  if (q.bucket === 'minute' && q.from < minuteKeepFrom) {
    throw new ParamError(
      'bucket',
      `=minute counts are kept from ${new Date(minuteKeepFrom).toISOString()} on (store.minuteBucketsHours): ask with a later from, or for bucket=hour`,
    );
  }
  const table = q.groupBy === 'camera' ? TIERS.camera[q.bucket] : TIERS.area[q.bucket === 'day' ? 'day' : 'hour'];
  const [keyCol, timeCol] = q.groupBy === 'camera' ? ['camera', 'minute'] : ['area', 'hour'];
  const to = await firstPageEnd(db, table, keyCol, q);
  // The bucket word, the column names and the tier's table come from closed enums above, never
  // from the request text; the deltas' table is agg_camera_minute or agg_area_hour. A delta is
  // in the window when its bucket is (its own time ≥ the first bucket's start lets the zone
  // maps prune). Tier rows are one per key × bucket × kind already: only those of the buckets
  // that also have open deltas are summed again (over 30 days per camera and day, summing all
  // 3.8 M rows took half the query's time), and they are ordered by the timestamp, not by the
  // epoch computed from it (a quarter of it). The open deltas are summed once (MATERIALIZED):
  // on a store not compacted yet they are all the history.
  const rows = await db.query(
    `WITH open AS MATERIALIZED (
       SELECT ${keyCol} AS key, date_trunc('${q.bucket}', ${timeCol}) AS b, kind, sum(count) AS count FROM agg_${keyCol}_${timeCol}
       WHERE ${timeCol} >= date_trunc('${q.bucket}', make_timestamptz($1::BIGINT * 1000))
         AND date_trunc('${q.bucket}', ${timeCol}) < make_timestamptz($2::BIGINT * 1000)
         AND ($3::VARCHAR IS NULL OR kind = $3) AND ($4::VARCHAR IS NULL OR ${keyCol} = $4)
       GROUP BY ALL)
     SELECT key, epoch_ms(b) AS bucket, kind, count::BIGINT AS count FROM (
       SELECT ${keyCol} AS key, bucket AS b, kind, count FROM ${table}
       WHERE bucket >= date_trunc('${q.bucket}', make_timestamptz($1::BIGINT * 1000)) AND bucket < make_timestamptz($2::BIGINT * 1000)
         AND ($3::VARCHAR IS NULL OR kind = $3) AND ($4::VARCHAR IS NULL OR ${keyCol} = $4)
         AND bucket NOT IN (SELECT b FROM open)
       UNION ALL
       SELECT key, b, kind, sum(count) AS count FROM (
         SELECT ${keyCol} AS key, bucket AS b, kind, count FROM ${table}
         WHERE bucket >= date_trunc('${q.bucket}', make_timestamptz($1::BIGINT * 1000)) AND bucket < make_timestamptz($2::BIGINT * 1000)
           AND ($3::VARCHAR IS NULL OR kind = $3) AND ($4::VARCHAR IS NULL OR ${keyCol} = $4)
           AND bucket IN (SELECT b FROM open)
         UNION ALL SELECT key, b, kind, count FROM open)
       GROUP BY ALL)
     ORDER BY b, key, kind LIMIT $5`,
    [BigInt(q.from), BigInt(to), q.kind ?? null, q.key ?? null, q.limit],
  );
  return rows.map((r) => ({
    [q.groupBy]: String(r.key),
    bucket: new Date(Number(r.bucket)).toISOString(),
    kind: String(r.kind),
    count: Number(r.count),
  }));
}

/**
 * Where the answer's first `limit` rows end: the start of the bucket after the one in which the
 * tier's rows, counted bucket by bucket, reach `limit` (or `to`, when they never do). The answer
 * is ordered by bucket first, and a tier holds one row per key × bucket × kind, so a bucket has
 * at least as many answer rows as tier rows: no row of the first page lies past it. Counting is
 * an aggregate of one column (about 10 ms over 30 days per camera and day); it spares sorting
 * the whole window for its first page (3.8 M rows: half the time, and 300 MB of memory that
 * glibc then keeps).
 */
async function firstPageEnd(db: Database, table: string, keyCol: string, q: TrafficQuery): Promise<number> {
  const buckets = await db.query(
    `SELECT epoch_ms(bucket) AS b, count(*)::BIGINT AS n FROM ${table}
     WHERE bucket >= date_trunc('${q.bucket}', make_timestamptz($1::BIGINT * 1000)) AND bucket < make_timestamptz($2::BIGINT * 1000)
       AND ($3::VARCHAR IS NULL OR kind = $3) AND ($4::VARCHAR IS NULL OR ${keyCol} = $4)
     GROUP BY bucket ORDER BY bucket`,
    [BigInt(q.from), BigInt(q.to), q.kind ?? null, q.key ?? null],
  );
  let rows = 0;
  for (let i = 0; i < buckets.length; i++) {
    rows += Number(buckets[i].n);
    // The next stored bucket's start: buckets are whole, so it lies past every row of this one.
    if (rows >= q.limit && i + 1 < buckets.length) return Math.min(q.to, Number(buckets[i + 1].b));
  }
  return q.to;
}
