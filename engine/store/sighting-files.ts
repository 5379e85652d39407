// Sealed sightings: Parquet files under <dataDir>/sightings/day=YYYY-MM-DD/, one folder per day
// of the city's clock, each file sorted by plate so that row-group statistics prune a plate
// search to a row group or two per file. The table `sighting_files` is the catalog: a file is
// part of the store exactly when its row is committed there.
//
// The protocol that keeps a read in exactly one place across kill -9 at any moment:
//   1. write `<name>.parquet.tmp`, fsync it;
//   2. rename it to `<name>.parquet` (a file no catalog row names is not yet, or no longer, data);
//   3. one DuckDB transaction: add the catalog row, and delete what the file replaces (the hot
//      rows it holds, or the files it merged);
//   4. unlink replaced files once no query that could still open them is running.
// At open, every file of this writer that the catalog does not name is deleted: it is either a
// write cut short before step 3 (its reads are still hot) or a file replaced at step 3.
//
// File names start with the writer id (config store.writerId), so several engines can share
// one folder and each cleans up only its own files.

import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Database } from './database.js';

/** One catalog row; `path` is relative to the sightings folder. */
/**
 * What wrote a file, in its name: a seal of hot reads (older stores: `hours`), a run (the seals
 * of a day still open, merged), or a closed day merged.
 */
export type FileKind = 'seal' | 'run' | 'day';

export interface SightingFile {
  path: string;
  day: string;
  minTs: number;
  maxTs: number;
  rows: number;
  bytes: number;
}

/** A query's hold on the files it listed: they are not unlinked before release(). */
export interface FileLease {
  readonly files: readonly string[];
  release(): void;
}

const TMP = '.tmp';

