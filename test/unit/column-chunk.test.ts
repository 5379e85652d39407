// engine/store/column-chunk.ts writes DuckDB vector memory by hand (inline strings, 64-bit
// integers as two words, validity bits). A real DuckDB reads every value back exactly, and
// compares and groups the hand-written strings as it does its own.

import { BIGINT, DOUBLE, DuckDBInstance, FLOAT, INTEGER, TIMESTAMPTZ, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHUNK_ROWS,
  ColumnChunk,
  Float32Column,
  Float64Column,
  Int32Column,
  Int64Column,
  VarcharColumn,
} from '../../engine/store/column-chunk.js';

const STRINGS = ['', 'a', 'cam-1', '12345678901', '123456789012', '1234567890123', 'Тошкент', 'ü', 'a'.repeat(500), null];
const INTS = [0, 1, -1, 2 ** 32, 2 ** 32 - 1, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1), 1_764_000_000_000_000];

let conn: DuckDBConnection;

beforeAll(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run(`CREATE TABLE t (s VARCHAR, n BIGINT, ts TIMESTAMPTZ, d DOUBLE, f FLOAT, i INTEGER)`);
});
afterAll(() => conn.closeSync());

async function write(rows: number, row: (i: number) => [string | null, number, number, number | null, number | null, number | null]) {
  await conn.run('DELETE FROM t');
  const a = await conn.createAppender('t');
  for (let off = 0; off < rows; off += CHUNK_ROWS) {
    const chunk = new ColumnChunk([VARCHAR, BIGINT, TIMESTAMPTZ, DOUBLE, FLOAT, INTEGER], Math.min(CHUNK_ROWS, rows - off));
    const s = chunk.column(0, VarcharColumn);
    const n = chunk.column(1, Int64Column);
    const ts = chunk.column(2, Int64Column);
    const d = chunk.column(3, Float64Column);
    const f = chunk.column(4, Float32Column);
    const i32 = chunk.column(5, Int32Column);
    for (let i = 0; i < chunk.rows; i++) {
      const [sv, nv, tv, dv, fv, iv] = row(off + i);
      s.set(i, sv);
      n.set(i, nv);
      ts.set(i, tv);
      d.set(i, dv);
      f.set(i, fv);
      i32.set(i, iv);
    }
    chunk.appendTo(a);
  }
  a.closeSync();
}

describe('ColumnChunk', () => {
  it('reads back strings of every length class, 64-bit integers and nulls exactly', async () => {
    const rows = STRINGS.length * INTS.length;
    await write(rows, (k) => {
      const v = INTS[k % INTS.length];
      return [STRINGS[k % STRINGS.length], v, v, k % 3 === 0 ? null : k / 7, k % 4 === 0 ? null : 0.5, k % 5 === 0 ? null : -k];
    });
    const got = (await conn.runAndReadAll('SELECT s, n::VARCHAR AS n, epoch_us(ts)::VARCHAR AS ts, d, f, i FROM t')).getRowObjects();
    expect(got).toHaveLength(rows);
    got.forEach((r, k) => {
      const v = INTS[k % INTS.length];
      expect(r).toEqual({
        s: STRINGS[k % STRINGS.length],
        n: String(v),
        ts: String(v),
        d: k % 3 === 0 ? null : k / 7,
        f: k % 4 === 0 ? null : 0.5,
        i: k % 5 === 0 ? null : -k,
      });
    });
  });

  it('spans several chunks, and DuckDB filters and groups the inline strings as its own', async () => {
    const rows = CHUNK_ROWS * 2 + 17;
    await write(rows, (k) => [`cam-${k % 10}`, k, k * 1000, k, k, k]);
    const groups = (
      await conn.runAndReadAll('SELECT s, count(*)::INTEGER AS c, sum(n)::DOUBLE AS total FROM t GROUP BY s ORDER BY s')
    ).getRowObjects();
    expect(groups.map((g) => g.s)).toEqual(Array.from({ length: 10 }, (_, k) => `cam-${k}`));
    expect(groups.reduce((s, g) => s + Number(g.c), 0)).toBe(rows);
    expect(groups.reduce((s, g) => s + Number(g.total), 0)).toBe((rows * (rows - 1)) / 2);
    // Equality against a constant DuckDB made itself (padding bytes must match) and a join.
    const one = (await conn.runAndReadAll(`SELECT count(*)::INTEGER AS c FROM t WHERE s = 'cam-3'`)).getRowObjects()[0].c;
    expect(one).toBe(groups[3].c);
    const joined = (
      await conn.runAndReadAll(`SELECT count(*)::INTEGER AS c FROM t JOIN (SELECT 'cam-' || 7 AS s) USING (s)`)
    ).getRowObjects()[0].c;
    expect(joined).toBe(groups[7].c);
  });

  it('refuses more rows than a vector holds', () => {
    expect(() => new ColumnChunk([VARCHAR], CHUNK_ROWS + 1)).toThrow(/at most 2048 rows/);
  });
});
