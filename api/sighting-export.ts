// Sighting searches as downloads (`format=ndjson|csv`): text made a chunk of rows at a time,
// and a response body that asks the store for the next chunk only once the client has taken
// the last, so a million rows never sit in memory and a client that stops reading stops the
// query (and is cut after a while, releasing its store connection).

import { Readable } from 'node:stream';
import { toCsv } from './csv.js';

export type ExportFormat = 'ndjson' | 'csv';

/** The columns of a sighting row, in the JSON answer's order. */
export const SIGHTING_COLUMNS = ['ts', 'camera', 'kind', 'plate', 'conf', 'lat', 'lon', 'area', 'id', 'attrs'] as const;

export const EXPORT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
};

const CSV_HEAD = toCsv([], SIGHTING_COLUMNS);

/** What comes before the first row: the CSV header line. */
export function exportHead(format: ExportFormat): string {
  return format === 'csv' ? CSV_HEAD : '';
}

/**
 * Rows as lines: NDJSON, one JSON object per line (as in the JSON answer); CSV as api/csv.ts
 * writes it (RFC 4180 quoting, CRLF, formula-like text defused), `attrs` as JSON text.
 */
export function exportLines(format: ExportFormat, rows: readonly object[]): string {
  if (format === 'csv') return rows.length === 0 ? '' : toCsv(rows as Record<string, unknown>[], SIGHTING_COLUMNS).slice(CSV_HEAD.length);
  let out = '';
  for (const r of rows) out += `${JSON.stringify(r)}\n`;
  return out;
}

/** A file name for Content-Disposition: the pattern's `*` and `?` as `_`. */
export function exportFileName(pattern: string, format: ExportFormat): string {
  return `sightings-${pattern.replace(/[^A-Z0-9]/g, '_')}.${format}`;
}

export class StalledClientError extends Error {
  constructor(ms: number) {
    super(`the client took nothing for ${ms} ms`);
    this.name = 'StalledClientError';
  }
}

export interface ChunkBodyOptions<T> {
  /** Text before the first chunk (a header line). */
  head: string;
  encode: (chunk: T[]) => string;
  /** How long the body waits for its reader to ask for more before it fails (and is cut). */
  stallMs: number;
}

/**
 * Reads the first chunk of `chunks` now, so that a failing query still answers as an error
 * rather than as a cut download, then gives a body that pulls each next chunk only when its
 * reader asks for more. Destroying the body (the client went, or took nothing for `stallMs`)
 * returns `chunks`, which releases what it holds.
 */
export async function chunkBody<T>(chunks: AsyncIterator<T[]>, opts: ChunkBodyOptions<T>): Promise<Readable> {
  let first: IteratorResult<T[]>;
  try {
    first = await chunks.next();
  } catch (err) {
    await chunks.return?.().catch(() => undefined);
    throw err;
  }
  return new ChunkBody(chunks, opts.head + (first.done ? '' : opts.encode(first.value)), first.done === true, opts);
}

class ChunkBody<T> extends Readable {
  private stall: NodeJS.Timeout | undefined;

  constructor(
    private readonly chunks: AsyncIterator<T[]>,
    /** Text made before the reader asked for it (the head and the first chunk). */
    private pending: string,
    private done: boolean,
    private readonly opts: ChunkBodyOptions<T>,
  ) {
    super();
  }

  override _read(): void {
    clearTimeout(this.stall);
    if (this.pending !== '') {
      const text = this.pending;
      this.pending = '';
      this.give(text);
    } else if (this.done) {
      this.push(null);
    } else {
      this.chunks
        .next()
        .then((r) => {
          if (this.destroyed) return;
          if (r.done) {
            this.done = true;
            this.push(null);
          } else this.give(this.opts.encode(r.value));
        })
        .catch((err: Error) => this.destroy(err));
    }
  }

  /** Pushes text (never empty: an empty push would stop the reads) and waits for the next read. */
  private give(text: string): void {
    if (text === '') {
      this._read();
      return;
    }
    this.push(text);
    if (this.done && this.pending === '') {
      this.push(null);
      return;
    }
    // Cleared by the next _read(), at once when the reader's buffer has room.
    this.stall = setTimeout(() => this.destroy(new StalledClientError(this.opts.stallMs)), this.opts.stallMs);
    this.stall.unref();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.stall);
    if (!this.done) void this.chunks.return?.(undefined).catch(() => undefined);
    this.done = true;
    callback(err);
  }
}
