// The HTTP API under load, while ingest runs: autocannon against three analyst endpoints
// (traffic analytics, the hit list and a plate's sightings), each measured twice in the same
// run — with ingest idle (the baseline) and with a paced publisher sending gateway batches of
// 150 reads at a steady rate — and the ratio between the two.
//
// Everything is local: a private nats-server, an Engine in this process listening on 127.0.0.1,
// the paced publisher (dist/bench/latency-publisher.js) and autocannon each in their own child
// process, so neither the load generator nor the producer shares the engine's event loop (they
// do share its cores: on a 2-core machine the numbers are a floor, not a capacity).
//
//   npx vigil bench api [--duration 10] [--connections 10] [--rate 20000] [--warmup 10]
//                       [--cameras 300] [--plates 10000] [--lead 2]

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Options as CannonOptions, Result as CannonResult } from 'autocannon';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { validateConfig } from '../engine/config.js';
import { Engine } from '../app/engine.js';
import { createLogger } from '../engine/logger.js';
import { freePort, PrivateNatsServer } from '../engine/nats/private-server.js';
import { vigilStreams } from '../engine/nats/streams.js';
import { upsertCameras } from '../engine/store/catalog.js';
import { mulberry32 } from '../engine/util/random.js';
import type { Watchlist } from '../engine/match/rules.js';
import { LAT0, listedPlate, LON0 } from './bench-reads.js';

const TOKEN = 'bench-analyst-token-0123456789abcdef';

/** One autocannon run, as reported by the child process. */
interface CannonRun {
  requestsPerSec: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  kbPerResponse: number;
  seconds: number;
  startedAt: number;
  finishedAt: number;
}

interface Measured extends CannonRun {
  /** Reads the engine stored per second between the run's start and finish. */
  ingestedReadsPerSec: number;
  /** Messages (batches) waiting in the consumer, pending + unacknowledged, when the run finished. */
  backlogAtFinish: number;
  /** The engine's own event-loop delay over the run. */
  loopP99Ms: number;
}

interface EndpointResult {
  endpoint: string;
  path: string;
  idle: Measured;
  underIngest: Measured & { publishedReadsPerSec: number; drainSecondsAfter: number };
  /** under ingest / idle */
  requestsRatio: number;
  p99Ratio: number;
}

// ---------------------------------------------------------------------------------------------
// Child mode: `node api-load-bench.js --cannon '<json options>'` runs autocannon once and prints
// its summary as one JSON line. autocannon is a devDependency, so it is imported only here.

