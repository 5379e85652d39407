// Read counts from the aggregate tables, re-bucketed on the city's clock.

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

export async function trafficCounts(db: Database, q: TrafficQuery): Promise<TrafficRow[]> {
  // Area counts are kept per hour: a minute bucket cannot be made from them.
  if (q.groupBy === 'area' && q.bucket === 'minute') {
    throw new ParamError('bucket', '=minute needs groupBy=camera (areas are counted per hour)');
  }
  const [table, keyCol, timeCol] = q.groupBy === 'camera' ? ['agg_camera_minute', 'camera', 'minute'] : ['agg_area_hour', 'area', 'hour'];
  // The bucket word and the table names come from closed enums above, never from the request text.
  const rows = await db.query(
    `SELECT ${keyCol} AS key, epoch_ms(date_trunc('${q.bucket}', ${timeCol})) AS bucket, kind, sum(count)::BIGINT AS count
     FROM ${table}
     WHERE ${timeCol} >= make_timestamptz($1::BIGINT * 1000) AND ${timeCol} < make_timestamptz($2::BIGINT * 1000)
       AND ($3::VARCHAR IS NULL OR kind = $3) AND ($4::VARCHAR IS NULL OR ${keyCol} = $4)
     GROUP BY ALL ORDER BY bucket, key, kind LIMIT $5`,
    [BigInt(q.from), BigInt(q.to), q.kind ?? null, q.key ?? null, q.limit],
  );
  return rows.map((r) => ({
    [q.groupBy]: String(r.key),
    bucket: new Date(Number(r.bucket)).toISOString(),
    kind: String(r.kind),
    count: Number(r.count),
  }));
}
