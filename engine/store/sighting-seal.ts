// Moving reads out of the hot table into sealed Parquet files, merging a closed day's files
// into one (or, for a big day, into plate shards), and dropping whole files past retention.
// Each follows the write protocol of sighting-files.ts; all three run one at a time
// (SightingFiles.exclusive).
//
// Why plate shards: DuckDB pays for every row group of every file a query opens, even one its
// statistics prune (about 15 µs per group with the twelve columns projected). A day of a
// billion-read month is 330 groups; a plate search over 30 such days spent 200 ms on groups it
// never read. Above store.shardPlateReads (1 M: 50 row groups) plate reads, a write splits its reads into plate ranges
// of about that many (the boundaries from a sample), one file each, plus one file of the reads
// without a plate; the catalog keeps each file's plate range, and a search opens only the
// files whose range can hold its plates: one shard a day, whatever the city's size.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBValue, listValue } from '@duckdb/node-api';
import type { Database } from './database.js';
import { addFilePlates, purgePlates } from './plate-lexicon.js';
import { type FileKind, type SightingFile, type SightingFiles, sightingFiles } from './sighting-files.js';

/** The stored columns of a read, in the hot table's order (the files have the same). */
export const SIGHTING_COLUMNS = 'ts, camera, kind, plate, conf, lat, lon, area, read_id, attrs, seq, idx';

// zstd and Parquet v2 encodings (delta for timestamps and sequences): 12 bytes per read where
// v1 took 13 and uncompressed 40. Row groups of 20,000 rows: a plate search decodes every
// column of the group its plate is in, a few rows wanted, and the reads' own ids and attributes
// (unique strings: a third of the bytes) made that most of its time. On 29 day files of the
// real path, 30 days of one plate took 126 ms with 100,000-row groups, 99 with 50,000, 59 with
// 20,000 and 45 with 10,000. Each group also costs ~15 µs to open when skipped: plate shards
// (store.shardPlateReads, 1 M) keep a file to about 50 groups.
const PARQUET = 'FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 20000, PARQUET_VERSION v2';
const ORDER = 'ORDER BY plate, ts, seq, idx';
/** Plates sampled to place the shard boundaries. */
const BOUNDARY_SAMPLE = 100_000;

/**
 * Fault injection for the crash tests only: VIGIL_FAULT_SEAL_KILL=<seal|run|day>:<written|renamed|committed>
 * kills the process (SIGKILL, as kill -9) at that point of writing a sealed file, a run or a
 * merged day. Read once at start.
 */
const FAULT_KILL = process.env.VIGIL_FAULT_SEAL_KILL || null;
function faultPoint(what: FileKind, point: 'written' | 'renamed' | 'committed'): void {
  if (FAULT_KILL === `${what}:${point}`) process.kill(process.pid, 'SIGKILL');
}

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** A string as an SQL literal, for the places that take no parameter (a COPY target). */
export const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const BEFORE = 'make_timestamptz($1::BIGINT * 1000)';

/** The newest event time stored, hot or sealed (epoch ms), or null for an empty store. */
export async function newestReadTime(db: Database): Promise<number | null> {
  const [r] = await db.query('SELECT epoch_ms(greatest((SELECT max(ts) FROM sightings), (SELECT max(max_ts) FROM sighting_files))) AS ms');
  return r.ms === null ? null : Number(r.ms);
}

export interface SealReport {
  files: number;
  reads: number;
}

/**
 * Seals the hot reads older than `before` (epoch ms), one file per day of the city's clock.
 * The file is written from a snapshot on a reader connection, so ingest commits go on
 * meanwhile; the transaction then deletes exactly the reads the file holds, by (seq, idx), and
 * a late read committed in between stays hot for the next seal.
 */
export function sealSightings(db: Database, before: number, files: SightingFiles = sightingFiles(db)): Promise<SealReport> {
  return files.exclusive(async () => {
    const report: SealReport = { files: 0, reads: 0 };
    const cutoff = BigInt(Math.floor(before));
    const days = await db.query(`SELECT DISTINCT strftime(ts, '%Y-%m-%d') AS day FROM sightings WHERE ts < ${BEFORE} ORDER BY day`, [
      cutoff,
    ]);
    for (const { day } of days) {
      const d = String(day);
      if (!DAY_PATTERN.test(d)) throw new Error(`unexpected day '${d}'`);
      const written = await writeSightingFiles(
        db,
        files,
        d,
        'seal',
        `SELECT ${SIGHTING_COLUMNS} FROM sightings WHERE ts < ${BEFORE} AND strftime(ts, '%Y-%m-%d') = $2`,
        [cutoff, d],
        async (conn, paths) => {
          await addFilePlates(conn, paths);
          const deleted = await conn.run(
            `DELETE FROM sightings USING read_parquet($2::VARCHAR[]) p WHERE sightings.ts < ${BEFORE} AND sightings.seq = p.seq AND sightings.idx = p.idx`,
            [cutoff, listValue(paths)],
          );
          return deleted.rowsChanged;
        },
      );
      report.files += written.files;
      report.reads += written.rows;
    }
    return report;
  });
}