export class SightingFiles {
  readonly dir: string;
  /** Catalog generation: bumped by every commit that removes files. */
  private generation = 0;
  /** Running queries per generation they listed files in. */
  private readonly readers = new Map<number, number>();
  private readonly waiting: Array<{ generation: number; wake: () => void }> = [];
  private serial = 1;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Database,
    readonly writerId: string,
    /** Plate reads per file above which a write is split into plate shards (config store.shardPlateReads). */
    readonly shardPlateReads = 1_000_000,
  ) {
    this.dir = join(dirname(db.path), 'sightings');
  }

  /** Runs `work` after every earlier one: sealing, compaction and purges never interleave. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * The catalog's files whose reads overlap [from, to), oldest first, leased until release().
   * With `plates` (inclusive [lo, hi] ranges), only files whose plate range meets one of them.
   */
  async lease(from: number, to: number, plates?: ReadonlyArray<readonly [string, string]>): Promise<FileLease> {
    const generation = this.generation;
    this.readers.set(generation, (this.readers.get(generation) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const n = (this.readers.get(generation) ?? 1) - 1;
      if (n === 0) this.readers.delete(generation);
      else this.readers.set(generation, n);
      this.wakeWaiters();
    };
    try {
      // A file written before plate ranges were kept (plates NULL) may hold any plate.
      const meets = (plates ?? []).map((_, i) => `(plate_min <= $${4 + 2 * i} AND plate_max >= $${3 + 2 * i})`);
      const byPlate = plates ? `AND (plates IS NULL OR (plates > 0 AND (${meets.join(' OR ') || 'false'})))` : '';
      const rows = await this.db.query(
        `SELECT path FROM sighting_files
         WHERE max_ts >= make_timestamptz($1::BIGINT * 1000) AND min_ts < make_timestamptz($2::BIGINT * 1000) ${byPlate}
         ORDER BY min_ts, path`,
        [BigInt(Math.floor(from)), BigInt(Math.ceil(to)), ...(plates ?? []).flat()],
      );
      return { files: rows.map((r) => join(this.dir, String(r.path))), release };
    } catch (err) {
      release();
      throw err;
    }
  }

  async list(): Promise<SightingFile[]> {
    const rows = await this.db.query(
      `SELECT path, day, epoch_ms(min_ts) AS min_ts, epoch_ms(max_ts) AS max_ts, rows, bytes FROM sighting_files ORDER BY day, path`,
    );
    return rows.map((r) => ({
      path: String(r.path),
      day: String(r.day),
      minTs: Number(r.min_ts),
      maxTs: Number(r.max_ts),
      rows: Number(r.rows),
      bytes: Number(r.bytes),
    }));
  }

  /** A new file's final and temporary paths in `day`'s folder (a name used once). */
  newFile(day: string, what: FileKind): { path: string; tmp: string } {
    const folder = join(this.dir, `day=${day}`);
    mkdirSync(folder, { recursive: true });
    const path = join(folder, `${this.writerId}-${what}-${Date.now().toString(36)}-${(this.serial++).toString(36)}.parquet`);
    return { path, tmp: path + TMP };
  }

  /** Steps 1–2 after the temporary file was written: make it durable, give it its final name. */
  publish(file: { path: string; tmp: string }): number {
    const fd = openSync(file.tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(file.tmp, file.path);
    return statSync(file.path).size;
  }

  relative(path: string): string {
    return relative(this.dir, path);
  }

  /**
   * Step 4: after a commit that took `paths` (relative) out of the catalog, unlinks them once
   * every query that listed files before that commit has finished. Queries listing after the
   * commit never see them, so this cannot wait forever.
   */
  async unlinkReplaced(paths: readonly string[]): Promise<void> {
    const generation = ++this.generation;
    await new Promise<void>((wake) => {
      this.waiting.push({ generation, wake });
      this.wakeWaiters();
    });
    for (const p of paths) rmSync(join(this.dir, p), { force: true });
  }

  private wakeWaiters(): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const w = this.waiting[i];
      let older = false;
      for (const g of this.readers.keys()) if (g < w.generation) older = true;
      if (older) continue;
      this.waiting.splice(i, 1);
      w.wake();
    }
  }

  /**
   * At open: deletes this writer's files the catalog does not name (see the protocol above),
   * and drops catalog rows whose file is gone (reported: that is data lost outside vigil).
   */
  async recover(): Promise<{ removed: string[]; missing: string[] }> {
    const named = new Set((await this.list()).map((f) => f.path));
    const removed: string[] = [];
    const present = new Set<string>();
    for (const path of this.ownFiles()) {
      const rel = this.relative(path);
      if (named.has(rel)) {
        present.add(rel);
        continue;
      }
      rmSync(path, { force: true });
      removed.push(rel);
    }
    const missing = [...named].filter((p) => !present.has(p) && p.split('/').at(-1)?.startsWith(`${this.writerId}-`));
    if (missing.length > 0) {
      await this.db.transaction(async (conn) => {
        for (const p of missing) await conn.run('DELETE FROM sighting_files WHERE path = $1', [p]);
      });
    }
    return { removed, missing };
  }

  private *ownFiles(): Generator<string> {
    let days: string[];
    try {
      days = readdirSync(this.dir).filter((d) => d.startsWith('day='));
    } catch {
      return;
    }
    for (const day of days) {
      for (const name of readdirSync(join(this.dir, day))) {
        if (name.startsWith(`${this.writerId}-`) && (name.endsWith('.parquet') || name.endsWith(`.parquet${TMP}`))) {
          yield join(this.dir, day, name);
        }
      }
    }
  }
}

const attached = new WeakMap<Database, SightingFiles>();

/**
 * The sealed files of `db`'s store. The engine attaches them at start with its writer id and
 * recovers; a store opened without that (tools, tests) gets the default writer id and no
 * recovery.
 */
export function sightingFiles(db: Database): SightingFiles {
  let files = attached.get(db);
  if (!files) {
    files = new SightingFiles(db, 'main');
    attached.set(db, files);
  }
  return files;
}

export async function attachSightingFiles(
  db: Database,
  writerId: string,
  shardPlateReads?: number,
): Promise<{ files: SightingFiles; removed: string[]; missing: string[] }> {
  const files = new SightingFiles(db, writerId, shardPlateReads);
  attached.set(db, files);
  return { files, ...(await files.recover()) };
}
