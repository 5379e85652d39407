// Sightings and aggregate deltas as DuckDB data chunks (see column-chunk.ts for why not the
// row appender). Column orders follow engine/store/schema.ts. Chunks are built one at a time,
// so the writer can yield to the event loop between them.

import { BIGINT, DOUBLE, FLOAT, INTEGER, TIMESTAMPTZ, VARCHAR } from '@duckdb/node-api';
import type { AggregateCell } from '../ingest/read-aggregates.js';
import type { DecodedRead } from '../../workers/detection-batch.js';
import { CHUNK_ROWS, ColumnChunk, Float32Column, Float64Column, Int32Column, Int64Column, VarcharColumn } from './column-chunk.js';

export type SightingRead = Pick<DecodedRead, 'ts' | 'camera' | 'kind' | 'plate' | 'conf' | 'id' | 'attrs' | 'seq' | 'index'>;

/** One batch's reads and where they were placed: area, and position (NaN when unknown). */
export interface PlacedReads {
  reads: readonly SightingRead[];
  areas: readonly (string | null)[];
  lats: Float64Array;
  lons: Float64Array;
}

const SIGHTING_TYPES = [TIMESTAMPTZ, VARCHAR, VARCHAR, VARCHAR, FLOAT, DOUBLE, DOUBLE, VARCHAR, VARCHAR, VARCHAR, BIGINT, INTEGER];
const CELL_TYPES = [VARCHAR, TIMESTAMPTZ, VARCHAR, BIGINT];

const orNull = (x: number) => (Number.isNaN(x) ? null : x);

/** The batches' sightings, in order, CHUNK_ROWS at a time. */
export function* sightingChunks(batches: readonly PlacedReads[]): Generator<ColumnChunk> {
  const total = batches.reduce((n, b) => n + b.reads.length, 0);
  let b = 0;
  let k = 0; // next row of batches[b]
  for (let off = 0; off < total; off += CHUNK_ROWS) {
    const chunk = new ColumnChunk(SIGHTING_TYPES, Math.min(CHUNK_ROWS, total - off));
    const ts = chunk.column(0, Int64Column);
    const camera = chunk.column(1, VarcharColumn);
    const kind = chunk.column(2, VarcharColumn);
    const plate = chunk.column(3, VarcharColumn);
    const conf = chunk.column(4, Float32Column);
    const lat = chunk.column(5, Float64Column);
    const lon = chunk.column(6, Float64Column);
    const area = chunk.column(7, VarcharColumn);
    const id = chunk.column(8, VarcharColumn);
    const attrs = chunk.column(9, VarcharColumn);
    const seq = chunk.column(10, Int64Column);
    const idx = chunk.column(11, Int32Column);
    for (let i = 0; i < chunk.rows; i++, k++) {
      while (k >= batches[b].reads.length) {
        b++;
        k = 0;
      }
      const placed = batches[b];
      const r = placed.reads[k];
      ts.set(i, r.ts * 1000);
      camera.set(i, r.camera);
      kind.set(i, r.kind);
      plate.set(i, r.plate);
      conf.set(i, r.conf);
      lat.set(i, orNull(placed.lats[k]));
      lon.set(i, orNull(placed.lons[k]));
      area.set(i, placed.areas[k]);
      id.set(i, r.id);
      attrs.set(i, r.attrs ? JSON.stringify(r.attrs) : null);
      seq.set(i, r.seq);
      idx.set(i, r.index);
    }
    yield chunk;
  }
}

/** Aggregate delta rows, (camera | area, minute | hour, kind, count), CHUNK_ROWS at a time. */
export function* cellChunks(cells: readonly AggregateCell[]): Generator<ColumnChunk> {
  for (let off = 0; off < cells.length; off += CHUNK_ROWS) {
    const chunk = new ColumnChunk(CELL_TYPES, Math.min(CHUNK_ROWS, cells.length - off));
    const key = chunk.column(0, VarcharColumn);
    const bucket = chunk.column(1, Int64Column);
    const kind = chunk.column(2, VarcharColumn);
    const count = chunk.column(3, Int64Column);
    for (let i = 0; i < chunk.rows; i++) {
      const c = cells[off + i];
      key.set(i, c.key);
      bucket.set(i, c.bucket * 1000);
      kind.set(i, c.kind);
      count.set(i, c.count);
    }
    yield chunk;
  }
}