/** One file to write: the reads of the select that match `where`. */
interface Part {
  where: string;
  params: DuckDBValue[];
}

/**
 * How to split the reads of `select`: one file, or (above `shardReads` plate reads) plate
 * ranges of about that many reads and one file of the reads without a plate.
 */
async function partsOf(db: Database, select: string, params: DuckDBValue[], shardReads: number): Promise<Part[]> {
  const [c] = await db.query(`SELECT count(plate)::BIGINT AS plates FROM (${select})`, params);
  const shards = Math.ceil(Number(c.plates) / shardReads);
  if (shards <= 1) return [{ where: 'true', params: [] }];
  const at = Array.from({ length: shards - 1 }, (_, i) => (i + 1) / shards);
  const [q] = await db.query(
    `SELECT quantile_disc(plate, ${listLiteral(at)}) AS b FROM (SELECT plate FROM (${select}) WHERE plate IS NOT NULL
       USING SAMPLE reservoir(${BOUNDARY_SAMPLE} ROWS) REPEATABLE (7))`,
    params,
  );
  const bounds = [...new Set((q.b as { items: string[] }).items)];
  const n = params.length;
  const parts: Part[] = [];
  for (let i = 0; i <= bounds.length; i++) {
    const lo = i > 0 ? bounds[i - 1] : null;
    const hi = i < bounds.length ? bounds[i] : null;
    const where = ['plate IS NOT NULL'];
    const p: DuckDBValue[] = [];
    if (lo !== null) where.push(`plate >= $${n + p.push(lo)}`);
    if (hi !== null) where.push(`plate < $${n + p.push(hi)}`);
    parts.push({ where: where.join(' AND '), params: p });
  }
  parts.push({ where: 'plate IS NULL', params: [] });
  return parts;
}

/** A list of numbers as an SQL literal (quantile fractions: not a parameter in a sample's query). */
const listLiteral = (xs: readonly number[]) => `[${xs.map((x) => x.toFixed(6)).join(', ')}]`;

/**
 * Writes `select` into new files of `day` (partsOf), publishes them, and commits them to the
 * catalog together with `replace`, which gets their paths and must delete exactly as many rows
 * as they hold (or return null: the files add reads, a bench's or an import's).
 */
export async function writeSightingFiles(
  db: Database,
  files: SightingFiles,
  day: string,
  what: FileKind,
  select: string,
  params: DuckDBValue[],
  replace: (conn: Parameters<Parameters<Database['transaction']>[0]>[0], paths: string[]) => Promise<number | null>,
): Promise<{ rows: number; files: number }> {
  const written: Array<{ path: string; tmp: string; rows: number; lo: number; hi: number; plates: number; min: unknown; max: unknown }> =
    [];
  try {
    for (const part of await partsOf(db, select, params, files.shardPlateReads)) {
      const file = files.newFile(day, what);
      await db.query(`COPY (SELECT * FROM (${select}) WHERE ${part.where} ${ORDER}) TO ${quote(file.tmp)} (${PARQUET})`, [
        ...params,
        ...part.params,
      ]);
      const [s] = await db.query(
        `SELECT count(*)::BIGINT AS n, epoch_ms(min(ts)) AS lo, epoch_ms(max(ts)) AS hi, count(plate)::BIGINT AS plates,
                min(plate) AS min, max(plate) AS max FROM read_parquet($1)`,
        [file.tmp],
      );
      if (Number(s.n) === 0) rmSync(file.tmp, { force: true });
      else
        written.push({ ...file, rows: Number(s.n), lo: Number(s.lo), hi: Number(s.hi), plates: Number(s.plates), min: s.min, max: s.max });
    }
    if (written.length === 0) return { rows: 0, files: 0 };
    const rows = written.reduce((sum, w) => sum + w.rows, 0);
    faultPoint(what, 'written');
    const bytes = written.map((w) => files.publish(w));
    faultPoint(what, 'renamed');
    await db.transaction(async (conn) => {
      const replaced = await replace(
        conn,
        written.map((w) => w.path),
      );
      if (replaced !== null && replaced !== rows) {
        throw new Error(`sealing ${files.relative(written[0].path)}…: the files hold ${rows} reads but would replace ${replaced}`);
      }
      for (const [i, w] of written.entries()) {
        await conn.run(
          `INSERT INTO sighting_files (path, day, min_ts, max_ts, rows, bytes, written_at, plates, plate_min, plate_max)
           VALUES ($1, $2, make_timestamptz($3::BIGINT * 1000), make_timestamptz($4::BIGINT * 1000), $5, $6, now(), $7, $8, $9)`,
          [
            files.relative(w.path),
            day,
            BigInt(w.lo),
            BigInt(w.hi),
            BigInt(w.rows),
            BigInt(bytes[i]),
            BigInt(w.plates),
            w.min === null ? null : String(w.min),
            w.max === null ? null : String(w.max),
          ],
        );
      }
    });
    // Merged files are unlinked after this: a kill here leaves them for recovery to delete.
    faultPoint(what, 'committed');
    return { rows, files: written.length };
  } catch (err) {
    // Not committed: the hot rows (or the merged files) are still the data.
    for (const w of written) for (const p of [w.tmp, w.path]) rmSync(p, { force: true });
    throw err;
  }
}

