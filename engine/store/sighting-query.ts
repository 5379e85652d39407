// Where and when a plate was read: one row per stored read, in the order (ts, seq, idx), with
// the position the read was placed at (a trail can be drawn from the rows). A search is a
// plate or a pattern (engine/domain/plate-pattern.ts), optionally up to OCR look-alikes; JSON
// answers page with a cursor (keyset on the order, never OFFSET), exports stream.

import { type PlatePattern, patternGlob } from '../domain/plate-pattern.js';
import { ocrClassOf } from '../match/plate-matcher.js';
import type { Database, Params, Row } from './database.js';
import { encodeSightingCursor, type SightingPosition, searchKey } from './sighting-cursor.js';
import { platesMatching } from './plate-lexicon.js';
import { openSightingSource, type SourceOptions, withSightings } from './sighting-source.js';

export interface SightingSearch {
  pattern: PlatePattern;
  /** Matches OCR look-alikes (O/0/D/Q, I/1, B/8, S/5, Z/2, G/6) of each literal too. */
  fuzzy: boolean;
  /** Epoch ms, [from, to). */
  from: number;
  to: number;
  limit: number;
  /** Continue after this row (a decoded cursor of the same search). */
  after?: SightingPosition;
}

export interface Sighting {
  ts: string;
  camera: string;
  kind: string;
  plate: string;
  conf: number | null;
  lat: number | null;
  lon: number | null;
  area: string | null;
  id: string | null;
  attrs: unknown;
}

/** A page of rows and the cursor of the next one (null: this is the last). */
export async function findSightings(db: Database, q: SightingSearch): Promise<{ rows: Sighting[]; next: string | null }> {
  const rows = await withSightings(
    db,
    q.from,
    q.to,
    (source) => db.query(...searchSql(source, { ...q, limit: q.limit + 1 })),
    await narrowFiles(db, q),
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const next =
    rows.length > q.limit && last !== undefined
      ? encodeSightingCursor({
          from: q.from,
          to: q.to,
          tsUs: BigInt(last.ts_us as bigint),
          seq: BigInt(last.seq as bigint),
          idx: Number(last.idx),
          search: searchKey({ pattern: q.pattern.text, fuzzy: q.fuzzy, from: q.from, to: q.to }),
        })
      : null;
  return { rows: page.map(toSighting), next };
}

/**
 * The same rows, a DuckDB chunk at a time, read only as fast as the caller asks for them. The
 * files read stay leased until the iteration ends (the caller must finish it or return it).
 */
export async function* streamSightings(db: Database, q: SightingSearch): AsyncGenerator<Sighting[], void, undefined> {
  const source = await openSightingSource(db, q.from, q.to, await narrowFiles(db, q));
  try {
    for await (const rows of db.stream(...searchSql(source.relation, q))) yield rows.map(toSighting);
  } finally {
    source.release();
  }
}

const globOf = (q: SightingSearch) => patternGlob(q.pattern, q.fuzzy ? ocrClassOf : undefined);

/** A literal start this long prunes the files well enough by itself (see searchSql). */
const PRUNING_PREFIX = 4;

/**
 * For a pattern without a literal start long enough to prune by (a leading wildcard, a
 * look-alike class), the sealed plates it means, from the lexicon: the files are then read for
 * those plates only. Too many plates: every sealed read of the window is tested.
 */
async function narrowFiles(db: Database, q: SightingSearch): Promise<SourceOptions> {
  const glob = globOf(q);
  const prefix = /^[A-Z0-9]*/.exec(glob)?.[0] ?? '';
  // The files of the plate shards that can hold the literal start (sighting-seal.ts).
  const byPrefix: SourceOptions = prefix ? { plateRanges: [[prefix, `${prefix}\x7f`]] } : {};
  if (prefix.length >= PRUNING_PREFIX) return byPrefix;
  const plates = await platesMatching(db, glob, q.from, q.to);
  return plates === null ? byPrefix : { filePlates: plates, plateRanges: plates.map((p) => [p, p] as const) };
}

const PREFIX_RANGE = 'AND s.plate >= $8 AND s.plate < $9';

/** `source`: a FROM-clause relation of sighting-source.ts. */
function searchSql(source: string, q: SightingSearch): [string, Params] {
  const fromUs = BigInt(q.from) * 1000n;
  // From the cursor's row on (the bound prunes by ts), then past it within its ts.
  const lowerUs = q.after !== undefined && q.after.tsUs > fromUs ? q.after.tsUs : fromUs;
  const glob = globOf(q);
  // The literal start of the pattern as a plain range too: the files are sorted by plate, and
  // row-group statistics prune on a range, never on GLOB. A pattern starting with a wildcard
  // or a look-alike class reads every row group of the window.
  const prefix = /^[A-Z0-9]*/.exec(glob)?.[0] ?? '';
  const range = prefix.length > 0 ? PREFIX_RANGE : '';
  return [
    `SELECT epoch_ms(s.ts) AS ts, epoch_us(s.ts) AS ts_us, s.camera, s.kind, s.plate, s.conf, s.lat, s.lon, s.area,
            s.read_id, s.attrs, s.seq, s.idx
     FROM ${source} s
     WHERE s.ts >= make_timestamptz($1::BIGINT) AND s.ts < make_timestamptz($2::BIGINT) AND s.plate GLOB $3 ${range}
       AND ($4::BIGINT IS NULL OR s.ts > make_timestamptz($4::BIGINT) OR s.seq > $5 OR (s.seq = $5 AND s.idx > $6))
     ORDER BY s.ts, s.seq, s.idx LIMIT $7`,
    [
      lowerUs,
      BigInt(q.to) * 1000n,
      glob,
      q.after?.tsUs ?? null,
      q.after?.seq ?? null,
      q.after?.idx ?? null,
      q.limit,
      ...(range ? [prefix, `${prefix}\x7f`] : []),
    ],
  ];
}

function toSighting(r: Row): Sighting {
  return {
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
  };
}
