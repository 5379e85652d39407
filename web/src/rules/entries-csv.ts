// A watchlist's entry file: CSV with the header `key,label,reference,expiresAt` (any order, key
// required) → the entries POST /api/v1/watchlists/:id/entries takes, each with its line in the
// file, so that an error the API names as body[i] can be shown as the line the admin must fix.

import { CsvError, parseCsv } from './csv.js';

export interface Entry {
  key: string;
  label?: string;
  reference?: string;
  expiresAt?: string;
}

export interface LinedEntry {
  line: number;
  entry: Entry;
}

export const ENTRY_COLUMNS = ['key', 'label', 'reference', 'expiresAt'] as const;
type Column = (typeof ENTRY_COLUMNS)[number];

/** The API's limits (api/routes/watchlists.ts), checked here so a bad line is named before any upload. */
const MAX_LENGTH: Record<Column, number> = { key: 128, label: 500, reference: 500, expiresAt: 40 };

/** Entries of a CSV file's text; throws CsvError naming the line of the first problem. */
export function entriesFromCsv(text: string): LinedEntry[] {
  const records = parseCsv(text);
  if (records.length === 0) throw new CsvError(1, 'the file is empty: it needs a header row key,label,reference,expiresAt');
  const header = records[0];
  const columns = header.fields.map((name) => {
    const wanted = name.trim().toLowerCase();
    const column = ENTRY_COLUMNS.find((c) => c.toLowerCase() === wanted);
    // An unknown column is refused, not dropped: a misspelt expiresAt would leave entries without their expiry.
    if (!column) throw new CsvError(header.line, `unknown column '${name.trim()}': the columns are ${ENTRY_COLUMNS.join(', ')}`);
    return column;
  });
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice) throw new CsvError(header.line, `the column ${twice} is named twice`);
  if (!columns.includes('key')) throw new CsvError(header.line, `the header has no key column (columns: ${ENTRY_COLUMNS.join(', ')})`);

  const entries: LinedEntry[] = [];
  for (const record of records.slice(1)) {
    if (record.fields.length !== columns.length) {
      throw new CsvError(record.line, `${record.fields.length} fields where the header has ${columns.length}`);
    }
    const entry: Entry = { key: '' };
    columns.forEach((column, i) => {
      const value = record.fields[i].trim();
      if (value.length > MAX_LENGTH[column]) {
        throw new CsvError(record.line, `${column} is longer than ${MAX_LENGTH[column]} characters`);
      }
      // An empty cell is an absent value: no label, no expiry.
      if (value !== '' || column === 'key') entry[column] = value;
    });
    if (entry.key === '') throw new CsvError(record.line, 'key is empty');
    entries.push({ line: record.line, entry });
  }
  return entries;
}

/**
 * The key as the engine will likely hold it, for finding repeats across chunks: ASCII letters
 * upper-cased, spaces and dashes dropped (as the engine's plate normalisation does; its
 * Cyrillic look-alikes are left to the API, which counts repeats within a request itself).
 */
export function dedupeKey(key: string): string {
  return key.replace(/[\s\-‐‑‒–—]/g, '').replace(/[a-z]/g, (c) => c.toUpperCase());
}

/**
 * One entry per key, the last one kept where it last occurred (as the API does within one
 * request), and how many keys came more than once. Done before chunking, so that a key
 * repeated across two requests is counted and its last entry wins.
 */
export function lastPerKey(entries: readonly LinedEntry[]): { entries: LinedEntry[]; repeated: number } {
  const byKey = new Map<string, LinedEntry>();
  const repeated = new Set<string>();
  for (const e of entries) {
    const k = dedupeKey(e.entry.key);
    if (byKey.has(k)) repeated.add(k);
    byKey.delete(k);
    byKey.set(k, e);
  }
  return { entries: [...byKey.values()], repeated: repeated.size };
}

/** The largest request the view sends: big files go in several, each answered on its own. */
export const CHUNK_SIZE = 10_000;

export function chunks<T>(items: readonly T[], size = CHUNK_SIZE): T[][] {
  if (size < 1) throw new RangeError('chunk size must be at least 1');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The API's message with each `body[i]` of the chunk it answered given its line in the file:
 * "body[3].key 'X' is not …" → "line 7 (body[3]).key 'X' is not …".
 */
export function withLines(message: string, chunk: readonly LinedEntry[]): string {
  return message.replace(/body\[(\d+)\]/g, (whole, i: string) => {
    const e = chunk[Number(i)];
    return e ? `line ${e.line} (${whole})` : whole;
  });
}

const count = new Intl.NumberFormat('en-GB');

/** "1,204 entries added or replaced; 3 keys appeared more than once, the last one kept". */
export function uploadSummary(upserted: number, repeated: number): string {
  const added = `${count.format(upserted)} ${upserted === 1 ? 'entry' : 'entries'} added or replaced`;
  if (repeated === 0) return `${added}; no key appeared more than once`;
  const keys = repeated === 1 ? '1 key appeared' : `${count.format(repeated)} keys appeared`;
  return `${added}; ${keys} more than once, the last one kept`;
}
