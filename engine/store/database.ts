// The DuckDB file in dataDir: one instance, one writer connection whose transactions run one
// at a time, and a small pool of reader connections for the API (queries run on DuckDB's own
// threads, so the event loop never waits on them).

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';

/**
 * Fault injection for tests only: with VIGIL_FAULT_STORE_UNWRITABLE=<file>, every write
 * transaction fails at its commit while that file exists, and is rolled back, as DuckDB's
 * commit fails when the disk is full ("Could not write file …wal: No space left on device").
 * Read once at start; when unset it costs one comparison per transaction.
 */
const FAULT_UNWRITABLE_FLAG = process.env.VIGIL_FAULT_STORE_UNWRITABLE || null;

export type Row = Record<string, unknown>;
export type Params = DuckDBValue[] | Record<string, DuckDBValue>;

export class Database {
  private readers: DuckDBConnection[] = [];
  private writeChain: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly timezone: string,
  ) {}

  static async open(dataDir: string, timezone: string, memoryLimitMb = 512): Promise<Database> {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, 'vigil.duckdb');
    // A checkpoint every 128 MB of WAL instead of DuckDB's 16 MB: appended rows are written
    // (and compressed) in bigger row-group runs, less often. Inserting 600,000 sightings in
    // 50,000-row transactions went from 432k to 550k rows/s here; the cost is a longer WAL
    // replay after a crash (about a second).
    // Extensions vigil needs (parquet, json, icu) are built into the binding; one that would be
    // downloaded at run time is a mistake here (no network in a situation centre): it fails at
    // once, naming the extension, instead of trying to download it.
    const instance = await DuckDBInstance.create(path, {
      memory_limit: `${Math.floor(memoryLimitMb)}MB`,
      checkpoint_threshold: '128MB',
      autoinstall_known_extensions: 'false',
    });
    const writer = await instance.connect();
    await writer.run(setTimeZone(timezone));
    // Footers of the sealed files parsed once, not at every search (one opens every day's file).
    await writer.run('LOAD parquet; SET GLOBAL parquet_metadata_cache = true');
    await writer.run(SCHEMA_SQL);
    const v = await writer.runAndReadAll('SELECT max(version) AS v FROM schema_version');
    const current = v.getRowObjects()[0]?.v;
    if (current === null || current === undefined) {
      await writer.run('INSERT INTO schema_version VALUES ($1)', [SCHEMA_VERSION]);
    } else if (Number(current) > SCHEMA_VERSION) {
      throw new Error(`${path} has schema version ${current}, newer than this vigil (${SCHEMA_VERSION})`);
    }
    return new Database(path, instance, writer, timezone);
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * Runs `work` inside one transaction on the writer connection, after every earlier write.
   * Commits when it resolves, rolls back when it throws.
   */
  transaction<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new Error('store is closed');
      await this.writer.run('BEGIN TRANSACTION');
      try {
        const result = await work(this.writer);
        if (FAULT_UNWRITABLE_FLAG !== null && existsSync(FAULT_UNWRITABLE_FLAG)) {
          throw new Error(`Failed to commit: store unwritable (VIGIL_FAULT_STORE_UNWRITABLE: ${FAULT_UNWRITABLE_FLAG} exists)`);
        }
        await this.writer.run('COMMIT');
        return result;
      } catch (err) {
        await this.writer.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    };
    const next = this.writeChain.then(run, run);
    this.writeChain = next.catch(() => undefined);
    return next;
  }

  /** A read-only query with parameters; rows as plain objects (BIGINT as bigint). */
  async query(sql: string, params?: Params): Promise<Row[]> {
    const conn = this.readers.pop() ?? (await this.newReader());
    try {
      const reader = await conn.runAndReadAll(sql, params);
      return reader.getRowObjects() as Row[];
    } finally {
      if (this.closed) conn.closeSync();
      else this.readers.push(conn);
    }
  }

  private async newReader(): Promise<DuckDBConnection> {
    if (this.closed) throw new Error('store is closed');
    const conn = await this.instance.connect();
    await conn.run(setTimeZone(this.timezone));
    return conn;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.writeChain;
    this.closed = true;
    for (const c of this.readers) c.closeSync();
    this.readers = [];
    await this.writer.run('CHECKPOINT').catch(() => undefined);
    this.writer.closeSync();
    this.instance.closeSync();
  }

  /**
   * A read-only query whose rows come one DuckDB chunk (up to 2,048 rows) at a time, as the
   * caller asks for them: for answers too big to hold. A reader connection is the caller's
   * until the iteration ends. One left before its last row (return, throw) is closed, not
   * pooled: its unfinished result would keep the query and its snapshot until that
   * connection's next query.
   */
  async *stream(sql: string, params?: Params): AsyncGenerator<Row[], void, undefined> {
    const conn = this.readers.pop() ?? (await this.newReader());
    let finished = false;
    try {
      const result = await conn.stream(sql, params);
      for await (const rows of result.yieldRowObjects()) yield rows as Row[];
      finished = true;
    } finally {
      if (this.closed || !finished) conn.closeSync();
      else this.readers.push(conn);
    }
  }
}

/** The zone was validated against Intl at config time; quotes are escaped all the same. */
function setTimeZone(timezone: string): string {
  return `SET TimeZone = '${timezone.replace(/'/g, "''")}'`;
}
