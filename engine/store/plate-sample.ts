// A sample of the plates read lately, for estimating a plate list's false hits by edit
// (match/fuzzy-estimate). Reads are sampled, not distinct plates, so a plate read often weighs
// as often as it is read; the sample is then counted per plate.

import type { PlateSample } from '../match/fuzzy-estimate.js';
import type { Database } from './database.js';
import { END_OF_TIME, withSightings } from './sighting-source.js';

/** Plate reads sampled: enough to see rates of 0.05 in 1,000, few enough to match in ~0.3 s. */
export const SAMPLE_READS = 200_000;

/** At most SAMPLE_READS plate reads since `sinceMs` (epoch ms), as distinct plates with counts. */
export async function recentPlateSample(db: Database, sinceMs: number): Promise<PlateSample> {
  // USING SAMPLE applies before WHERE in its own SELECT: the window is filtered in a subquery.
  const rows = await withSightings(
    db,
    sinceMs,
    END_OF_TIME,
    (s) =>
      db.query(
        `SELECT plate, count(*) AS n FROM (
         SELECT plate FROM (SELECT plate FROM ${s} WHERE plate IS NOT NULL AND ts >= make_timestamptz($1::BIGINT * 1000))
         USING SAMPLE reservoir(${SAMPLE_READS} ROWS) REPEATABLE (7))
       GROUP BY plate`,
        [BigInt(Math.floor(sinceMs))],
      ),
    { ownPositions: true },
  );
  return { plates: rows.map((r) => String(r.plate)), reads: Uint32Array.from(rows, (r) => Number(r.n)) };
}
