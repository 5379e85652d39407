// The plates of the sealed files, one row per plate with the first and last time it was read:
// a wildcard with no literal start, or a look-alike search, first finds the plates it means
// here (~2 million rows at a month of the city) and then reads the files for those plates
// only, by row-group statistics, instead of testing a pattern against every sealed read.

import { type DuckDBConnection, listValue } from '@duckdb/node-api';
import type { Database } from './database.js';

/** Above this many plates, a search tests its pattern on every read instead (an IN list stops pruning). */
export const MAX_LEXICON_PLATES = 20;

/** Adds the plates of sealed files (inside the transaction that commits them). */
export async function addFilePlates(conn: DuckDBConnection, paths: readonly string[]): Promise<void> {
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE plates_in AS
     SELECT plate, min(ts) AS first_ts, max(ts) AS last_ts FROM read_parquet($1::VARCHAR[]) WHERE plate IS NOT NULL GROUP BY plate`,
    [listValue([...paths])],
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE plates_merged AS
     SELECT plate, min(first_ts) AS first_ts, max(last_ts) AS last_ts FROM (
       SELECT plate, first_ts, last_ts FROM sighting_plates SEMI JOIN plates_in USING (plate)
       UNION ALL SELECT plate, first_ts, last_ts FROM plates_in)
     GROUP BY plate`,
  );
  await conn.run('DELETE FROM sighting_plates USING plates_in WHERE sighting_plates.plate = plates_in.plate');
  await conn.run('INSERT INTO sighting_plates SELECT plate, first_ts, last_ts FROM plates_merged ORDER BY plate');
  await conn.run('DROP TABLE plates_in');
  await conn.run('DROP TABLE plates_merged');
}

/** Retention: plates last read before `before` (epoch ms). */
export async function purgePlates(conn: DuckDBConnection, before: number): Promise<void> {
  await conn.run('DELETE FROM sighting_plates WHERE last_ts < make_timestamptz($1::BIGINT * 1000)', [BigInt(Math.floor(before))]);
}

/**
 * The sealed plates matching `glob` and read within [from, to), or null when there are more
 * than MAX_LEXICON_PLATES.
 */
export async function platesMatching(db: Database, glob: string, from: number, to: number): Promise<string[] | null> {
  const rows = await db.query(
    `SELECT plate FROM sighting_plates
     WHERE plate GLOB $1 AND last_ts >= make_timestamptz($2::BIGINT * 1000) AND first_ts < make_timestamptz($3::BIGINT * 1000)
     LIMIT ${MAX_LEXICON_PLATES + 1}`,
    [glob, BigInt(Math.floor(from)), BigInt(Math.ceil(to))],
  );
  return rows.length > MAX_LEXICON_PLATES ? null : rows.map((r) => String(r.plate));
}
