// No duplicate hit on NATS across kill -9: a hit-heavy stream (every listed plate hits, no
// cooldown) while the engine is killed three times; at the end VIGIL_HITS holds exactly one
// message per expected hit, and so does the hits table.

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Database } from '../../engine/store/database.js';
import { eventually } from '../helpers/engine.js';
import { startProcessStack, stopProcessStack, type EngineProcess, type ProcessStack } from '../helpers/engine-process.js';
import { publishAccepted } from '../helpers/publisher.js';

let stack: ProcessStack;
let nc: NatsConnection;
let engine: EngineProcess;

const LISTED = Array.from({ length: 200 }, (_, i) => `01A${String(100 + i).padStart(3, '0')}BC`);

beforeAll(async () => {
  stack = await startProcessStack();
  ({ nc, engine } = stack);
});

afterAll(() => stopProcessStack(stack));

// Each batch waits 150 ms between sending its hits and committing: the kills land in that
// window, so the restarted engine replays batches whose hits are already on NATS.
const FAULT = { VIGIL_FAULT_COMMIT_DELAY_MS: '150' };

it('sends each hit exactly once across three kill -9 during a hit-heavy stream', async () => {
  engine.start(FAULT);
  await eventually(() => engine.ready(), 30_000, 'engine ready');
  const list = await engine.request('POST', '/api/v1/watchlists', 'admin', {
    name: 'wanted',
    kind: 'plate',
    priority: 80,
    legalBasis: 'test warrant',
    cooldownSeconds: 0,
  });
  await engine.request(
    'POST',
    `/api/v1/watchlists/${list.id}/entries`,
    'admin',
    LISTED.map((key) => ({ key })),
  );

  // Every other read is a listed plate: one hit each; the others are plates far from the list.
  let expectedHits = 0;
  const js = jetstream(nc);
  let kills = 0;
  const producer = publishAccepted(js, {
    messages: 1_000_000,
    readsIn: (i) => (i % 4 === 0 ? 1 : 10),
    records: (i, n, ts) =>
      Array.from({ length: n }, (_, k) => ({
        ts: ts + k,
        kind: 'plate',
        id: `r${i}.${k}`,
        plate: k % 2 === 0 ? LISTED[(i * 7 + k) % LISTED.length] : `90Z${String((i + k) % 1000).padStart(3, '0')}XY`,
      })),
    window: 20,
    pauseMs: 10,
    tag: 'hits',
    stop: () => kills === 3,
  });

  while (kills < 3) {
    await new Promise((r) => setTimeout(r, 400 + Math.random() * 800));
    await engine.kill9();
    kills++;
    engine.start(FAULT);
    await eventually(() => engine.ready(), 30_000, 'engine ready');
  }
  const accepted = await producer;
  // Message i holds ceil(n/2) listed reads (k = 0, 2, 4, …).
  for (let i = 0; i < accepted.messages; i++) expectedHits += Math.ceil((i % 4 === 0 ? 1 : 10) / 2);
  expect(accepted.messages).toBeGreaterThan(200);

  const jsm = await jetstreamManager(nc);
  await eventually(
    async () => (await jsm.streams.info('VIGIL_HITS')).state.messages >= expectedHits,
    60_000,
    `${expectedHits} hits on NATS`,
  );
  await new Promise((r) => setTimeout(r, 1000));

  const ids: string[] = [];
  const consumer = await js.consumers.get('VIGIL_HITS');
  const iter = await consumer.fetch({ max_messages: expectedHits + 1000, expires: 3000 });
  for await (const m of iter) ids.push((m.json() as { id: string }).id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.length).toBe(expectedHits);

  expect(await engine.terminate()).toBe(0);
  const db = await Database.open(engine.dataDir, 'Asia/Tashkent');
  try {
    const [h] = await db.query('SELECT count(*)::BIGINT AS n, count(DISTINCT id)::BIGINT AS d FROM hits');
    expect(Number(h.n)).toBe(expectedHits);
    expect(Number(h.d)).toBe(expectedHits);
  } finally {
    await db.close();
  }
}, 180_000);
