// Exactly once across kill -9 while reads are sealed into Parquet files and days are merged:
// a producer streams reads whose event times run through past days (so seal boundaries pass
// and days close all the time), maintenance runs every second, and the engine is killed at
// each point of the file protocol (temporary file written, renamed, committed; for a seal, a
// run of an open day's seals, and a closed day's merge) and then at random moments. At the end every accepted read is stored exactly once, hot or
// sealed, and counted once in the aggregates. A day holds more plate reads than the shard size
// set here, so merges (and a backlog's seals) write several files in one commit.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { storedTotals } from '../helpers/stored-totals.js';
import { eventually } from '../helpers/engine.js';
import { EngineProcess } from '../helpers/engine-process.js';
import { TestNatsServer } from '../helpers/nats-server.js';
import { publishAccepted } from '../helpers/publisher.js';

let nats: TestNatsServer;
let nc: NatsConnection;
let engine: EngineProcess;

const DAY = 86_400_000;
// Message i is read 20 s of event time after message i-1, from five days ago: an hour closes
// every 180 messages, a day every 4,320 (about 20 s at the producer's pace, so a day is sealed
// in many files and then merged).
const T0 = Date.now() - 5 * DAY;

beforeAll(async () => {
  nats = await TestNatsServer.start();
  nc = await connect({ servers: nats.url });
  engine = await EngineProcess.create(
    nats.url,
    {},
    { config: { store: { maintenanceIntervalSeconds: 1, latenessSeconds: 0, shardPlateReads: 1000 } } },
  );
});

afterAll(async () => {
  await engine?.kill9();
  await nc?.close();
  await nats?.stop();
});

async function totalCounted(): Promise<number> {
  const rows = (await engine.request('GET', '/api/v1/analytics/traffic?bucket=day&from=2000-01-01', 'analyst')).rows as Array<{
    count: number;
  }>;
  return rows.reduce((s, r) => s + r.count, 0);
}

it('stores every accepted read exactly once across kill -9 at each step of sealing and merging', async () => {
  const js = jetstream(nc);
  let done = false;
  const producer = publishAccepted(js, {
    messages: 1_000_000,
    readsIn: (i) => 1 + (i % 5),
    window: 20,
    pauseMs: 100,
    tag: 'seal',
    records: (i, n) =>
      Array.from({ length: n }, (_, k) => ({
        ts: T0 + i * 20_000 + k,
        kind: 'plate',
        plate: `${10 + (i % 80)}A${100 + k}BC`,
        id: `s${i}.${k}`,
      })),
    stop: () => done,
  });

  const faults = ['seal', 'run', 'day'].flatMap((what) => ['written', 'renamed', 'committed'].map((point) => `${what}:${point}`));
  for (const fault of faults) {
    engine.start({ VIGIL_FAULT_SEAL_KILL: fault });
    await eventually(() => !engine.running, 60_000, `the engine to die at ${fault}`);
  }
  for (let kills = 0; kills < 3; kills++) {
    engine.start();
    await eventually(() => engine.ready(), 30_000, 'engine ready');
    await new Promise((r) => setTimeout(r, 500 + Math.random() * 1500));
    await engine.kill9();
  }
  done = true;
  const accepted = await producer;
  engine.start();
  await eventually(() => engine.ready(), 30_000, 'engine ready after the last restart');
  await eventually(async () => (await totalCounted()) >= accepted.reads, 60_000, `${accepted.reads} reads counted`);
  await new Promise((r) => setTimeout(r, 1500));
  expect(await totalCounted()).toBe(accepted.reads);
  expect(await engine.terminate()).toBe(0);

  const t = await storedTotals(engine.dataDir);
  expect(t.sightings).toBe(accepted.reads);
  expect(t.distinctReads).toBe(accepted.reads);
  expect(t.aggregated).toBe(accepted.reads);
  expect(t.messages).toBe(accepted.messages);
  // Most reads were sealed, and days were merged: the faults were on the path taken.
  expect(t.sealedReads).toBeGreaterThan(accepted.reads / 2);
  expect(t.mergedShards).toBeGreaterThan(1);
  // On disk, only the catalogue's files: an analyst reading the folder sees each sealed read once.
  expect(t.strayFiles).toEqual([]);
  expect(t.readsOnDisk).toBe(t.sealedReads);
}, 240_000);
