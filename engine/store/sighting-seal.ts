// Moving reads out of the hot table into sealed Parquet files, merging a closed day's files
// into one, and dropping whole files past retention. Each follows the write protocol of
// sighting-files.ts; all three run one at a time (SightingFiles.exclusive).

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBValue, listValue } from '@duckdb/node-api';
import type { Database } from './database.js';
import { addFilePlates, purgePlates } from './plate-lexicon.js';
import { type SightingFile, type SightingFiles, sightingFiles } from './sighting-files.js';

/** The stored columns of a read, in the hot table's order (the files have the same). */
export const SIGHTING_COLUMNS = 'ts, camera, kind, plate, conf, lat, lon, area, read_id, attrs, seq, idx';

// zstd and Parquet v2 encodings (delta for timestamps and sequences): 12 bytes per read where
// v1 took 13 and uncompressed 40. Row groups of 100,000 rows: a plate search reads one or two
// per file; smaller groups prune finer but make footers (read by every search) larger.
const PARQUET = 'FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000, PARQUET_VERSION v2';
const ORDER = 'ORDER BY plate, ts, seq, idx';

/**
 * Fault injection for the crash tests only: VIGIL_FAULT_SEAL_KILL=<hours|day>:<written|renamed|committed>
 * kills the process (SIGKILL, as kill -9) at that point of writing a sealed (hours) or merged
 * (day) file. Read once at start.
 */
const FAULT_KILL = process.env.VIGIL_FAULT_SEAL_KILL || null;
function faultPoint(what: 'hours' | 'day', point: 'written' | 'renamed' | 'committed'): void {
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
      const reads = await writeFile(
        db,
        files,
        d,
        'hours',
        `SELECT ${SIGHTING_COLUMNS} FROM sightings WHERE ts < ${BEFORE} AND strftime(ts, '%Y-%m-%d') = $2`,
        [cutoff, d],
        async (conn, path) => {
          await addFilePlates(conn, path);
          return conn.run(
            `DELETE FROM sightings USING read_parquet($2) p WHERE sightings.ts < ${BEFORE} AND sightings.seq = p.seq AND sightings.idx = p.idx`,
            [cutoff, path],
          );
        },
      );
      report.files += reads > 0 ? 1 : 0;
      report.reads += reads;
    }
    return report;
  });
}

/**
 * Writes `select` into a new file of `day`, publishes it, and commits it to the catalog with
 * `replace` (which must delete exactly as many rows as the file holds). Returns its rows.
 */
async function writeFile(
  db: Database,
  files: SightingFiles,
  day: string,
  what: 'hours' | 'day',
  select: string,
  params: DuckDBValue[],
  replace: (conn: Parameters<Parameters<Database['transaction']>[0]>[0], path: string) => Promise<{ rowsChanged: number }>,
): Promise<number> {
  const file = files.newFile(day, what);
  let published = false;
  try {
    await db.query(`COPY (${select} ${ORDER}) TO ${quote(file.tmp)} (${PARQUET})`, params);
    const [s] = await db.query('SELECT count(*)::BIGINT AS n, epoch_ms(min(ts)) AS lo, epoch_ms(max(ts)) AS hi FROM read_parquet($1)', [
      file.tmp,
    ]);
    const rows = Number(s.n);
    if (rows === 0) {
      rmSync(file.tmp, { force: true });
      return 0;
    }
    faultPoint(what, 'written');
    const bytes = files.publish(file);
    published = true;
    faultPoint(what, 'renamed');
    await db.transaction(async (conn) => {
      const replaced = await replace(conn, file.path);
      if (replaced.rowsChanged !== rows) {
        throw new Error(`sealing ${files.relative(file.path)}: it holds ${rows} reads but would replace ${replaced.rowsChanged}`);
      }
      await conn.run(
        'INSERT INTO sighting_files VALUES ($1, $2, make_timestamptz($3::BIGINT * 1000), make_timestamptz($4::BIGINT * 1000), $5, $6, now())',
        [files.relative(file.path), day, BigInt(Number(s.lo)), BigInt(Number(s.hi)), BigInt(rows), BigInt(bytes)],
      );
    });
    // Merged files are unlinked after this: a kill here leaves them for recovery to delete.
    faultPoint(what, 'committed');
    return rows;
  } catch (err) {
    // Not committed: the hot rows (or the merged files) are still the data.
    rmSync(published ? file.path : file.tmp, { force: true });
    throw err;
  }
}

/**
 * Whether a day's files are worth merging: a day of hourly seals is (each search opens every
 * file), a merged day with a few late files is not until they pile up (the merge rewrites the
 * whole day).
 */
export function worthMerging(files: readonly Pick<SightingFile, 'rows'>[]): boolean {
  if (files.length < 2) return false;
  if (files.length > 8) return true;
  const total = files.reduce((n, f) => n + f.rows, 0);
  const largest = Math.max(...files.map((f) => f.rows));
  return largest <= 4 * (total - largest);
}

/** Merges, per closed day (ended before `before`), this writer's files into one. */
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
      if (!worthMerging(group)) continue;
      const [end] = await db.query('SELECT epoch_ms(($1::DATE + 1)::TIMESTAMPTZ) AS ms', [day]);
      if (Number(end.ms) > before) continue;
      const paths = group.map((f) => f.path);
      const inputs = listValue(paths.map((p) => join(files.dir, p)));
      await writeFile(db, files, day, 'day', `SELECT ${SIGHTING_COLUMNS} FROM read_parquet($1::VARCHAR[])`, [inputs], async (conn) => {
        let rows = 0;
        for (const f of group) {
          const r = await conn.run('DELETE FROM sighting_files WHERE path = $1', [f.path]);
          rows += r.rowsChanged === 1 ? f.rows : 0;
        }
        return { rowsChanged: rows };
      });
      await files.unlinkReplaced(paths);
      merged++;
    }
    return merged;
  });
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
