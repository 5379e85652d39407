// Overload: a producer publishes twice what the engine ingests, for a while. The engine's
// memory (RSS of its `vigil serve` process, sampled) stays bounded, since it pulls from
// JetStream only what its consumer window lets through (ingest.maxAckPending, and
// batchMaxBytes for what is staged for the store), however long the backlog grows; it stays
// ready; afterwards it catches up and every accepted read is stored exactly once.
//
// "Twice its capacity" is measured live: on two cores the producer and nats-server take CPU
// from the engine, so its capacity is what it stores while they run. Every half second the
// producer's rate is set to twice what the engine stored over the last two seconds.
// VIGIL_OVERLOAD_SECONDS sets how long the overload lasts (default 15; the issue asks for a
// minute: VIGIL_OVERLOAD_SECONDS=60). VIGIL_OVERLOAD_TRACE=1 prints the samples.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { storedTotals } from '../helpers/stored-totals.js';
import { eventually } from '../helpers/engine.js';
import { EngineProcess } from '../helpers/engine-process.js';
import { parseMetrics, total } from '../helpers/metrics-traffic.js';
import { TestNatsServer } from '../helpers/nats-server.js';
import { publishAtRate } from '../helpers/publisher.js';

const OVERLOAD_SECONDS = Number(process.env.VIGIL_OVERLOAD_SECONDS ?? 15);
const READS_PER_MESSAGE = 100;
/** The consumer window, as configured for the engine below (the defaults, written out). */
const INGEST = { maxAckPending: 20_000, batchMaxBytes: 4 * 1024 * 1024, batchMaxMessages: 5000, batchMaxWaitMs: 20 };
const STORE_MEMORY_MB = 256;
const MB = 1024 * 1024;

let nats: TestNatsServer;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let engine: EngineProcess;

beforeAll(async () => {
  nats = await TestNatsServer.start();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  // store.memoryLimitMb bounds DuckDB's buffer pool, a known part of the engine's memory.
  engine = await EngineProcess.create(nats.url, INGEST, { config: { store: { memoryLimitMb: STORE_MEMORY_MB } } });
});

afterAll(async () => {
  await engine?.kill9();
  await nc?.close();
  await nats?.stop();
});

async function scrapeEngine() {
  return parseMetrics(await (await fetch(`${engine.url}/metrics`)).text());
}

async function stored(): Promise<number> {
  return total(await scrapeEngine(), 'vigil_detections_total');
}

interface Sample {
  t: number;
  rss: number;
  stored: number;
  ready: boolean;
  heap: number;
  external: number;
  pending: number;
}

