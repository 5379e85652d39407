// engine/store/column-chunk.ts writes DuckDB vectors by hand through @duckdb/node-bindings
// functions that node-api does not document, in DuckDB's own vector layout. This fails loudly,
// naming what moved, when an upgrade changes any of it (test/unit/column-chunk.test.ts then
// checks the data itself reads back).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { CHUNK_ROWS } from '../../engine/store/column-chunk.js';

const fromNodeApi = createRequire(createRequire(import.meta.url).resolve('@duckdb/node-api'));
const bindings = fromNodeApi('@duckdb/node-bindings') as Record<string, unknown> & { vector_size(): number };
const pinned = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).dependencies['@duckdb/node-api'];

it('finds the node-bindings functions and the vector size column-chunk.ts relies on, at the pinned version', () => {
  expect(pinned, '@duckdb/node-api must be pinned exactly: column-chunk.ts relies on its bindings').toMatch(/^\d+\.\d+\.\d+(-r\.\d+)?$/);
  expect(fromNodeApi('@duckdb/node-api/package.json').version).toBe(pinned);
  expect(fromNodeApi('@duckdb/node-bindings/package.json').version).toBe(pinned);
  for (const name of [
    'data_chunk_get_vector',
    'copy_data_to_vector',
    'vector_assign_string_element',
    'vector_ensure_validity_writable',
    'copy_data_to_vector_validity',
  ]) {
    expect(typeof bindings[name], `@duckdb/node-bindings no longer has ${name}`).toBe('function');
  }
  expect(bindings.vector_size(), "DuckDB's vector size changed: CHUNK_ROWS and the validity masks assume it").toBe(CHUNK_ROWS);
});
