// Sightings into DuckDB a data chunk at a time. The row appender costs a native call and, for
// timestamps and BIGINTs, a BigInt and a value object per cell; here numeric columns are
// written straight into the chunk's typed arrays (64-bit integers as two 32-bit halves, exact
// below 2^53), and only strings go one by one. Measured in bench/results: see README.

import {
  BIGINT,
  DOUBLE,
  DuckDBDataChunk,
  FLOAT,
  INTEGER,
  TIMESTAMPTZ,
  VARCHAR,
  type DuckDBAppender,
  type DuckDBVector,
} from '@duckdb/node-api';
import type { SightingRow } from './ingest-writer.js';

// The sightings table's columns, in order (engine/store/schema.ts).
const TYPES = [TIMESTAMPTZ, VARCHAR, VARCHAR, VARCHAR, FLOAT, DOUBLE, DOUBLE, VARCHAR, VARCHAR, VARCHAR, BIGINT, INTEGER];
const CHUNK_ROWS = 2048; // DuckDB's vector size
const TWO_32 = 2 ** 32;

interface NumericVector {
  items: Float64Array | Float32Array | Int32Array | BigInt64Array;
  validity: { setItemValid(i: number, valid: boolean): void };
  flush(): void;
}

const numeric = (v: DuckDBVector) => v as unknown as NumericVector;
const setString = (v: DuckDBVector, i: number, s: string | null | undefined) =>
  (v as unknown as { setItem(i: number, s: string | null): void }).setItem(i, s ?? null);

/** Writes a non-negative safe integer into a 64-bit slot without a BigInt. */
function putInt64(words: Uint32Array, i: number, value: number): void {
  words[2 * i] = value % TWO_32;
  words[2 * i + 1] = Math.floor(value / TWO_32);
}

export function appendSightingChunks(appender: DuckDBAppender, rows: readonly SightingRow[]): void {
  for (let off = 0; off < rows.length; off += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rows.length - off);
    const chunk = DuckDBDataChunk.create(TYPES, n);
    const v = TYPES.map((_, c) => chunk.getColumnVector(c));
    const ts = numeric(v[0]);
    const tsWords = new Uint32Array(ts.items.buffer, ts.items.byteOffset, n * 2);
    const conf = numeric(v[4]);
    const confItems = conf.items as Float32Array;
    const lat = numeric(v[5]);
    const latItems = lat.items as Float64Array;
    const lon = numeric(v[6]);
    const lonItems = lon.items as Float64Array;
    const seq = numeric(v[10]);
    const seqWords = new Uint32Array(seq.items.buffer, seq.items.byteOffset, n * 2);
    const idx = numeric(v[11]);
    const idxItems = idx.items as Int32Array;
    for (let i = 0; i < n; i++) {
      const r = rows[off + i];
      putInt64(tsWords, i, r.ts * 1000);
      setString(v[1], i, r.camera);
      setString(v[2], i, r.kind);
      setString(v[3], i, r.plate);
      if (r.conf === undefined) conf.validity.setItemValid(i, false);
      else confItems[i] = r.conf;
      if (r.lat === null || r.lon === null) {
        lat.validity.setItemValid(i, false);
        lon.validity.setItemValid(i, false);
      } else {
        latItems[i] = r.lat;
        lonItems[i] = r.lon;
      }
      setString(v[7], i, r.area);
      setString(v[8], i, r.id);
      setString(v[9], i, r.attrs ? JSON.stringify(r.attrs) : null);
      putInt64(seqWords, i, r.seq);
      idxItems[i] = r.index;
    }
    for (const vector of v) (vector as unknown as { flush(): void }).flush();
    appender.appendDataChunk(chunk);
  }
}
