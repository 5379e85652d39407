// What dispatchers made of each watchlist's hits: per list and match type, the hits emitted
// since a time and how many of them were accepted or rejected (each hit's latest decision).

import type { Database } from './database.js';

export interface HitTally {
  hits: number;
  accepted: number;
  rejected: number;
}

/** watchlist id → match type (exact, ocr, edit, face) → tally, for hits emitted since `sinceMs`. */
export async function watchlistHitTallies(db: Database, sinceMs: number): Promise<Map<string, Map<string, HitTally>>> {
  const rows = await db.query(
    `WITH h AS (
       SELECT DISTINCT id, json_extract_string(body, '$.watchlist.id') AS watchlist, json_extract_string(body, '$.match.type') AS match
       FROM hits WHERE source = 'watchlist' AND emitted_at >= make_timestamptz($1::BIGINT * 1000)),
     a AS (SELECT hit, arg_max(status, acked_at) AS status FROM hit_acks WHERE hit IN (SELECT id FROM h) GROUP BY hit)
     SELECT h.watchlist, h.match, count(*) AS hits,
            count(*) FILTER (WHERE a.status = 'accepted') AS accepted,
            count(*) FILTER (WHERE a.status = 'rejected') AS rejected
     FROM h LEFT JOIN a ON a.hit = h.id
     GROUP BY h.watchlist, h.match`,
    [BigInt(Math.floor(sinceMs))],
  );
  const out = new Map<string, Map<string, HitTally>>();
  for (const r of rows) {
    const list = String(r.watchlist);
    if (!out.has(list)) out.set(list, new Map());
    out.get(list)!.set(String(r.match), { hits: Number(r.hits), accepted: Number(r.accepted), rejected: Number(r.rejected) });
  }
  return out;
}
