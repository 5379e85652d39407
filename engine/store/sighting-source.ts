// Where stored reads live, as one SQL relation for the queries that read them: the hot table
// (reads not sealed yet) and the sealed Parquet files whose time range overlaps the query's.
//
// Columns: ts TIMESTAMPTZ, camera, kind, plate, conf, lat, lon, area, read_id, attrs (VARCHAR
// JSON), seq BIGINT, idx INTEGER. The relation may hold reads outside [from, to): a query
// still filters on ts. A read that carried no position of its own is stored without one and
// takes its camera's registered position here (12 of a read's ~20 bytes were its position).

import type { Database } from './database.js';
import { quote, SIGHTING_COLUMNS } from './sighting-seal.js';
import { sightingFiles } from './sighting-files.js';

export interface SightingSource {
  /** A parenthesised FROM-clause relation. */
  relation: string;
  /** Must be called once the query has finished: until then its files stay on disk. */
  release(): void;
}

/** The latest time a Date can hold: `to` for "until now and whatever comes". */
export const END_OF_TIME = 8.64e15;

export interface SourceOptions {
  /** Positions as the reads carried them (null for a fixed camera's read), not filled in. */
  ownPositions?: boolean;
  /** Read the sealed files for these plates only (plate-lexicon.ts); the hot table whole. */
  filePlates?: readonly string[];
  /** Open only the sealed files whose plate range meets one of these (inclusive) ranges. */
  plateRanges?: ReadonlyArray<readonly [string, string]>;
}

export async function openSightingSource(db: Database, from: number, to: number, options: SourceOptions = {}): Promise<SightingSource> {
  const lease = await sightingFiles(db).lease(from, to, options.plateRanges);
  const parts = [`SELECT ${SIGHTING_COLUMNS} FROM sightings`];
  // Literal plates, not parameters: an IN list of constants prunes row groups by their statistics.
  const only = options.filePlates ? ` WHERE plate IN (${options.filePlates.map(quote).join(', ')})` : '';
  if (lease.files.length > 0 && options.filePlates?.length !== 0) {
    parts.push(`SELECT ${SIGHTING_COLUMNS} FROM read_parquet([${lease.files.map(quote).join(', ')}])${only}`);
  }
  const union = `(${parts.join(' UNION ALL ')})`;
  if (options.ownPositions) return { relation: union, release: lease.release };
  const relation = `(SELECT s.ts, s.camera, s.kind, s.plate, s.conf,
      CASE WHEN s.lat IS NULL THEN c.lat ELSE s.lat END AS lat, CASE WHEN s.lat IS NULL THEN c.lon ELSE s.lon END AS lon,
      s.area, s.read_id, s.attrs, s.seq, s.idx
    FROM ${union} s LEFT JOIN cameras c ON c.id = s.camera)`;
  return { relation, release: lease.release };
}

/** Runs `work` with the relation of reads that may fall in [from, to), releasing it after. */
export async function withSightings<T>(
  db: Database,
  from: number,
  to: number,
  work: (relation: string) => Promise<T>,
  options: SourceOptions = {},
): Promise<T> {
  const source = await openSightingSource(db, from, to, options);
  try {
    return await work(source.relation);
  } finally {
    source.release();
  }
}
