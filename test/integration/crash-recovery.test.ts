// Exactly once across kill -9: an engine process is killed at random moments while a producer
// streams reads, restarted each time, and at the end every read JetStream accepted is counted
// exactly once — in sightings, in the aggregates, and with no (seq, index) stored twice.

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { storedTotals } from '../helpers/stored-totals.js';
import { eventually } from '../helpers/engine.js';
import { startProcessStack, stopProcessStack, type EngineProcess, type ProcessStack } from '../helpers/engine-process.js';
import { publishAccepted } from '../helpers/publisher.js';

let stack: ProcessStack;
let nc: NatsConnection;
let engine: EngineProcess;

async function totalReads(): Promise<number> {
  const rows = (await engine.request('GET', '/api/v1/analytics/traffic?bucket=day&from=2000-01-01', 'analyst')).rows as Array<{
    count: number;
  }>;
  return rows.reduce((s, r) => s + r.count, 0);
}

beforeAll(async () => {
  stack = await startProcessStack();
  ({ nc, engine } = stack);
});

afterAll(() => stopProcessStack(stack));

it('counts every accepted read exactly once across three kill -9 during a stream', async () => {
  const js = jetstream(nc);
  let kills = 0;
  // Mixed traffic: gateway batches of 1–40 reads and single reads, streaming until the last kill.
  const producer = publishAccepted(js, {
    messages: 1_000_000,
    readsIn: (i) => (i % 3 === 0 ? 1 : 1 + ((i * 7) % 40)),
    window: 40,
    pauseMs: 8,
    tag: 'crash',
    stop: () => kills === 3,
  });

  engine.start();
  while (kills < 3) {
    await eventually(() => engine.ready(), 30_000, 'engine ready');
    // Let it ingest for a random while, then kill it without warning.
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
    await engine.kill9();
    kills++;
    engine.start();
  }
  const accepted = await producer;
  expect(accepted.messages).toBeGreaterThan(1000);
  await eventually(() => engine.ready(), 30_000, 'engine ready after the last restart');
  await eventually(async () => (await totalReads()) >= accepted.reads, 60_000, `${accepted.reads} reads counted`);
  // Counted exactly: give a redelivery a moment to (wrongly) add more, then compare.
  await new Promise((r) => setTimeout(r, 500));
  expect(await totalReads()).toBe(accepted.reads);

  // SIGTERM drains and exits 0.
  expect(await engine.terminate()).toBe(0);

  const t = await storedTotals(engine.dataDir);
  expect(t.sightings).toBe(accepted.reads);
  expect(t.distinctReads).toBe(accepted.reads);
  expect(t.aggregated).toBe(accepted.reads);
  expect(t.messages).toBe(accepted.messages);
}, 180_000);