// RSS is read from /proc: Linux only.
it.skipIf(process.platform !== 'linux')(
  `keeps memory bounded under twice its capacity for ${OVERLOAD_SECONDS} s, then catches up exactly`,
  async () => {
    engine.start();
    await eventually(() => engine.ready(), 30_000, 'engine ready');
    const baselineRss = engine.rssBytes()!;

    // Sampling: RSS, the engine's own heap and buffers, what it stored, readiness, the backlog.
    const samples: Sample[] = [];
    const started = performance.now();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const rss = engine.rssBytes();
        const m = await scrapeEngine().catch(() => []);
        const ready = await engine.ready();
        if (rss !== null && m.length > 0) {
          samples.push({
            t: (performance.now() - started) / 1000,
            rss,
            stored: total(m, 'vigil_detections_total'),
            ready,
            heap: total(m, 'nodejs_heap_size_used_bytes'),
            external: total(m, 'nodejs_external_memory_bytes'),
            pending: total(m, 'vigil_consumer_pending', { stream: 'VIGIL_DET' }),
          });
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })();

    // Twice what the engine stored over the last two seconds (reads/s), from a first guess.
    let target = 200_000;
    const pacer = setInterval(() => {
      const now = samples[samples.length - 1];
      const then = samples.find((s) => s.t >= now.t - 2);
      if (now && then && now.t - then.t >= 1) target = Math.max(20_000, (2 * (now.stored - then.stored)) / (now.t - then.t));
    }, 500);
    const overload = await publishAtRate(js, {
      rate: () => target / READS_PER_MESSAGE,
      durationMs: OVERLOAD_SECONDS * 1000,
      readsPerMessage: READS_PER_MESSAGE,
      tag: 'overload',
    });
    clearInterval(pacer);
    const overloadSeconds = overload.elapsedMs / 1000;
    const storedDuring = await stored();
    const info = await jsm.consumers.info('VIGIL_DET', 'vigil-det');
    const backlogAtEnd = info.num_pending + info.num_ack_pending;

    // Catch up, then stop sampling.
    const catchUpStarted = performance.now();
    await eventually(async () => (await stored()) >= overload.reads, 120_000, `${overload.reads} reads stored`);
    const catchUpSeconds = (performance.now() - catchUpStarted) / 1000;
    sampling = false;
    await sampler;

    const published = overload.reads / overloadSeconds;
    const ingested = storedDuring / overloadSeconds;
    const maxRss = Math.max(...samples.map((s) => s.rss));
    // The engine's own buffers: the JavaScript heap and what it holds outside it (message bytes,
    // DuckDB chunks' ArrayBuffers), by half of the overload; the backlog at its largest in each.
    const own = (x: Sample) => x.heap + x.external;
    const first = samples.filter((s) => s.t <= OVERLOAD_SECONDS / 2);
    const second = samples.filter((s) => s.t > OVERLOAD_SECONDS / 2 && s.t <= OVERLOAD_SECONDS);
    const maxFirst = Math.max(...first.map(own));
    const maxSecond = Math.max(...second.map(own));
    const pendingFirst = Math.max(...first.map((s) => s.pending));
    console.log(
      `overload: published ${Math.round(published)} reads/s for ${OVERLOAD_SECONDS} s (${overload.reads} reads, ${overload.retries} retries) ` +
        `while the engine stored ${Math.round(ingested)} reads/s; ${backlogAtEnd} messages behind at the end, caught up in ${catchUpSeconds.toFixed(1)} s ` +
        `(${Math.round((overload.reads - storedDuring) / catchUpSeconds)} reads/s); RSS ${Math.round(baselineRss / MB)} MB idle, ${Math.round(maxRss / MB)} MB at most; ` +
        `heap + external at most ${Math.round(maxFirst / MB)} MB in the first half (backlog up to ${pendingFirst} messages), ` +
        `${Math.round(maxSecond / MB)} MB in the second (${backlogAtEnd} at the end); not ready in ${samples.filter((s) => !s.ready).length} of ${samples.length} samples`,
    );
    if (process.env.VIGIL_OVERLOAD_TRACE) {
      for (const x of samples.filter((_, i) => i % 8 === 0)) {
        console.log(
          `t=${x.t.toFixed(1)} rss=${Math.round(x.rss / MB)} heap=${Math.round(x.heap / MB)} ext=${Math.round(x.external / MB)} stored=${x.stored} pending=${x.pending}`,
        );
      }
    }

    // It was an overload: well above what the engine stored, and a backlog that kept growing.
    // (The producer aims at twice; on two cores it tops out near 300,000 reads/s itself, so when
    // the engine stores more than ~150,000 a second, twice is out of reach: 1.55× was seen.)
    expect(published, 'published reads/s against stored reads/s').toBeGreaterThan(1.3 * ingested);
    expect(backlogAtEnd, 'the backlog grew in the second half').toBeGreaterThan(pendingFirst);
    // Memory: bounded, and not growing with the backlog. What the engine holds of the stream is
    // the pull window (2,000 messages at a time, under maxAckPending) and at most four batches of
    // batchMaxBytes staged for the store: tens of MB, while the backlog reaches hundreds. RSS also
    // holds DuckDB, whose buffer pool is capped at STORE_MEMORY_MB (it grows with the data
    // written, not with the backlog).
    expect(maxSecond, 'heap + external in the second half against the first').toBeLessThan(1.5 * maxFirst + 64 * MB);
    expect(maxSecond, 'heap + external').toBeLessThan(512 * MB);
    const rssFirst = Math.max(...first.map((s) => s.rss));
    const rssSecond = Math.max(...second.map((s) => s.rss));
    expect(rssSecond, 'RSS in the second half against the first (DuckDB may fill its pool meanwhile)').toBeLessThan(
      rssFirst + STORE_MEMORY_MB * MB,
    );
    expect(maxRss, 'RSS').toBeLessThan(baselineRss + STORE_MEMORY_MB * MB + 896 * MB);
    // An overload is not a failure: the engine stays ready.
    expect(samples.filter((s) => !s.ready).length).toBe(0);

    // Exact totals.
    await new Promise((r) => setTimeout(r, 500));
    expect(await stored()).toBe(overload.reads);
    expect(await engine.terminate()).toBe(0);
    const t = await storedTotals(engine.dataDir);
    expect(t.sightings).toBe(overload.reads);
    expect(t.distinctReads).toBe(overload.reads);
  },
  60_000 + OVERLOAD_SECONDS * 4_000,
);
