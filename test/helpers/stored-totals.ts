// What a stopped engine's store holds, for the exactly-once checks after faults: reads (hot and
// in sealed files), distinct (sequence, index) reads, reads counted in the aggregates (open
// deltas and closed day rollups), distinct messages, and the sealed files.

import { existsSync, readdirSync } from 'node:fs';
import { Database } from '../../engine/store/database.js';
import { sightingFiles } from '../../engine/store/sighting-files.js';
import { END_OF_TIME, withSightings } from '../../engine/store/sighting-source.js';

export interface StoredTotals {
  sightings: number;
  distinctReads: number;
  aggregated: number;
  messages: number;
  sealedFiles: number;
  /** Of them, files of a merged day that hold one plate range (a shard) of it. */
  mergedShards: number;
  sealedReads: number;
  /** Reads in every Parquet file under sightings/, as an analyst's plain DuckDB sees them. */
  readsOnDisk: number;
  /** Files under sightings/ that are not finished files of the catalog (e.g. `.tmp`). */
  strayFiles: string[];
}

export async function storedTotals(dataDir: string): Promise<StoredTotals> {
  const db = await Database.open(dataDir, 'Asia/Tashkent');
  try {
    const [s] = await withSightings(
      db,
      0,
      END_OF_TIME,
      (rel) =>
        db.query(`SELECT count(*)::BIGINT AS n, count(DISTINCT (seq, idx))::BIGINT AS d, count(DISTINCT seq)::BIGINT AS m FROM ${rel}`),
      { ownPositions: true },
    );
    const [a] = await db.query(
      `SELECT (SELECT coalesce(sum(count), 0) FROM agg_camera_minute) + (SELECT coalesce(sum(count), 0) FROM rollup_camera_day) AS n`,
    );
    const files = await sightingFiles(db).list();
    const dir = sightingFiles(db).dir;
    const onDisk = existsSync(dir)
      ? readdirSync(dir, { recursive: true })
          .map(String)
          .filter((f) => f.includes('.parquet'))
      : [];
    const catalogued = new Set(files.map((f) => f.path));
    const [g] = onDisk.some((f) => f.endsWith('.parquet'))
      ? await db.query(`SELECT count(*)::BIGINT AS n FROM read_parquet('${dir}/*/*.parquet')`)
      : [{ n: 0 }];
    return {
      sightings: Number(s.n),
      distinctReads: Number(s.d),
      aggregated: Number(a.n),
      messages: Number(s.m),
      sealedFiles: files.length,
      mergedShards: files.filter(
        (f) => f.path.includes('-day-') && files.some((o) => o !== f && o.day === f.day && o.path.includes('-day-')),
      ).length,
      sealedReads: files.reduce((n, f) => n + f.rows, 0),
      readsOnDisk: Number(g.n),
      strayFiles: onDisk.filter((f) => !catalogued.has(f)),
    };
  } finally {
    await db.close();
  }
}
