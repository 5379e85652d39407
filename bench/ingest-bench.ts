// Ingest throughput: how fast vigil drains a JetStream backlog of reads into DuckDB, beside a
// do-nothing JetStream consumer draining the same messages in the same run (the ceiling).
// Cases: gateway batches of 150 reads, and one read per message (camera-direct).
//
//   npx vigil bench ingest [--reads 300000] [--single 60000] [--cpu-prof DIR]

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encode } from '@msgpack/msgpack';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { validateConfig } from '../engine/config.js';
import { Engine } from '../app/engine.js';
import { createLogger } from '../engine/logger.js';
import { freePort, PrivateNatsServer } from '../engine/nats/private-server.js';
import { vigilStreams, ensureStream } from '../engine/nats/streams.js';
import { startProfile } from './drain-profile.js';

interface CaseResult {
  case: string;
  messages: number;
  reads: number;
  baselineReadsPerSec: number;
  vigilReadsPerSec: number;
  ratio: number;
  vigilCpuMicrosPerRead: number;
  peakRssMb: number;
}

const PLATE_LETTERS = 'ABCDEFGHJKLMNPRSTUVXYZ';

/** A realistic plate read (~90 bytes of MessagePack). */
function read(i: number, ts: number): Record<string, unknown> {
  const l = (k: number) => PLATE_LETTERS[(i * 7 + k * 13) % PLATE_LETTERS.length];
  return {
    ts: ts + (i % 1000),
    kind: 'plate',
    camera: `cam-${i % 5000}`,
    id: `r${i}`,
    plate: `${String(10 + (i % 90))} ${l(1)} ${String(i % 1000).padStart(3, '0')} ${l(2)}${l(3)}`,
    conf: 0.9,
  };
}

async function publishBacklog(js: JetStreamClient, messages: number, readsPerMessage: number): Promise<number> {
  const ts = Date.now() - 60_000;
  let reads = 0;
  const window = 500;
  for (let start = 0; start < messages; start += window) {
    const acks: Promise<unknown>[] = [];
    for (let m = start; m < Math.min(messages, start + window); m++) {
      const payload =
        readsPerMessage === 1
          ? encode(read(m, ts))
          : encode(Array.from({ length: readsPerMessage }, (_, k) => read(m * readsPerMessage + k, ts)));
      reads += readsPerMessage;
      acks.push(js.publish(`vigil.det.cam-${m % 5000}`, payload));
    }
    await Promise.all(acks);
  }
  return reads;
}

/** The ceiling: a durable pull consumer that acknowledges batches and does nothing else. */
async function drainBaseline(nc: NatsConnection, messages: number): Promise<number> {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add('VIGIL_DET', {
    durable_name: 'bench-baseline',
    ack_policy: AckPolicy.All,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: 20000,
  });
  const consumer = await jetstream(nc).consumers.get('VIGIL_DET', 'bench-baseline');
  const started = performance.now();
  // Pulled as the engine pulls (by message count), so the two differ only in what they do.
  const iter = await consumer.consume({ max_messages: 2000 });
  let n = 0;
  for await (const m of iter) {
    n++;
    if (n % 2000 === 0 || n === messages) m.ack();
    if (n === messages) break;
  }
  const seconds = (performance.now() - started) / 1000;
  await iter.close();
  await jsm.consumers.delete('VIGIL_DET', 'bench-baseline');
  return seconds;
}

async function runCase(name: string, messages: number, readsPerMessage: number, profileFile?: string): Promise<CaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const nats = new PrivateNatsServer({ host: '127.0.0.1', port: await freePort(), dir: join(dir, 'nats') });
  await nats.start();
  const nc = await connect({ servers: nats.url });
  try {
    const jsm = await jetstreamManager(nc);
    for (const spec of Object.values(vigilStreams('vigil', 24))) await ensureStream(jsm, spec);
    const reads = await publishBacklog(jetstream(nc), messages, readsPerMessage);
    const baselineSeconds = await drainBaseline(nc, messages);

    const config = validateConfig({
      nats: { url: nats.url },
      dataDir: join(dir, 'data'),
      http: { port: 0 },
      auth: { tokens: [{ name: 'bench', role: 'admin', sha256: createHash('sha256').update('bench').digest('hex') }] },
    });
    let peakRss = process.memoryUsage().rss;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const engine = await Engine.start(config, createLogger('warn'), { listen: false });
    const countedSoFar = async () => (await engine.metrics.detections.get()).values.reduce((s, v) => s + v.value, 0);
    // Timed from the moment start() returned (the consumers are already pulling), so the
    // DuckDB open and stream set-up are not charged to throughput.
    const profile = await startProfile(profileFile);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const before = await countedSoFar();
    let counted = before;
    while (counted < reads) {
      await new Promise((r) => setTimeout(r, 5));
      counted = await countedSoFar();
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const timedReads = reads - before;
    await profile.stop();
    clearInterval(rssTimer);
    await engine.stop();
    return {
      case: name,
      messages,
      reads,
      baselineReadsPerSec: Math.round(reads / baselineSeconds),
      vigilReadsPerSec: Math.round(timedReads / seconds),
      ratio: Number((timedReads / seconds / (reads / baselineSeconds)).toFixed(3)),
      vigilCpuMicrosPerRead: Number(((cpu.user + cpu.system) / timedReads).toFixed(2)),
      peakRssMb: Math.round(peakRss / 2 ** 20),
    };
  } finally {
    await nc.close();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function table(results: CaseResult[]): string {
  const head =
    '| case | messages | reads | ceiling reads/s (do-nothing consumer) | vigil reads/s | vigil / ceiling | vigil CPU µs/read | peak RSS MB |';
  const rule = '|---|---:|---:|---:|---:|---:|---:|---:|';
  const rows = results.map(
    (r) =>
      `| ${r.case} | ${r.messages} | ${r.reads} | ${r.baselineReadsPerSec} | ${r.vigilReadsPerSec} | ${r.ratio} | ${r.vigilCpuMicrosPerRead} | ${r.peakRssMb} |`,
  );
  return [head, rule, ...rows].join('\n');
}

/** Both cases; returns the results and their Markdown table. */
export async function ingestBench(argv: string[]): Promise<{ results: CaseResult[]; markdown: string }> {
  const { values } = parseArgs({
    args: argv,
    options: {
      reads: { type: 'string', default: '300000' },
      single: { type: 'string', default: '60000' },
      'cpu-prof': { type: 'string' },
    },
  });
  const batchedReads = Number(values.reads);
  const singleReads = Number(values.single);
  // --cpu-prof DIR: one .cpuprofile per case, of the engine's drain only.
  const prof = (name: string) => (values['cpu-prof'] ? join(values['cpu-prof'], `ingest-${name}.cpuprofile`) : undefined);
  if (!(batchedReads >= 150)) throw new Error('--reads must be at least 150');
  if (!(singleReads >= 1)) throw new Error('--single must be at least 1');

  const results: CaseResult[] = [];
  console.error(`bench ingest: gateway batches of 150, ${batchedReads} reads…`);
  results.push(await runCase('batch of 150', Math.round(batchedReads / 150), 150, prof('batched')));
  console.error(`bench ingest: single-read messages, ${singleReads} reads…`);
  results.push(await runCase('single read', singleReads, 1, prof('single')));
  return { results, markdown: table(results) };
}
