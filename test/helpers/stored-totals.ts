// What a stopped engine's DuckDB file holds, for the exactly-once checks after faults: rows,
// distinct (sequence, index) reads, reads counted in the aggregates, distinct messages.

import { Database } from '../../engine/store/database.js';

export interface StoredTotals {
  sightings: number;
  distinctReads: number;
  aggregated: number;
  messages: number;
}

export async function storedTotals(dataDir: string): Promise<StoredTotals> {
  const db = await Database.open(dataDir, 'Asia/Tashkent');
  try {
    const [s] = await db.query(
      'SELECT count(*)::BIGINT AS n, count(DISTINCT (seq, idx))::BIGINT AS d, count(DISTINCT seq)::BIGINT AS m FROM sightings',
    );
    const [a] = await db.query('SELECT coalesce(sum(count), 0)::BIGINT AS n FROM agg_camera_minute');
    return { sightings: Number(s.n), distinctReads: Number(s.d), aggregated: Number(a.n), messages: Number(s.m) };
  } finally {
    await db.close();
  }
}
