// The inputs of the crime analytics, fetched and aggregated by DuckDB: incident counts per area
// and per time bucket on the city's clock, the hour-of-week profile, incident points, and the
// dynamic factors the stream provides (camera reads, panic alarms).

import type { Database } from './database.js';

export interface IncidentFilter {
  from: number;
  to: number;
  type?: string;
  area?: string;
}

const WHERE = `ts >= make_timestamptz($1::BIGINT * 1000) AND ts < make_timestamptz($2::BIGINT * 1000)
  AND ($3::VARCHAR IS NULL OR type = $3) AND ($4::VARCHAR IS NULL OR area = $4)`;
const params = (f: IncidentFilter) => [BigInt(f.from), BigInt(f.to), f.type ?? null, f.area ?? null];

export async function incidentsPerArea(db: Database, f: IncidentFilter): Promise<Map<string, number>> {
  const rows = await db.query(
    `SELECT area, count(*)::BIGINT AS n FROM incidents WHERE ${WHERE} AND area IS NOT NULL GROUP BY area`,
    params(f),
  );
  return new Map(rows.map((r) => [String(r.area), Number(r.n)]));
}

export type TrendBucket = 'day' | 'week' | 'month';
export type TrendGroup = 'type' | 'area' | null;

/**
 * Counts per bucket (and per type or area), every bucket of the window present, empty ones as
 * 0: a trend test must see the quiet weeks too. Buckets start at the city's midnight (weeks on
 * Monday, ISO), returned as epoch ms.
 */
export async function incidentSeries(db: Database, f: IncidentFilter, bucket: TrendBucket, groupBy: TrendGroup) {
  const key = groupBy === null ? `''` : groupBy; // a column name from a closed set, never request text
  const rows = await db.query(
    `WITH buckets AS (
       SELECT unnest(generate_series(date_trunc('${bucket}', make_timestamptz($1::BIGINT * 1000)),
                                     make_timestamptz($2::BIGINT * 1000 - 1), INTERVAL 1 ${bucket})) AS b),
     keys AS (${groupBy === null ? `SELECT '' AS k` : `SELECT DISTINCT ${key} AS k FROM incidents WHERE ${WHERE} AND ${key} IS NOT NULL`}),
     counts AS (SELECT date_trunc('${bucket}', ts) AS b, ${key} AS k, count(*)::BIGINT AS n FROM incidents WHERE ${WHERE} GROUP BY ALL)
     SELECT epoch_ms(buckets.b) AS bucket, keys.k AS k, coalesce(counts.n, 0)::BIGINT AS n
     FROM buckets CROSS JOIN keys LEFT JOIN counts ON counts.b = buckets.b AND counts.k IS NOT DISTINCT FROM keys.k
     ORDER BY k, bucket`,
    params(f),
  );
  return rows.map((r) => ({ bucket: Number(r.bucket), key: String(r.k ?? ''), count: Number(r.n) }));
}

/** 168 counts: Monday 00–01 first, on the city's clock. */
export async function hourOfWeek(db: Database, f: IncidentFilter): Promise<number[]> {
  const rows = await db.query(
    `SELECT ((isodow(ts) - 1) * 24 + hour(ts))::INTEGER AS h, count(*)::BIGINT AS n FROM incidents WHERE ${WHERE} GROUP BY h`,
    params(f),
  );
  const counts = new Array<number>(168).fill(0);
  for (const r of rows) counts[Number(r.h)] = Number(r.n);
  return counts;
}

/** Incident positions and whole calendar days (in the city's zone) since 1970-01-01. */
export async function incidentPoints(db: Database, f: IncidentFilter) {
  const rows = await db.query(
    `SELECT lon, lat, datediff('day', DATE '1970-01-01', ts::DATE)::INTEGER AS day FROM incidents WHERE ${WHERE} ORDER BY ts, id`,
    params(f),
  );
  return rows.map((r) => ({ lon: Number(r.lon), lat: Number(r.lat), day: Number(r.day) }));
}

/**
 * Camera reads per day in each area over the window (a dynamic factor): the reads of the hours
 * (on the city's clock) that start in [from, to). Whole days of the window come from the day
 * rollups, the hours around them from the hour rollups, the open hours from the deltas
 * (engine/store/rollups.ts).
 */
export async function readsPerDayByArea(db: Database, from: number, to: number): Promise<Map<string, number>> {
  // Whole days: from the first midnight at or after `from` (the day of `from` − 1 µs, plus a
  // day) to the last at or before `to`. Without a whole day in the window the first is after
  // the last: no day rows, and the first hour range runs from `from` to `to`.
  const rows = await db.query(
    `SELECT area, sum(count)::DOUBLE AS n FROM (
       SELECT area, count FROM rollup_area_day
       WHERE bucket >= date_trunc('day', make_timestamptz($1::BIGINT * 1000 - 1)) + INTERVAL 1 DAY
         AND bucket < date_trunc('day', make_timestamptz($2::BIGINT * 1000))
       UNION ALL
       SELECT area, count FROM rollup_area_hour
       WHERE bucket >= make_timestamptz($1::BIGINT * 1000)
         AND bucket < least(date_trunc('day', make_timestamptz($1::BIGINT * 1000 - 1)) + INTERVAL 1 DAY, make_timestamptz($2::BIGINT * 1000))
       UNION ALL
       SELECT area, count FROM rollup_area_hour
       WHERE bucket >= greatest(date_trunc('day', make_timestamptz($2::BIGINT * 1000)),
                                date_trunc('day', make_timestamptz($1::BIGINT * 1000 - 1)) + INTERVAL 1 DAY)
         AND bucket < make_timestamptz($2::BIGINT * 1000)
       UNION ALL
       SELECT area, count FROM agg_area_hour
       WHERE hour >= make_timestamptz($1::BIGINT * 1000) AND hour < make_timestamptz(($2::BIGINT + 3600000) * 1000)
         AND date_trunc('hour', hour) >= make_timestamptz($1::BIGINT * 1000) AND date_trunc('hour', hour) < make_timestamptz($2::BIGINT * 1000))
     GROUP BY area`,
    [BigInt(from), BigInt(to)],
  );
  const days = Math.max(1, (to - from) / 86_400_000);
  return new Map(rows.map((r) => [String(r.area), Number(r.n) / days]));
}

/** Panic alarms per area over the window (a dynamic factor). */
export async function panicAlarmsByArea(db: Database, from: number, to: number): Promise<Map<string, number>> {
  const rows = await db.query(
    `SELECT area, count(*)::BIGINT AS n FROM incidents
     WHERE source = 'panic_button' AND area IS NOT NULL AND ts >= make_timestamptz($1::BIGINT * 1000) AND ts < make_timestamptz($2::BIGINT * 1000)
     GROUP BY area`,
    [BigInt(from), BigInt(to)],
  );
  return new Map(rows.map((r) => [String(r.area), Number(r.n)]));
}
