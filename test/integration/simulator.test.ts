// The simulator against a real nats-server: what it says it published is what the stream
// holds, in gateway batches or one read per message, through JetStream or core NATS, paced by
// the city's rhythm on a simulated clock that can run faster than real time.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decode } from '@msgpack/msgpack';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { TestNatsServer } from '../helpers/nats-server.js';
import { toDetection } from '../../engine/domain/detection.js';
import { toIncident } from '../../engine/domain/incident.js';
import { buildCity } from '../../engine/sim/city.js';
import { CITY_UTC_OFFSET_MS, hourOfWeek, INCIDENT_RHYTHM, READ_RHYTHM } from '../../engine/sim/rhythm.js';
import { runSimulation, type SimStats } from '../../engine/sim/simulator.js';

const STREAM = 'SIM';
const HOUR = 3_600_000;
const city = buildCity({ seed: 1, cameras: 300 });
let nats: TestNatsServer;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;

interface Stored {
  subject: string;
  data: Uint8Array;
}

/** The latest Monday at `hour`:00 on Tashkent's clock that is at least `before` ms ago. */
function lastMonday(hour: number, before: number): number {
  const local = Date.now() - before + CITY_UTC_OFFSET_MS;
  const day = Math.floor(local / (24 * HOUR));
  // Day 0 (1970-01-01) was a Thursday, so day d is a Monday when (d + 3) % 7 === 0.
  let monday = day - ((day + 3) % 7);
  if (monday * 24 * HOUR + hour * HOUR > local) monday -= 7;
  return monday * 24 * HOUR + hour * HOUR - CITY_UTC_OFFSET_MS;
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
  let mobile = 0;
  const readTs: number[] = [];
  const incidentTs: number[] = [];
  const subjects = new Set<string>();
  for (const m of messages) {
    const token = m.subject.split('.').pop()!;
    if (m.subject.startsWith('vigil.det.')) {
      subjects.add(token.startsWith('gw-') ? 'gateway' : 'camera');
      const payload = decode(m.data);
      const records = Array.isArray(payload) ? payload : [payload];
      for (const r of records) {
        const d = toDetection(r, token, Date.now());
        if (!token.startsWith('gw-')) expect(d.camera).toBe(token);
        if (d.lat !== undefined) mobile++;
        readTs.push(d.ts);
        reads++;
      }
    } else {
      expect(m.subject).toMatch(/^vigil\.incident\.(burglary|theft|assault|vandalism)$/);
      // JSON mostly, MessagePack for some: the first byte tells them apart.
      const record = m.data[0] === 0x7b ? JSON.parse(new TextDecoder().decode(m.data)) : decode(m.data);
      const incident = toIncident(record, token, Date.now());
      expect(incident.type).toBe(token);
      incidentTs.push(incident.ts);
      incidents++;
    }
  }
  return { reads, incidents, mobile, subjects, readTs, incidentTs };
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
    // A fixed simulated hour (Monday 08:00, rush hour), so the rhythm's share is known.
    const start = lastMonday(8, 60_000);
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
      start,
      onProgress: (s) => progress.push(s),
    });
    const took = Date.now() - started;

    const expectedReads = (2000 * READ_RHYTHM.integral(start, start + 1500)) / 1000;
    expect(expectedReads).toBeGreaterThan(3000); // rush hour: above the weekly mean
    expect(Math.abs(stats.reads - expectedReads)).toBeLessThanOrEqual(1);
    expect(Math.abs(stats.incidents - (10 * INCIDENT_RHYTHM.integral(start, start + 1500)) / 1000)).toBeLessThanOrEqual(1);
    if (batch === 1) expect(stats.messages).toBe(stats.reads);
    else expect(stats.messages).toBeGreaterThanOrEqual(stats.reads / 50);
    expect(stats.elapsedSeconds).toBeGreaterThanOrEqual(1.5);
    expect(stats.simulatedTime).toBe(start + 1500);
    expect(took).toBeLessThan(5000);
    expect(progress.length).toBeGreaterThanOrEqual(1);

    const total = stats.messages + stats.incidents;
    // A core publish is acknowledged by nobody: give the stream a moment to store it.
    await until(async () => (await streamMessages()) >= total, 5000);
    expect(await streamMessages()).toBe(total);
    const counted = tally(await readAll(total));
    expect(counted.reads).toBe(stats.reads);
    expect(counted.incidents).toBe(stats.incidents);
    expect(counted.mobile).toBeGreaterThan(0);
    expect([...counted.subjects]).toEqual([subjects]);
    // Event times on the simulated clock: the camera's delay before it, never after it.
    for (const ts of counted.readTs) expect(ts >= start - 200 && ts <= start + 1500).toBe(true);
  });

  it('runs half a simulated day in 3 s at 14,400×, rush hour busier than the small hours', async () => {
    const start = lastMonday(0, 24 * HOUR);
    const stats = await runSimulation({
      nc,
      prefix: 'vigil',
      city,
      seed: 3,
      rate: 3000,
      durationSeconds: 3,
      batch: 100,
      jetstream: true,
      incidentsPerMinute: 1200,
      start,
      speed: 14_400,
    });
    expect(stats.simulatedTime).toBe(start + 12 * HOUR);
    const total = stats.messages + stats.incidents;
    expect(await streamMessages()).toBe(total);
    const counted = tally(await readAll(total));
    expect(counted.reads).toBe(stats.reads);

    const perHour = new Array<number>(24).fill(0);
    for (const ts of counted.readTs) {
      expect(ts >= start - 200 && ts <= start + 12 * HOUR).toBe(true);
      perHour[hourOfWeek(ts) % 24]++;
    }
    expect(perHour[8]).toBeGreaterThan(4 * perHour[3]);
    expect(perHour.slice(12).every((n) => n === 0)).toBe(true);
    // Burglaries are reported up to 4 h after they happen, so some predate the clock's start.
    for (const ts of counted.incidentTs) expect(ts >= start - 4 * HOUR && ts <= start + 12 * HOUR).toBe(true);
    expect(counted.incidents).toBeGreaterThan(20);
  });

  it('catches up with the present and then runs in real time, never dating a read in the future', async () => {
    const started = Date.now();
    const stats = await runSimulation({
      nc,
      prefix: 'vigil',
      city,
      seed: 4,
      rate: 1000,
      durationSeconds: 1,
      batch: 50,
      jetstream: true,
      incidentsPerMinute: 0,
      start: started - 30_000,
      speed: 100,
    });
    const ended = Date.now();
    expect(stats.simulatedTime).toBeGreaterThan(ended - 1500);
    expect(stats.simulatedTime).toBeLessThanOrEqual(ended);
    const counted = tally(await readAll(stats.messages));
    expect(Math.max(...counted.readTs)).toBeLessThanOrEqual(ended);
    expect(Math.min(...counted.readTs)).toBeLessThan(started - 20_000);
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
    // Whatever the hour: between the night low and the rush-hour peak.
    expect(stats.reads).toBeGreaterThan(50);
    expect(stats.reads).toBeLessThan(2000);
    const total = stats.messages + stats.incidents;
    expect(await streamMessages()).toBe(total);
    expect(tally(await readAll(total)).reads).toBe(stats.reads);
  });

  it('refuses a clock that starts in the future', async () => {
    await expect(
      runSimulation({
        nc,
        prefix: 'vigil',
        city,
        seed: 1,
        rate: 10,
        durationSeconds: 1,
        batch: 1,
        jetstream: false,
        incidentsPerMinute: 0,
        start: Date.now() + 60_000,
      }),
    ).rejects.toThrow(/must not start in the future/);
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
