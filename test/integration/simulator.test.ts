// The simulator against a real nats-server: what it says it published is what the stream
// holds, in gateway batches or one read per message, through JetStream or core NATS.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decode } from '@msgpack/msgpack';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { TestNatsServer } from '../helpers/nats-server.js';
import { toDetection } from '../../engine/domain/detection.js';
import { toIncident } from '../../engine/domain/incident.js';
import { buildCity } from '../../engine/sim/city.js';
import { runSimulation, type SimStats } from '../../engine/sim/simulator.js';

const STREAM = 'SIM';
const city = buildCity({ seed: 1, cameras: 200 });
let nats: TestNatsServer;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;

interface Stored {
  subject: string;
  data: Uint8Array;
}

async function streamMessages(): Promise<number> {
  return (await jsm.streams.info(STREAM)).state.messages;
}

/** Every message in the stream, in order, through an ordered consumer. */
async function readAll(count: number): Promise<Stored[]> {
  const consumer = await js.consumers.get(STREAM);
  const got: Stored[] = [];
  const iter = await consumer.consume();
  for await (const m of iter) {
    // A plain Uint8Array, not the Buffer NATS hands over: Buffer#slice is a view, not the copy
    // toDetection makes of an unaligned embedding (reported; the engine's own path must cope).
    got.push({ subject: m.subject, data: new Uint8Array(m.data) });
    if (got.length === count) break;
  }
  return got;
}

/** Decodes what the stream holds and checks each record as the engine would. */
function tally(messages: Stored[]) {
  let reads = 0;
  let incidents = 0;
  const subjects = new Set<string>();
  for (const m of messages) {
    const token = m.subject.split('.').pop()!;
    if (m.subject.startsWith('vigil.det.')) {
      subjects.add(token.startsWith('gw-') ? 'gateway' : 'camera');
      const payload = decode(m.data);
      const records = Array.isArray(payload) ? payload : [payload];
      for (const r of records) {
        const ts = (r as { ts: number }).ts;
        const d = toDetection(r, token, ts);
        if (!token.startsWith('gw-')) expect(d.camera).toBe(token);
        reads++;
      }
    } else {
      expect(m.subject).toMatch(/^vigil\.incident\.(burglary|theft|assault|vandalism)$/);
      // JSON mostly, MessagePack for some: the first byte tells them apart.
      const record = m.data[0] === 0x7b ? JSON.parse(new TextDecoder().decode(m.data)) : decode(m.data);
      const incident = toIncident(record, token, (record as { ts: number }).ts);
      expect(incident.type).toBe(token);
      incidents++;
    }
  }
  return { reads, incidents, subjects };
}

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  nats = await TestNatsServer.start();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: STREAM, subjects: ['vigil.det.>', 'vigil.incident.>'] });
});

beforeEach(async () => {
  await jsm.streams.purge(STREAM);
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

describe('runSimulation', () => {
  it.each([
    { batch: 50, jetstream: true, subjects: 'gateway' },
    { batch: 1, jetstream: true, subjects: 'camera' },
    { batch: 50, jetstream: false, subjects: 'gateway' },
  ])('publishes what it counts (batch $batch, JetStream $jetstream)', async ({ batch, jetstream: useJs, subjects }) => {
    const progress: SimStats[] = [];
    const started = Date.now();
    const stats = await runSimulation({
      nc,
      prefix: 'vigil',
      city,
      seed: 7,
      rate: 2000,
      durationSeconds: 1.5,
      batch,
      jetstream: useJs,
      incidentsPerMinute: 600,
      onProgress: (s) => progress.push(s),
    });
    const took = Date.now() - started;

    expect(stats.reads).toBe(3000);
    expect(stats.incidents).toBe(15);
    if (batch === 1) expect(stats.messages).toBe(3000);
    else expect(stats.messages).toBeGreaterThanOrEqual(3000 / 50);
    expect(stats.elapsedSeconds).toBeGreaterThanOrEqual(1.5);
    expect(took).toBeLessThan(5000);
    expect(progress.length).toBeGreaterThanOrEqual(1);

    const total = stats.messages + stats.incidents;
    // A core publish is acknowledged by nobody: give the stream a moment to store it.
    await until(async () => (await streamMessages()) >= total, 5000);
    expect(await streamMessages()).toBe(total);
    const counted = tally(await readAll(total));
    expect(counted.reads).toBe(stats.reads);
    expect(counted.incidents).toBe(stats.incidents);
    expect([...counted.subjects]).toEqual([subjects]);
  });

  it('stops soon after its signal aborts, with what it published counted', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 400);
    const started = Date.now();
    const stats = await runSimulation({
      nc,
      prefix: 'vigil',
      city,
      seed: 8,
      rate: 2000,
      durationSeconds: 0,
      batch: 20,
      jetstream: true,
      incidentsPerMinute: 600,
      signal: abort.signal,
    });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(stats.reads).toBeGreaterThan(400);
    expect(stats.reads).toBeLessThan(1500);
    const total = stats.messages + stats.incidents;
    expect(await streamMessages()).toBe(total);
    expect(tally(await readAll(total)).reads).toBe(stats.reads);
  });

  it('stops at once, saying why, when no stream stores its subjects', async () => {
    const started = Date.now();
    await expect(
      runSimulation({
        nc,
        prefix: 'nostream',
        city,
        seed: 1,
        rate: 1000,
        durationSeconds: 0,
        batch: 10,
        jetstream: true,
        incidentsPerMinute: 0,
      }),
    ).rejects.toThrow(/no JetStream stream stores nostream\.det\.gw-\d/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
