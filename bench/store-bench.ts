// `vigil bench store`: what the queries of investigators and analysts cost on a full store.
// A month of the simulated city (42,750 cameras) is filled, by default directly in the store's
// format (store-direct-fill.ts: NATS and ingest bypassed, a billion reads would take hours
// through them), or with --fill nats through the real path (simulator → private nats-server →
// engine → store maintenance). Then, through the API: one plate's sightings (the busiest, and
// p50/p99 over 20 plates: exact, a wildcard, look-alikes), traffic per area and per camera per
// day, incident trends. Also bytes per stored read (Parquet files and the DuckDB file) and the
// process's peak RSS while filling and while querying. The same run first does all of it with
// a tenth of the reads: the baseline. A query whose cost follows what it asks for barely
// changes; one that scans grows tenfold.
//
//   npx vigil bench store [--reads 300000] [--days 30] [--fill direct|nats] [--rate 150000] [--keep]
//
// --rate: reads published per real second with --fill nats. The store is removed afterwards,
// unless --keep (its folder is printed: profile its queries with plain DuckDB).

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { listValue } from '@duckdb/node-api';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Engine } from '../app/engine.js';
import { validateConfig } from '../engine/config.js';
import { areasFromGeoJson } from '../api/routes/areas.js';
import { createLogger } from '../engine/logger.js';
import { freePort, PrivateNatsServer } from '../engine/nats/private-server.js';
import { buildCity, DEFAULT_CAMERAS, type SimCity } from '../engine/sim/city.js';
import { runSimulation } from '../engine/sim/simulator.js';
import { replaceAreas, upsertCameras } from '../engine/store/catalog.js';
import { sightingFiles } from '../engine/store/sighting-files.js';
import { fillDirect } from './store-direct-fill.js';

const TOKEN = 'bench-store-token';
const DAY_MS = 86_400_000;

interface QueryTime {
  query: string;
  ms: number;
  rows: number;
  /** The process's peak RSS while this query ran (sampled every 100 ms), to find what drives the peak. */
  rssMb?: number;
}

interface StoreRun {
  reads: number;
  days: number;
  fillSeconds: number;
  bytesPerRead: number;
  dbMb: number;
  /** Peak RSS while filling (the direct fill sorts each day in DuckDB), and while querying. */
  fillRssMb: number;
  peakRssMb: number;
  /** After the queries: what DuckDB's buffer manager holds, and Node's heap. */
  duckdbMb: number;
  heapMb: number;
  /** Where the reads are when the queries run: sealed files, and reads still in the hot table. */
  files: number;
  hotReads: number;
  queries: QueryTime[];
}

async function timed(engine: Engine, query: string, url: string): Promise<QueryTime> {
  let best = Infinity;
  let rows = 0;
  for (let i = 0; i < 3; i++) {
    const t = await timedOnce(engine, url);
    best = Math.min(best, t.ms);
    rows = t.rows;
  }
  return { query, ms: Math.round(best), rows };
}

