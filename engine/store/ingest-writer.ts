// One DuckDB transaction per store round (one or more ingest batches): the rows and the
// stream's applied sequences commit together, which makes a crash between commit and ack
// harmless.

import { DuckDBTimestampTZValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { SeqRange } from '../ingest/applied-sequences.js';
import type { Incident } from '../domain/incident.js';
import type { Database } from './database.js';
import type { ColumnChunk } from './column-chunk.js';
import type { Hit } from '../match/hit.js';
import type { MatchStateValue } from '../match/read-matcher.js';

export interface PlacedIncident extends Incident {
  area: string | null;
  seq: number;
}

const tsValue = (ms: number) => new DuckDBTimestampTZValue(BigInt(ms) * 1000n);

async function writeAppliedRanges(conn: DuckDBConnection, stream: string, ranges: readonly SeqRange[]) {
  await conn.run('DELETE FROM stream_applied WHERE stream = $1', [stream]);
  if (ranges.length === 0) return;
  const a = await conn.createAppender('stream_applied');
  for (const [from, to] of ranges) {
    a.appendVarchar(stream);
    a.appendBigInt(BigInt(from));
    a.appendBigInt(BigInt(to));
    a.endRow();
  }
  a.closeSync();
}

function appendOptional(a: DuckDBAppender, value: string | undefined | null) {
  if (value === undefined || value === null) a.appendNull();
  else a.appendVarchar(value);
}

/**
 * Appends the chunks through one appender, yielding to the event loop between them so that a
 * large group commit does not hold back the next batch's hits. (An appender per chunk would
 * yield at its creation, but each close costs ~1.5 ms: it was 13 % of ingest CPU.)
 */
async function appendChunks(conn: DuckDBConnection, table: string, chunks: readonly ColumnChunk[]) {
  let a: DuckDBAppender | null = null;
  for (const chunk of chunks) {
    if (a) await new Promise((r) => setImmediate(r));
    a ??= await conn.createAppender(table);
    chunk.appendTo(a);
  }
  a?.closeSync();
}

export async function loadAppliedRanges(db: Database, stream: string): Promise<SeqRange[]> {
  const rows = await db.query('SELECT from_seq, to_seq FROM stream_applied WHERE stream = $1 ORDER BY from_seq', [stream]);
  return rows.map((r) => [Number(r.from_seq), Number(r.to_seq)] as const);
}

/** Everything a group of detection batches changes, committed together. */
export interface DetectionCommit {
  sightings: readonly ColumnChunk[];
  cameraMinute: readonly ColumnChunk[];
  areaHour: readonly ColumnChunk[];
  hits: readonly Hit[];
  /** Keyed matching state written (value) or dropped (null) by the batches. */
  state: ReadonlyMap<string, MatchStateValue | null>;
  applied: readonly SeqRange[];
}

export function commitDetections(db: Database, stream: string, c: DetectionCommit): Promise<void> {
  return db.transaction(async (conn) => {
    await appendChunks(conn, 'sightings', c.sightings);
    await appendChunks(conn, 'agg_camera_minute', c.cameraMinute);
    await appendChunks(conn, 'agg_area_hour', c.areaHour);
    await appendHits(conn, c.hits);
    await writeMatchState(conn, c.state);
    await writeAppliedRanges(conn, stream, c.applied);
  });
}

export async function appendHits(conn: DuckDBConnection, hits: readonly Hit[]): Promise<void> {
  if (hits.length === 0) return;
  const a = await conn.createAppender('hits');
  for (const h of hits) {
    a.appendVarchar(h.id);
    a.appendVarchar(h.source);
    a.appendInteger(h.priority);
    a.appendTimestampTZ(tsValue(Date.parse(h.ts)));
    a.appendTimestampTZ(tsValue(Date.parse(h.emittedAt)));
    appendOptional(a, h.camera);
    appendOptional(a, h.kind);
    a.appendBoolean(h.retro === true);
    a.appendVarchar(JSON.stringify(h));
    a.endRow();
  }
  a.closeSync();
}

async function writeMatchState(conn: DuckDBConnection, changes: ReadonlyMap<string, MatchStateValue | null>) {
  if (changes.size === 0) return;
  await conn.run('CREATE TEMP TABLE IF NOT EXISTS state_keys_in (key VARCHAR)');
  await conn.run('DELETE FROM state_keys_in');
  const k = await conn.createAppender('state_keys_in', 'main', 'temp');
  for (const key of changes.keys()) {
    k.appendVarchar(key);
    k.endRow();
  }
  k.closeSync();
  await conn.run('DELETE FROM match_state WHERE key IN (SELECT key FROM state_keys_in)');
  const a = await conn.createAppender('match_state');
  for (const [key, value] of changes) {
    if (value === null) continue;
    a.appendVarchar(key);
    a.appendVarchar(JSON.stringify(value));
    a.endRow();
  }
  a.closeSync();
}

export async function loadMatchState(db: Database): Promise<Array<[string, MatchStateValue]>> {
  const rows = await db.query('SELECT key, state::VARCHAR AS state FROM match_state');
  return rows.map((r) => [String(r.key), JSON.parse(String(r.state)) as MatchStateValue]);
}

/**
 * Stores incidents; an id seen before is kept as first stored. Panic hits are stored for the
 * incidents that are new. Returns how many incidents were new.
 */
export function commitIncidents(
  db: Database,
  stream: string,
  incidents: readonly PlacedIncident[],
  panicHits: ReadonlyMap<string, Hit>,
  applied: readonly SeqRange[],
): Promise<number> {
  return db.transaction(async (conn) => {
    const inserted = incidents.length > 0 ? await insertNewIncidents(conn, incidents) : [];
    await appendHits(
      conn,
      inserted.flatMap((id) => panicHits.get(id) ?? []),
    );
    await writeAppliedRanges(conn, stream, applied);
    return inserted.length;
  });
}

/**
 * Inserts the incidents whose id is not stored yet, in one statement, and returns their ids in
 * batch order. A prepared INSERT per incident cost ~6 ms each here, so a burst of 1,000
 * incidents held the writer, and the detection commits queued behind it, for seconds. Within
 * a batch the first of an id's repeats is the one kept, as across batches.
 */
async function insertNewIncidents(conn: DuckDBConnection, incidents: readonly PlacedIncident[]): Promise<string[]> {
  const first = new Map<string, PlacedIncident>();
  for (const i of incidents) if (!first.has(i.id)) first.set(i.id, i);
  await conn.run(
    `CREATE TEMP TABLE IF NOT EXISTS incidents_in (id VARCHAR, ts_ms BIGINT, type VARCHAR, lat DOUBLE, lon DOUBLE,
       severity TINYINT, source VARCHAR, area VARCHAR, attrs VARCHAR, seq BIGINT)`,
  );
  await conn.run('DELETE FROM incidents_in');
  const a = await conn.createAppender('incidents_in', 'main', 'temp');
  const text = (v: string | null | undefined) => (v === null || v === undefined ? a.appendNull() : a.appendVarchar(v));
  for (const i of first.values()) {
    a.appendVarchar(i.id);
    a.appendBigInt(BigInt(i.ts));
    a.appendVarchar(i.type);
    a.appendDouble(i.lat);
    a.appendDouble(i.lon);
    if (i.severity === undefined || i.severity === null) a.appendNull();
    else a.appendTinyInt(i.severity);
    text(i.source);
    text(i.area);
    text(i.attrs ? JSON.stringify(i.attrs) : null);
    a.appendBigInt(BigInt(i.seq));
    a.endRow();
  }
  a.closeSync();
  const result = await conn.runAndReadAll(
    `INSERT INTO incidents SELECT id, make_timestamptz(ts_ms * 1000), type, lat, lon, severity, source, area, attrs::JSON, seq
     FROM incidents_in ON CONFLICT (id) DO NOTHING RETURNING id`,
  );
  const fresh = new Set(result.getRowObjects().map((r) => String(r.id)));
  return [...first.keys()].filter((id) => fresh.has(id));
}
