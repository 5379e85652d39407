// The broker goes away mid-stream and comes back: the engine says it is not ready meanwhile,
// reconnects by itself, and every read JetStream accepted is counted exactly once.

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import type { Engine } from '../../app/engine.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { auth, eventually } from '../helpers/engine.js';
import { publishAccepted } from '../helpers/publisher.js';
import { startStack, stopStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let nats: TestNatsServer;
let engine: Engine;
let nc: NatsConnection;

async function totalReads(): Promise<number> {
  const res = await engine.api.inject({ url: '/api/v1/analytics/traffic?bucket=day&from=2000-01-01', headers: auth('analyst') });
  return (res.json().rows as Array<{ count: number }>).reduce((s, r) => s + r.count, 0);
}

beforeAll(async () => {
  stack = await startStack({ ingest: { batchMaxWaitMs: 5, ackWaitSeconds: 2 } }, { maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  ({ nats, engine, nc } = stack);
});

afterAll(() => stopStack(stack));

it('loses nothing and counts nothing twice when nats-server restarts mid-stream', async () => {
  const js = jetstream(nc);
  let restarted = false;
  const producer = publishAccepted(js, {
    messages: 1_000_000,
    readsIn: (i) => (i % 2 ? 1 : 25),
    window: 30,
    pauseMs: 5,
    tag: 'restart',
    stop: () => restarted,
  });
  await eventually(async () => (await totalReads()) > 2000, 20_000, 'ingest under way');

  await nats.stopProcess();
  await eventually(
    async () => {
      const r = await engine.api.inject({ url: '/readyz' });
      return r.statusCode === 503 && r.json().checks.nats === false;
    },
    10_000,
    '/readyz to report NATS down',
  );
  await new Promise((r) => setTimeout(r, 500));
  await nats.startProcess();
  await eventually(async () => (await engine.api.inject({ url: '/readyz' })).statusCode === 200, 30_000, 'ready again');
  // Keep streaming a little after the restart, then stop the producer.
  await new Promise((r) => setTimeout(r, 1000));
  restarted = true;
  const accepted = await producer;

  await eventually(async () => (await totalReads()) >= accepted.reads, 60_000, `${accepted.reads} reads counted`);
  // Past one ack_wait: a message whose ack was lost in the outage is redelivered by now, and
  // must have been skipped rather than counted again.
  await new Promise((r) => setTimeout(r, 2500));
  expect(await totalReads()).toBe(accepted.reads);
  const [dup] = await engine.db.query('SELECT count(*) - count(DISTINCT (seq, idx)) AS d FROM sightings');
  expect(Number(dup.d)).toBe(0);
}, 120_000);
