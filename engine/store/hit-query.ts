// Hits as dispatch and analysts list them, newest first, with the latest acknowledgement.

import { ParamError } from '../errors.js';
import type { Database } from './database.js';

export interface HitQuery {
  from: number;
  to: number;
  source?: string;
  minPriority: number;
  limit: number;
  cursor?: string;
}

interface Cursor {
  ts: number;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.ts, c.id])).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const [ts, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof ts === 'number' && Number.isSafeInteger(ts) && typeof id === 'string') return { ts, id };
  } catch {
    // fall through to the error below
  }
  throw new ParamError('cursor', ' is not a cursor this API returned');
}

export async function listHits(db: Database, q: HitQuery): Promise<{ rows: unknown[]; nextCursor: string | null }> {
  const c = q.cursor === undefined ? null : decodeCursor(q.cursor);
  const rows = await db.query(
    `WITH latest_ack AS (
       SELECT hit, arg_max(status, acked_at) AS status, arg_max(reason, acked_at) AS reason, arg_max(actor, acked_at) AS actor, max(acked_at) AS acked_at
       FROM hit_acks GROUP BY hit)
     SELECT h.id, epoch_ms(h.ts) AS ts_ms, h.body::VARCHAR AS body,
            a.status AS ack_status, a.reason AS ack_reason, a.actor AS ack_actor, epoch_ms(a.acked_at) AS ack_at
     FROM hits h LEFT JOIN latest_ack a ON a.hit = h.id
     WHERE h.ts >= make_timestamptz($1::BIGINT * 1000) AND h.ts < make_timestamptz($2::BIGINT * 1000)
       AND ($3::VARCHAR IS NULL OR h.source = $3) AND h.priority >= $4
       AND ($5::BIGINT IS NULL OR h.ts < make_timestamptz($5::BIGINT * 1000)
            OR (h.ts = make_timestamptz($5::BIGINT * 1000) AND h.id < $6))
     ORDER BY h.ts DESC, h.id DESC LIMIT $7`,
    [BigInt(q.from), BigInt(q.to), q.source ?? null, q.minPriority, c ? BigInt(c.ts) : null, c?.id ?? null, q.limit + 1],
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    rows: page.map((r) => ({
      ...JSON.parse(String(r.body)),
      ack:
        r.ack_status === null
          ? null
          : { status: r.ack_status, reason: r.ack_reason, by: r.ack_actor, at: new Date(Number(r.ack_at)).toISOString() },
    })),
    nextCursor: rows.length > q.limit && last ? encodeCursor({ ts: Number(last.ts_ms), id: String(last.id) }) : null,
  };
}

/** What dispatch draws around a hit: where and when, and the plate read (if any). */
export interface HitPlace {
  id: string;
  ts: number;
  lat: number | null;
  lon: number | null;
  plate: string | null;
}

export async function hitPlace(db: Database, id: string): Promise<HitPlace | null> {
  const [row] = await db.query(
    `SELECT epoch_ms(ts) AS ts_ms, TRY_CAST(json_extract(body, '$.lat') AS DOUBLE) AS lat,
            TRY_CAST(json_extract(body, '$.lon') AS DOUBLE) AS lon, json_extract_string(body, '$.plate') AS plate
     FROM hits WHERE id = $1 LIMIT 1`,
    [id],
  );
  if (!row) return null;
  return {
    id,
    ts: Number(row.ts_ms),
    lat: row.lat === null ? null : Number(row.lat),
    lon: row.lon === null ? null : Number(row.lon),
    plate: row.plate === null ? null : String(row.plate),
  };
}

export interface AckedHit {
  source: string;
  priority: number;
  emittedMs: number;
  acked: boolean;
  /** The hit's watchlist id; null for geofence and panic hits. */
  watchlist: string | null;
}

/**
 * What acknowledging a hit needs to know of it (null: no such hit). `acked` tells a first
 * decision from a changed one: only the first measures how long dispatch took to answer.
 * The watchlist is only in the stored body (the hits table has no column for it).
 */
export async function hitForAck(db: Database, id: string): Promise<AckedHit | null> {
  const [row] = await db.query(
    `SELECT source, priority, epoch_ms(emitted_at) AS emitted_ms, EXISTS (SELECT 1 FROM hit_acks WHERE hit = $1) AS acked,
            json_extract_string(body, '$.watchlist.id') AS watchlist
     FROM hits WHERE id = $1 LIMIT 1`,
    [id],
  );
  if (!row) return null;
  return {
    source: String(row.source),
    priority: Number(row.priority),
    emittedMs: Number(row.emitted_ms),
    acked: Boolean(row.acked),
    watchlist: row.watchlist === null ? null : String(row.watchlist),
  };
}

export function recordAck(
  db: Database,
  hit: string,
  status: string,
  reason: string | null,
  actor: string | null,
  at: number,
): Promise<void> {
  return db.transaction(async (conn) => {
    await conn.run('INSERT INTO hit_acks VALUES ($1, $2, $3, $4, make_timestamptz($5::BIGINT * 1000))', [
      hit,
      status,
      reason,
      actor,
      BigInt(at),
    ]);
  });
}