/** p50 and p99 of `urls`, each asked twice (the second, warm, time counts). */
async function percentiles(engine: Engine, query: string, urls: readonly string[]): Promise<QueryTime[]> {
  const times: number[] = [];
  let rows = 0;
  for (const url of urls) {
    await timedOnce(engine, url);
    const t = await timedOnce(engine, url);
    times.push(t.ms);
    rows += t.rows;
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  const avgRows = Math.round(rows / urls.length);
  return [
    { query: `${query}, p50 of ${urls.length}`, ms: Math.round(at(0.5)), rows: avgRows },
    { query: `${query}, p99 of ${urls.length}`, ms: Math.round(at(0.99)), rows: avgRows },
  ];
}

async function timedOnce(engine: Engine, url: string): Promise<{ ms: number; rows: number }> {
  const t0 = performance.now();
  const res = await engine.api.inject({ url, headers: { authorization: `Bearer ${TOKEN}` } });
  const ms = performance.now() - t0;
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
  return { ms, rows: (res.json() as { rows: unknown[] }).rows.length };
}

type Fill = 'direct' | 'nats';

async function fillAndQuery(reads: number, days: number, rate: number, fill: Fill, keep: boolean): Promise<StoreRun> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-store-'));
  const nats = new PrivateNatsServer({ host: '127.0.0.1', port: await freePort(), dir: join(dir, 'nats') });
  await nats.start();
  const nc = await connect({ servers: nats.url });
  let engine: Engine | null = null;
  try {
    const config = validateConfig({
      nats: { url: nats.url, streamMaxAgeHours: 24 * (days + 1) },
      dataDir: join(dir, 'data'),
      http: { port: 0, rateLimit: { max: 0 } },
      auth: { tokens: [{ name: 'bench', role: 'admin', sha256: createHash('sha256').update(TOKEN).digest('hex') }] },
      retention: { detectionsDays: days + 1 },
    });
    let peakRss = process.memoryUsage().rss;
    let stepRss = 0;
    const rssTimer = setInterval(() => {
      const rss = process.memoryUsage().rss;
      peakRss = Math.max(peakRss, rss);
      stepRss = Math.max(stepRss, rss);
    }, 100);
    /** A query step, with the peak RSS while it ran. */
    const measured = async (step: Promise<QueryTime | QueryTime[]> | (() => Promise<QueryTime | QueryTime[]>)) => {
      stepRss = process.memoryUsage().rss;
      const result = await (typeof step === 'function' ? step() : step);
      const rssMb = Math.round(Math.max(stepRss, process.memoryUsage().rss) / 2 ** 20);
      return (Array.isArray(result) ? result : [result]).map((q) => ({ ...q, rssMb }));
    };
    engine = await Engine.start(config, createLogger('warn'), { listen: false });
    const running: Engine = engine;
    const city = buildCity({ seed: 1, cameras: DEFAULT_CAMERAS });
    await upsertCameras(engine.db, city.cameras);
    engine.placement.upsertCameras(city.cameras);
    const areas = areasFromGeoJson(city.areas);
    await replaceAreas(engine.db, areas);
    engine.placement.setAreas(areas);

    const t0 = performance.now();
    // Whole days of the city's clock, ending at today's midnight.
    const [{ today }] = await engine.db.query("SELECT epoch_ms(date_trunc('day', now())) AS today");
    const start = Number(today) - days * DAY_MS;
    if (fill === 'direct') {
      await fillDirect(engine.db, {
        reads,
        days,
        start,
        cameras: city.cameras.map((c) => ({ id: c.id, area: engine!.placement.areaOf(c.id) })),
        areas: areas.map((a) => a.id),
        minutesFrom: Date.now() - config.store.minuteBucketsHours * 3_600_000,
        progress: (m) => console.error(`bench store: ${m}`),
      });
    } else {
      await fillThroughNats(engine, nc, city, reads, days, rate, start);
    }
    const fillSeconds = (performance.now() - t0) / 1000;
    const fillRss = peakRss;
    peakRss = process.memoryUsage().rss;
    const to = new Date(start + days * DAY_MS).toISOString();
    const window = `from=${new Date(start).toISOString()}&to=${to}`;
    const plates = await samplePlates(engine);
    const search = (q: string) => `/api/v1/sightings?reason=bench&limit=10000&${window}&${q}`;
    const queries = [
      ...(await measured(() => timed(running, `sightings, the busiest plate`, search(`plate=${plates.busiest}`)))),
      ...(await measured(() =>
        percentiles(
          running,
          'sightings, one plate',
          plates.sample.map((p) => search(`plate=${p}`)),
        ),
      )),
      // The same answer size whatever the store holds: what a page costs as reads pile up.
      ...(await measured(() =>
        percentiles(
          running,
          'sightings, one plate, a page of 50',
          plates.sample.map((p) => search(`plate=${p}`).replace('limit=10000', 'limit=50')),
        ),
      )),
      ...(await measured(() =>
        percentiles(
          running,
          'sightings, a wildcard (01A1*BC)',
          plates.sample.map((p) => search(`plate=${p.slice(0, 4)}*${p.slice(-2)}`)),
        ),
      )),
      ...(await measured(() =>
        percentiles(
          running,
          'sightings, fuzzy one plate',
          plates.sample.map((p) => search(`plate=${p}&fuzzy=true`)),
        ),
      )),
      ...(await measured(() =>
        timed(running, 'traffic per area per day', `/api/v1/analytics/traffic?groupBy=area&bucket=day&limit=100000&${window}`),
      )),
      ...(await measured(() =>
        timed(running, 'traffic per camera per day', `/api/v1/analytics/traffic?groupBy=camera&bucket=day&limit=100000&${window}`),
      )),
      ...(await measured(() => timed(running, 'incident trends per day', `/api/v1/analytics/trends?bucket=day&${window}`))),
    ];
    const [{ used }] = await engine.db.query('SELECT coalesce(sum(memory_usage_bytes), 0)::BIGINT AS used FROM duckdb_memory()');
    const heap = process.memoryUsage().heapUsed;
    await engine.db.query('CHECKPOINT');
    clearInterval(rssTimer);
    const stored = await engine.db.query(
      'SELECT coalesce(sum(bytes), 0)::BIGINT AS b, coalesce(sum(rows), 0)::BIGINT AS n, count(*)::BIGINT AS files FROM sighting_files',
    );
    const [{ hot }] = await engine.db.query('SELECT count(*)::BIGINT AS hot FROM sightings');
    const storedReads = Number(stored[0].n) + Number(hot);
    const dbBytes = statSync(join(dir, 'data', 'vigil.duckdb')).size + Number(stored[0].b);
    return {
      reads: storedReads,
      days,
      fillSeconds: Math.round(fillSeconds),
      bytesPerRead: Math.round((10 * dbBytes) / storedReads) / 10,
      dbMb: Math.round(dbBytes / 2 ** 20),
      fillRssMb: Math.round(fillRss / 2 ** 20),
      peakRssMb: Math.round(peakRss / 2 ** 20),
      duckdbMb: Math.round(Number(used) / 2 ** 20),
      heapMb: Math.round(heap / 2 ** 20),
      files: Number(stored[0].files),
      hotReads: Number(hot),
      queries,
    };
  } finally {
    await engine?.stop();
    await nc.close();
    await nats.stop();
    if (keep) console.error(`bench store: the store is kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** The busiest plate, and 20 plates drawn evenly from those read on the middle day. */
async function samplePlates(engine: Engine): Promise<{ busiest: string; sample: string[] }> {
  const files = await sightingFiles(engine.db).list();
  const hot = await engine.db.query('SELECT DISTINCT plate FROM sightings WHERE plate IS NOT NULL USING SAMPLE 20 ROWS');
  if (files.length === 0) {
    const plates = hot.map((r) => String(r.plate));
    return { busiest: plates[0], sample: plates };
  }
  // Every file of the middle day: a big day is split into plate shards.
  const days = [...new Set(files.map((f) => f.day))];
  const midDay = days[Math.floor(days.length / 2)];
  const mid = listValue(files.filter((f) => f.day === midDay).map((f) => join(sightingFiles(engine.db).dir, f.path)));
  const [busy] = await engine.db.query(
    'SELECT plate FROM read_parquet($1::VARCHAR[]) WHERE plate IS NOT NULL GROUP BY plate ORDER BY count(*) DESC LIMIT 1',
    [mid],
  );
  const sample = await engine.db.query(
    'SELECT plate FROM (SELECT DISTINCT plate FROM read_parquet($1::VARCHAR[]) WHERE plate IS NOT NULL) USING SAMPLE 20 ROWS (reservoir, 7)',
    [mid],
  );
  return { busiest: String(busy.plate), sample: sample.map((r) => String(r.plate)) };
}

/** The real path: the simulator publishes `reads` at `rate` a second, the engine stores them. */
async function fillThroughNats(
  engine: Engine,
  nc: NatsConnection,
  city: SimCity,
  reads: number,
  days: number,
  rate: number,
  start: number,
): Promise<void> {
  const seconds = reads / rate;
  const stats = await runSimulation({
    nc,
    prefix: 'vigil',
    city,
    seed: 1,
    rate,
    durationSeconds: seconds,
    batch: 150,
    jetstream: true,
    // About 20,000 incidents a month, whatever the reads.
    incidentsPerMinute: (20_000 * days) / 30 / (seconds / 60),
    start,
    speed: (days * DAY_MS) / 1000 / seconds,
  });
  // Stored reads and rejected ones (the DLQ) together account for every read published.
  const sum = async (metric: { get(): Promise<{ values: Array<{ value: number }> }> }) =>
    (await metric.get()).values.reduce((s, v) => s + v.value, 0);
  const accounted = async () => (await sum(engine.metrics.detections)) + (await sum(engine.metrics.rejected));
  let last = -1;
  let lastMoved = performance.now();
  for (let n = await accounted(); n < stats.reads; n = await accounted()) {
    if (n !== last) {
      console.error(`bench store: ${n} of ${stats.reads} reads stored`);
      last = n;
      lastMoved = performance.now();
    } else if (performance.now() - lastMoved > 60_000) {
      throw new Error(`bench store: stuck at ${n} of ${stats.reads} reads for a minute; the broker's view: ${await brokerView(nc)}`);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  // Seal and roll up what can be, as the engine would over the month. A call during a pass
  // joins it, and that pass may have taken its watermark before the last reads were stored:
  // the second call is a pass of its own (without it, 16 % of a 6 M fill stayed hot).
  await engine.maintenance?.run();
  await engine.maintenance?.run();
}

/** What the broker holds and has delivered, for a stall's error message. */
async function brokerView(nc: NatsConnection): Promise<string> {
  const jsm = await jetstreamManager(nc);
  const parts: string[] = [];
  for await (const s of jsm.streams.list()) {
    parts.push(`stream ${s.config.name}: seq ${s.state.first_seq}..${s.state.last_seq}, ${s.state.messages} messages`);
    for await (const c of jsm.consumers.list(s.config.name)) {
      parts.push(
        `consumer ${c.name}: delivered ${c.delivered.stream_seq}, ack floor ${c.ack_floor.stream_seq}, pending ${c.num_pending}, ack pending ${c.num_ack_pending}, waiting pulls ${c.num_waiting}`,
      );
    }
  }
  return parts.join('; ');
}

export async function storeBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      reads: { type: 'string', default: '300000' },
      days: { type: 'string', default: '30' },
      rate: { type: 'string', default: '150000' },
      fill: { type: 'string', default: 'direct' },
      keep: { type: 'boolean', default: false },
    },
  });
  const reads = Number(values.reads);
  const days = Number(values.days);
  const rate = Number(values.rate);
  const fill = values.fill as Fill;
  if (fill !== 'direct' && fill !== 'nats') throw new Error(`--fill must be direct or nats, not '${values.fill}'`);
  console.error(`bench store: the baseline, ${Math.round(reads / 10)} reads over ${days} days…`);
  const small = await fillAndQuery(Math.round(reads / 10), days, rate, fill, values.keep);
  console.error(`bench store: ${reads} reads over ${days} days…`);
  const full = await fillAndQuery(reads, days, rate, fill, values.keep);
  const rows = full.queries.map((q, i) => {
    const b = small.queries[i];
    return `| ${q.query} | ${b.ms} (${b.rows} rows) | ${q.ms} (${q.rows} rows) | ${(q.ms / Math.max(1, b.ms)).toFixed(1)} | ${b.rssMb} → ${q.rssMb} |`;
  });
  const md = [
    `Queries over ${days} days of the simulated city (42,750 cameras), through the API: a single query is the fastest of 3; p50/p99 rows are over 20 plates drawn from the middle day's, each asked twice (the second counts). The baseline is the same store with a tenth of the reads, in the same run. ${fill === 'direct' ? "Filled directly in the store's format (NATS and ingest bypassed)." : 'Filled through NATS and the engine.'}`,
    '',
    `| query | ${small.reads.toLocaleString('en')} reads: ms | ${full.reads.toLocaleString('en')} reads: ms | ratio | peak RSS MB while it ran |`,
    '|---|---:|---:|---:|---:|',
    ...rows,
    '',
    `Store: ${full.bytesPerRead} bytes per read (${full.dbMb} MB; baseline ${small.bytesPerRead}), filled in ${full.fillSeconds} s; peak RSS of the process ${full.peakRssMb} MB while querying (${full.fillRssMb} MB while filling; baseline ${small.peakRssMb} MB); after the queries DuckDB's buffers held ${full.duckdbMb} MB and Node's heap ${full.heapMb} MB. Queried: ${full.files} sealed files and ${full.hotReads.toLocaleString('en')} hot reads (baseline ${small.files} and ${small.hotReads.toLocaleString('en')}).`,
  ].join('\n');
  console.log(md);
  mkdirSync('bench/results', { recursive: true });
  const at = new Date().toISOString();
  writeFileSync(
    join('bench/results', `store-${at.replace(/[:.]/g, '-')}.json`),
    `${JSON.stringify({ at, node: process.version, small, full }, null, 2)}\n`,
  );
  // The two fills answer different questions: each keeps its own summary.
  const summary = fill === 'direct' ? 'store.md' : 'store-nats.md';
  writeFileSync(
    join('bench/results', summary),
    `Benchmark \`store\`, ${at}, Node ${process.version}${fill === 'direct' ? '' : ` (\`${argv.join(' ')}\`)`}\n\n${md}\n`,
  );
}
