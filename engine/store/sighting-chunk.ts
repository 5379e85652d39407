// Sightings and aggregate deltas as DuckDB data chunks (see column-chunk.ts for why not the
// row appender). Column orders follow engine/store/schema.ts.
//
// Ingest builds a batch's chunks as soon as it is matched, and only the chunks wait for the
// store: their columns are ArrayBuffers outside the JavaScript heap, where a batch's read
// objects waiting for the store were copied by every young-generation GC (25 ms pauses at
// 50,000 reads/s with a million-plate list loaded).

import { BIGINT, DOUBLE, FLOAT, INTEGER, TIMESTAMPTZ, VARCHAR } from '@duckdb/node-api';
import type { AggregateCell } from '../ingest/read-aggregates.js';
import type { DecodedRead } from '../domain/detection.js';
import { CHUNK_ROWS, ColumnChunk, Float32Column, Float64Column, Int32Column, Int64Column, VarcharColumn } from './column-chunk.js';

export type SightingRead = Pick<
  DecodedRead,
  'ts' | 'camera' | 'kind' | 'plate' | 'conf' | 'lat' | 'lon' | 'id' | 'attrs' | 'seq' | 'index'
>;

/**
 * One batch's reads and the area each was placed in. A read's position is stored only when it
 * carried one (a mobile camera): the others take their camera's when read (sighting-source).
 */
export interface PlacedReads {
  reads: readonly SightingRead[];
  areas: readonly (string | null)[];
}

const SIGHTING_TYPES = [TIMESTAMPTZ, VARCHAR, VARCHAR, VARCHAR, FLOAT, DOUBLE, DOUBLE, VARCHAR, VARCHAR, VARCHAR, BIGINT, INTEGER];
const CELL_TYPES = [VARCHAR, TIMESTAMPTZ, VARCHAR, BIGINT];

/** A batch's sightings, in order, CHUNK_ROWS at a time. */
export function sightingChunks(placed: PlacedReads): ColumnChunk[] {
  const total = placed.reads.length;
  const chunks: ColumnChunk[] = [];
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
    for (let i = 0; i < chunk.rows; i++) {
      const k = off + i;
      const r = placed.reads[k];
      ts.set(i, r.ts * 1000);
      camera.set(i, r.camera);
      kind.set(i, r.kind);
      plate.set(i, r.plate);
      conf.set(i, r.conf);
      const own = r.lat !== undefined && r.lon !== undefined;
      lat.set(i, own ? r.lat : null);
      lon.set(i, own ? r.lon : null);
      area.set(i, placed.areas[k]);
      id.set(i, r.id);
      attrs.set(i, r.attrs ? JSON.stringify(r.attrs) : null);
      seq.set(i, r.seq);
      idx.set(i, r.index);
    }
    chunks.push(chunk);
  }
  return chunks;
}

/** Aggregate delta rows, (camera | area, minute | hour, kind, count), CHUNK_ROWS at a time. */
export function cellChunks(cells: readonly AggregateCell[]): ColumnChunk[] {
  const chunks: ColumnChunk[] = [];
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
    chunks.push(chunk);
  }
  return chunks;
}
