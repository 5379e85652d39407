// The store's DuckDB has what vigil uses built in (parquet, json, icu), and never downloads an
// extension at run time: asking for one fails at once, naming it.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Database } from '../../engine/store/database.js';

let db: Database;

beforeAll(async () => {
  db = await Database.open(mkdtempSync(join(tmpdir(), 'vigil-ext-')), 'Asia/Tashkent', 128);
});
afterAll(() => db?.close());

it('has parquet, json and icu loaded, and refuses to install another at run time', async () => {
  const rows = await db.query(
    "SELECT extension_name AS name, loaded FROM duckdb_extensions() WHERE extension_name IN ('parquet', 'json', 'icu')",
  );
  expect(Object.fromEntries(rows.map((r) => [r.name, r.loaded]))).toEqual({ parquet: true, json: true, icu: true });
  expect((await db.query("SELECT current_setting('autoinstall_known_extensions') AS v"))[0].v).toBe(false);
  const started = Date.now();
  await expect(db.query('SELECT ST_Point(1, 2)')).rejects.toThrow(/spatial extension/);
  expect(Date.now() - started).toBeLessThan(2000);
});