async function cannonChild(optionsJson: string): Promise<void> {
  const { default: autocannon } = await import('autocannon');
  const opts = JSON.parse(optionsJson) as CannonOptions;
  const startedAt = Date.now();
  const r: CannonResult = await autocannon(opts);
  const finishedAt = Date.now();
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = s.count ?? 0;
  const run: CannonRun = {
    requestsPerSec: Math.round(r.requests.mean),
    requests: r.requests.total,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    kbPerResponse: r.requests.total > 0 ? Math.round(r.throughput.total / r.requests.total / 102.4) / 10 : 0,
    seconds: r.duration,
    startedAt,
    finishedAt,
  };
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

function runCannon(opts: CannonOptions): Promise<CannonRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--cannon', JSON.stringify(opts)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon child exited with ${code}`));
      try {
        resolve(JSON.parse(out) as CannonRun);
      } catch {
        reject(new Error(`autocannon child printed no result: ${out.slice(0, 200)}`));
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------

function startPublisher(natsUrl: string, rate: number, seconds: number, plates: number): Promise<{ reads: number; seconds: number }> {
  const publisher = spawn(
    process.execPath,
    [new URL('./latency-publisher.js', import.meta.url).pathname, natsUrl, String(rate), String(seconds), String(plates)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let report = '';
  publisher.stdout.on('data', (d: Buffer) => (report += d.toString()));
  return new Promise((resolve, reject) => {
    publisher.once('error', reject);
    publisher.once('exit', () => resolve(JSON.parse(report || '{"reads":0,"seconds":1}') as { reads: number; seconds: number }));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function apiLoadBench(argv: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '10' },
      rate: { type: 'string', default: '20000' },
      warmup: { type: 'string', default: '10' },
      cameras: { type: 'string', default: '300' },
      plates: { type: 'string', default: '10000' },
      lead: { type: 'string', default: '2' },
    },
  });
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const rate = Number(values.rate);
  const warmup = Number(values.warmup);
  const cameraCount = Number(values.cameras);
  const plates = Number(values.plates);
  const lead = Number(values.lead);
  if (
    !(duration >= 1) ||
    !(connections >= 1) ||
    !(rate >= 150) ||
    !(warmup >= 1) ||
    !(cameraCount >= 1) ||
    !(plates >= 1) ||
    !(lead >= 0)
  ) {
    throw new Error(
      '--duration, --connections, --warmup, --cameras and --plates must be at least 1, --rate at least 150, --lead at least 0',
    );
  }
  const step = (what: string) => console.error(`bench api: ${what}`);

  const dir = mkdtempSync(join(tmpdir(), 'vigil-api-bench-'));
  const nats = new PrivateNatsServer({ host: '127.0.0.1', port: await freePort(), dir: join(dir, 'nats') });
  await nats.start();
  const nc = await connect({ servers: nats.url });
  let engine: Engine | null = null;
  try {
    const config = validateConfig({
      nats: { url: nats.url },
      dataDir: join(dir, 'data'),
      // No rate limit: the bench measures what the API carries, not what the limit lets through.
      http: { host: '127.0.0.1', port: await freePort(), rateLimit: { max: 0 } },
      auth: { tokens: [{ name: 'bench-analyst', role: 'analyst', sha256: createHash('sha256').update(TOKEN).digest('hex') }] },
    });
    const e = await Engine.start(config, createLogger('warn'), { listen: true });
    engine = e;
    const base = `http://127.0.0.1:${config.http.port}`;
    const headers = { authorization: `Bearer ${TOKEN}` };

    // Cameras and a plate watchlist, straight into the engine (the token is an analyst's).
    // The publisher reads from cam-0…cam-4999, so most reads come from unregistered cameras:
    // they are stored and counted all the same, just not placed in an area.
    const rnd = mulberry32(11);
    const cameras = Array.from({ length: cameraCount }, (_, i) => ({ id: `cam-${i}`, lat: LAT0 + rnd() * 0.2, lon: LON0 + rnd() * 0.3 }));
    await upsertCameras(e.db, cameras);
    e.placement.upsertCameras(cameras);
    const list: Watchlist = {
      id: 'wl-api-bench',
      name: 'api bench',
      kind: 'plate',
      priority: 80,
      legalBasis: 'benchmark',
      expiresAt: null,
      match: { ocrEquivalence: true, maxEdits: 1 },
      alertOnRead: true,
      cooldownSeconds: 0,
      createdAt: 0,
      createdBy: null,
    };
    await e.rules.addWatchlist(list);
    await e.rules.upsertEntries(
      list.id,
      Array.from({ length: plates }, (_, i) => ({ key: listedPlate(i), label: null, reference: `R${i}`, expiresAt: null })),
    );

    const jsm = await jetstreamManager(nc);
    const stream = vigilStreams(config.nats.prefix, config.nats.streamMaxAgeHours).det.name;
    const backlog = async (m: JetStreamManager) => {
      const info = await m.consumers.info(stream, 'vigil-det');
      return info.num_pending + info.num_ack_pending;
    };
    const counted = async () => (await e.metrics.detections.get()).values.reduce((s, v) => s + v.value, 0);
    const drain = async (): Promise<number> => {
      const t0 = performance.now();
      while ((await backlog(jsm)) > 0) {
        if (performance.now() - t0 > 180_000) throw new Error('ingest did not drain the backlog within 3 minutes');
        await sleep(100);
      }
      return Number(((performance.now() - t0) / 1000).toFixed(1));
    };

    step(`${cameraCount} cameras, ${plates} listed plates; warming up: ${rate} reads/s for ${warmup} s`);
    // Ingest alone (no API load) for reference: reads stored per second while the warm-up publishes.
    const warmCount0 = await counted();
    const warmT0 = performance.now();
    const warm = await startPublisher(nats.url, rate, warmup, plates);
    const warmIngestedReadsPerSec = ((await counted()) - warmCount0) / ((performance.now() - warmT0) / 1000);
    await drain();
    const storedAfterWarmup = await counted();

    // listedPlate(0) is read once every `plates` reads (benchRead: i * 7919 % plates === 0 with
    // i % 200 < 2 when gcd(7919, plates) = 1), so it has sightings from the warm-up on.
    const plate = listedPlate(0);
    const probe = await fetch(`${base}/api/v1/sightings?plate=${plate}&reason=warm-up%20check`, { headers });
    const probeRows = probe.ok ? ((await probe.json()) as { rows: unknown[] }).rows.length : -1;
    if (probeRows < 1) step(`warning: sightings of ${plate} answered ${probe.status} with ${probeRows} rows after the warm-up`);

    const endpoints: Array<[string, string]> = [
      ['traffic', '/api/v1/analytics/traffic?groupBy=camera&bucket=minute'],
      ['hits', '/api/v1/hits?limit=100'],
      // Every sightings request first writes an audit row (by design: the lookup is recorded
      // before any row is returned), and that INSERT is a transaction on the store's single
      // writer connection, queued behind — and in front of — the ingest batch commits. So this
      // endpoint's throughput is bounded by the writer (one commit per request) rather than by
      // the reader pool, it degrades most when ingest is committing, and each request also
      // slows ingest a little; the audit table grows by one row per request of the run.
      ['sightings', `/api/v1/sightings?plate=${plate}&reason=load%20test`],
    ];

    const measure = async (path: string): Promise<Measured> => {
      const loop = monitorEventLoopDelay({ resolution: 10 });
      const samples: Array<[number, number]> = [];
      const sampler = setInterval(() => {
        void counted().then((n) => samples.push([Date.now(), n]));
      }, 100);
      samples.push([Date.now(), await counted()]);
      loop.enable();
      const run = await runCannon({ url: `${base}${path}`, connections, duration, headers });
      loop.disable();
      const backlogAtFinish = await backlog(jsm);
      clearInterval(sampler);
      samples.push([Date.now(), await counted()]);
      samples.sort((a, b) => a[0] - b[0]);
      // The counter's value at a moment: the last sample at or before it.
      const at = (t: number) => samples.filter(([ts]) => ts <= t).at(-1)?.[1] ?? samples[0][1];
      const ingested = at(run.finishedAt) - at(run.startedAt);
      return {
        ...run,
        ingestedReadsPerSec: Math.round(ingested / ((run.finishedAt - run.startedAt) / 1000)),
        backlogAtFinish,
        loopP99Ms: Number((loop.percentile(99) / 1e6).toFixed(1)),
      };
    };

    const results: EndpointResult[] = [];
    for (const [name, path] of endpoints) {
      step(`${name}: idle (no ingest), ${connections} connections for ${duration} s`);
      await drain();
      const idle = await measure(path);
      step(`${name}: under ingest at ${rate} reads/s`);
      const publishing = startPublisher(nats.url, rate, lead + duration + 2, plates);
      await sleep(lead * 1000);
      const loaded = await measure(path);
      const published = await publishing;
      const drainSecondsAfter = await drain();
      results.push({
        endpoint: name,
        path,
        idle,
        underIngest: { ...loaded, publishedReadsPerSec: Math.round(published.reads / published.seconds), drainSecondsAfter },
        requestsRatio: Number((loaded.requestsPerSec / Math.max(1, idle.requestsPerSec)).toFixed(3)),
        p99Ratio: Number((loaded.p99Ms / Math.max(1, idle.p99Ms)).toFixed(2)),
      });
    }

    return {
      cameras: cameraCount,
      listedPlates: plates,
      targetReadsPerSec: rate,
      connections,
      durationSeconds: duration,
      warmup: {
        seconds: warmup,
        publishedReadsPerSec: Math.round(warm.reads / warm.seconds),
        ingestedReadsPerSecNoApiLoad: Math.round(warmIngestedReadsPerSec),
        storedReads: storedAfterWarmup,
        sightingsOfPlate: probeRows,
      },
      storedReadsAtEnd: await counted(),
      endpoints: results,
    };
  } finally {
    await engine?.stop();
    await nc.close();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The results as a Markdown table (one row per endpoint). */
export function apiLoadTable(r: Record<string, any>): string {
  const rows = (r.endpoints as EndpointResult[]).map((x) => {
    const i = x.idle;
    const l = x.underIngest;
    return `| ${x.endpoint} | \`${x.path}\` | ${i.requestsPerSec} | ${l.requestsPerSec} | ${x.requestsRatio} | ${i.p50Ms} → ${l.p50Ms} | ${i.p99Ms} → ${l.p99Ms} | ${i.non2xx + i.errors} / ${l.non2xx + l.errors} | ${l.kbPerResponse} | ${l.ingestedReadsPerSec} (${l.publishedReadsPerSec}) | ${l.backlogAtFinish} | ${i.loopP99Ms} → ${l.loopP99Ms} |`;
  });
  return [
    `${r.connections} connections, ${r.durationSeconds} s per run; ingest at ${r.targetReadsPerSec} reads/s (gateway batches of up to 150), ${r.cameras} cameras, ${r.listedPlates} listed plates, ${r.storedReadsAtEnd} reads stored at the end. Ingest alone, with no API load: ${r.warmup.ingestedReadsPerSecNoApiLoad} reads/s stored (${r.warmup.publishedReadsPerSec} published).`,
    '',
    '| endpoint | request | req/s idle | req/s under ingest | ratio | p50 ms (idle → ingest) | p99 ms (idle → ingest) | non-2xx + errors (idle / ingest) | KB/response | reads/s ingested during run (published) | ingest backlog at end of run (messages) | engine event-loop p99 ms (idle → ingest) |',
    '|---|---|---:|---:|---:|---|---|---|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
}

if (process.argv[2] === '--cannon' && process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await cannonChild(process.argv[3] ?? '{}');
}
