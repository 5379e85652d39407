// Where and when a plate was read: one row per stored read.

import type { Database } from './database.js';

export interface SightingQuery {
  plate: string;
  from: number;
  to: number;
  limit: number;
}

export async function findSightings(db: Database, q: SightingQuery) {
  const rows = await db.query(
    `SELECT epoch_ms(ts) AS ts, camera, kind, plate, conf, lat, lon, area, read_id, attrs, seq, idx
     FROM sightings
     WHERE plate = $1 AND ts >= make_timestamptz($2::BIGINT * 1000) AND ts < make_timestamptz($3::BIGINT * 1000)
     ORDER BY ts, seq, idx LIMIT $4`,
    [q.plate, BigInt(q.from), BigInt(q.to), q.limit],
  );
  return rows.map((r) => ({
    ts: new Date(Number(r.ts)).toISOString(),
    camera: r.camera as string,
    kind: r.kind as string,
    plate: r.plate as string,
    conf: r.conf === null ? null : Number(r.conf),
    lat: r.lat === null ? null : Number(r.lat),
    lon: r.lon === null ? null : Number(r.lon),
    area: r.area as string | null,
    id: r.read_id as string | null,
    attrs: r.attrs === null ? null : JSON.parse(String(r.attrs)),
  }));
}
