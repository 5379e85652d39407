// The consumer's own guarantees, against a real JetStream: a message redelivered after it was
// applied is skipped, a failing commit is retried without acknowledging, nothing is applied twice.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { AppliedSequences, type SeqRange } from '../../engine/ingest/applied-sequences.js';
import { StreamConsumer, type InboundBatchMessage } from '../../engine/ingest/stream-consumer.js';
import { createLogger } from '../../engine/logger.js';
import { EngineMetrics } from '../../engine/metrics.js';
import { TestNatsServer } from '../helpers/nats-server.js';
import { eventually } from '../helpers/engine.js';

let nats: TestNatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nats = await TestNatsServer.start();
  nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

async function streamOf(name: string, count: number) {
  await jsm.streams.add({ name, subjects: [`${name}.>`] });
  const js = jetstream(nc);
  for (let i = 0; i < count; i++) await js.publish(`${name}.x`, new Uint8Array([i & 255]));
  return js;
}

function consumer(name: string, handler: (fresh: InboundBatchMessage[], applied: readonly SeqRange[]) => Promise<void>, metrics = new EngineMetrics(), applied = AppliedSequences.empty()) {
  return new StreamConsumer({
    js: jetstream(nc),
    jsm,
    stream: name,
    durable: `${name}-durable`,
    applied,
    handler,
    batchMaxMessages: 10,
    batchMaxBytes: 1 << 20,
    batchMaxWaitMs: 5,
    maxAckPending: 1000,
    ackWaitSeconds: 1,
    metrics,
    log: createLogger('silent'),
  });
}

it('skips messages redelivered after ack_wait while their batch was still committing', async () => {
  await streamOf('REDELIVER', 60);
  const seen: number[] = [];
  let first = true;
  const metrics = new EngineMetrics();
  const c = consumer('REDELIVER', async (fresh) => {
    if (first) {
      first = false;
      // Longer than ack_wait: JetStream redelivers this batch's messages meanwhile.
      await new Promise((r) => setTimeout(r, 2500));
    }
    for (const m of fresh) seen.push(m.seq);
  }, metrics);
  await c.start();
  await eventually(() => seen.length >= 60, 20_000, '60 messages applied');
  await new Promise((r) => setTimeout(r, 1500));
  await c.stop();
  expect(seen.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  const redelivered = (await metrics.redelivered.get()).values.reduce((s, v) => s + v.value, 0);
  expect(redelivered).toBeGreaterThan(0);
});

it('retries a batch whose commit fails, and applies it once when the commit succeeds', async () => {
  await streamOf('RETRY', 25);
  const seen: number[] = [];
  let failures = 2;
  const c = consumer('RETRY', async (fresh) => {
    if (failures > 0) {
      failures--;
      throw new Error('store unwritable');
    }
    for (const m of fresh) seen.push(m.seq);
  });
  await c.start();
  await eventually(() => !c.healthy, 5_000, 'unhealthy while failing');
  await eventually(() => seen.length >= 25, 20_000, '25 messages applied');
  expect(c.healthy).toBe(true);
  await c.stop();
  expect(seen.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
});

it('starts after the applied sequences, and only acknowledges what committed', async () => {
  await streamOf('RESUME', 30);
  const seen: number[] = [];
  // 1–10 and 15–20 applied before; 11–14 (and 21–30) are not.
  const c = consumer('RESUME', async (fresh) => {
    for (const m of fresh) seen.push(m.seq);
  }, new EngineMetrics(), AppliedSequences.fromRanges([[1, 10], [15, 20]]));
  await c.start();
  await eventually(() => seen.length >= 14, 10_000, '14 messages applied');
  await new Promise((r) => setTimeout(r, 300));
  await c.stop();
  expect(seen.slice().sort((a, b) => a - b)).toEqual([11, 12, 13, 14, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
  const info = await jsm.consumers.info('RESUME', 'RESUME-durable');
  expect(info.ack_floor.stream_seq).toBe(30);
});
