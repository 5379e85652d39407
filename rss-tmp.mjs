import { DuckDBInstance } from '@duckdb/node-api';
const i = await DuckDBInstance.create('/tmp/rss-test.duckdb', { memory_limit: '512MB', threads: '2' });
const c = await i.connect();
const mb = () => Math.round(process.memoryUsage().rss / 2**20);
console.log('open', mb());
const q = process.env.Q ?? `SELECT camera AS key, epoch_ms(bucket) AS bucket, kind, count FROM t WHERE bucket >= TIMESTAMPTZ '2026-11-01' ORDER BY bucket, key, kind LIMIT 100000`;
for (let k = 0; k < 4; k++) {
  const t0 = Date.now();
  const r = await c.runAndReadAll(q);
  const rows = r.getRowObjects();
  const used = (await c.runAndReadAll('SELECT sum(memory_usage_bytes)::BIGINT AS u FROM duckdb_memory()')).getRowObjects()[0].u;
  console.log('query', k, Date.now() - t0, 'ms rows', rows.length, 'rss', mb(), 'duckdb', Math.round(Number(used)/2**20));
}