/** A file's kind, by name: `<writer>-<kind>-<time>-<serial>.parquet` (`hours`: an older seal). */
const kindOf = (path: string): FileKind => {
  const kind = /-(day|run|seal|hours)-[0-9a-z]+-[0-9a-z]+\.parquet$/.exec(path)?.[1];
  return kind === 'day' || kind === 'run' ? kind : 'seal';
};
const isMerged = (path: string) => kindOf(path) === 'day';

/**
 * The seals of a day still open are merged into a run once this many pile up: a search over
 * today opens a run an hour (at 5-minute seals) and the seals since, not a file per seal.
 */
export const RUN_SEALS = 12;

/**
 * Whether a closed day's files are worth merging: a day of seals and runs is (each search opens
 * every file), and so is one big seal (it is sharded). A merged day with a few late files is not
 * until they pile up or hold a fifth of the day's reads (the merge rewrites the whole day).
 */
export function worthMerging(files: readonly Pick<SightingFile, 'path' | 'rows'>[], shardReads: number): boolean {
  const late = files.filter((f) => !isMerged(f.path));
  if (late.length === 0) return false;
  const lateRows = late.reduce((n, f) => n + f.rows, 0);
  const mergedRows = files.reduce((n, f) => n + f.rows, 0) - lateRows;
  if (mergedRows === 0) return late.length > 1 || lateRows > shardReads;
  return late.length > 8 || 4 * lateRows >= mergedRows;
}

/**
 * Merges, per closed day (ended before `before`), this writer's files into one (or its plate
 * shards); per day still open, its seals into a run once RUN_SEALS have piled up. Returns the
 * merges done.
 */
export function compactSightingDays(db: Database, before: number, files: SightingFiles = sightingFiles(db)): Promise<number> {
  return files.exclusive(async () => {
    const byDay = new Map<string, SightingFile[]>();
    const own = `${files.writerId}-`;
    for (const f of await files.list()) {
      if (!f.path.split('/').at(-1)?.startsWith(own)) continue;
      byDay.set(f.day, [...(byDay.get(f.day) ?? []), f]);
    }
    let merged = 0;
    for (const [day, group] of byDay) {
      const worth = worthMerging(group, files.shardPlateReads);
      const seals = group.filter((f) => kindOf(f.path) === 'seal');
      if (!worth && seals.length < RUN_SEALS) continue;
      const [end] = await db.query('SELECT epoch_ms(($1::DATE + 1)::TIMESTAMPTZ) AS ms', [day]);
      if (Number(end.ms) <= before) {
        if (!worth) continue;
        await mergeFiles(db, files, day, 'day', group);
      } else {
        if (seals.length < RUN_SEALS) continue;
        await mergeFiles(db, files, day, 'run', seals);
      }
      merged++;
    }
    return merged;
  });
}

/** Replaces `group` (files of `day`) by one file (or its plate shards) of their reads. */
async function mergeFiles(db: Database, files: SightingFiles, day: string, what: FileKind, group: readonly SightingFile[]): Promise<void> {
  const paths = group.map((f) => f.path);
  const inputs = listValue(paths.map((p) => join(files.dir, p)));
  await writeSightingFiles(db, files, day, what, `SELECT ${SIGHTING_COLUMNS} FROM read_parquet($1::VARCHAR[])`, [inputs], async (conn) => {
    let rows = 0;
    for (const f of group) {
      const r = await conn.run('DELETE FROM sighting_files WHERE path = $1', [f.path]);
      rows += r.rowsChanged === 1 ? f.rows : 0;
    }
    return rows;
  });
  await files.unlinkReplaced(paths);
}

/**
 * Retention: hot reads before `before`, and every file whose newest read is before it, whole.
 * A file holding reads either side of the cutoff stays until its newest read passes it (a day
 * file: at most a day). Returns the reads removed.
 */
export function purgeSightingFiles(db: Database, before: number, files: SightingFiles = sightingFiles(db)): Promise<number> {
  return files.exclusive(async () => {
    const { hot, dropped } = await db.transaction(async (conn) => {
      const cutoff = [BigInt(Math.floor(before))];
      const h = await conn.run(`DELETE FROM sightings WHERE ts < ${BEFORE}`, cutoff);
      const r = await conn.runAndReadAll(`DELETE FROM sighting_files WHERE max_ts < ${BEFORE} RETURNING path, rows`, cutoff);
      await purgePlates(conn, before);
      return { hot: h.rowsChanged, dropped: r.getRowObjects().map((x) => ({ path: String(x.path), rows: Number(x.rows) })) };
    });
    if (dropped.length > 0) await files.unlinkReplaced(dropped.map((d) => d.path));
    return hot + dropped.reduce((n, d) => n + d.rows, 0);
  });
}
