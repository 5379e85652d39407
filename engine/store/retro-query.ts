// What past-read matching reads from the store: the plates read since a time, the reads of
// some plates, and which hit ids are already stored.

import { listValue } from '@duckdb/node-api';
import type { DecodedRead } from '../domain/detection.js';
import type { Database } from './database.js';
import { END_OF_TIME, withSightings } from './sighting-source.js';

const since = (ms: number) => BigInt(Math.floor(ms));

export async function distinctPlatesSince(db: Database, fromMs: number): Promise<string[]> {
  const rows = await withSightings(
    db,
    fromMs,
    END_OF_TIME,
    (s) =>
      db.query(`SELECT DISTINCT plate FROM ${s} WHERE plate IS NOT NULL AND ts >= make_timestamptz($1::BIGINT * 1000)`, [since(fromMs)]),
    { ownPositions: true },
  );
  return rows.map((r) => String(r.plate));
}

/** The stored reads of `plates` since `fromMs`, in event-time order, as ingest decoded them. */
export async function readsOfPlates(db: Database, plates: readonly string[], fromMs: number): Promise<DecodedRead[]> {
  // Straight from the hot table and the files: a read's own position only, as it came in.
  const rows = await withSightings(
    db,
    fromMs,
    END_OF_TIME,
    (s) =>
      db.query(
        `SELECT epoch_ms(ts) AS ts, camera, kind, plate, conf, lat, lon, read_id, attrs, seq, idx FROM ${s}
       WHERE plate = ANY($1) AND ts >= make_timestamptz($2::BIGINT * 1000) ORDER BY ts, seq, idx`,
        [listValue([...plates]), since(fromMs)],
      ),
    { ownPositions: true },
  );
  return rows.map((r) => {
    const read: DecodedRead = {
      ts: Number(r.ts),
      kind: String(r.kind),
      camera: String(r.camera),
      plate: String(r.plate),
      seq: Number(r.seq),
      index: Number(r.idx),
    };
    if (r.conf !== null) read.conf = Number(r.conf);
    if (r.lat !== null && r.lon !== null) {
      read.lat = Number(r.lat);
      read.lon = Number(r.lon);
    }
    if (r.read_id !== null) read.id = String(r.read_id);
    if (r.attrs !== null) read.attrs = JSON.parse(String(r.attrs));
    return read;
  });
}

export async function storedHitIds(db: Database, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.query('SELECT id FROM hits WHERE id = ANY($1)', [listValue([...ids])]);
  return new Set(rows.map((r) => String(r.id)));
}
